import type { IncomingMessage, ServerResponse } from 'node:http';

/** Writes a JSON answer (`json` when the body is already serialised, or even encoded). */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, json: string | Buffer = JSON.stringify(body)): void {
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(json),
		'X-Content-Type-Options': 'nosniff',
		...headers
	});
	res.end(json);
}

/** Writes a non-JSON answer (SVG, XML, Prometheus text). */
export function sendText(res: ServerResponse, status: number, contentType: string, text: string, headers: Record<string, string> = {}): void {
	res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'X-Content-Type-Options': 'nosniff', ...headers });
	res.end(text);
}

/** The one error shape every endpoint answers with. */
export const error = (code: string, message: string) => ({ error: { code, message } });

/**
 * `429 Too Many Requests` with `Retry-After` in whole seconds (rounded up, so a client that waits
 * exactly that long is let in) and the usual error body.
 */
export function rateLimited(res: ServerResponse, retryAfterMs: number, headers: Record<string, string> = {}): void {
	const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
	send(res, 429, error('rate_limited', `too many requests from this address; retry in ${seconds} s`), { ...headers, 'Retry-After': String(seconds), 'Cache-Control': 'no-store' });
}

/** An error a route throws to answer `status` with the usual JSON body. */
export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string
	) {
		super(message);
	}
}

/**
 * Reads a JSON body of at most `limit` bytes. Throws an `HttpError` (413, 415 or 400) that says
 * what was wrong; the request is drained either way.
 */
export async function readJson(req: IncomingMessage, limit = 16_384): Promise<unknown> {
	const type = req.headers['content-type'] ?? '';
	if (!/^application\/json\b/i.test(type)) {
		req.resume();
		throw new HttpError(415, 'unsupported_media_type', 'send the body as JSON with Content-Type: application/json');
	}
	const chunks: Buffer[] = [];
	let size = 0;
	let tooLarge = false;
	// Read to the end even past the limit (keeping nothing), so the connection stays usable for
	// the next keep-alive request instead of being torn down mid-body.
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size > limit) tooLarge = true;
		else chunks.push(chunk);
		if (size > 16 * limit) {
			// Someone is streaming far more than any operator sends: stop listening.
			req.destroy();
			break;
		}
	}
	if (tooLarge) throw new HttpError(413, 'payload_too_large', `the body is larger than ${limit} bytes`);
	const text = Buffer.concat(chunks).toString('utf8');
	try {
		return JSON.parse(text);
	} catch {
		throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
	}
}

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the endpoint answered: a message created, one edited, a 429 or a 404. */
export interface WebhookCall {
	kind: 'create' | 'edit' | 'rate-limited' | 'unknown-webhook' | 'unknown-message';
	webhookId: string;
	messageId?: string;
	/** The JSON body sent (not kept in fast mode). */
	body?: Record<string, unknown>;
	/** The stand-in's clock when it answered. */
	at: number;
}

export interface WebhookEndpoint {
	/** `http://127.0.0.1:<port>`; webhook URLs are `${base}/api/webhooks/<id>/<token>` (see `webhookUrl`). */
	base: string;
	webhookUrl(id: string | number, token?: string): string;
	calls: WebhookCall[];
	/** Each message as it now reads (its last body), by message id. */
	messages: Map<string, { webhookId: string; body: Record<string, unknown> | undefined; edits: number }>;
	/** Creates per webhook id (kept in fast mode too). */
	createsFor(id: string | number): number;
	editsFor(id: string | number): number;
	/** From now on the webhook is unknown: every request gets `404 {"message":"Unknown Webhook","code":10015}`. */
	deleteWebhook(id: string | number): void;
	/** The next request to the webhook (or to any, with `global`) gets a 429 with `retry_after` seconds. */
	rateLimitNext(id: string | number, retryAfterS: number, options?: { global?: boolean }): void;
	/** Requests per webhook per window before a 429 (Discord's is 5 per 2 s); 0 turns the bucket off (default). */
	bucket(limit: number, windowMs: number): void;
	/** Deletes a message as a channel moderator would: an edit of it is then `404 Unknown Message`. */
	deleteMessage(messageId: string): void;
	/** Calls of `kind` answered so far (fast mode too). */
	count(kind: WebhookCall['kind']): number;
	/** Resolves once `n` calls of `kind` have been answered. */
	waitFor(kind: WebhookCall['kind'], n: number, timeoutMs?: number): Promise<void>;
	close(): Promise<void>;
}

const ROUTE = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([^/?]+)(?:\/messages\/(\d+))?\/?(?:\?(.*))?$/;

/**
 * A stand-in for Discord's webhook API on loopback, speaking its protocol: `POST
 * /webhooks/{id}/{token}?wait=true` answers the created message (with a snowflake id), `PATCH
 * …/messages/{message_id}` edits it; rate limits are answered with Discord's 429 (`retry_after`
 * in seconds, `global`, `X-RateLimit-*` and `Retry-After` headers) and every answer carries the
 * bucket headers; a deleted webhook answers `404 Unknown Webhook` (code 10015), a deleted message
 * `404 Unknown Message` (10008). `fast` keeps counts and message ids, not bodies (the bench).
 */
export async function startWebhookEndpoint(options: { fast?: boolean; now?: () => number } = {}): Promise<WebhookEndpoint> {
	const now = options.now ?? Date.now;
	const calls: WebhookCall[] = [];
	const messages = new Map<string, { webhookId: string; body: Record<string, unknown> | undefined; edits: number }>();
	const creates = new Map<string, number>();
	const edits = new Map<string, number>();
	const deleted = new Set<string>();
	const deletedMessages = new Set<string>();
	const limited = new Map<string, { retryAfterS: number; global: boolean }>();
	let globalLimit: { retryAfterS: number } | undefined;
	let bucket = { limit: 0, windowMs: 2_000 };
	const windows = new Map<string, { start: number; used: number }>();
	let nextId = 1_100_000_000_000_000_000n;
	const waiters: { kind: WebhookCall['kind']; n: number; resolve(): void }[] = [];
	const count = (kind: WebhookCall['kind']) => (options.fast ? fastCounts.get(kind) ?? 0 : calls.filter((c) => c.kind === kind).length);
	const fastCounts = new Map<WebhookCall['kind'], number>();
	const record = (call: WebhookCall) => {
		fastCounts.set(call.kind, (fastCounts.get(call.kind) ?? 0) + 1);
		if (!options.fast) calls.push(call);
		for (const w of waiters.filter((w) => count(w.kind) >= w.n)) {
			waiters.splice(waiters.indexOf(w), 1);
			w.resolve();
		}
	};
	const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
		res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
		res.end(JSON.stringify(body));
	};

	const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
		const m = ROUTE.exec(req.url ?? '');
		if (!m) return json(res, 404, { message: '404: Not Found', code: 0 });
		const [, webhookId, , messageId] = m as unknown as [string, string, string, string | undefined];
		const t = now();
		if (deleted.has(webhookId)) {
			record({ kind: 'unknown-webhook', webhookId, at: t });
			return json(res, 404, { message: 'Unknown Webhook', code: 10015 });
		}
		const once = limited.get(webhookId);
		const global = globalLimit;
		let over: { retryAfterS: number; global: boolean } | undefined = global ? { retryAfterS: global.retryAfterS, global: true } : once;
		if (global) globalLimit = undefined;
		else if (once) limited.delete(webhookId);
		let remaining = 5;
		if (!over && bucket.limit > 0) {
			const w = windows.get(webhookId);
			const win = w && t - w.start < bucket.windowMs ? w : { start: t, used: 0 };
			windows.set(webhookId, win);
			if (win.used >= bucket.limit) over = { retryAfterS: (win.start + bucket.windowMs - t) / 1000, global: false };
			else win.used++;
			remaining = bucket.limit - win.used;
		}
		const resetAfter = (over?.retryAfterS ?? bucket.windowMs / 1000).toFixed(3);
		const rateHeaders: Record<string, string> = {
			'X-RateLimit-Limit': String(bucket.limit || 5),
			'X-RateLimit-Remaining': String(over ? 0 : Math.max(0, remaining)),
			'X-RateLimit-Reset': ((t + Number(resetAfter) * 1000) / 1000).toFixed(3),
			'X-RateLimit-Reset-After': resetAfter,
			'X-RateLimit-Bucket': `bucket-${webhookId}`
		};
		if (over) {
			record({ kind: 'rate-limited', webhookId, at: t });
			return json(
				res,
				429,
				{ message: 'You are being rate limited.', retry_after: over.retryAfterS, global: over.global },
				{ ...rateHeaders, 'Retry-After': String(Math.ceil(over.retryAfterS)), ...(over.global ? { 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' } : { 'X-RateLimit-Scope': 'user' }) }
			);
		}
		let body: Record<string, unknown> | undefined;
		try {
			body = JSON.parse(raw) as Record<string, unknown>;
		} catch {
			return json(res, 400, { message: 'The request body contains invalid JSON.', code: 50109 }, rateHeaders);
		}
		if (req.method === 'POST' && !messageId) {
			const id = String(nextId++);
			messages.set(id, { webhookId, body: options.fast ? undefined : body, edits: 0 });
			creates.set(webhookId, (creates.get(webhookId) ?? 0) + 1);
			record({ kind: 'create', webhookId, messageId: id, ...(options.fast ? {} : { body }), at: t });
			const wait = new URLSearchParams(m[4] ?? '').get('wait') === 'true';
			if (!wait) return res.writeHead(204, rateHeaders).end();
			return json(res, 200, { id, type: 0, channel_id: '1', webhook_id: webhookId, ...body }, rateHeaders);
		}
		if (req.method === 'PATCH' && messageId) {
			const msg = messages.get(messageId);
			if (!msg || msg.webhookId !== webhookId || deletedMessages.has(messageId)) {
				record({ kind: 'unknown-message', webhookId, messageId, at: t });
				return json(res, 404, { message: 'Unknown Message', code: 10008 }, rateHeaders);
			}
			if ('username' in body) return json(res, 400, { message: 'Invalid Form Body', code: 50035, errors: { username: { _errors: [{ code: 'UNKNOWN_FIELD' }] } } }, rateHeaders);
			msg.edits++;
			if (!options.fast) msg.body = { ...msg.body, ...body };
			edits.set(webhookId, (edits.get(webhookId) ?? 0) + 1);
			record({ kind: 'edit', webhookId, messageId, ...(options.fast ? {} : { body }), at: t });
			return json(res, 200, { id: messageId, webhook_id: webhookId, ...msg.body }, rateHeaders);
		}
		return json(res, 405, { message: '405: Method Not Allowed', code: 0 });
	};

	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
	});
	server.keepAliveTimeout = 60_000;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		base,
		webhookUrl: (id, token = `token-${id}`) => `${base}/api/webhooks/${id}/${token}`,
		calls,
		messages,
		createsFor: (id) => creates.get(String(id)) ?? 0,
		editsFor: (id) => edits.get(String(id)) ?? 0,
		deleteWebhook: (id) => void deleted.add(String(id)),
		rateLimitNext(id, retryAfterS, opts = {}) {
			if (opts.global) globalLimit = { retryAfterS };
			else limited.set(String(id), { retryAfterS, global: false });
		},
		bucket(limit, windowMs) {
			bucket = { limit, windowMs };
		},
		deleteMessage: (id) => void deletedMessages.add(id),
		count,
		waitFor(kind, n, timeoutMs = 30_000) {
			if (count(kind) >= n) return Promise.resolve();
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`webhook endpoint: ${count(kind)} of ${n} ${kind} after ${timeoutMs} ms`)), timeoutMs);
				waiters.push({ kind, n, resolve: () => (clearTimeout(timer), resolve()) });
			});
		},
		close: () =>
			new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			})
	};
}

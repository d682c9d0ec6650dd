import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ViewerTokens } from '../auth/viewer-token.ts';
import type { Logger } from '../log.ts';
import { error, HttpError, send } from './respond.ts';

/** Further routes (the v1 API, feeds, metrics): true when one answered. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>) => Promise<boolean>;

export interface HttpDeps {
	allowedOrigins: readonly string[];
	statusMaxAgeS: number;
	tokens: ViewerTokens;
	/** `GET /api/status` body, already serialised (the feed caches it per version). */
	statusJson: () => string;
	health: () => Record<string, unknown>;
	logger: Logger;
	now: () => number;
	/** Tried in order for paths this module does not answer itself. */
	routes?: RouteHandler[];
}

/**
 * The HTTP side of the server. Socket.io handles `/socket.io/` before this sees a request.
 * CORS is only granted to configured page origins; a request with a foreign `Origin` is refused
 * outright, since browsers would otherwise still let it mint a token and read nothing.
 */
export function createHttpHandler(deps: HttpDeps) {
	const allowed = new Set(deps.allowedOrigins);

	return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		try {
			const url = new URL(req.url ?? '/', 'http://localhost');
			const origin = req.headers.origin;
			const cors: Record<string, string> = {};
			if (origin !== undefined) {
				if (!allowed.has(origin)) {
					return send(res, 403, error('forbidden_origin', `origin ${origin} is not in SHARDBEAT_ALLOWED_ORIGINS`));
				}
				cors['Access-Control-Allow-Origin'] = origin;
				cors['Vary'] = 'Origin';
			}

			if (req.method === 'OPTIONS') {
				res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Max-Age': '600' });
				return void res.end();
			}

			const route = `${req.method} ${url.pathname}`;
			switch (route) {
				case 'GET /healthz':
					return send(res, 200, { status: 'ok', ...deps.health() }, { ...cors, 'Cache-Control': 'no-store' });
				case 'GET /api/status':
					return send(res, 200, null, { ...cors, 'Cache-Control': `public, max-age=${deps.statusMaxAgeS}` }, deps.statusJson());
				case 'POST /api/token': {
					req.resume(); // the body carries nothing; drain it so the socket can be reused
					return send(res, 200, await deps.tokens.issue(deps.now()), { ...cors, 'Cache-Control': 'no-store' });
				}
			}
			for (const route of deps.routes ?? []) if (await route(req, res, url, cors)) return;
			if (['/healthz', '/api/status', '/api/token'].includes(url.pathname)) {
				return send(res, 405, error('method_not_allowed', `${req.method} is not supported on ${url.pathname}`), cors);
			}
			send(res, 404, error('not_found', `no route ${url.pathname}; try GET /api/status`), cors);
		} catch (err) {
			if (err instanceof HttpError) {
				const retry: Record<string, string> = err.status === 503 ? { 'Retry-After': '5' } : {};
				if (!res.headersSent) return send(res, err.status, error(err.code, err.message), retry);
			}
			deps.logger.error({ err, url: req.url }, 'http handler failed');
			if (!res.headersSent) send(res, 500, error('internal', 'internal error; it has been logged'));
			else res.destroy();
		}
	};
}

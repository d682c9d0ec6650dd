import type { IncomingMessage, ServerResponse } from 'node:http';
import { secretsEqual } from '../auth/secret.ts';
import type { ViewerTokens } from '../auth/viewer-token.ts';
import type { Logger } from '../log.ts';
import { routeClass, type RouteClass, type ShedDecision } from '../security/load-shedding.ts';
import type { RateDecision, RateLimiter } from '../security/rate-limit.ts';
import { isBotHeartbeat } from './heartbeat-route.ts';
import { isMetricsScrape } from './metrics-route.ts';
import { isSubscriptionLinkPath } from '../subscriptions/subscription-routes.ts';
import { error, HttpError, rateLimited, send } from './respond.ts';

/** Further routes (the v1 API, feeds, metrics): true when one answered. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>) => Promise<boolean>;

export interface HttpDeps {
	allowedOrigins: readonly string[];
	/** Origins the operator console may call from with its session cookie (a preflight may ask for credentials). */
	consoleOrigins?: readonly string[];
	statusMaxAgeS: number;
	tokens: ViewerTokens;
	/** `GET /api/status` body, already serialised (the feed caches it per version), or already encoded. */
	statusJson: () => string | Buffer;
	health: () => Record<string, unknown>;
	logger: Logger;
	now: () => number;
	/** Tried in order for paths this module does not answer itself. */
	routes?: RouteHandler[];
	/** `POST /api/token` with `Authorization: Bearer <this>` mints an operator-scoped token. */
	operatorSecret?: string;
	/** `SHARDBEAT_METRICS_TOKEN`: a `/metrics` request bearing it skips the per-IP limits. */
	metricsToken?: string;
	/** `SHARDBEAT_BOT_SECRET`: a heartbeat bearing it is limited per cluster, not per IP. */
	botSecret?: string;
	/** Load shedding: whether the server is too far behind for a request of this class now. */
	shedding?: { admit(route: RouteClass): ShedDecision & { done?: () => void } };
	/** Per-IP limits; absent limiters mean no limit. */
	limits?: {
		/** The IP a request counts against (see `security/client-ip.ts`). */
		clientIp: (req: IncomingMessage) => string;
		/** Every route but the exempt ones. */
		http?: RateLimiter;
		/** `POST /api/token`, on top of `http`. */
		token?: RateLimiter;
	};
}

/**
 * Probes, and scrapes bearing the metrics token (see `exempt` below): monitoring must still see a
 * server that is being flooded.
 */
const RATE_EXEMPT = new Set(['/healthz']);

/**
 * The HTTP side of the server. Socket.io handles `/socket.io/` before this sees a request.
 * CORS is only granted to configured page origins; a request with a foreign `Origin` is refused
 * outright, since browsers would otherwise still let it mint a token and read nothing.
 */
export function createHttpHandler(deps: HttpDeps) {
	const allowed = new Set(deps.allowedOrigins);
	const consoleOrigins = new Set(deps.consoleOrigins ?? []);

	return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		try {
			let url: URL;
			try {
				url = new URL(req.url ?? '/', 'http://localhost');
			} catch {
				req.resume();
				return send(res, 400, error('invalid_url', 'the request path is not a valid URL path'));
			}
			const origin = req.headers.origin;
			const cors: Record<string, string> = {};
			// A mail link's page posts its form from the server's own origin: its token, not an origin,
			// authorises it, and it is answered without CORS (no other site may read the page).
			if (origin !== undefined && !(isSubscriptionLinkPath(url.pathname) && !allowed.has(origin))) {
				if (!allowed.has(origin)) {
					// Drained, so the keep-alive connection stays usable for the next request.
					req.resume();
					return send(res, 403, error('forbidden_origin', `origin ${origin} is not in SHARDBEAT_ALLOWED_ORIGINS`));
				}
				cors['Access-Control-Allow-Origin'] = origin;
				cors['Vary'] = 'Origin';
			}

			if (req.method === 'OPTIONS') {
				req.resume();
				// The console's requests carry its cookie and CSRF header and use every method; only its origin may.
				const consoleCors =
					origin !== undefined && consoleOrigins.has(origin) && url.pathname.startsWith('/api/v1/console/')
						? { 'Access-Control-Allow-Methods': 'GET, POST, PUT, PATCH, DELETE', 'Access-Control-Allow-Headers': 'Content-Type, X-Shardbeat-CSRF', 'Access-Control-Allow-Credentials': 'true' }
						: {};
				// Content-Type: the page posts JSON (subscribing), which browsers preflight.
				res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Content-Type', 'Access-Control-Max-Age': '600', ...consoleCors });
				return void res.end();
			}

			// Before the rate limits (which may ask Redis): an overloaded server spends the least here.
			const shed = deps.shedding?.admit(routeClass(req.method ?? 'GET', url.pathname));
			if (shed?.done) res.once('close', shed.done);
			if (shed?.shed) {
				req.resume();
				return send(res, 503, error('overloaded', `the server is overloaded and keeps live status first; retry in ${shed.retryAfterS} s`), {
					...cors,
					'Retry-After': String(shed.retryAfterS),
					'Cache-Control': 'no-store'
				});
			}

			const limits = deps.limits;
			// The operator's scraper is exempt; anyone else asking for /metrics spends their HTTP budget,
			// so guessing the token is as slow as the limit.
			// Likewise a bot's heartbeat bearing the bot secret: its own bucket is per cluster (one host
			// runs many clusters); a heartbeat without the secret counts here like any request.
			const exempt =
				RATE_EXEMPT.has(url.pathname) || (url.pathname === '/metrics' && isMetricsScrape(req, deps.metricsToken)) || isBotHeartbeat(req, url.pathname, deps.botSecret);
			if (limits && !exempt) {
				const ip = limits.clientIp(req);
				const refused = (await limitOf(limits.http, ip)) ?? (req.method === 'POST' && url.pathname === '/api/token' ? await limitOf(limits.token, ip) : undefined);
				if (refused) {
					req.resume();
					// The IP is not a secret, and seeing who is throttled is what an operator needs.
					deps.logger.debug({ ip, path: url.pathname, limiter: refused.limiter }, 'http request rate limited');
					return rateLimited(res, refused.retryAfterMs, cors);
				}
			}

			const route = `${req.method} ${url.pathname}`;
			switch (route) {
				case 'GET /healthz':
					return send(res, 200, { status: 'ok', ...deps.health() }, { ...cors, 'Cache-Control': 'no-store' });
				case 'GET /api/status':
					return send(res, 200, null, { ...cors, 'Cache-Control': `public, max-age=${deps.statusMaxAgeS}` }, deps.statusJson());
				case 'POST /api/token': {
					req.resume(); // the body carries nothing; drain it so the socket can be reused
					const header = req.headers.authorization;
					if (header === undefined) return send(res, 200, await deps.tokens.issue(deps.now()), { ...cors, 'Cache-Control': 'no-store' });
					// Whoever sends credentials wants more than a public token: a wrong one is an error,
					// never a silent downgrade, and the bot secret or a viewer token is just wrong.
					const given = header.startsWith('Bearer ') ? header.slice(7) : '';
					if (!deps.operatorSecret || !given || !secretsEqual(given, deps.operatorSecret)) {
						return send(res, 401, error('unauthorized', 'send no Authorization for a public token, or Authorization: Bearer <SHARDBEAT_OPERATOR_SECRET> for an operator one'), {
							...cors,
							'Cache-Control': 'no-store'
						});
					}
					return send(res, 200, await deps.tokens.issue(deps.now(), 'operator'), { ...cors, 'Cache-Control': 'no-store' });
				}
			}
			for (const route of deps.routes ?? []) if (await route(req, res, url, cors)) return;
			if (['/healthz', '/api/status', '/api/token'].includes(url.pathname)) {
				return send(res, 405, error('method_not_allowed', `${req.method} is not supported on ${url.pathname}`), cors);
			}
			send(res, 404, error('not_found', `no route ${url.pathname.slice(0, 100)}; try GET /api/status`), cors);
		} catch (err) {
			if (err instanceof HttpError) {
				const retry: Record<string, string> = err.status === 503 ? { 'Retry-After': '5' } : {};
				if (!res.headersSent) return send(res, err.status, error(err.code, err.message), retry);
			}
			// The path only: a query string may hold a subscription link's token.
			deps.logger.error({ err, path: req.url?.split('?')[0] }, 'http handler failed');
			if (!res.headersSent) send(res, 500, error('internal', 'internal error; it has been logged'));
			else res.destroy();
		}
	};
}

async function limitOf(limiter: RateLimiter | undefined, ip: string): Promise<{ limiter: string; retryAfterMs: number } | undefined> {
	if (!limiter) return undefined;
	const decision: RateDecision = await limiter.take(ip);
	return decision.ok ? undefined : { limiter: limiter.name, retryAfterMs: decision.retryAfterMs };
}

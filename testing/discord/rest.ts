import type { IncomingMessage, ServerResponse } from 'node:http';
import { APPLICATION, BOT_USER, discordError } from './payloads.ts';

/*
 * The REST routes a Discord library calls on login, and nothing more:
 * - discord.js 14 / @discordjs/ws: `GET /gateway/bot` (url, recommended shards, session limits);
 * - Eris: `GET /gateway/bot` or `GET /gateway`; Oceanic.js: the same, and `GET /applications/@me`
 *   when asked to drop privileged intents the application lacks.
 * Any API version prefix (`/api/v10/…`, `/api/v9/…`, or none) is accepted, as Discord does.
 */

/** What the REST side reads from its gateway. */
export interface RestContext {
	token: string;
	gatewayUrl: string;
	totalShards: number;
	maxConcurrency: number;
	/** Sessions started so far (IDENTIFYs), which `session_start_limit.remaining` counts down. */
	identifies(): number;
}

/** Daily session starts Discord allows a bot below 150,000 guilds. */
const SESSION_START_TOTAL = 1_000;
const ROUTE = /^\/api(?:\/v\d+)?(\/[^?]*)(?:\?.*)?$/;

type Route = { auth: boolean; body: (ctx: RestContext) => unknown };

const ROUTES = new Map<string, Route>(Object.entries({
	'/gateway': { auth: false, body: (ctx) => ({ url: ctx.gatewayUrl }) },
	'/gateway/bot': {
		auth: true,
		body: (ctx) => ({
			url: ctx.gatewayUrl,
			shards: ctx.totalShards,
			session_start_limit: {
				total: SESSION_START_TOTAL,
				remaining: Math.max(0, SESSION_START_TOTAL - ctx.identifies()),
				reset_after: 86_400_000,
				max_concurrency: ctx.maxConcurrency
			}
		})
	},
	'/users/@me': { auth: true, body: () => BOT_USER },
	'/applications/@me': { auth: true, body: () => APPLICATION },
	'/oauth2/applications/@me': { auth: true, body: () => APPLICATION }
} satisfies Record<string, Route>));

function send(res: ServerResponse, status: number, body: unknown): void {
	const json = JSON.stringify(body);
	res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(json) });
	res.end(json);
}

/**
 * Answers one REST request: 404 with Discord's error body for an unknown route, 405 for a method
 * other than GET, 401 when a route that needs the bot token gets anything but `Bot <token>`.
 */
export function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse): void {
	const path = ROUTE.exec(req.url ?? '')?.[1];
	const route = path === undefined ? undefined : ROUTES.get(path);
	if (!route) return send(res, 404, discordError(404, 'Not Found'));
	if (req.method !== 'GET') return send(res, 405, discordError(405, 'Method Not Allowed'));
	if (route.auth && req.headers.authorization !== `Bot ${ctx.token}`) return send(res, 401, discordError(401, 'Unauthorized'));
	send(res, 200, route.body(ctx));
}

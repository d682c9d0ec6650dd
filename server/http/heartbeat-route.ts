import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Ack, HeartbeatAccepted, ProtocolError } from '#shared';
import { secretsEqual } from '../auth/secret.ts';
import type { HeartbeatIntake } from '../fleet/heartbeat-intake.ts';
import type { Logger } from '../log.ts';
import { MAX_MESSAGE_BYTES } from '../namespaces/sockets.ts';
import { HEARTBEAT_PATH } from '../security/load-shedding.ts';
import type { RateLimiter } from '../security/rate-limit.ts';
import { HttpError, readJson, send } from './respond.ts';

export interface HeartbeatRouteDeps {
	/** `SHARDBEAT_BOT_SECRET`: the same secret a `/bot` socket shows at its handshake. */
	botSecret: string;
	/** The socket path's intake: one validation, one fleet, one liveness. */
	intake: HeartbeatIntake;
	/** Per cluster id (`SHARDBEAT_RATE_HEARTBEATS_PER_10S`); absent means no limit. */
	perCluster?: RateLimiter | undefined;
	clientIp: (req: IncomingMessage) => string;
	logger: Logger;
}

/** The bearer secret in `Authorization`, or undefined. Never logged or echoed. */
function bearer(req: IncomingMessage): string | undefined {
	const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
	return match?.[1];
}

/**
 * Whether `req` is a heartbeat bearing the bot secret. Such a request is charged to its cluster
 * (`SHARDBEAT_RATE_HEARTBEATS_PER_10S`) instead of its IP, the way an authenticated bot socket
 * stops counting against the per-IP connection cap: one host runs many clusters. Without the
 * secret it counts against the IP like any request, so guessing the secret is as slow as that.
 */
export function isBotHeartbeat(req: IncomingMessage, path: string, botSecret: string | undefined): boolean {
	if (!botSecret || path !== HEARTBEAT_PATH || req.method !== 'POST') return false;
	const given = bearer(req);
	return given !== undefined && secretsEqual(given, botSecret);
}

/** HTTP status for each refusal the intake (or this route) answers. */
const STATUS: Record<string, number> = { invalid_payload: 400, unsupported_version: 400, unauthorized: 401, rate_limited: 429, internal: 500 };

/**
 * `POST /api/v1/heartbeat`: a heartbeat from any language. `Authorization: Bearer <bot secret>`,
 * a JSON body of the socket's heartbeat (at most the socket's message size), answered with the
 * socket's ack: `{ ok: true, receivedAt, conflicts }`, or `{ ok: false, error: { code, message } }`
 * with a 4xx. Validation, the fleet and liveness are the socket path's (`intake`); the cluster has
 * no socket, so only silence stops it.
 */
export function createHeartbeatRoute(deps: HeartbeatRouteDeps) {
	const { logger } = deps;
	const answer = (res: ServerResponse, status: number, body: Ack<HeartbeatAccepted>, cors: Record<string, string>, extra: Record<string, string> = {}) =>
		send(res, status, body, { ...cors, 'Cache-Control': 'no-store', ...extra });
	const refuse = (res: ServerResponse, status: number, error: { code: string; message: string }, cors: Record<string, string>, extra: Record<string, string> = {}) =>
		answer(res, status, { ok: false, error: error as ProtocolError }, cors, extra);

	return async (req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>): Promise<boolean> => {
		if (url.pathname !== HEARTBEAT_PATH) return false;
		if (req.method !== 'POST') {
			req.resume();
			refuse(res, 405, { code: 'method_not_allowed', message: `${req.method} is not supported on ${HEARTBEAT_PATH}; POST a heartbeat` }, cors, { Allow: 'POST' });
			return true;
		}
		const ip = deps.clientIp(req);
		const given = bearer(req);
		if (given === undefined || !secretsEqual(given, deps.botSecret)) {
			req.resume();
			logger.warn({ via: 'http', ip }, given === undefined ? 'bot refused: no secret' : 'bot refused: wrong secret');
			const message =
				given === undefined
					? 'No bot secret: send Authorization: Bearer <SHARDBEAT_BOT_SECRET> (the server\'s bot secret).'
					: 'Wrong bot secret: Authorization: Bearer <secret> must carry the server\'s SHARDBEAT_BOT_SECRET.';
			refuse(res, 401, { code: 'unauthorized', message }, cors, { 'WWW-Authenticate': 'Bearer' });
			return true;
		}
		let payload: unknown;
		try {
			payload = await readJson(req, MAX_MESSAGE_BYTES);
		} catch (err) {
			if (!(err instanceof HttpError)) throw err;
			logger.warn({ via: 'http', ip, reason: err.code }, 'heartbeat refused');
			refuse(res, err.status, { code: err.code, message: err.message }, cors);
			return true;
		}
		const limiter = deps.perCluster;
		const gate = async (clusterId: number): Promise<Ack<HeartbeatAccepted> | undefined> => {
			if (!limiter) return undefined;
			const decision = await limiter.take(String(clusterId));
			if (decision.ok) return undefined;
			logger.debug({ via: 'http', ip, cluster: clusterId }, 'heartbeat rate limited');
			const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
			return {
				ok: false,
				error: {
					code: 'rate_limited',
					message: `too many heartbeats for cluster ${clusterId}; send one every few seconds, retry in ${seconds} s`,
					retryAfterMs: decision.retryAfterMs
				}
			};
		};
		const ack = await deps.intake(payload, { socketId: null, log: { via: 'http', ip } }, gate);
		if (ack.ok) {
			answer(res, 200, ack, cors);
			return true;
		}
		const status = STATUS[ack.error.code] ?? 400;
		const retry: Record<string, string> = ack.error.retryAfterMs ? { 'Retry-After': String(Math.max(1, Math.ceil(ack.error.retryAfterMs / 1000))) } : {};
		answer(res, status, ack, cors, retry);
		return true;
	};
}

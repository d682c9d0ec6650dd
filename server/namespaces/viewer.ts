import type { Namespace } from 'socket.io';
import type { Ack, FleetUpdate, ViewerClientToServerEvents, ViewerServerToClientEvents } from '#shared';
import { monotonicNow } from '../clock.ts';
import type { ViewerScope, ViewerTokens } from '../auth/viewer-token.ts';
import type { FleetFeed } from '../feed/fleet-feed.ts';
import type { Logger } from '../log.ts';
import type { ConnectionCap } from '../security/connection-cap.ts';
import { takeToken, type Bucket, type RateRule } from '../security/rate-limit.ts';
import { ackOf, connectError } from './errors.ts';

interface ViewerSocketData {
	tokenExpiresAt: number;
	scope: ViewerScope;
	/** The IP this socket counts against in the per-IP cap. */
	ip: string;
	/** This socket's event budget; it lives and dies with the socket, so it needs no eviction. */
	bucket: Bucket | undefined;
	/** The console session its token was minted for, if any. */
	sessionId: string | undefined;
}

export type ViewerNamespace = Namespace<ViewerClientToServerEvents, ViewerServerToClientEvents, Record<never, never>, ViewerSocketData>;

/** Viewers holding an operator token sit in this room: pushes to it carry full detail. */
export const OPERATOR_ROOM = 'operator';

/** Sockets opened with a console session's tokens sit in its room, so ending the session can disconnect them. */
export const sessionRoom = (sessionId: string) => `console-session:${sessionId}`;

export interface ViewerNamespaceDeps {
	tokens: ViewerTokens;
	/** Full detail: what operator-scoped viewers are answered from. */
	feed: FleetFeed;
	/** What public viewers are answered from; the same feed unless the public detail is `basic`. */
	publicFeed?: FleetFeed;
	logger: Logger;
	now: () => number;
	stats: { polls: number };
	/** Whether the console session a token was minted for is still valid (logout and revocation end its sockets' access at once). */
	sessionAlive?: (sessionId: string) => Promise<boolean>;
	limits?: {
		/** Events per socket per 10 s (0: unlimited). */
		eventsPer10s: number;
		/** Concurrent viewer sockets per IP: this instance's, or shared through Redis. */
		cap?: ConnectionCap;
		clientIp: (headers: Record<string, string | string[] | undefined>, address: string) => string;
	};
}

/** The retry hint a capped viewer gets: long enough for other tabs to close. */
export const CAP_RETRY_MS = 10_000;

const expired = { ok: false, error: { code: 'token_expired', message: 'viewer token expired; fetch a new one from POST /api/token and send renew-token' } } as const;

/** The only events a viewer may send; a bot's `heartbeat` or anything else is refused unseen. */
const VIEWER_EVENTS = new Set<string>(['get-cluster-status', 'renew-token']);

/** `{ since?: version }`, or nothing at all (a first poll); anything else is refused. */
function parseStatusRequest(input: unknown): { ok: true; since: number | undefined } | { ok: false; message: string } {
	if (input === undefined || input === null) return { ok: true, since: undefined };
	if (typeof input !== 'object' || Array.isArray(input)) return { ok: false, message: 'get-cluster-status takes { since?: number }' };
	const keys = Object.keys(input);
	if (keys.some((k) => k !== 'since')) return { ok: false, message: `get-cluster-status: unknown field ${keys.find((k) => k !== 'since')}; only since is allowed` };
	const since = (input as { since?: unknown }).since;
	if (since === undefined) return { ok: true, since: undefined };
	if (typeof since !== 'number' || !Number.isSafeInteger(since) || since < 0) {
		return { ok: false, message: 'get-cluster-status: since must be the non-negative integer version of the copy you hold' };
	}
	return { ok: true, since };
}

/**
 * Wires `/viewer`: a per-IP cap and a valid token at the handshake, a still-valid token and an
 * event budget for every request, and nothing but the two viewer events.
 */
export function registerViewerNamespace(nsp: ViewerNamespace, deps: ViewerNamespaceDeps): void {
	const { tokens, feed, logger, now } = deps;
	const publicFeed = deps.publicFeed ?? feed;
	const limits = deps.limits;
	const eventRule: RateRule | undefined = limits && limits.eventsPer10s > 0 ? { limit: limits.eventsPer10s, windowMs: 10_000 } : undefined;
	const cap = limits?.cap && limits.cap.limit > 0 ? limits.cap : undefined;
	const capMessage = (ip: string) => `too many viewer connections from ${ip}; close some tabs or retry later`;

	nsp.use(async (socket, next) => {
		const ip = limits ? limits.clientIp(socket.handshake.headers, socket.handshake.address) : socket.handshake.address;
		const check = await tokens.verify(socket.handshake.auth?.token, now());
		if (!check.ok) {
			logger.debug({ socket: socket.id, code: check.code }, 'viewer refused');
			return next(connectError(check.code, check.reason));
		}
		if (check.sessionId !== undefined && !(await deps.sessionAlive?.(check.sessionId).catch(() => false))) {
			return next(connectError('unauthorized', 'the console session this token was made for has ended; log in again'));
		}
		// After the token (an HMAC costs less than a Redis round trip), and atomically, so
		// concurrent handshakes cannot all take the last slot.
		if (cap && !(await cap.acquire(ip, socket.id))) {
			logger.debug({ socket: socket.id, ip }, 'viewer refused: per-IP connection cap');
			return next(connectError('rate_limited', capMessage(ip), CAP_RETRY_MS));
		}
		// Released on disconnect, or when the client left before the handshake finished (then
		// there is no connection and no disconnect); releasing twice is harmless.
		if (cap) {
			if (socket.conn.readyState !== 'open') {
				cap.release(ip, socket.id);
				return next(new Error('the client closed its connection during the handshake'));
			}
			socket.conn.once('close', () => cap.release(ip, socket.id));
		}
		socket.data.tokenExpiresAt = check.expiresAt;
		socket.data.scope = check.scope;
		socket.data.ip = ip;
		socket.data.sessionId = check.sessionId;
		next();
	});

	nsp.on('connection', (socket) => {
		if (cap) socket.on('disconnect', () => cap.release(socket.data.ip, socket.id));
		if (socket.data.scope === 'operator') void socket.join(OPERATOR_ROOM);
		if (socket.data.sessionId !== undefined) void socket.join(sessionRoom(socket.data.sessionId));

		socket.use((packet, next) => {
			const ack = ackOf(packet);
			if (eventRule) {
				// The event budget refills on the monotonic clock (`now` is the token clock, wall time).
				const { bucket, decision } = takeToken(socket.data.bucket, eventRule, monotonicNow());
				socket.data.bucket = bucket;
				if (!decision.ok) {
					return ack?.({
						ok: false,
						error: { code: 'rate_limited', message: `too many requests on this socket; retry in ${Math.ceil(decision.retryAfterMs / 1000)} s`, retryAfterMs: decision.retryAfterMs }
					});
				}
			}
			if (!VIEWER_EVENTS.has(String(packet[0]))) {
				return ack?.({ ok: false, error: { code: 'unknown_event', message: 'viewers may only send get-cluster-status and renew-token' } });
			}
			next();
		});

		socket.on('get-cluster-status', (...args: unknown[]) => {
			const ack = ackOf(args) as ((r: Ack<{ update: FleetUpdate }>) => void) | undefined;
			if (!ack) return;
			if (now() >= socket.data.tokenExpiresAt) return ack(expired);
			deps.stats.polls++;
			// An old page sends no arguments at all: the ack is then the only one.
			const request = parseStatusRequest(args.length > 1 ? args[0] : undefined);
			if (!request.ok) return ack({ ok: false, error: { code: 'invalid_payload', message: request.message } });
			try {
				const source = socket.data.scope === 'operator' ? feed : publicFeed;
				ack({ ok: true, update: source.answer(request.since, Date.now()) });
			} catch (error) {
				logger.error({ err: error }, 'get-cluster-status failed');
				ack({ ok: false, error: { code: 'internal', message: 'the server could not build the status; it has been logged' } });
			}
		});

		socket.on('renew-token', async (...args: unknown[]) => {
			const ack = ackOf(args) as ((r: Ack<{ expiresAt: number }>) => void) | undefined;
			const check = await tokens.verify(args[0], now());
			if (!check.ok) return ack?.({ ok: false, error: { code: check.code, message: check.reason } });
			if (check.sessionId !== undefined && !(await deps.sessionAlive?.(check.sessionId).catch(() => false))) {
				return ack?.({ ok: false, error: { code: 'unauthorized', message: 'the console session this token was made for has ended; log in again' } });
			}
			if (check.sessionId !== undefined && check.sessionId !== socket.data.sessionId) {
				if (socket.data.sessionId !== undefined) void socket.leave(sessionRoom(socket.data.sessionId));
				socket.data.sessionId = check.sessionId;
				void socket.join(sessionRoom(check.sessionId));
			}
			socket.data.tokenExpiresAt = check.expiresAt;
			// The new token decides what the socket sees from now on, in both directions.
			if (check.scope !== socket.data.scope) {
				socket.data.scope = check.scope;
				if (check.scope === 'operator') void socket.join(OPERATOR_ROOM);
				else void socket.leave(OPERATOR_ROOM);
			}
			ack?.({ ok: true, expiresAt: check.expiresAt });
		});
	});
}

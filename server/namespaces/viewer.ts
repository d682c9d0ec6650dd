import type { Namespace } from 'socket.io';
import type { Ack, FleetUpdate, ViewerClientToServerEvents, ViewerServerToClientEvents } from '#shared';
import type { ViewerTokens } from '../auth/viewer-token.ts';
import type { FleetFeed } from '../feed/fleet-feed.ts';
import type { Logger } from '../log.ts';
import { ackOf, connectError } from './errors.ts';

interface ViewerSocketData {
	tokenExpiresAt: number;
}

export type ViewerNamespace = Namespace<ViewerClientToServerEvents, ViewerServerToClientEvents, Record<never, never>, ViewerSocketData>;

export interface ViewerNamespaceDeps {
	tokens: ViewerTokens;
	feed: FleetFeed;
	logger: Logger;
	now: () => number;
	stats: { polls: number };
}

const expired = { ok: false, error: { code: 'token_expired', message: 'viewer token expired; fetch a new one from POST /api/token and send renew-token' } } as const;

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

/** Wires `/viewer`: a valid token at the handshake, and a still-valid one for every request. */
export function registerViewerNamespace(nsp: ViewerNamespace, deps: ViewerNamespaceDeps): void {
	const { tokens, feed, logger, now } = deps;

	nsp.use(async (socket, next) => {
		const check = await tokens.verify(socket.handshake.auth?.token, now());
		if (!check.ok) {
			logger.debug({ socket: socket.id, code: check.code }, 'viewer refused');
			return next(connectError(check.code, check.reason));
		}
		socket.data.tokenExpiresAt = check.expiresAt;
		next();
	});

	nsp.on('connection', (socket) => {
		socket.on('get-cluster-status', (...args: unknown[]) => {
			const ack = ackOf(args) as ((r: Ack<{ update: FleetUpdate }>) => void) | undefined;
			if (!ack) return;
			if (now() >= socket.data.tokenExpiresAt) return ack(expired);
			deps.stats.polls++;
			// An old page sends no arguments at all: the ack is then the only one.
			const request = parseStatusRequest(args.length > 1 ? args[0] : undefined);
			if (!request.ok) return ack({ ok: false, error: { code: 'invalid_payload', message: request.message } });
			try {
				ack({ ok: true, update: feed.answer(request.since, Date.now()) });
			} catch (error) {
				logger.error({ err: error }, 'get-cluster-status failed');
				ack({ ok: false, error: { code: 'internal', message: 'the server could not build the status; it has been logged' } });
			}
		});

		socket.on('renew-token', async (...args: unknown[]) => {
			const ack = ackOf(args) as ((r: Ack<{ expiresAt: number }>) => void) | undefined;
			const check = await tokens.verify(args[0], now());
			if (!check.ok) return ack?.({ ok: false, error: { code: check.code, message: check.reason } });
			socket.data.tokenExpiresAt = check.expiresAt;
			ack?.({ ok: true, expiresAt: check.expiresAt });
		});
	});
}

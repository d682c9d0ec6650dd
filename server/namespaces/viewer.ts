import type { Namespace } from 'socket.io';
import type { Ack, FleetStatus, ViewerClientToServerEvents, ViewerServerToClientEvents } from '#shared';
import type { ViewerTokens } from '../auth/viewer-token.ts';
import type { Logger } from '../log.ts';
import { ackOf, connectError } from './errors.ts';

interface ViewerSocketData {
	tokenExpiresAt: number;
}

export type ViewerNamespace = Namespace<ViewerClientToServerEvents, ViewerServerToClientEvents, Record<never, never>, ViewerSocketData>;

export interface ViewerNamespaceDeps {
	tokens: ViewerTokens;
	snapshot: () => FleetStatus;
	logger: Logger;
	now: () => number;
}

const expired = { ok: false, error: { code: 'token_expired', message: 'viewer token expired; fetch a new one from POST /api/token and send renew-token' } } as const;

/** Wires `/viewer`: a valid token at the handshake, and a still-valid one for every request. */
export function registerViewerNamespace(nsp: ViewerNamespace, deps: ViewerNamespaceDeps): void {
	const { tokens, logger, now } = deps;

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
			const ack = ackOf(args) as ((r: Ack<{ status: FleetStatus }>) => void) | undefined;
			if (!ack) return;
			if (now() >= socket.data.tokenExpiresAt) return ack(expired);
			try {
				ack({ ok: true, status: deps.snapshot() });
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

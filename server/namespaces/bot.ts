import type { Namespace } from 'socket.io';
import type { Ack, BotClientToServerEvents, BotServerToClientEvents, HeartbeatAccepted } from '#shared';
import { secretsEqual } from '../auth/secret.ts';
import type { Fleet } from '../fleet/fleet.ts';
import type { Liveness } from '../fleet/liveness.ts';
import { parseHeartbeat } from '../protocol/heartbeat-schema.ts';
import type { Logger } from '../log.ts';
import { ackOf, connectError } from './errors.ts';

export type BotNamespace = Namespace<BotClientToServerEvents, BotServerToClientEvents>;

export interface BotNamespaceDeps {
	botSecret: string;
	fleet: Fleet;
	liveness: Liveness;
	logger: Logger;
	stats: { heartbeatsAccepted: number; heartbeatsRefused: number };
}

/** Wires `/bot`: secret checked at the handshake, heartbeats validated before they touch state. */
export function registerBotNamespace(nsp: BotNamespace, deps: BotNamespaceDeps): void {
	const { fleet, liveness, logger } = deps;

	nsp.use((socket, next) => {
		const secret: unknown = socket.handshake.auth?.secret;
		if (typeof secret !== 'string' || secret === '') {
			logger.warn({ socket: socket.id, address: socket.handshake.address }, 'bot refused: no secret');
			return next(connectError('unauthorized', 'No bot secret: pass `secret` (the server\'s SHARDBEAT_BOT_SECRET) to the Shardbeat reporter.'));
		}
		if (!secretsEqual(secret, deps.botSecret)) {
			logger.warn({ socket: socket.id, address: socket.handshake.address }, 'bot refused: wrong secret');
			return next(connectError('unauthorized', 'Wrong bot secret: the reporter\'s `secret` must equal the server\'s SHARDBEAT_BOT_SECRET.'));
		}
		next();
	});

	nsp.on('connection', (socket) => {
		logger.info({ socket: socket.id, address: socket.handshake.address }, 'bot connected');

		socket.on('heartbeat', (...args: unknown[]) => {
			const ack = ackOf(args) as ((result: Ack<HeartbeatAccepted>) => void) | undefined;
			try {
				const parsed = parseHeartbeat(args[0]);
				if (!parsed.ok) {
					deps.stats.heartbeatsRefused++;
					logger.warn({ socket: socket.id, field: parsed.field, reason: parsed.error.message }, 'heartbeat refused');
					ack?.({ ok: false, error: parsed.error });
					return;
				}
				const now = Date.now();
				deps.stats.heartbeatsAccepted++;
				const result = fleet.apply(parsed.value, socket.id, now);
				// Silence is measured on the monotonic clock; `now` (wall clock) is only what viewers read.
				liveness.touch(parsed.value.clusterId);
				if (result.conflictsChanged && result.conflicts.length > 0) {
					logger.warn({ cluster: result.cluster.id, conflicts: result.conflicts }, 'shard claimed by more than one live cluster');
				}
				if (result.lifecycleChanged) logger.info({ cluster: result.cluster.id, lifecycle: result.cluster.lifecycle }, 'cluster lifecycle');
				ack?.({ ok: true, receivedAt: now, conflicts: result.conflicts });
			} catch (error) {
				// A bug here must cost one heartbeat, never the process or the fleet state.
				logger.error({ err: error, socket: socket.id }, 'heartbeat handler failed');
				ack?.({ ok: false, error: { code: 'internal', message: 'the server failed to process this heartbeat; it has been logged' } });
			}
		});

		socket.on('disconnect', (reason) => {
			const stopped = fleet.stopSocket(socket.id);
			for (const id of stopped) liveness.forget(id);
			logger.info({ socket: socket.id, reason, stopped }, 'bot disconnected');
		});
	});
}

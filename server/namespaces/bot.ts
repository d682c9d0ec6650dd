import type { Namespace } from 'socket.io';
import type { Ack, BotClientToServerEvents, BotServerToClientEvents, HeartbeatAccepted } from '#shared';
import { secretsEqual } from '../auth/secret.ts';
import type { Fleet } from '../fleet/fleet.ts';
import type { HeartbeatIntake } from '../fleet/heartbeat-intake.ts';
import type { Liveness } from '../fleet/liveness.ts';
import type { Logger } from '../log.ts';
import { createConnectionIntake } from '../protocol/heartbeat-sequence.ts';
import { ackOf, connectError } from './errors.ts';

export type BotNamespace = Namespace<BotClientToServerEvents, BotServerToClientEvents>;

export interface BotNamespaceDeps {
	botSecret: string;
	fleet: Fleet;
	liveness: Liveness;
	logger: Logger;
	/** Validates and applies each heartbeat (shared with `POST /api/v1/heartbeat`). */
	intake: HeartbeatIntake;
}

/** Wires `/bot`: secret checked at the handshake, heartbeats validated before they touch state. */
export function registerBotNamespace(nsp: BotNamespace, deps: BotNamespaceDeps): void {
	const { fleet, liveness, logger, intake } = deps;

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

		// Per connection, so a delta's base never outlives the socket it was accepted on.
		const receive = createConnectionIntake(intake, { socketId: socket.id, log: { socket: socket.id } }, logger);
		socket.on('heartbeat', (...args: unknown[]) => {
			const ack = ackOf(args) as ((result: Ack<HeartbeatAccepted>) => void) | undefined;
			// Applied with or without an ack: a bot that does not wait for answers still reports.
			const result = receive(args[0]);
			if (ack) ack(result.ok ? { ...result, answersOnlyProblems: true, acceptsDeltas: true } : result);
			// Without an ack, silence means accepted; a problem still reaches the bot, once per heartbeat as an ack would.
			else if (!result.ok || result.conflicts.length > 0) socket.emit('heartbeat-result', result);
		});

		socket.on('disconnect', (reason) => {
			const stopped = fleet.stopSocket(socket.id);
			for (const id of stopped) liveness.forget(id);
			logger.info({ socket: socket.id, reason, stopped }, 'bot disconnected');
		});
	});
}

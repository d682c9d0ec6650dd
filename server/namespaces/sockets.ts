import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { NAMESPACES, toBase64, toBytes, type Incident, type MaintenanceWindow } from '#shared';
import type { ViewerTokens } from '../auth/viewer-token.ts';
import type { FleetFeeds } from '../feed/fleet-feeds.ts';
import type { CommittedUpdate } from '../feed/fleet-feed.ts';
import type { FleetTracking } from '../fleet/fleet-tracking.ts';
import { createHeartbeatIntake, type HeartbeatIntake } from '../fleet/heartbeat-intake.ts';
import type { Logger } from '../log.ts';
import type { ConnectionGuard } from '../security/connection-guard.ts';
import type { Limits } from '../security/limits.ts';
import type { Subsystem } from '../subsystem.ts';
import { registerBotNamespace, type BotNamespace } from './bot.ts';
import { OPERATOR_ROOM, registerViewerNamespace, sessionRoom, type ViewerNamespace } from './viewer.ts';

/**
 * Socket.io caps a message at this size; the largest valid heartbeat (1,024 shards) is ~70 KB.
 * `POST /api/v1/heartbeat` takes bodies up to the same size.
 */
export const MAX_MESSAGE_BYTES = 1_000_000;

/** Counters since start, read by `/metrics`. */
export interface ServerStats {
	heartbeatsAccepted: number;
	heartbeatsRefused: number;
	polls: number;
	pushes: number;
}

export interface Sockets extends Subsystem {
	readonly io: Server;
	readonly stats: ServerStats;
	/** Validates and applies heartbeats: `/bot` uses it, and so does `POST /api/v1/heartbeat`. */
	readonly heartbeats: HeartbeatIntake;
	/** Bot connections (clusters) on this instance now. */
	bots(): number;
	/** Viewer connections on this instance now. */
	viewers(): number;
	/**
	 * Pushes an incident as it stands now to every viewer: of every instance when scaled out
	 * (the Redis adapter carries it), so call it once per change, where the change was made.
	 */
	pushIncident(incident: Incident): void;
	/** Tells every viewer (of every instance) that incident `id` was deleted. */
	pushIncidentDeleted(id: number): void;
	/** Pushes the maintenance windows in progress or scheduled to every viewer (of every instance). */
	pushMaintenance(windows: MaintenanceWindow[]): void;
	/** Disconnects, on every instance, the viewer sockets opened with a console session's tokens. */
	endSession(sessionId: string): void;
	/**
	 * Disconnects every socket and closes the HTTP server they share; resolves once all are
	 * closed. Returns at once with that promise, so the caller can close other parts meanwhile.
	 */
	close(): Promise<void>;
}

/** Base64 in the JSON frame: one WebSocket frame per viewer instead of text + binary, which halves the frames a push costs the server and every page. */
const frame = (update: CommittedUpdate) => ({ ...update, data: toBase64(toBytes(update.data)) });

/**
 * Socket.io: `/bot` (heartbeats in, validated against the fleet), `/viewer` (polls and pushes
 * out), nothing on `/`. Every committed version is pushed to viewers, split by audience when the
 * public detail is redacted, and so is every incident change (incidents are public at any
 * detail); scaled out, Socket.io's Redis adapter carries each push to the viewers of every
 * instance.
 */
export function createSockets(deps: {
	http: HttpServer;
	allowedOrigins: readonly string[];
	botSecret: string;
	tracking: FleetTracking;
	feeds: FleetFeeds;
	tokens: ViewerTokens;
	limits: Limits;
	/** The per-IP connection cap: a bot's connection stops counting once it has authenticated. */
	connections?: Pick<ConnectionGuard, 'exempt'>;
	redis: Redis | undefined;
	logger: Logger;
	now: () => number;
	/** Whether a console session is still valid (viewer tokens minted for one die with it). */
	sessionAlive?: (sessionId: string) => Promise<boolean>;
}): Sockets {
	const { feeds, logger } = deps;
	const stats: ServerStats = { heartbeatsAccepted: 0, heartbeatsRefused: 0, polls: 0, pushes: 0 };
	const allowedOrigins = new Set(deps.allowedOrigins);
	const io = new Server(deps.http, {
		maxHttpBufferSize: MAX_MESSAGE_BYTES,
		cors: { origin: [...deps.allowedOrigins], methods: ['GET', 'POST'] },
		// CORS does not cover WebSocket upgrades, so the origin is checked here for every transport.
		allowRequest: (req, callback) => {
			const origin = req.headers.origin;
			callback(null, origin === undefined || allowedOrigins.has(origin));
		}
	});
	const bots = io.of(NAMESPACES.bot) as BotNamespace;
	const heartbeats = createHeartbeatIntake({ fleet: deps.tracking.fleet, liveness: deps.tracking.liveness, logger, stats });
	registerBotNamespace(bots, { botSecret: deps.botSecret, fleet: deps.tracking.fleet, liveness: deps.tracking.liveness, logger, intake: heartbeats });
	// Only sockets that passed the secret get here; the WebSocket's TCP connection is the handshake's.
	if (deps.connections) bots.on('connection', (socket) => deps.connections!.exempt(socket.request.socket));
	// Nothing lives on the main namespace: refuse it rather than hold unauthenticated sockets.
	io.of('/').use((_socket, next) => next(new Error('unknown namespace; bots use /bot and pages /viewer')));
	const viewers = io.of(NAMESPACES.viewer) as ViewerNamespace;
	registerViewerNamespace(viewers, {
		tokens: deps.tokens,
		feed: feeds.full,
		publicFeed: feeds.public,
		logger,
		now: deps.now,
		stats,
		limits: deps.limits.viewers,
		...(deps.sessionAlive ? { sessionAlive: deps.sessionAlive } : {})
	});

	let adapterSub: Redis | undefined;
	if (deps.redis) {
		adapterSub = deps.redis.duplicate();
		adapterSub.on('error', (err: Error) => logger.warn({ err: err.message, client: 'adapter' }, 'redis error'));
		io.adapter(createAdapter(deps.redis, adapterSub, { key: 'shardbeat:socket.io' }));
	}

	feeds.committed.listen((update) => {
		stats.pushes++;
		if (!feeds.redacts) return void viewers.emit('fleet-update', frame(update));
		viewers.to(OPERATOR_ROOM).emit('fleet-update', frame(update));
		const redacted = feeds.publicUpdate(update);
		if (redacted) viewers.except(OPERATOR_ROOM).emit('fleet-update', frame(redacted));
	});

	let closed: Promise<void> | undefined;
	return {
		io,
		stats,
		heartbeats,
		bots: () => bots.sockets.size,
		viewers: () => viewers.sockets.size,
		pushIncident: (incident) => void viewers.emit('incident', incident),
		pushIncidentDeleted: (id) => void viewers.emit('incident-deleted', id),
		pushMaintenance: (windows) => void viewers.emit('maintenance', windows),
		endSession: (sessionId) => viewers.in(sessionRoom(sessionId)).disconnectSockets(true),
		health: () => ({ bots: bots.sockets.size, viewers: viewers.sockets.size }),
		close() {
			closed ??= (() => {
				// io.close() disconnects every socket and closes the HTTP server it is attached to.
				const done = new Promise<void>((resolve) => io.close(() => resolve()));
				deps.http.closeAllConnections?.();
				adapterSub?.disconnect();
				return done;
			})();
			return closed;
		}
	};
}

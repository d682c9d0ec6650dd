import { createServer, type Server as HttpServer } from 'node:http';
import type { Server } from 'socket.io';
import type { FleetStatus } from '#shared';
import { ViewerTokens } from './auth/viewer-token.ts';
import type { ServerConfig } from './config.ts';
import { createFleetFeeds } from './feed/fleet-feeds.ts';
import type { FleetFeed } from './feed/fleet-feed.ts';
import { createFleetStore } from './store/fleet-store.ts';
import { Publisher } from './store/publisher.ts';
import type { Fleet } from './fleet/fleet.ts';
import { createFleetTracking, type FleetTracking } from './fleet/fleet-tracking.ts';
import { HistoryRuntime } from './history/history-runtime.ts';
import type { IncidentNotice } from './history/incident-notice.ts';
import { consoleOrigins, createSessions } from './console/console.ts';
import { createHttpApi } from './http/http-api.ts';
import { listenHttp } from './http/listen.ts';
import { createLogger, type Logger } from './log.ts';
import { createSockets, type ServerStats } from './namespaces/sockets.ts';
import { createNotifications } from './notify/notifications.ts';
import { fleetScope } from './notify/audience.ts';
import { createDelivery, type Delivery } from './notify/delivery.ts';
import { createConnectionGuard, httpServerOptions } from './security/connection-guard.ts';
import { createLimits } from './security/limits.ts';
import { createLoadShedding } from './security/load-shedding.ts';
import { createSubscriptions, type Subscriptions } from './subscriptions/subscriptions.ts';

export type { ServerStats };

/** A running (or ready to run) Shardbeat server. */
export interface ShardbeatServer {
	readonly http: HttpServer;
	readonly io: Server;
	readonly fleet: Fleet;
	/** The fleet with its liveness, and the clusters expected from before a restart. */
	readonly tracking: FleetTracking;
	/** The versioned fleet viewers see (a batch behind `fleet` until the next push), in full detail. */
	readonly feed: FleetFeed;
	/** What public viewers and `/api/status` see: `feed` itself, or its redacted twin in `basic` detail. */
	readonly publicFeed: FleetFeed;
	/** Starts listening; resolves with the base URL, e.g. `http://127.0.0.1:4000`. */
	listen(port?: number, host?: string): Promise<string>;
	/** The base URL once listening. */
	readonly url: string;
	/** The fleet at the current version, as `GET /api/status` returns it. */
	snapshot(): FleetStatus;
	/** Counters since start (`/metrics` reads them). */
	readonly stats: ServerStats;
	/** History, incidents and maintenance (its database may still be connecting). */
	readonly history: HistoryRuntime;
	/** The durable outbox: operator webhooks, subscriber mail and Discord messages. */
	readonly delivery: Delivery;
	/** Subscribers: the API, double opt-in, leaving, and the mails' wording. */
	readonly subscriptions: Subscriptions;
	/** Commits and pushes pending changes now instead of at the next batch tick. */
	flush(): Promise<void>;
	/** Disconnects every socket, clears every timer and stops listening. Safe to call twice. */
	close(): Promise<void>;
}

export interface ShardbeatServerOptions {
	logger?: Logger;
	/** Clock for token issue and expiry checks; tests move it instead of waiting minutes. */
	now?: () => number;
	/** Clock for history and incidents (tests move it past the incident threshold). Default `now`. */
	historyNow?: () => number;
	/** Every incident notice (webhooks get them already; tests and embedders listen here). */
	onIncident?: (notice: IncidentNotice) => void;
	/** How often automatic incidents are checked. Default 5 s. */
	incidentCheckIntervalMs?: number;
	/** The event loop's delay as load shedding reads it (ms); default: measured. Tests set an overload with it. */
	loopDelay?: () => number;
	/** The monotonic clock silence and the start-up grace are measured on; tests move it instead of waiting. */
	livenessClock?: () => number;
	/** Where Discord's API answers for subscribers' webhooks; tests point it at a stand-in on loopback. */
	discordApiBase?: string;
}

/**
 * Builds a Shardbeat server from a config (see `loadConfig`). Nothing listens until `listen()`.
 * Data flows in the order the subsystems are made: heartbeat → validation (`/bot`) → fleet →
 * publisher → store (a version) → feeds → viewers (pushes) and history (recorded transitions).
 *
 * @example
 * const { config } = loadConfig(process.env);
 * const server = createShardbeatServer(config);
 * console.log('listening on', await server.listen());
 * process.on('SIGTERM', () => server.close());
 */
export function createShardbeatServer(config: ServerConfig, options: ShardbeatServerOptions = {}): ShardbeatServer {
	const logger = options.logger ?? createLogger(config.logLevel);
	const now = options.now ?? Date.now;
	const historyNow = options.historyNow ?? now;
	const silenceTimeoutMs = config.heartbeatIntervalMs * config.missedHeartbeats;
	const http = createServer(httpServerOptions(config));
	// First, so that it sees every connection before Socket.io or a route does.
	const connections = createConnectionGuard({ http, settings: config, logger });
	const shedding = createLoadShedding({ thresholdMs: config.shedLagMs, ...(options.loopDelay ? { measure: options.loopDelay } : {}) });
	const tokens = new ViewerTokens(config.tokenSecret, config.tokenTtlMs, config.latencyBands);

	const tracking = createFleetTracking({
		silenceTimeoutMs,
		logger,
		// Alone, this process is the fleet's only memory, so a restart starts from the history's; scaled
		// out, Redis keeps the fleet across any one instance's restart.
		...(config.redisUrl ? {} : { expect: () => history.members() }),
		...(options.livenessClock ? { clock: options.livenessClock } : {})
	});
	// Alone, versions start at our start time; scaled out, Redis says where they are (at `listen`).
	const feeds = createFleetFeeds({ publicDetail: config.publicDetail, initialVersion: config.redisUrl ? 0 : Date.now(), logger });
	// Pages hear of every incident change as it is stored (only the instance that stored it is
	// told, and its push reaches every instance's viewers), so their notices keep up with the banner.
	const toViewers = (notice: IncidentNotice) => sockets.pushIncident(notice.incident);
	const notifications = createNotifications({ logger, deliver: (notice) => delivery.notify(notice), listeners: [toViewers, ...(options.onIncident ? [options.onIncident] : [])] });
	const history = new HistoryRuntime({
		database: config.database,
		retentionDays: config.retentionDays,
		incidentThresholdMs: config.incidentThresholdMs,
		logger,
		totalShards: () => feeds.full.status.totalShards,
		notify: notifications.notify,
		...(options.incidentCheckIntervalMs ? { checkIntervalMs: options.incidentCheckIntervalMs } : {}),
		now: historyNow
	});
	// Subscriber mails are worded by subscriptions (made below, once the limits exist), with each subscriber's own links.
	const delivery = createDelivery({
		settings: config,
		history,
		logger,
		scope: (notice) => fleetScope(notice, feeds.full.status),
		renderMail: (notice, subscriber) => subscriptions.renderMail(notice, subscriber),
		retentionDays: config.retentionDays,
		now: historyNow
	});
	const store = createFleetStore({ redisUrl: config.redisUrl, feeds, silenceTimeoutMs, record: history.record, logger });
	const publisher = new Publisher({ fleet: tracking.fleet, log: store.log, intervalMs: config.pushIntervalMs, logger, push: (update) => feeds.committed.emit(update) });
	const limits = createLimits({ settings: config, redis: store.redis, logger });
	const sessions = createSessions(config, history);
	const sockets = createSockets({
		http,
		// The console's live view opens /viewer from its origin.
		allowedOrigins: [...new Set([...config.allowedOrigins, ...consoleOrigins(config)])],
		botSecret: config.botSecret,
		tracking,
		feeds,
		tokens,
		limits,
		connections,
		redis: store.redis,
		logger,
		now,
		sessionAlive: (id) => sessions.alive(id, historyNow())
	});
	let url = '';
	const subscriptions = createSubscriptions({
		settings: config,
		db: () => (history.ready ? history.db : undefined),
		limits,
		outbox: delivery,
		serverUrl: () => url,
		discordApiBase: options.discordApiBase,
		now: historyNow,
		logger
	});
	createHttpApi({
		http,
		settings: { ...config, botName: config.botName ?? 'Shardbeat' },
		tokens,
		limits,
		shedding,
		feeds,
		fleet: tracking.fleet,
		tracking,
		commit: () => publisher.flush(),
		sockets,
		history,
		notifications,
		sessions,
		subscriptions,
		delivery,
		health: [feeds, sockets, store, history, delivery, shedding, connections],
		serverUrl: () => url,
		logger,
		now,
		historyNow
	});

	let closing: Promise<void> | undefined;
	const logFailure = (err: unknown) => logger.error({ err }, 'error while closing');
	return {
		http,
		io: sockets.io,
		fleet: tracking.fleet,
		tracking,
		feed: feeds.full,
		publicFeed: feeds.public,
		stats: sockets.stats,
		snapshot: feeds.snapshot,
		history,
		delivery,
		subscriptions,
		flush: () => publisher.flush(),
		get url() {
			return url;
		},
		async listen(port = config.port, host = config.host) {
			// Scaled out: connected and caught up before the first bot or viewer is let in.
			await store.start();
			// History never holds up live status: its database connects in the background.
			history.start();
			delivery.start();
			subscriptions.start();
			url = await listenHttp(http, port, host);
			tracking.start();
			publisher.start();
			logger.info({ url }, 'shardbeat server listening');
			return url;
		},
		close() {
			closing ??= (async () => {
				tracking.close();
				limits.close();
				shedding.close();
				// The last batch is committed (and recorded) before any socket closes, and nothing after:
				// bots this shutdown disconnects are reconnecting, not stopped, so a restart never shows
				// (in history, or through Redis on other instances) a cluster down that was not.
				await publisher.flush().catch(logFailure);
				await publisher.close();
				const socketsClosed = sockets.close();
				// Before the database closes: sends in flight are acked, claims not yet sent handed back.
				await delivery.close().catch(logFailure);
				await Promise.all([store.close(), history.close(), notifications.close(), subscriptions.close()]).catch(logFailure);
				await socketsClosed;
				limits.closeCap();
				connections.close();
			})();
			return closing;
		}
	};
}

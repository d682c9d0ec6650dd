import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { NAMESPACES, toBase64, toBytes, type ChangeSet, type ClusterStatus, type FleetStatus } from '#shared';
import { FleetFeed } from './feed/fleet-feed.ts';
import { MemoryFleetLog, type CommittedUpdate, type FleetLog } from './feed/fleet-log.ts';
import { Publisher } from './feed/publisher.ts';
import { createAdapter } from '@socket.io/redis-adapter';
import { RedisFleetLog } from './redis/redis-fleet-log.ts';
import { ViewerTokens } from './auth/viewer-token.ts';
import type { ServerConfig } from './config.ts';
import { Fleet } from './fleet/fleet.ts';
import { Liveness } from './fleet/liveness.ts';
import { createHttpHandler } from './http/routes.ts';
import { createLogger, type Logger } from './log.ts';
import { registerBotNamespace, type BotNamespace } from './namespaces/bot.ts';
import { registerViewerNamespace, type ViewerNamespace } from './namespaces/viewer.ts';
import { HistoryRuntime } from './history/history-runtime.ts';
import type { IncidentNotice } from './history/incident-monitor.ts';
import { createApiV1 } from './http/api-v1.ts';
import { createPublicRoutes } from './http/public-routes.ts';
import { createMetrics } from './public/metrics.ts';
import { WebhookNotifier, type WebhookTarget } from './notify/webhooks.ts';
import { OPERATOR_ROOM } from './namespaces/viewer.ts';
import { clientIp } from './security/client-ip.ts';
import { DetailedFleetFeed } from './security/public-detail.ts';
import { MemoryConnectionCap, RedisConnectionCap, type ConnectionCap } from './security/connection-cap.ts';
import { MemoryRateStore, RateLimiter, RedisRateStore, type RateLimitStore } from './security/rate-limit.ts';

/** A running (or ready to run) Shardbeat server. */
export interface ShardbeatServer {
	readonly http: HttpServer;
	readonly io: Server;
	readonly fleet: Fleet;
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
	/** Counters since start (issue 5's /metrics builds on them). */
	readonly stats: ServerStats;
	/** History, incidents and maintenance (its database may still be connecting). */
	readonly history: HistoryRuntime;
	/** Outgoing incident webhooks, when any are configured. */
	readonly webhooks: WebhookNotifier | undefined;
	/** Commits and pushes pending changes now instead of at the next batch tick. */
	flush(): Promise<void>;
	/** Disconnects every socket, clears every timer and stops listening. Safe to call twice. */
	close(): Promise<void>;
}

export interface ServerStats {
	heartbeatsAccepted: number;
	heartbeatsRefused: number;
	polls: number;
	pushes: number;
}

/** Socket.io caps a message at this size; the largest valid heartbeat (1,024 shards) is ~70 KB. */
const MAX_MESSAGE_BYTES = 1_000_000;

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
}

/**
 * Builds a Shardbeat server from a config (see `loadConfig`). Nothing listens until `listen()`.
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
	const fleet = new Fleet();
	const tokens = new ViewerTokens(config.tokenSecret, config.tokenTtlMs);
	const startedAt = Date.now();
	const liveness = new Liveness({
		timeoutMs: config.heartbeatIntervalMs * config.missedHeartbeats,
		onExpired: (clusterId, lastSeen) => {
			if (fleet.stop(clusterId)) logger.warn({ cluster: clusterId, silentMs: Date.now() - lastSeen }, 'cluster went silent; marked stopped');
		}
	});
	const stats: ServerStats = { heartbeatsAccepted: 0, heartbeatsRefused: 0, polls: 0, pushes: 0 };
	// Alone, versions start at our start time; scaled out, Redis says where they are (at `listen`).
	const feedOptions = { initialVersion: config.redisUrl ? 0 : Date.now() };
	// Full detail for everyone costs nothing extra; `basic` keeps a redacted twin of the feed.
	const feed = config.publicDetail === 'basic' ? new DetailedFleetFeed(feedOptions) : new FleetFeed(feedOptions);
	const publicFeed = feed instanceof DetailedFleetFeed ? feed.publicFeed : feed;
	// Late-bound: the Redis log pushes its own sweeps, and pushing needs the namespace made below.
	let push: (update: CommittedUpdate) => void = () => {};
	const notices: ((notice: IncidentNotice) => void)[] = [];
	if (options.onIncident) notices.push(options.onIncident);
	const targets: WebhookTarget[] = [
		...(config.discordWebhookUrl ? [{ kind: 'discord' as const, url: config.discordWebhookUrl }] : []),
		...(config.webhookUrl && config.webhookSecret ? [{ kind: 'json' as const, url: config.webhookUrl, secret: config.webhookSecret }] : [])
	];
	// Delivery is queued and retried inside the notifier; notify() returns at once.
	const webhooks = targets.length > 0 ? new WebhookNotifier({ targets, logger, ...(config.pageUrl ? { pageUrl: config.pageUrl } : {}) }) : undefined;
	if (webhooks) notices.push((notice) => webhooks.notify(notice));
	const notify = (notice: IncidentNotice) => {
		for (const listener of notices) {
			try {
				listener(notice);
			} catch (err) {
				logger.error({ err }, 'incident listener failed');
			}
		}
	};
	const history = new HistoryRuntime({
		database: config.database,
		retentionDays: config.retentionDays,
		incidentThresholdMs: config.incidentThresholdMs,
		logger,
		totalShards: () => feed.status.totalShards,
		notify,
		...(options.incidentCheckIntervalMs ? { checkIntervalMs: options.incidentCheckIntervalMs } : {}),
		now: options.historyNow ?? now
	});
	// Each instance records what it committed itself: every transition once, however many instances.
	const record = (changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, at: number) => history.recorder.observe(changes, get, at);
	const redisLog = config.redisUrl
		? new RedisFleetLog({
				url: config.redisUrl,
				feed,
				logger,
				timeoutMs: config.heartbeatIntervalMs * config.missedHeartbeats,
				push: (update) => push(update),
				record
			})
		: undefined;
	const log: FleetLog = redisLog ?? new MemoryFleetLog(feed, record);
	const snapshot = (): FleetStatus => ({ ...publicFeed.status, generatedAt: Date.now() });

	// Scaled out, the HTTP limits and the per-IP viewer cap are counted in Redis so a client cannot
	// multiply them by the number of instances; a socket lives on one instance, so its event budget does not need it.
	const warnedAt = { rate: 0, cap: 0 };
	const warnEvery = (kind: keyof typeof warnedAt, message: string) => (err: Error) => {
		if (Date.now() - warnedAt[kind] < 60_000) return;
		warnedAt[kind] = Date.now();
		logger.warn({ err: err.message }, message);
	};
	const rateStore: RateLimitStore = redisLog
		? new RedisRateStore({ redis: redisLog.client, onError: warnEvery('rate', 'rate limits unavailable (redis); allowing requests meanwhile') })
		: new MemoryRateStore();
	const viewerCap: ConnectionCap = redisLog
		? new RedisConnectionCap({
				redis: redisLog.client,
				limit: config.maxViewersPerIp,
				instanceId: randomUUID(),
				onError: warnEvery('cap', 'per-IP viewer cap unavailable (redis); counting this instance only meanwhile')
			})
		: new MemoryConnectionCap(config.maxViewersPerIp);
	const httpIp = (req: import('node:http').IncomingMessage) => clientIp(req.headers, req.socket.remoteAddress, config.trustProxy);

	const allowedOrigins = new Set(config.allowedOrigins);
	const http = createServer();
	const io = new Server(http, {
		maxHttpBufferSize: MAX_MESSAGE_BYTES,
		cors: { origin: config.allowedOrigins, methods: ['GET', 'POST'] },
		// CORS does not cover WebSocket upgrades, so the origin is checked here for every transport.
		allowRequest: (req, callback) => {
			const origin = req.headers.origin;
			callback(null, origin === undefined || allowedOrigins.has(origin));
		}
	});
	registerBotNamespace(io.of(NAMESPACES.bot) as BotNamespace, { botSecret: config.botSecret, fleet, liveness, logger, stats });
	// Nothing lives on the main namespace: refuse it rather than hold unauthenticated sockets.
	io.of('/').use((_socket, next) => next(new Error('unknown namespace; bots use /bot and pages /viewer')));
	const viewers = io.of(NAMESPACES.viewer) as ViewerNamespace;
	registerViewerNamespace(viewers, {
		tokens,
		feed,
		publicFeed,
		logger,
		now,
		stats,
		limits: {
			eventsPer10s: config.viewerEventsPer10s,
			cap: viewerCap,
			clientIp: (headers, address) => clientIp(headers, address, config.trustProxy)
		}
	});
	// Scaled out, the adapter carries each push to the viewers of every instance.
	let adapterSub: ReturnType<RedisFleetLog['client']['duplicate']> | undefined;
	if (redisLog) {
		adapterSub = redisLog.client.duplicate();
		adapterSub.on('error', (err: Error) => logger.warn({ err: err.message, client: 'adapter' }, 'redis error'));
		io.adapter(createAdapter(redisLog.client, adapterSub, { key: 'shardbeat:socket.io' }));
	}
	push = (update) => {
		stats.pushes++;
		// Base64 in the JSON frame: one WebSocket frame per viewer instead of text + binary, which
		// halves the frames a push costs the server and every page.
		if (!(feed instanceof DetailedFleetFeed)) {
			viewers.emit('fleet-update', { ...update, data: toBase64(toBytes(update.data)) });
			return;
		}
		viewers.to(OPERATOR_ROOM).emit('fleet-update', { ...update, data: toBase64(toBytes(update.data)) });
		const redacted = feed.redactedFor(update);
		if (redacted) viewers.except(OPERATOR_ROOM).emit('fleet-update', { ...redacted, data: toBase64(toBytes(redacted.data)) });
	};
	const publisher = new Publisher({ fleet, log, intervalMs: config.pushIntervalMs, logger, push: (update) => push(update) });

	const metrics = createMetrics({
		snapshot: () => {
			// The feed's lastHeartbeatAt lags for live clusters; this instance's fleet has the latest.
			const status = feed.status;
			return { ...status, clusters: status.clusters.map((c) => ({ ...c, lastHeartbeatAt: Math.max(c.lastHeartbeatAt, fleet.get(c.id)?.lastHeartbeatAt ?? 0) })) };
		},
		stats,
		viewers: () => viewers.sockets.size,
		bots: () => io.of(NAMESPACES.bot).sockets.size,
		now: () => Date.now()
	});
	const historyAccess = () => (history.ready ? { service: history.service, store: history.store } : undefined);
	const apiV1 = createApiV1({
		history: historyAccess,
		operatorSecret: config.operatorSecret,
		onIncident: (notice) => {
			history.service.invalidate();
			notify(notice);
		},
		onMaintenance: () => history.service.invalidate(),
		historyMaxAgeS: 30,
		now: options.historyNow ?? now,
		logger
	});
	const publicRoutes = createPublicRoutes({
		snapshot,
		current: async () => (history.ready ? history.service.current() : undefined),
		metrics,
		pageUrl: () => config.pageUrl ?? url,
		serverUrl: () => url,
		botName: 'Shardbeat',
		summaryMaxAgeS: config.statusMaxAgeS,
		now: () => (options.historyNow ?? now)()
	});

	const handler = createHttpHandler({
		routes: [apiV1, publicRoutes],
		allowedOrigins: config.allowedOrigins,
		statusMaxAgeS: config.statusMaxAgeS,
		tokens,
		operatorSecret: config.operatorSecret,
		limits: {
			clientIp: httpIp,
			http: new RateLimiter('http', { limit: config.httpRatePerMin, windowMs: 60_000 }, rateStore),
			token: new RateLimiter('token', { limit: config.tokenRatePerMin, windowMs: 60_000 }, rateStore)
		},
		statusJson: () => publicFeed.json(Date.now()),
		logger,
		now,
		health: () => ({
			uptimeS: Math.round((Date.now() - startedAt) / 1000),
			clusters: feed.status.clusters.length,
			bots: io.of(NAMESPACES.bot).sockets.size,
			viewers: io.of(NAMESPACES.viewer).sockets.size,
			version: feed.version,
			...log.health(),
			...history.health()
		})
	});
	// socket.io registered its own 'request' listener first and ignores non-/socket.io/ paths.
	http.on('request', (req, res) => {
		if (!req.url?.startsWith('/socket.io/')) void handler(req, res);
	});

	let url = '';
	let closing: Promise<void> | undefined;

	return {
		http,
		io,
		fleet,
		feed,
		publicFeed,
		stats,
		snapshot,
		history,
		webhooks,
		flush: () => publisher.flush(),
		get url() {
			return url;
		},
		async listen(port = config.port, host = config.host) {
			// Scaled out: connected and caught up before the first bot or viewer is let in.
			await log.start();
			// History never holds up live status: its database connects in the background.
			history.start();
			return new Promise<string>((resolve, reject) => {
				http.once('error', reject);
				http.listen(port, host, () => {
					http.off('error', reject);
					const address = http.address() as AddressInfo;
					url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
					liveness.start();
					publisher.start();
					logger.info({ url }, 'shardbeat server listening');
					resolve(url);
				});
			});
		},
		close() {
			closing ??= (async () => {
				liveness.close();
				rateStore.close?.();
				// The last batch is committed (and recorded) before any socket closes, and nothing after:
				// bots this shutdown disconnects are reconnecting, not stopped, so a restart never shows
				// (in history, or through Redis on other instances) a cluster down that was not.
				await publisher.flush().catch((err: unknown) => logger.error({ err }, 'error while closing'));
				await publisher.close();
				// io.close() disconnects every socket and closes the HTTP server it is attached to.
				const ioClosed = new Promise<void>((resolve) => io.close(() => resolve()));
				http.closeAllConnections?.();
				adapterSub?.disconnect();
				await Promise.all([log.close(), history.close(), webhooks?.close()])
					.catch((err: unknown) => logger.error({ err }, 'error while closing'));
				await ioClosed;
				// Last: closing the sockets released their slots (in Redis too, before its client quit).
				viewerCap.close();
			})();
			return closing;
		}
	};
}

import type { Server as HttpServer } from 'node:http';
import type { FleetStatus } from '#shared';
import type { ViewerTokens } from '../auth/viewer-token.ts';
import { monotonicNow } from '../clock.ts';
import type { FleetFeeds } from '../feed/fleet-feeds.ts';
import type { Fleet } from '../fleet/fleet.ts';
import type { FleetTracking } from '../fleet/fleet-tracking.ts';
import type { HistoryRuntime } from '../history/history-runtime.ts';
import type { Logger } from '../log.ts';
import type { Sockets } from '../namespaces/sockets.ts';
import type { Delivery } from '../notify/delivery.ts';
import type { Notifications } from '../notify/notifications.ts';
import { createMetrics } from '../public/metrics.ts';
import type { Limits } from '../security/limits.ts';
import type { LoadShedding } from '../security/load-shedding.ts';
import type { Subsystem } from '../subsystem.ts';
import { consoleOrigins, consoleRepository, createConsole } from '../console/console.ts';
import type { ConsoleSettings } from '../console/console.ts';
import type { Sessions } from '../console/sessions.ts';
import type { Subscriptions } from '../subscriptions/subscriptions.ts';
import { createApiV1 } from './api-v1.ts';
import { createHeartbeatRoute } from './heartbeat-route.ts';
import { createMetricsRoute } from './metrics-route.ts';
import { createPublicRoutes } from './public-routes.ts';
import { createHttpHandler } from './routes.ts';

export interface HttpApiSettings extends ConsoleSettings {
	allowedOrigins: readonly string[];
	statusMaxAgeS: number;
	operatorSecret?: string | undefined;
	/** `/metrics` answers only `Authorization: Bearer <this>`; unset, it is off. */
	metricsToken?: string | undefined;
	pageUrl?: string | undefined;
	botName: string;
	/** `POST /api/v1/heartbeat` answers `Authorization: Bearer <this>`, like the `/bot` handshake. */
	botSecret: string;
}

/**
 * The feed's `lastHeartbeatAt` lags for live clusters (it moves only with another change); this
 * instance's fleet has the latest, so `/metrics` reports heartbeat ages from whichever is newer.
 */
function withLatestHeartbeats(status: FleetStatus, fleet: Fleet): FleetStatus {
	return { ...status, clusters: status.clusters.map((c) => ({ ...c, lastHeartbeatAt: Math.max(c.lastHeartbeatAt, fleet.get(c.id)?.lastHeartbeatAt ?? 0) })) };
}

/**
 * HTTP routes: tokens, `/api/status` and `/healthz` (`routes.ts`), history and the operator API
 * (`api-v1.ts`), summary, badge and feeds (`public-routes.ts`), `/metrics` behind its bearer token
 * (`metrics-route.ts`), behind the origin check
 * and per-IP limits. Socket.io answers `/socket.io/` itself; everything else comes here.
 */
export function createHttpApi(deps: {
	http: HttpServer;
	settings: HttpApiSettings;
	tokens: ViewerTokens;
	limits: Limits;
	/** Refuses expensive requests while the event loop lags. */
	shedding?: LoadShedding;
	feeds: FleetFeeds;
	fleet: Fleet;
	/** Retiring a cluster (the operator API). */
	tracking: Pick<FleetTracking, 'retire'>;
	/** Commits the fleet's pending changes now (a retirement is recorded before the operator hears back). */
	commit: () => Promise<void>;
	sockets: Sockets;
	history: HistoryRuntime;
	notifications: Notifications;
	/** Console sessions (the `/viewer` handshake checks them too). */
	sessions: Sessions;
	/** Subscribing and the pages of its mail links (before the v1 API, which answers the rest of `/api/v1/operator/`). */
	subscriptions?: Pick<Subscriptions, 'routes' | 'registerMetrics' | 'service'>;
	/** The outbox: its progress and failures go into `/metrics`. */
	delivery?: Pick<Delivery, 'registerMetrics'>;
	/** Each subsystem's part of `/healthz`, merged in order. */
	health: Subsystem[];
	/** This server's base URL once listening. */
	serverUrl: () => string;
	logger: Logger;
	/** Clock for tokens. */
	now: () => number;
	/** Clock for history, incidents and the summary. */
	historyNow: () => number;
}): void {
	const { settings, history, feeds, logger } = deps;
	// Uptime is a duration: on the monotonic clock, so a step of the wall clock cannot make it jump.
	const startedAt = monotonicNow();
	const metrics = createMetrics({
		snapshot: () => withLatestHeartbeats(feeds.full.status, deps.fleet),
		stats: deps.sockets.stats,
		viewers: deps.sockets.viewers,
		bots: deps.sockets.bots,
		now: () => Date.now()
	});
	deps.subscriptions?.registerMetrics(metrics.registry);
	deps.delivery?.registerMetrics(metrics.registry);
	const operatorConsole = createConsole({
		settings,
		sessions: deps.sessions,
		history,
		tokens: deps.tokens,
		limits: deps.limits.http,
		notify: deps.notifications.notify,
		push: {
			incident: deps.sockets.pushIncident,
			incidentDeleted: deps.sockets.pushIncidentDeleted,
			maintenance: deps.sockets.pushMaintenance,
			endSession: deps.sockets.endSession
		},
		retireCluster: async (id) => {
			const at = deps.historyNow();
			// Scaled out, the cluster's record may be another instance's: the shared fleet says what it is.
			const result = deps.tracking.retire(id, feeds.full.get(id));
			if (result.outcome !== 'retired') return result;
			await deps.commit();
			history.service.invalidate();
			logger.info({ cluster: id, shards: result.shardIds.length }, 'cluster retired by an operator; it left the fleet');
			return { ...result, at };
		},
		fleet: () => withLatestHeartbeats(feeds.full.status, deps.fleet),
		subscribers: deps.subscriptions?.service,
		serverUrl: deps.serverUrl,
		now: deps.historyNow,
		logger
	});
	const apiV1 = createApiV1({
		history: () => (history.ready ? { service: history.service, store: history.store } : undefined),
		operatorSecret: settings.operatorSecret,
		actions: operatorConsole.actions,
		subscribers: operatorConsole.subscribers,
		consoleRepository: () => consoleRepository(history),
		clientIp: deps.limits.http.clientIp,
		historyMaxAgeS: 30,
		now: deps.historyNow,
		logger
	});
	const publicRoutes = createPublicRoutes({
		snapshot: feeds.snapshot,
		current: async () => (history.ready ? history.service.current() : undefined),
		pageUrl: () => settings.pageUrl ?? deps.serverUrl(),
		serverUrl: deps.serverUrl,
		botName: settings.botName,
		summaryMaxAgeS: settings.statusMaxAgeS,
		now: deps.historyNow
	});
	// `/api/status` is a megabyte at 16,000 shards: encoded once per version (and at most once a
	// second, so `generatedAt` stays within a second of the answer), not once per request.
	let status: { version: number; at: number; body: Buffer } | undefined;
	const statusJson = (): Buffer => {
		const now = Date.now();
		if (!status || status.version !== feeds.public.version || now - status.at >= 1_000) {
			status = { version: feeds.public.version, at: now, body: Buffer.from(feeds.public.json(now)) };
		}
		return status.body;
	};
	const handler = createHttpHandler({
		routes: [
			createHeartbeatRoute({ botSecret: settings.botSecret, intake: deps.sockets.heartbeats, perCluster: deps.limits.http.heartbeat, clientIp: deps.limits.http.clientIp, logger }),
			...(deps.subscriptions ? [deps.subscriptions.routes] : []),
			apiV1,
			operatorConsole.route,
			publicRoutes,
			createMetricsRoute({ metrics, token: settings.metricsToken })
		],
		// The console's origin is a page origin too, whatever SHARDBEAT_ALLOWED_ORIGINS lists.
		allowedOrigins: [...new Set([...settings.allowedOrigins, ...consoleOrigins(settings)])],
		consoleOrigins: consoleOrigins(settings),
		statusMaxAgeS: settings.statusMaxAgeS,
		tokens: deps.tokens,
		...(settings.operatorSecret ? { operatorSecret: settings.operatorSecret } : {}),
		...(settings.metricsToken ? { metricsToken: settings.metricsToken } : {}),
		botSecret: settings.botSecret,
		limits: deps.limits.http,
		...(deps.shedding ? { shedding: deps.shedding } : {}),
		statusJson,
		logger,
		now: deps.now,
		health: () => Object.assign({ uptimeS: Math.round((monotonicNow() - startedAt) / 1000) }, ...deps.health.map((part) => part.health?.() ?? {}))
	});
	// socket.io registered its own 'request' listener first and ignores non-/socket.io/ paths.
	deps.http.on('request', (req, res) => {
		if (!req.url?.startsWith('/socket.io/')) void handler(req, res);
	});
}

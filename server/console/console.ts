import type { IncomingMessage } from 'node:http';
import type { FleetStatus, Incident, MaintenanceWindow } from '#shared';
import type { ViewerTokens } from '../auth/viewer-token.ts';
import type { RetireOutcome } from '../fleet/fleet.ts';
import type { HistoryRuntime } from '../history/history-runtime.ts';
import type { IncidentNotice } from '../history/incident-notice.ts';
import type { Logger } from '../log.ts';
import type { RateLimiter } from '../security/rate-limit.ts';
import { createConsoleActions, type ConsoleActions } from './console-actions.ts';
import { createConsoleApi } from './console-api.ts';
import { ConsoleRepository } from './console-repository.ts';
import { DiscordOAuth, LoginStateCodec } from './discord-login.ts';
import type { OperatorGrant } from './operators.ts';
import { Sessions } from './sessions.ts';
import { createSubscriberActions, type SubscriberActions, type SubscriberDirectory } from './subscriber-actions.ts';
import { HttpError } from '../http/respond.ts';

/** The settings the console reads (rows of `SETTINGS`). */
export interface ConsoleSettings {
	operatorSecret?: string | undefined;
	consoleKeyLogin: boolean;
	discordClientId?: string | undefined;
	discordClientSecret?: string | undefined;
	discordOAuthUrl: string;
	operators: readonly OperatorGrant[];
	serverUrl?: string | undefined;
	pageUrl?: string | undefined;
	allowedOrigins: readonly string[];
	consoleIdleTimeoutMs: number;
	consoleSessionTtlMs: number;
	tokenSecret: string;
}

/**
 * The console's origins: the page's (`SHARDBEAT_PAGE_URL`) when set, the only one a session may
 * be used from; otherwise (development) every allowed page origin.
 */
export function consoleOrigins(settings: Pick<ConsoleSettings, 'pageUrl' | 'allowedOrigins'>): string[] {
	return settings.pageUrl ? [new URL(settings.pageUrl).origin] : [...settings.allowedOrigins];
}

/** The console's rows over the history database, or undefined while it is not open. */
export function consoleRepository(history: HistoryRuntime): ConsoleRepository | undefined {
	return history.ready ? (cached.get(history) ?? cached.set(history, new ConsoleRepository(history.db)).get(history)) : undefined;
}
const cached = new WeakMap<HistoryRuntime, ConsoleRepository>();

/** Sessions over the history database (checked by HTTP routes and by the `/viewer` handshake). */
export function createSessions(settings: ConsoleSettings, history: HistoryRuntime): Sessions {
	return new Sessions(
		() => consoleRepository(history) ?? (() => { throw new HttpError(503, 'history_unavailable', 'the history database (which keeps sessions) is not reachable yet; retry shortly'); })(),
		{ idleMs: settings.consoleIdleTimeoutMs, ttlMs: settings.consoleSessionTtlMs }
	);
}

/**
 * The operator console's server side: the actions (shared with the bearer operator API) and
 * the `/api/v1/console/` route.
 */
export function createConsole(deps: {
	settings: ConsoleSettings;
	sessions: Sessions;
	history: HistoryRuntime;
	tokens: ViewerTokens;
	limits: { clientIp: (req: IncomingMessage) => string; login: RateLimiter; loginFailures: RateLimiter };
	notify: (notice: IncidentNotice) => void;
	push: { incident: (incident: Incident) => void; incidentDeleted: (id: number) => void; maintenance: (windows: MaintenanceWindow[]) => void; endSession: (id: string) => void };
	retireCluster: (clusterId: number) => Promise<Exclude<RetireOutcome, { outcome: 'retired' }> | { outcome: 'retired'; shardIds: number[]; at: number }>;
	fleet: () => FleetStatus;
	/** Subscribers, when subscriptions are part of this server. */
	subscribers?: SubscriberDirectory | undefined;
	/** This server's URL once listening (the OAuth redirect when `SHARDBEAT_SERVER_URL` is unset). */
	serverUrl: () => string;
	now: () => number;
	logger: Logger;
}): { actions: ConsoleActions; subscribers: SubscriberActions; route: ReturnType<typeof createConsoleApi> } {
	const { settings, history } = deps;
	const actions = createConsoleActions({
		stores: () => (history.ready ? { history: history.store, console: consoleRepository(history)! } : undefined),
		notify: deps.notify,
		pushIncident: deps.push.incident,
		pushIncidentDeleted: deps.push.incidentDeleted,
		pushMaintenance: deps.push.maintenance,
		invalidate: () => history.service.invalidate(),
		retireCluster: deps.retireCluster,
		now: deps.now
	});
	const subscribers = createSubscriberActions({ directory: () => deps.subscribers, audit: actions.audit });
	const origins = consoleOrigins(settings);
	let discord: DiscordOAuth | undefined;
	// The redirect URI is known once listening (development), so the client is made at first use.
	const discordClient = () =>
		settings.discordClientId && settings.discordClientSecret
			? (discord ??= new DiscordOAuth({
					clientId: settings.discordClientId,
					clientSecret: settings.discordClientSecret,
					baseUrl: settings.discordOAuthUrl,
					redirectUri: `${settings.serverUrl ?? deps.serverUrl()}/api/v1/console/login/discord/callback`
				}))
			: undefined;
	const apiSettings = {
		operatorSecret: settings.operatorSecret,
		keyLogin: settings.consoleKeyLogin,
		get discord() {
			return discordClient();
		},
		operators: settings.operators,
		origins,
		defaultRedirect: `${settings.pageUrl ?? origins[0] ?? 'http://localhost:5173'}/admin/`,
		secureCookies: (settings.serverUrl ?? '').startsWith('https://')
	};
	const route = createConsoleApi({
		settings: apiSettings,
		sessions: deps.sessions,
		repository: () => consoleRepository(history),
		actions,
		subscribers,
		loginState: new LoginStateCodec(settings.tokenSecret),
		limits: deps.limits,
		liveToken: (sessionId) => deps.tokens.issue(deps.now(), 'operator', sessionId),
		fleet: deps.fleet,
		onSessionEnded: deps.push.endSession,
		now: deps.now,
		logger: deps.logger
	});
	return { actions, subscribers, route };
}

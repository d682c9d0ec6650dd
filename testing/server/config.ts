import { DEFAULTS, type ServerConfig } from '../../server/config.ts';

/*
 * The one place a test, an e2e stack or a bench process gets a server config from: the production
 * defaults, every rate limit off, an in-memory history and test secrets, with the caller's
 * overrides on top.
 */

/**
 * Every rate limit off (0: unlimited): tests, e2e stacks and load generators all connect from
 * 127.0.0.1 and would meet the limits rather than what they test. Load shedding is off too: a
 * test on a busy machine must not see a `503 overloaded` it did not ask for. Never for a server
 * the internet can reach.
 */
export const NO_LIMITS = { tokenRatePerMin: 0, httpRatePerMin: 0, heartbeatRatePer10s: 0, viewerEventsPer10s: 0, maxViewersPerIp: 0, maxConnectionsPerIp: 0, shedLagMs: 0, loginRatePerMin: 0, loginFailuresPerHour: 0, subscribeRatePerHour: 0 } satisfies Partial<ServerConfig>;

/** The production defaults of every limit, for specs (and soaks) that run with them. */
export const RATE_LIMIT_DEFAULTS = {
	tokenRatePerMin: DEFAULTS.tokenRatePerMin,
	httpRatePerMin: DEFAULTS.httpRatePerMin,
	heartbeatRatePer10s: DEFAULTS.heartbeatRatePer10s,
	viewerEventsPer10s: DEFAULTS.viewerEventsPer10s,
	maxViewersPerIp: DEFAULTS.maxViewersPerIp
} satisfies Partial<ServerConfig>;

export const BOT_SECRET = 'test-bot-secret-0123456789';
export const TOKEN_SECRET = 'test-token-secret-0123456789abcdef0123456789';
/** A `metricsToken` for servers whose `/metrics` a test scrapes (`scrapeMetrics` sends it). */
export const METRICS_TOKEN = 'test-metrics-token-0123456789abcdef';

/**
 * A server config for tests: `DEFAULTS`, `NO_LIMITS`, loopback, `:memory:` history, the test
 * secrets and log level `error`, then `overrides`.
 *
 * @example
 * testServerConfig({ logLevel: 'debug', ...RATE_LIMIT_DEFAULTS })
 */
export function testServerConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
	return {
		...DEFAULTS,
		...NO_LIMITS,
		host: '127.0.0.1',
		database: ':memory:',
		botSecret: BOT_SECRET,
		tokenSecret: TOKEN_SECRET,
		// As in development: the console takes the operator key as a login.
		consoleKeyLogin: true,
		logLevel: 'error',
		...overrides
	};
}

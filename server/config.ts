import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** Server settings; every field has an environment variable (see `ENV_DOCS` and the README table). */
export interface ServerConfig {
	port: number;
	host: string;
	/** Shared secret bots present at the `/bot` handshake. */
	botSecret: string;
	/** HMAC key for viewer tokens (HS256). Every instance behind one page must share it. */
	tokenSecret: string;
	tokenTtlMs: number;
	/** How often reporters are expected to send a heartbeat. */
	heartbeatIntervalMs: number;
	/** A cluster silent for more than this many intervals is `stopped`. */
	missedHeartbeats: number;
	/** Page origins allowed to fetch tokens and open viewer sockets; requests without `Origin` (bots, curl) pass. */
	allowedOrigins: string[];
	/** `Cache-Control: max-age` for `GET /api/status`. */
	statusMaxAgeS: number;
	/** Changes are batched this long into one version and one push to viewers. */
	pushIntervalMs: number;
	/** When set, instances share fleet state and pushes through this Redis (scale-out mode). */
	redisUrl?: string;
	/** History database: a `postgres://` URL, or an SQLite file path (`:memory:` keeps nothing). */
	database: string;
	/** History older than this is pruned. */
	retentionDays: number;
	/** Shards down at least this long open an incident; shorter is a reconnect. */
	incidentThresholdMs: number;
	/** Bearer secret of the operator API (incidents, maintenance); unset turns that API off. */
	operatorSecret?: string;
	/** Incident notices go to this Discord webhook. */
	discordWebhookUrl?: string;
	/** Incident notices go to this URL as JSON signed with `webhookSecret` (HMAC-SHA256). */
	webhookUrl?: string;
	webhookSecret?: string;
	/** Where the status page lives, for links in feeds and webhooks. */
	pageUrl?: string;
	logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
	/**
	 * Take the client IP from the first `X-Forwarded-For` hop instead of the TCP peer. Only behind
	 * a proxy that overwrites that header: otherwise any client picks its own IP and escapes limits.
	 */
	trustProxy: boolean;
	/** `POST /api/token` requests per IP per minute (0: unlimited). */
	tokenRatePerMin: number;
	/** Requests per IP per minute to the whole HTTP API, `/healthz` and `/metrics` exempt (0: unlimited). */
	httpRatePerMin: number;
	/** Events (polls, renewals, anything else) per viewer socket per 10 s (0: unlimited). */
	viewerEventsPer10s: number;
	/** Concurrent `/viewer` sockets per IP, across every instance when scaled out (0: unlimited); bots are not counted. */
	maxViewersPerIp: number;
	/**
	 * `full`: everyone sees per-shard pings and guild counts. `basic`: only operator tokens do;
	 * public viewers, `/api/status` and `/api/v1/summary` get pings null and guild/member counts 0.
	 */
	publicDetail: 'full' | 'basic';
}

export const DEV_BOT_SECRET = 'shardbeat-dev-secret';
export const DEV_OPERATOR_SECRET = 'shardbeat-dev-operator-secret';

/** Defaults that are safe everywhere; secrets have dev-only defaults, decided in `loadConfig`. */
export const DEFAULTS = {
	port: 4000,
	host: '127.0.0.1',
	tokenTtlMs: 5 * 60_000,
	heartbeatIntervalMs: 5_000,
	missedHeartbeats: 3,
	allowedOrigins: [
		'http://localhost:5173',
		'http://127.0.0.1:5173',
		'http://localhost:4173',
		'http://127.0.0.1:4173',
		'http://localhost:8787',
		'http://127.0.0.1:8787'
	],
	statusMaxAgeS: 5,
	pushIntervalMs: 500,
	database: 'data/shardbeat.sqlite',
	retentionDays: 90,
	incidentThresholdMs: 120_000,
	logLevel: 'info',
	trustProxy: false,
	// A page takes one token per 5 minutes and polls every 15 s: these leave ample room for a whole
	// office behind one NAT while keeping one machine from minting or polling without end.
	tokenRatePerMin: 30,
	httpRatePerMin: 300,
	viewerEventsPer10s: 20,
	maxViewersPerIp: 50,
	publicDetail: 'full'
} satisfies Partial<ServerConfig>;

/**
 * Every rate limit off, for load generators on one machine (the bench's 10,000 viewer sockets all
 * come from 127.0.0.1) and test stacks. Never for a server the internet can reach.
 */
export const NO_RATE_LIMITS = { tokenRatePerMin: 0, httpRatePerMin: 0, viewerEventsPer10s: 0, maxViewersPerIp: 0 } satisfies Partial<ServerConfig>;

/** One row per variable: the README's config table is generated from the same facts. */
export const ENV_DOCS: { name: string; default: string; meaning: string }[] = [
	{ name: 'SHARDBEAT_PORT', default: String(DEFAULTS.port), meaning: 'HTTP and Socket.io port (0 picks a free one).' },
	{ name: 'SHARDBEAT_HOST', default: DEFAULTS.host, meaning: 'Interface to listen on; `0.0.0.0` to accept other machines.' },
	{
		name: 'SHARDBEAT_BOT_SECRET',
		default: `\`${DEV_BOT_SECRET}\` outside production`,
		meaning: 'Shared secret bots send at the handshake. Required (16+ chars) when `NODE_ENV=production`.'
	},
	{
		name: 'SHARDBEAT_TOKEN_SECRET',
		default: 'random per start outside production',
		meaning: 'Signs viewer tokens. Required (32+ chars) when `NODE_ENV=production`; the same on every instance.'
	},
	{ name: 'SHARDBEAT_TOKEN_TTL_S', default: String(DEFAULTS.tokenTtlMs / 1000), meaning: 'Viewer token lifetime, seconds.' },
	{
		name: 'SHARDBEAT_HEARTBEAT_INTERVAL_MS',
		default: String(DEFAULTS.heartbeatIntervalMs),
		meaning: 'Expected heartbeat interval of the reporters.'
	},
	{
		name: 'SHARDBEAT_MISSED_HEARTBEATS',
		default: String(DEFAULTS.missedHeartbeats),
		meaning: 'A cluster silent for more than this many intervals is shown `stopped`.'
	},
	{
		name: 'SHARDBEAT_ALLOWED_ORIGINS',
		default: 'localhost/127.0.0.1 on ports 5173, 4173, 8787',
		meaning: 'Comma-separated page origins allowed to get tokens and open viewer sockets.'
	},
	{ name: 'SHARDBEAT_STATUS_MAX_AGE_S', default: String(DEFAULTS.statusMaxAgeS), meaning: '`Cache-Control: max-age` of `GET /api/status`.' },
	{
		name: 'SHARDBEAT_PUSH_INTERVAL_MS',
		default: String(DEFAULTS.pushIntervalMs),
		meaning: 'Changes are batched this long into one version and one push to every viewer (at most 1000/this pushes a second).'
	},
	{
		name: 'SHARDBEAT_REDIS_URL',
		default: 'unset (one instance, state in memory)',
		meaning: 'e.g. `redis://10.0.0.5:6379`: run several instances that share fleet state and viewer pushes through Redis.'
	},
	{
		name: 'SHARDBEAT_DATABASE_URL',
		default: 'unset (SQLite file)',
		meaning: 'e.g. `postgres://user:pass@db:5432/shardbeat`: history in PostgreSQL, shared by every instance (use it with `SHARDBEAT_REDIS_URL`).'
	},
	{ name: 'SHARDBEAT_SQLITE_PATH', default: `\`${DEFAULTS.database}\``, meaning: 'The SQLite history file when no `SHARDBEAT_DATABASE_URL` is set; its folder is created.' },
	{ name: 'SHARDBEAT_RETENTION_DAYS', default: String(DEFAULTS.retentionDays), meaning: 'History older than this many days is pruned (hourly).' },
	{
		name: 'SHARDBEAT_INCIDENT_THRESHOLD_S',
		default: String(DEFAULTS.incidentThresholdMs / 1000),
		meaning: 'Shards down at least this long open an incident; a shorter outage is a reconnect.'
	},
	{
		name: 'SHARDBEAT_OPERATOR_SECRET',
		default: `\`${DEV_OPERATOR_SECRET}\` outside production, unset (operator API off) in production`,
		meaning: 'Bearer secret of the operator API (post incidents and updates, schedule maintenance); 24+ chars.'
	},
	{ name: 'SHARDBEAT_DISCORD_WEBHOOK_URL', default: 'unset', meaning: 'A Discord webhook URL that gets an embed when an incident opens, changes or resolves.' },
	{ name: 'SHARDBEAT_WEBHOOK_URL', default: 'unset', meaning: 'A URL that gets incident notices as JSON, signed in `X-Shardbeat-Signature` (needs `SHARDBEAT_WEBHOOK_SECRET`).' },
	{ name: 'SHARDBEAT_WEBHOOK_SECRET', default: 'unset', meaning: 'HMAC-SHA256 key for `SHARDBEAT_WEBHOOK_URL`; 16+ chars.' },
	{ name: 'SHARDBEAT_PAGE_URL', default: 'unset', meaning: 'Public URL of the status page, for links in feeds and webhooks, e.g. `https://status.example.com`.' },
	{ name: 'SHARDBEAT_LOG_LEVEL', default: DEFAULTS.logLevel, meaning: 'pino level: fatal, error, warn, info, debug, trace or silent.' },
	{
		name: 'SHARDBEAT_TRUST_PROXY',
		default: '`0`',
		meaning:
			'`1`: the client IP for rate limits is the first `X-Forwarded-For` hop. Only behind a proxy that overwrites that header; otherwise clients choose their own IP and escape every limit.'
	},
	{ name: 'SHARDBEAT_RATE_TOKEN_PER_MIN', default: String(DEFAULTS.tokenRatePerMin), meaning: '`POST /api/token` requests per client IP per minute; more get `429` with `Retry-After`. `0` turns it off.' },
	{ name: 'SHARDBEAT_RATE_HTTP_PER_MIN', default: String(DEFAULTS.httpRatePerMin), meaning: 'HTTP requests per client IP per minute, all routes but `/healthz` and `/metrics`. `0` turns it off.' },
	{
		name: 'SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S',
		default: String(DEFAULTS.viewerEventsPer10s),
		meaning: 'Events (`get-cluster-status` polls and the rest) per viewer socket per 10 s; more are answered `rate_limited`. `0` turns it off.'
	},
	{ name: 'SHARDBEAT_MAX_VIEWERS_PER_IP', default: String(DEFAULTS.maxViewersPerIp), meaning: 'Concurrent viewer sockets per client IP (across every instance when scaled out); bots are not counted. `0` turns it off.' },
	{
		name: 'SHARDBEAT_PUBLIC_DETAIL',
		default: DEFAULTS.publicDetail,
		meaning: '`basic`: public viewers, `/api/status` and `/api/v1/summary` get no pings and no guild or member counts; only operator tokens see them (`/metrics` stays full).'
	}
];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
	NODE_ENV: z.string().optional(),
	SHARDBEAT_PORT: int(0, 65_535).default(DEFAULTS.port),
	SHARDBEAT_HOST: z.string().min(1).default(DEFAULTS.host),
	SHARDBEAT_BOT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
	SHARDBEAT_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
	SHARDBEAT_TOKEN_TTL_S: int(10, 86_400).default(DEFAULTS.tokenTtlMs / 1000),
	SHARDBEAT_HEARTBEAT_INTERVAL_MS: int(100, 600_000).default(DEFAULTS.heartbeatIntervalMs),
	SHARDBEAT_MISSED_HEARTBEATS: int(1, 100).default(DEFAULTS.missedHeartbeats),
	SHARDBEAT_ALLOWED_ORIGINS: z.string().optional(),
	SHARDBEAT_STATUS_MAX_AGE_S: int(0, 3_600).default(DEFAULTS.statusMaxAgeS),
	SHARDBEAT_PUSH_INTERVAL_MS: int(10, 10_000).default(DEFAULTS.pushIntervalMs),
	SHARDBEAT_REDIS_URL: z
		.string()
		.regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
		.optional(),
	SHARDBEAT_DATABASE_URL: z
		.string()
		.regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL, e.g. postgres://user:pass@127.0.0.1:5432/shardbeat (for SQLite set SHARDBEAT_SQLITE_PATH)')
		.optional(),
	SHARDBEAT_SQLITE_PATH: z.string().min(1).default(DEFAULTS.database),
	SHARDBEAT_RETENTION_DAYS: int(1, 3_650).default(DEFAULTS.retentionDays),
	SHARDBEAT_INCIDENT_THRESHOLD_S: int(10, 86_400).default(DEFAULTS.incidentThresholdMs / 1000),
	SHARDBEAT_OPERATOR_SECRET: z.string().min(24, 'must be at least 24 characters').optional(),
	SHARDBEAT_DISCORD_WEBHOOK_URL: z
		.string()
		.regex(/^https:\/\/(\w+\.)?discord(app)?\.com\/api\/webhooks\/\S+$/, 'must be a Discord webhook URL (https://discord.com/api/webhooks/…)')
		.optional(),
	SHARDBEAT_WEBHOOK_URL: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL').optional(),
	SHARDBEAT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
	SHARDBEAT_PAGE_URL: z.string().regex(/^https?:\/\/[^\s?#]+$/, 'must be an http(s) URL without query, e.g. https://status.example.com').optional(),
	SHARDBEAT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
	SHARDBEAT_TRUST_PROXY: z.enum(['0', '1', 'false', 'true'], { message: 'must be 1 or 0' }).default('0'),
	SHARDBEAT_RATE_TOKEN_PER_MIN: int(0, 1_000_000).default(DEFAULTS.tokenRatePerMin),
	SHARDBEAT_RATE_HTTP_PER_MIN: int(0, 1_000_000).default(DEFAULTS.httpRatePerMin),
	SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S: int(0, 1_000_000).default(DEFAULTS.viewerEventsPer10s),
	SHARDBEAT_MAX_VIEWERS_PER_IP: int(0, 10_000_000).default(DEFAULTS.maxViewersPerIp),
	SHARDBEAT_PUBLIC_DETAIL: z.enum(['full', 'basic']).default(DEFAULTS.publicDetail)
});

export class ConfigError extends Error {
	override name = 'ConfigError';
}

/**
 * Reads the server config from environment variables, applying the documented defaults.
 * Throws a `ConfigError` naming each bad variable, so a typo fails at start rather than at 3 a.m.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Record<string, string | undefined>): { config: ServerConfig; warnings: string[] } {
	const parsed = EnvSchema.safeParse(env);
	if (!parsed.success) {
		const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
		throw new ConfigError(`Invalid Shardbeat configuration:\n${lines.join('\n')}`);
	}
	const e = parsed.data;
	const production = e.NODE_ENV === 'production';
	const warnings: string[] = [];

	let botSecret = e.SHARDBEAT_BOT_SECRET;
	let tokenSecret = e.SHARDBEAT_TOKEN_SECRET;
	if (production && (!botSecret || !tokenSecret)) {
		throw new ConfigError(
			'NODE_ENV=production needs SHARDBEAT_BOT_SECRET (16+ chars) and SHARDBEAT_TOKEN_SECRET (32+ chars); ' +
				'generate them with `openssl rand -hex 32`.'
		);
	}
	if (!botSecret) {
		botSecret = DEV_BOT_SECRET;
		warnings.push(`SHARDBEAT_BOT_SECRET is not set; using the development secret "${DEV_BOT_SECRET}".`);
	}
	if (!tokenSecret) {
		// Random per start: tokens die with the process, which is harmless for one dev instance.
		tokenSecret = randomBytes(32).toString('hex');
		warnings.push('SHARDBEAT_TOKEN_SECRET is not set; viewer tokens are signed with a random key that changes on restart.');
	}

	if (e.SHARDBEAT_WEBHOOK_URL && !e.SHARDBEAT_WEBHOOK_SECRET) {
		throw new ConfigError('SHARDBEAT_WEBHOOK_URL needs SHARDBEAT_WEBHOOK_SECRET (16+ chars) to sign notices; generate one with `openssl rand -hex 32`.');
	}
	let operatorSecret = e.SHARDBEAT_OPERATOR_SECRET;
	if (!operatorSecret && !production) {
		operatorSecret = DEV_OPERATOR_SECRET;
		warnings.push(`SHARDBEAT_OPERATOR_SECRET is not set; the operator API accepts the development secret "${DEV_OPERATOR_SECRET}".`);
	}

	const origins = e.SHARDBEAT_ALLOWED_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean);
	for (const origin of origins ?? []) {
		if (!/^https?:\/\/[^/]+$/.test(origin)) {
			throw new ConfigError(
				`SHARDBEAT_ALLOWED_ORIGINS: "${origin}" is not an origin; use scheme://host[:port] with no path, e.g. https://status.example.com`
			);
		}
	}

	return {
		config: {
			port: e.SHARDBEAT_PORT,
			host: e.SHARDBEAT_HOST,
			botSecret,
			tokenSecret,
			tokenTtlMs: e.SHARDBEAT_TOKEN_TTL_S * 1000,
			heartbeatIntervalMs: e.SHARDBEAT_HEARTBEAT_INTERVAL_MS,
			missedHeartbeats: e.SHARDBEAT_MISSED_HEARTBEATS,
			allowedOrigins: origins ?? [...DEFAULTS.allowedOrigins],
			statusMaxAgeS: e.SHARDBEAT_STATUS_MAX_AGE_S,
			pushIntervalMs: e.SHARDBEAT_PUSH_INTERVAL_MS,
			...(e.SHARDBEAT_REDIS_URL ? { redisUrl: e.SHARDBEAT_REDIS_URL } : {}),
			database: e.SHARDBEAT_DATABASE_URL ?? e.SHARDBEAT_SQLITE_PATH,
			retentionDays: e.SHARDBEAT_RETENTION_DAYS,
			incidentThresholdMs: e.SHARDBEAT_INCIDENT_THRESHOLD_S * 1000,
			...(operatorSecret ? { operatorSecret } : {}),
			...(e.SHARDBEAT_DISCORD_WEBHOOK_URL ? { discordWebhookUrl: e.SHARDBEAT_DISCORD_WEBHOOK_URL } : {}),
			...(e.SHARDBEAT_WEBHOOK_URL ? { webhookUrl: e.SHARDBEAT_WEBHOOK_URL, webhookSecret: e.SHARDBEAT_WEBHOOK_SECRET } : {}),
			...(e.SHARDBEAT_PAGE_URL ? { pageUrl: e.SHARDBEAT_PAGE_URL.replace(/\/+$/, '') } : {}),
			logLevel: e.SHARDBEAT_LOG_LEVEL,
			trustProxy: e.SHARDBEAT_TRUST_PROXY === '1' || e.SHARDBEAT_TRUST_PROXY === 'true',
			tokenRatePerMin: e.SHARDBEAT_RATE_TOKEN_PER_MIN,
			httpRatePerMin: e.SHARDBEAT_RATE_HTTP_PER_MIN,
			viewerEventsPer10s: e.SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S,
			maxViewersPerIp: e.SHARDBEAT_MAX_VIEWERS_PER_IP,
			publicDetail: e.SHARDBEAT_PUBLIC_DETAIL
		},
		warnings
	};
}

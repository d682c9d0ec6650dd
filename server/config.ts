import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { locales } from '#i18n/runtime';
import { parseOperators, type OperatorGrant } from './console/operators.ts';
import { parseLatencyBands, type LatencyBands } from '#shared';

/** The bot secret outside production when `SHARDBEAT_BOT_SECRET` is unset (with a warning). */
export const DEV_BOT_SECRET = 'shardbeat-dev-secret';
/** The operator secret outside production when `SHARDBEAT_OPERATOR_SECRET` is unset (with a warning). */
export const DEV_OPERATOR_SECRET = 'shardbeat-dev-operator-secret';
/** The `/metrics` bearer token outside production when `SHARDBEAT_METRICS_TOKEN` is unset (with a warning). */
export const DEV_METRICS_TOKEN = 'shardbeat-dev-metrics-token';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const secret = (min: number) => z.string().min(min, `must be at least ${min} characters`);
const seconds = (min: number, max: number) => int(min, max).transform((s) => s * 1000);

const devHosts = ['localhost', '127.0.0.1'];
const devPorts = [5173, 4173, 8787];

/** One row of `SETTINGS`. */
export interface Setting {
	env: `SHARDBEAT_${string}`;
	/** The `ServerConfig` field; absent when only a rule in `loadConfig` reads the variable. */
	key?: string;
	schema: z.ZodType<unknown>;
	/** In the variable's own units, e.g. seconds for `_S`; absent means unset unless a rule fills it. */
	default?: string;
	/** Set by a rule in `loadConfig` when the variable is unset, so the field is never missing. */
	filled?: true;
	/** The README's default column when `default` does not say it (or there is none). */
	shown?: string;
	/** What it does, as the README says it. */
	meaning: string;
}

/**
 * The server's settings, one row per environment variable and the only place each is stated:
 * `ServerConfig`, `DEFAULTS`, parsing with its error messages, and the README table come from it.
 * `schema` checks the raw string and converts it to the config field's value (units included);
 * `default` is written as a user would set the variable, and parsed like one. Rows keep their
 * literal types (`as const`) so that `ServerConfig` can be read off them.
 */
export const SETTINGS = [
	{ env: 'SHARDBEAT_PORT', key: 'port', schema: int(0, 65_535), default: '4000', meaning: 'HTTP and Socket.io port (0 picks a free one).' },
	{ env: 'SHARDBEAT_HOST', key: 'host', schema: z.string().min(1), default: '127.0.0.1', meaning: 'Interface to listen on; `0.0.0.0` to accept other machines.' },
	{ env: 'SHARDBEAT_BOT_SECRET', key: 'botSecret', schema: secret(16), filled: true, shown: `\`${DEV_BOT_SECRET}\` outside production`,
		meaning: 'Shared secret bots send at the handshake. Required (16+ chars) when `NODE_ENV=production`.' },
	{ env: 'SHARDBEAT_TOKEN_SECRET', key: 'tokenSecret', schema: secret(32), filled: true, shown: 'random per start outside production',
		meaning: 'Signs viewer tokens. Required (32+ chars) when `NODE_ENV=production`; the same on every instance.' },
	{ env: 'SHARDBEAT_TOKEN_TTL_S', key: 'tokenTtlMs', schema: seconds(10, 86_400), default: '300', meaning: 'Viewer token lifetime, seconds.' },
	{ env: 'SHARDBEAT_HEARTBEAT_INTERVAL_MS', key: 'heartbeatIntervalMs', schema: int(100, 600_000), default: '5000', meaning: 'Expected heartbeat interval of the reporters.' },
	{ env: 'SHARDBEAT_MISSED_HEARTBEATS', key: 'missedHeartbeats', schema: int(1, 100), default: '3',
		meaning: 'A cluster silent for more than this many intervals is shown `stopped`.' },
	// Requests without `Origin` (bots, curl) pass whatever this says; the form of each origin is a rule in `loadConfig`.
	{ env: 'SHARDBEAT_ALLOWED_ORIGINS', key: 'allowedOrigins', schema: z.string().transform((list) => list.split(',').map((o) => o.trim()).filter(Boolean)),
		default: devPorts.flatMap((port) => devHosts.map((host) => `http://${host}:${port}`)).join(','), shown: `${devHosts.join('/')} on ports ${devPorts.join(', ')}`,
		meaning: 'Comma-separated page origins allowed to get tokens and open viewer sockets.' },
	{ env: 'SHARDBEAT_STATUS_MAX_AGE_S', key: 'statusMaxAgeS', schema: int(0, 3_600), default: '5', meaning: '`Cache-Control: max-age` of `GET /api/status`.' },
	{ env: 'SHARDBEAT_PUSH_INTERVAL_MS', key: 'pushIntervalMs', schema: int(10, 10_000), default: '500',
		meaning: 'Changes are batched this long into one version and one push to every viewer (at most 1000/this pushes a second).' },
	{ env: 'SHARDBEAT_REDIS_URL', key: 'redisUrl', schema: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379'),
		shown: 'unset (one instance, state in memory)',
		meaning: 'e.g. `redis://10.0.0.5:6379`: run several instances that share fleet state and viewer pushes through Redis (see [Scale-out](#scale-out-on-redis)).' },
	// No key: when set it wins over `SHARDBEAT_SQLITE_PATH` as `database`, a rule in `loadConfig`.
	{ env: 'SHARDBEAT_DATABASE_URL',
		schema: z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// URL, e.g. postgres://user:pass@127.0.0.1:5432/shardbeat (for SQLite set SHARDBEAT_SQLITE_PATH)'),
		shown: 'unset (SQLite file)',
		meaning: 'e.g. `postgres://user:pass@db:5432/shardbeat`: history in PostgreSQL, shared by every instance (use it with `SHARDBEAT_REDIS_URL`).' },
	{ env: 'SHARDBEAT_SQLITE_PATH', key: 'database', schema: z.string().min(1), default: 'data/shardbeat.sqlite',
		meaning: 'The SQLite history file when no `SHARDBEAT_DATABASE_URL` is set; its folder is created. `:memory:` keeps nothing.' },
	{ env: 'SHARDBEAT_RETENTION_DAYS', key: 'retentionDays', schema: int(1, 3_650), default: '90', meaning: 'History older than this many days is pruned (hourly).' },
	{ env: 'SHARDBEAT_INCIDENT_THRESHOLD_S', key: 'incidentThresholdMs', schema: seconds(10, 86_400), default: '120',
		meaning: 'Shards down at least this long open an incident; a shorter outage is a reconnect.' },
	{ env: 'SHARDBEAT_OPERATOR_SECRET', key: 'operatorSecret', schema: secret(24),
		shown: `\`${DEV_OPERATOR_SECRET}\` outside production; unset (operator API off) in production`,
		meaning: 'Bearer secret of the [operator API](#operator-api) (incidents, updates, maintenance); 24+ chars.' },
	// It travels in an HTTP header as `Bearer <token>`: one word of printable ASCII.
	{ env: 'SHARDBEAT_METRICS_TOKEN', key: 'metricsToken', schema: secret(24).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it is sent in an HTTP header)'),
		shown: `\`${DEV_METRICS_TOKEN}\` outside production; unset (\`/metrics\` off) in production`,
		meaning: 'Bearer token your Prometheus sends to scrape [`/metrics`](#metrics); 24+ chars (`openssl rand -hex 32`), not the operator or bot secret. Unset, `/metrics` answers `404`.' },
	{ env: 'SHARDBEAT_DISCORD_WEBHOOK_URL', key: 'discordWebhookUrl',
		schema: z.string().regex(/^https:\/\/(\w+\.)?discord(app)?\.com\/api\/webhooks\/\S+$/, 'must be a Discord webhook URL (https://discord.com/api/webhooks/…)'),
		meaning: 'A Discord webhook URL that gets an embed when an incident opens, edited in place as it changes and resolves.' },
	{ env: 'SHARDBEAT_WEBHOOK_URL', key: 'webhookUrl', schema: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL'),
		meaning: 'A URL that gets incident notices as JSON, signed in `X-Shardbeat-Signature` (needs `SHARDBEAT_WEBHOOK_SECRET`).' },
	{ env: 'SHARDBEAT_WEBHOOK_SECRET', key: 'webhookSecret', schema: secret(16), meaning: 'HMAC-SHA256 key for `SHARDBEAT_WEBHOOK_URL`; 16+ chars.' },
	{ env: 'SHARDBEAT_WEBHOOK_LOCALE', key: 'webhookLocale', schema: z.enum(locales, { message: `must be one of ${locales.join(', ')}` }), default: 'en',
		meaning: `Language of incident webhooks: the Discord embed, and the JSON body's title and messages (${locales.map((l) => `\`${l}\``).join(', ')}).` },
	// A role id is a snowflake; anything else would be a mention Discord cannot resolve (or a ping of something else).
	{ env: 'SHARDBEAT_DISCORD_ROLE_ID', key: 'discordRoleId', schema: z.string().regex(/^\d{17,20}$/, 'must be a Discord role id (17–20 digits; Server Settings → Roles → Copy Role ID)'),
		shown: 'unset (no mention)',
		meaning: 'A role `SHARDBEAT_DISCORD_WEBHOOK_URL` mentions when it posts a new incident message (only that role can ping; the edits that follow the incident never ping again).' },
	{ env: 'SHARDBEAT_OUTBOX_EMAILS_PER_S', key: 'outboxEmailsPerS', schema: int(1, 100_000), default: '100',
		meaning: 'Subscriber mails each instance sends per second at most (a token bucket with a second of burst); set it to what your SMTP relay accepts.' },
	{ env: 'SHARDBEAT_SMTP_CONNECTIONS', key: 'smtpConnections', schema: int(1, 100), default: '5',
		meaning: 'SMTP connections each instance keeps open to the mail server and sends over side by side; raise it (with `SHARDBEAT_OUTBOX_EMAILS_PER_S`) if your relay allows.' },
	{ env: 'SHARDBEAT_DISCORD_PER_S', key: 'discordPerS', schema: int(1, 10_000), default: '50',
		meaning: 'Discord webhook requests (creates and edits) each instance makes per second at most: the global budget. Discord\'s own 429s and per-webhook limits are honoured on top.' },
	{ env: 'SHARDBEAT_OUTBOX_PAGE_SIZE', key: 'outboxPageSize', schema: int(10, 10_000), default: '500',
		meaning: 'Subscribers read per fan-out step and deliveries claimed per batch: bounds the outbox\'s memory (at most two pages of deliveries wait at once).' },
	{ env: 'SHARDBEAT_OUTBOX_LEASE_S', key: 'outboxLeaseMs', schema: seconds(5, 3_600), default: '60',
		meaning: 'A claimed batch is its instance\'s for this long; an instance that dies mid-send has its unacknowledged deliveries sent by another (or by itself restarted) after it.' },
	// Links are built as `${pageUrl}/path`, so a trailing slash would double.
	{ env: 'SHARDBEAT_PAGE_URL', key: 'pageUrl',
		schema: z.string().regex(/^https?:\/\/[^\s?#]+$/, 'must be an http(s) URL without query, e.g. https://status.example.com').transform((url) => url.replace(/\/+$/, '')),
		meaning: 'Public URL of the status page, for links in feeds and webhooks, e.g. `https://status.example.com`.' },
	{ env: 'SHARDBEAT_BOT_NAME', key: 'botName', schema: z.string().trim().min(1).max(80, 'must be at most 80 characters'), shown: 'unset (`Shardbeat`)',
		meaning: "The bot's name in the badge, the feeds' titles and Discord embeds (username `<name> Status`)." },
	{ env: 'SHARDBEAT_LOG_LEVEL', key: 'logLevel', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info',
		meaning: 'pino level: fatal, error, warn, info, debug, trace or silent.' },
	{ env: 'SHARDBEAT_TRUST_PROXY', key: 'trustProxy', schema: z.enum(['0', '1', 'false', 'true'], { message: 'must be 1 or 0' }).transform((v) => v === '1' || v === 'true'),
		default: '0',
		meaning: '`1`: the client IP for rate limits is the first `X-Forwarded-For` hop. Only behind a proxy that overwrites that header; otherwise clients choose their own IP and escape every limit.' },
	// A page takes one token per 5 minutes and polls every 15 s: these leave ample room for a whole
	// office behind one NAT while keeping one machine from minting or polling without end.
	{ env: 'SHARDBEAT_RATE_TOKEN_PER_MIN', key: 'tokenRatePerMin', schema: int(0, 1_000_000), default: '30',
		meaning: '`POST /api/token` requests per client IP per minute; more get `429` with `Retry-After`. `0` turns it off.' },
	{ env: 'SHARDBEAT_RATE_HTTP_PER_MIN', key: 'httpRatePerMin', schema: int(0, 1_000_000), default: '300',
		meaning: 'HTTP requests per client IP per minute, all routes but `/healthz`, `/metrics` scrapes with the right token and heartbeats with the bot secret (limited per cluster instead). `0` turns it off.' },
	// A cluster reports every 5 s: a burst of 10, then one a second, leaves room for retries and a
	// restart without letting one leaked secret flood the fleet with a single cluster's updates.
	{ env: 'SHARDBEAT_RATE_HEARTBEATS_PER_10S', key: 'heartbeatRatePer10s', schema: int(0, 1_000_000), default: '10',
		meaning: '`POST /api/v1/heartbeat` requests per cluster id per 10 s (a token bucket: this many at once, then this many per 10 s); more get `429` with `Retry-After` and change nothing. Socket heartbeats are not limited. `0` turns it off.' },
	{ env: 'SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S', key: 'viewerEventsPer10s', schema: int(0, 1_000_000), default: '20',
		meaning: 'Events (`get-cluster-status` polls and the rest) per viewer socket per 10 s; more are answered `rate_limited`. `0` turns it off.' },
	{ env: 'SHARDBEAT_MAX_VIEWERS_PER_IP', key: 'maxViewersPerIp', schema: int(0, 10_000_000), default: '50',
		meaning: 'Concurrent viewer sockets per client IP (across every instance when scaled out); bots are not counted. `0` turns it off.' },
	// A page holds one WebSocket and briefly one or two HTTP connections; bots stop counting once
	// authenticated. Room for an office of 50 viewers behind one NAT, not for a flood from one host.
	{ env: 'SHARDBEAT_MAX_CONNECTIONS_PER_IP', key: 'maxConnectionsPerIp', schema: int(0, 10_000_000), default: '128',
		meaning: 'Concurrent TCP connections per client IP (HTTP keep-alive, WebSocket and long-polling alike; a bot\'s stops counting once it has authenticated). Past it a new connection is answered `429` with `Retry-After` and closed. Behind a proxy (`SHARDBEAT_TRUST_PROXY=1`) a connection counts against the first `X-Forwarded-For` hop of its first request. `0` turns it off.' },
	{ env: 'SHARDBEAT_HEADERS_TIMEOUT_S', key: 'headersTimeoutMs', schema: seconds(1, 600), default: '10',
		meaning: 'A connection must send a request\'s complete headers within this many seconds of opening (or of its previous answer); slower ones (slowloris) are closed. Upgraded WebSockets are not affected.' },
	{ env: 'SHARDBEAT_REQUEST_TIMEOUT_S', key: 'requestTimeoutMs', schema: seconds(1, 3_600), default: '30',
		meaning: 'A whole HTTP request, body included, must arrive within this many seconds (at least `SHARDBEAT_HEADERS_TIMEOUT_S`). Only receiving counts: a held long-polling answer is not cut.' },
	{ env: 'SHARDBEAT_KEEP_ALIVE_TIMEOUT_S', key: 'keepAliveTimeoutMs', schema: seconds(1, 600), default: '5',
		meaning: 'An idle HTTP keep-alive connection is closed after this many seconds.' },
	{ env: 'SHARDBEAT_SHED_LAG_MS', key: 'shedLagMs', schema: int(0, 60_000), default: '100',
		meaning: 'Event-loop delay (p99 over the last 500 ms) past which expensive HTTP work (history, summary, badge, feeds) is refused with `503`, `Retry-After` and code `overloaded` (as it is while 8 such requests are being answered), and past twice which `POST /api/token` and `GET /api/status` are too; heartbeats, polls, `/healthz`, `/metrics` and the operator API are never shed. `0` turns it off (tests and load generators only).' },
	{ env: 'SHARDBEAT_SMTP_URL', key: 'smtpUrl', schema: z.string().regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587'),
		shown: 'unset (email subscriptions off)',
		meaning: 'The mail server subscription mails go through, e.g. `smtp://user:pass@mail.example.com:587` (`smtps://` for TLS from the start). Unset, email subscriptions are off (the API refuses them, the page says so); Discord channel subscriptions still work.' },
	{ env: 'SHARDBEAT_MAIL_FROM', key: 'mailFrom', schema: z.string().trim().min(3).max(200), default: 'Shardbeat <shardbeat@localhost>',
		meaning: 'The `From` of subscription mails, e.g. `My Bot Status <status@example.com>`: an address your mail server may send as.' },
	// Subscribing costs a mail: a person subscribes once, a household a few times; a script gets 10 an hour per IP.
	{ env: 'SHARDBEAT_RATE_SUBSCRIBE_PER_HOUR', key: 'subscribeRatePerHour', schema: int(0, 1_000_000), default: '10',
		meaning: '`POST /api/v1/subscriptions` requests per client IP per hour (a token bucket), on top of 10 per address per hour and at most 3 confirmation messages per address per 24 hours; more get `429` with `Retry-After`. `0` turns the per-IP limit off.' },
	{ env: 'SHARDBEAT_PUBLIC_DETAIL', key: 'publicDetail', schema: z.enum(['full', 'basic']), default: 'full',
		meaning: '`basic`: public viewers, `/api/status` and `/api/v1/summary` get no pings and no guild, unavailable-guild or member counts; only operator tokens see them (`/metrics`, behind its token, stays full).' },
	// ── the operator console ──
	{ env: 'SHARDBEAT_DISCORD_CLIENT_ID', key: 'discordClientId', schema: z.string().regex(/^\d{17,20}$/, 'must be your Discord application\'s id (17–20 digits; Developer Portal → your app → OAuth2 → Client ID)'),
		meaning: 'Log in with Discord to the [operator console](#operator-console): your Discord application\'s client id (needs `SHARDBEAT_DISCORD_CLIENT_SECRET` and `SHARDBEAT_OPERATORS`). Unset: no Discord login.' },
	{ env: 'SHARDBEAT_DISCORD_CLIENT_SECRET', key: 'discordClientSecret', schema: secret(16),
		meaning: 'The Discord application\'s client secret (Developer Portal → OAuth2 → Reset Secret).' },
	// Links are built as `${base}/oauth2/authorize`, so a trailing slash would double.
	{ env: 'SHARDBEAT_DISCORD_OAUTH_URL', key: 'discordOAuthUrl',
		schema: z.string().regex(/^https?:\/\/[^\s?#]+$/, 'must be an http(s) URL without query, e.g. https://discord.com/api').transform((url) => url.replace(/\/+$/, '')),
		default: 'https://discord.com/api',
		meaning: 'Where Discord\'s OAuth2 lives: `<this>/oauth2/authorize`, `<this>/oauth2/token`, `<this>/users/@me`. Only tests change it (a stand-in on loopback).' },
	{ env: 'SHARDBEAT_OPERATORS', key: 'operators',
		schema: z.string().transform((text, ctx): OperatorGrant[] => {
			const parsed = parseOperators(text);
			if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
			return parsed.ok ? parsed.operators : [];
		}),
		default: '', shown: 'unset (nobody)',
		meaning: 'Who may log in with Discord, and as what: `<discord user id>:<role>` pairs, comma-separated, e.g. `123456789012345678:owner,234567890123456789:editor`; roles `viewer`, `editor`, `owner` (see [roles](#operator-console)).' },
	{ env: 'SHARDBEAT_SERVER_URL', key: 'serverUrl',
		schema: z.string().regex(/^https?:\/\/[^\s?#]+$/, 'must be an http(s) URL without query, e.g. https://status-api.example.com').transform((url) => url.replace(/\/+$/, '')),
		shown: 'unset (the address it listens on)',
		meaning: 'This server\'s public URL, e.g. `https://api.status.example.com`: Discord sends operators back to `<this>/api/v1/console/login/discord/callback` (register that redirect in your Discord application). The links in subscription mails (confirm, manage, one-click unsubscribe), which the server answers itself, point here too: set it behind a proxy, where the listening address is not one a reader can open. `https` also marks the console\'s cookies `Secure`. Required for Discord login in production.' },
	{ env: 'SHARDBEAT_CONSOLE_KEY_LOGIN', key: 'consoleKeyLogin', schema: z.enum(['0', '1', 'false', 'true'], { message: 'must be 1 or 0' }).transform((v) => v === '1' || v === 'true'),
		filled: true, shown: '`1` outside production, `0` in production',
		meaning: '`1`: the console also accepts `SHARDBEAT_OPERATOR_SECRET` as a login, opening an `owner` session (how `npm start` works offline). `0`: Discord login only.' },
	{ env: 'SHARDBEAT_CONSOLE_IDLE_TIMEOUT_S', key: 'consoleIdleTimeoutMs', schema: seconds(60, 2_592_000), default: '3600',
		meaning: 'A console session unused this long ends (idle expiry).' },
	{ env: 'SHARDBEAT_CONSOLE_SESSION_TTL_S', key: 'consoleSessionTtlMs', schema: seconds(60, 2_592_000), default: '43200',
		meaning: 'A console session ends this long after login whatever happens (absolute expiry).' },
	{ env: 'SHARDBEAT_RATE_LOGIN_PER_MIN', key: 'loginRatePerMin', schema: int(0, 1_000_000), default: '10',
		meaning: 'Console login requests (starting a Discord login, its callback, key logins) per client IP per minute; more get `429` with `Retry-After`. `0` turns it off.' },
	{ env: 'SHARDBEAT_RATE_LOGIN_FAILURES_PER_HOUR', key: 'loginFailuresPerHour', schema: int(0, 1_000_000), default: '10',
		meaning: 'Failed key logins per client IP per hour (a burst of this many, then one back every hour / this); past it every key login from that IP, right or wrong, gets `429`. `0` turns it off.' },
	// Sent to each page with its viewer token (`POST /api/token`), so the page needs no setting of its own.
	{ env: 'SHARDBEAT_LATENCY_BANDS', key: 'latencyBands',
		schema: z.string().transform((text, ctx): LatencyBands => {
			const check = parseLatencyBands(text);
			if (check.ok) return check.bands;
			ctx.addIssue({ code: 'custom', message: check.reason });
			return z.NEVER;
		}),
		default: '200,400',
		meaning: "The status page's latency view: gateway pings under the first value (ms) are fast, under the second ok, the rest slow (PluralKit's bands by default)." }
] as const satisfies readonly Setting[];

type Row = (typeof SETTINGS)[number];
type Value<R extends Row> = z.output<R['schema']>;
type Always<R> = R extends { default: string } | { filled: true } ? true : false;
type Flat<T> = { [K in keyof T]: T[K] };

/** Server settings, one field per `SETTINGS` row with a `key`; each row's `meaning` says what it does. */
export type ServerConfig = Flat<
	{ [R in Row as R extends { key: string } ? (Always<R> extends true ? R['key'] : never) : never]: Value<R> } & {
		[R in Row as R extends { key: string } ? (Always<R> extends true ? never : R['key']) : never]?: Value<R>;
	}
>;

type Defaulted = Extract<Row, { key: string; default: string }>;
/** Every field whose row has a default, at that default; safe everywhere (secrets are decided in `loadConfig`). */
export type Defaults = { [R in Defaulted as R['key']]: Value<R> };

// The same rows, widened, for code that walks all of them alike.
const rows: readonly Setting[] = SETTINGS;

/** The defaults of `SETTINGS` in config units, for configs built in code (tests, bench, `npm start`). */
export const DEFAULTS = Object.fromEntries(rows.flatMap((s) => (s.key && s.default !== undefined ? [[s.key, s.schema.parse(s.default)]] : []))) as Defaults;

// `prefault`, not `default`: a default passes through the row's conversion just as a set value does.
const EnvSchema = z.object({
	NODE_ENV: z.string().optional(),
	...Object.fromEntries(rows.map((s) => [s.env, s.default === undefined ? s.schema.optional() : s.schema.prefault(s.default)]))
});

/** The README's server settings table (markdown) as `SETTINGS` describes it. */
export function settingsTable(): string {
	const line = (s: Setting) => `| \`${s.env}\` | ${s.shown ?? (s.default === undefined ? 'unset' : `\`${s.default}\``)} | ${s.meaning} |`;
	return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows.map(line)].join('\n');
}

/** The comments around the generated table in README.md; `npm run docs:settings` rewrites what lies between. */
export const SETTINGS_TABLE_MARKERS = ['<!-- settings:start -->', '<!-- settings:end -->'] as const;

/** A setting `loadConfig` refuses; the message names the variable and is meant for the operator as is. */
export class ConfigError extends Error {
	override name = 'ConfigError';
}

/**
 * Reads the server config from environment variables, applying the documented defaults.
 * Throws a `ConfigError` naming each bad variable, so a typo fails at start rather than at 3 a.m.
 * Unknown variables are ignored.
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
	const e = parsed.data as Record<string, unknown>;
	// Every key in table order, unset ones undefined until the rules below have run.
	const c = Object.fromEntries(rows.flatMap((s) => (s.key ? [[s.key, e[s.env]]] : []))) as Partial<ServerConfig>;
	const production = e.NODE_ENV === 'production';
	const warnings: string[] = [];

	if (production && (!c.botSecret || !c.tokenSecret)) {
		throw new ConfigError(
			'NODE_ENV=production needs SHARDBEAT_BOT_SECRET (16+ chars) and SHARDBEAT_TOKEN_SECRET (32+ chars); ' +
				'generate them with `openssl rand -hex 32`.'
		);
	}
	if (!c.botSecret) {
		c.botSecret = DEV_BOT_SECRET;
		warnings.push(`SHARDBEAT_BOT_SECRET is not set; using the development secret "${DEV_BOT_SECRET}".`);
	}
	if (!c.tokenSecret) {
		// Random per start: tokens die with the process, which is harmless for one dev instance.
		c.tokenSecret = randomBytes(32).toString('hex');
		warnings.push('SHARDBEAT_TOKEN_SECRET is not set; viewer tokens are signed with a random key that changes on restart.');
	}

	if (c.webhookUrl && !c.webhookSecret) {
		throw new ConfigError('SHARDBEAT_WEBHOOK_URL needs SHARDBEAT_WEBHOOK_SECRET (16+ chars) to sign notices; generate one with `openssl rand -hex 32`.');
	}
	// The secret travels with its URL: alone it signs nothing.
	if (!c.webhookUrl) c.webhookSecret = undefined;
	if (!c.operatorSecret && !production) {
		c.operatorSecret = DEV_OPERATOR_SECRET;
		warnings.push(`SHARDBEAT_OPERATOR_SECRET is not set; the operator API accepts the development secret "${DEV_OPERATOR_SECRET}".`);
	}
	if (!c.metricsToken && !production) {
		c.metricsToken = DEV_METRICS_TOKEN;
		warnings.push(`SHARDBEAT_METRICS_TOKEN is not set; /metrics accepts the development token "${DEV_METRICS_TOKEN}".`);
	}
	// A scraper's credential sits in a Prometheus config file: it must open /metrics and nothing else.
	if (c.metricsToken && (c.metricsToken === c.operatorSecret || c.metricsToken === c.botSecret)) {
		throw new ConfigError(
			'SHARDBEAT_METRICS_TOKEN must differ from SHARDBEAT_OPERATOR_SECRET and SHARDBEAT_BOT_SECRET: a scraper must not hold a key to the operator API or the bot socket; generate one with `openssl rand -hex 32`.'
		);
	}

	if (c.consoleKeyLogin === undefined) c.consoleKeyLogin = !production;
	if (c.discordClientId && !c.discordClientSecret) {
		throw new ConfigError('SHARDBEAT_DISCORD_CLIENT_ID needs SHARDBEAT_DISCORD_CLIENT_SECRET (Developer Portal → your app → OAuth2 → Reset Secret).');
	}
	if (!c.discordClientId) c.discordClientSecret = undefined;
	if (c.discordClientId && (c.operators ?? []).length === 0) {
		warnings.push('SHARDBEAT_DISCORD_CLIENT_ID is set but SHARDBEAT_OPERATORS lists nobody: every Discord login will be refused.');
	}
	if (production && c.discordClientId && (!c.serverUrl || !c.pageUrl)) {
		throw new ConfigError(
			'Log in with Discord in production needs SHARDBEAT_SERVER_URL (where Discord sends operators back) and SHARDBEAT_PAGE_URL (the console\'s origin, the only one allowed to use a session).'
		);
	}
	for (const origin of c.allowedOrigins ?? []) {
		if (!/^https?:\/\/[^/]+$/.test(origin)) {
			throw new ConfigError(
				`SHARDBEAT_ALLOWED_ORIGINS: "${origin}" is not an origin; use scheme://host[:port] with no path, e.g. https://status.example.com`
			);
		}
	}
	if (c.headersTimeoutMs !== undefined && c.requestTimeoutMs !== undefined && c.headersTimeoutMs > c.requestTimeoutMs) {
		throw new ConfigError(
			`SHARDBEAT_HEADERS_TIMEOUT_S: ${c.headersTimeoutMs / 1000} s is longer than SHARDBEAT_REQUEST_TIMEOUT_S: ${c.requestTimeoutMs / 1000} s; the headers are part of the request`
		);
	}
	c.database = (e.SHARDBEAT_DATABASE_URL as string | undefined) ?? c.database;

	// Optional fields are absent rather than undefined, as callers spread and compare configs.
	for (const key of Object.keys(c) as (keyof ServerConfig)[]) if (c[key] === undefined) delete c[key];
	return { config: c as ServerConfig, warnings };
}

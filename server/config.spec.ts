import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
	ConfigError,
	DEFAULTS,
	DEV_BOT_SECRET,
	DEV_METRICS_TOKEN,
	DEV_OPERATOR_SECRET,
	loadConfig,
	SETTINGS,
	SETTINGS_TABLE_MARKERS,
	settingsTable,
	type ServerConfig
} from './config.ts';

describe('loadConfig', () => {
	it('applies the documented defaults in development', () => {
		const { config, warnings } = loadConfig({});
		expect(config).toMatchObject({
			port: DEFAULTS.port,
			host: DEFAULTS.host,
			botSecret: DEV_BOT_SECRET,
			tokenTtlMs: 300_000,
			heartbeatIntervalMs: 5_000,
			missedHeartbeats: 3,
			statusMaxAgeS: 5
		});
		expect(config.tokenSecret).toHaveLength(64);
		expect(config.metricsToken).toBe(DEV_METRICS_TOKEN);
		expect(warnings).toHaveLength(4);
	});

	const ok: [string, Record<string, string>, object][] = [
		['a port', { SHARDBEAT_PORT: '8080' }, { port: 8080 }],
		['origins, trimmed', { SHARDBEAT_ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443' }, { allowedOrigins: ['https://a.example', 'https://b.example:8443'] }],
		['a token lifetime in seconds', { SHARDBEAT_TOKEN_TTL_S: '60' }, { tokenTtlMs: 60_000 }],
		['liveness settings', { SHARDBEAT_HEARTBEAT_INTERVAL_MS: '1000', SHARDBEAT_MISSED_HEARTBEATS: '5' }, { heartbeatIntervalMs: 1000, missedHeartbeats: 5 }],
		['history in SQLite by default', {}, { database: 'data/shardbeat.sqlite', retentionDays: 90, incidentThresholdMs: 120_000 }],
		['history in PostgreSQL', { SHARDBEAT_DATABASE_URL: 'postgres://u:p@db:5432/sb', SHARDBEAT_SQLITE_PATH: '/x.db' }, { database: 'postgres://u:p@db:5432/sb' }],
		['rate limits by default', {}, { trustProxy: false, tokenRatePerMin: 30, httpRatePerMin: 300, heartbeatRatePer10s: 10, viewerEventsPer10s: 20, maxViewersPerIp: 50, publicDetail: 'full' }],
		[
			'rate limits, proxy trust and detail',
			{ SHARDBEAT_TRUST_PROXY: '1', SHARDBEAT_RATE_TOKEN_PER_MIN: '5', SHARDBEAT_RATE_HTTP_PER_MIN: '0', SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S: '7', SHARDBEAT_MAX_VIEWERS_PER_IP: '3', SHARDBEAT_PUBLIC_DETAIL: 'basic' },
			{ trustProxy: true, tokenRatePerMin: 5, httpRatePerMin: 0, viewerEventsPer10s: 7, maxViewersPerIp: 3, publicDetail: 'basic' }
		],
		['a metrics token', { SHARDBEAT_METRICS_TOKEN: 'm'.repeat(24) }, { metricsToken: 'm'.repeat(24) }],
		['a webhook with its secret', { SHARDBEAT_WEBHOOK_URL: 'https://hooks.example/x', SHARDBEAT_WEBHOOK_SECRET: '0123456789abcdef' }, { webhookUrl: 'https://hooks.example/x', webhookSecret: '0123456789abcdef' }]
	];
	it.each(ok)('reads %s', (_, env, expected) => {
		expect(loadConfig(env).config).toMatchObject(expected);
	});

	const bad: [string, Record<string, string>, RegExp][] = [
		['a non-numeric port', { SHARDBEAT_PORT: 'http' }, /SHARDBEAT_PORT/],
		['a port out of range', { SHARDBEAT_PORT: '70000' }, /SHARDBEAT_PORT/],
		['a short bot secret', { SHARDBEAT_BOT_SECRET: 'short' }, /SHARDBEAT_BOT_SECRET: must be at least 16/],
		['an origin with a path', { SHARDBEAT_ALLOWED_ORIGINS: 'https://a.example/status' }, /not an origin/],
		['an unknown log level', { SHARDBEAT_LOG_LEVEL: 'loud' }, /SHARDBEAT_LOG_LEVEL/],
		['a database URL that is not PostgreSQL', { SHARDBEAT_DATABASE_URL: 'mysql://x' }, /SHARDBEAT_DATABASE_URL: must be a postgres/],
		['a webhook without a secret', { SHARDBEAT_WEBHOOK_URL: 'https://hooks.example/x' }, /needs SHARDBEAT_WEBHOOK_SECRET/],
		['a Discord webhook that is not Discord', { SHARDBEAT_DISCORD_WEBHOOK_URL: 'https://evil.example/api/webhooks/1/x' }, /SHARDBEAT_DISCORD_WEBHOOK_URL/],
		['a public detail level that does not exist', { SHARDBEAT_PUBLIC_DETAIL: 'none' }, /SHARDBEAT_PUBLIC_DETAIL/],
		['a negative rate limit', { SHARDBEAT_RATE_TOKEN_PER_MIN: '-1' }, /SHARDBEAT_RATE_TOKEN_PER_MIN/],
		['a proxy setting that is not 0 or 1', { SHARDBEAT_TRUST_PROXY: 'yes' }, /SHARDBEAT_TRUST_PROXY/],
		['production without secrets', { NODE_ENV: 'production' }, /openssl rand/],
		['a metrics token that is the operator secret', { SHARDBEAT_METRICS_TOKEN: 'x'.repeat(24), SHARDBEAT_OPERATOR_SECRET: 'x'.repeat(24) }, /SHARDBEAT_METRICS_TOKEN must differ/],
		['a metrics token that is the bot secret', { SHARDBEAT_METRICS_TOKEN: 'x'.repeat(24), SHARDBEAT_BOT_SECRET: 'x'.repeat(24) }, /SHARDBEAT_METRICS_TOKEN must differ/]
	];
	it.each(bad)('refuses %s with a message naming the variable', (_, env, message) => {
		expect(() => loadConfig(env)).toThrow(ConfigError);
		expect(() => loadConfig(env)).toThrow(message);
	});


	it('ignores variables it does not know', () => {
		const { config, warnings } = loadConfig({ SHARDBEAT_PORT: '8080', SHARDBEAT_NOT_A_SETTING: 'x', SHARDBEAT_port: 'y', PATH: '/bin' });
		const plain = loadConfig({ SHARDBEAT_PORT: '8080' });
		expect({ ...config, tokenSecret: '' }).toStrictEqual({ ...plain.config, tokenSecret: '' });
		expect(warnings).toEqual(plain.warnings);
	});

	it('leaves a webhook secret without a webhook URL out', () => {
		const { config } = loadConfig({ SHARDBEAT_WEBHOOK_SECRET: '0123456789abcdef' });
		expect(config).not.toHaveProperty('webhookSecret');
		expect(config).not.toHaveProperty('webhookUrl');
	});

	it('leaves unset optional fields out rather than undefined', () => {
		const { config } = loadConfig({ NODE_ENV: 'production', SHARDBEAT_BOT_SECRET: 'b'.repeat(16), SHARDBEAT_TOKEN_SECRET: 't'.repeat(32) });
		for (const key of ['redisUrl', 'operatorSecret', 'metricsToken', 'discordWebhookUrl', 'webhookUrl', 'webhookSecret', 'pageUrl']) expect(config).not.toHaveProperty(key);
	});
});

/*
 * Per-row cases. Each table must name every row, so a new variable arrives with its default,
 * what it accepts and what it refuses pinned here.
 */
describe('SETTINGS rows', () => {
	const absent = Symbol('absent');
	/** The config with the variable unset (development), in config units. */
	const defaults: Record<string, [keyof ServerConfig, unknown]> = {
		SHARDBEAT_PORT: ['port', 4000],
		SHARDBEAT_HOST: ['host', '127.0.0.1'],
		SHARDBEAT_BOT_SECRET: ['botSecret', DEV_BOT_SECRET],
		SHARDBEAT_TOKEN_SECRET: ['tokenSecret', expect.stringMatching(/^[0-9a-f]{64}$/)],
		SHARDBEAT_TOKEN_TTL_S: ['tokenTtlMs', 300_000],
		SHARDBEAT_HEARTBEAT_INTERVAL_MS: ['heartbeatIntervalMs', 5_000],
		SHARDBEAT_MISSED_HEARTBEATS: ['missedHeartbeats', 3],
		SHARDBEAT_ALLOWED_ORIGINS: [
			'allowedOrigins',
			['http://localhost:5173', 'http://127.0.0.1:5173', 'http://localhost:4173', 'http://127.0.0.1:4173', 'http://localhost:8787', 'http://127.0.0.1:8787']
		],
		SHARDBEAT_STATUS_MAX_AGE_S: ['statusMaxAgeS', 5],
		SHARDBEAT_PUSH_INTERVAL_MS: ['pushIntervalMs', 500],
		SHARDBEAT_REDIS_URL: ['redisUrl', absent],
		SHARDBEAT_DATABASE_URL: ['database', 'data/shardbeat.sqlite'],
		SHARDBEAT_SQLITE_PATH: ['database', 'data/shardbeat.sqlite'],
		SHARDBEAT_RETENTION_DAYS: ['retentionDays', 90],
		SHARDBEAT_INCIDENT_THRESHOLD_S: ['incidentThresholdMs', 120_000],
		SHARDBEAT_OPERATOR_SECRET: ['operatorSecret', DEV_OPERATOR_SECRET],
		SHARDBEAT_METRICS_TOKEN: ['metricsToken', DEV_METRICS_TOKEN],
		SHARDBEAT_DISCORD_WEBHOOK_URL: ['discordWebhookUrl', absent],
		SHARDBEAT_WEBHOOK_URL: ['webhookUrl', absent],
		SHARDBEAT_WEBHOOK_SECRET: ['webhookSecret', absent],
		SHARDBEAT_WEBHOOK_LOCALE: ['webhookLocale', 'en'],
		SHARDBEAT_DISCORD_ROLE_ID: ['discordRoleId', absent],
		SHARDBEAT_OUTBOX_EMAILS_PER_S: ['outboxEmailsPerS', 100],
		SHARDBEAT_SMTP_CONNECTIONS: ['smtpConnections', 5],
		SHARDBEAT_DISCORD_PER_S: ['discordPerS', 50],
		SHARDBEAT_OUTBOX_PAGE_SIZE: ['outboxPageSize', 500],
		SHARDBEAT_OUTBOX_LEASE_S: ['outboxLeaseMs', 60_000],
		SHARDBEAT_PAGE_URL: ['pageUrl', absent],
		SHARDBEAT_BOT_NAME: ['botName', absent],
		SHARDBEAT_LOG_LEVEL: ['logLevel', 'info'],
		SHARDBEAT_TRUST_PROXY: ['trustProxy', false],
		SHARDBEAT_RATE_TOKEN_PER_MIN: ['tokenRatePerMin', 30],
		SHARDBEAT_RATE_HTTP_PER_MIN: ['httpRatePerMin', 300],
		SHARDBEAT_RATE_HEARTBEATS_PER_10S: ['heartbeatRatePer10s', 10],
		SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S: ['viewerEventsPer10s', 20],
		SHARDBEAT_MAX_VIEWERS_PER_IP: ['maxViewersPerIp', 50],
		SHARDBEAT_MAX_CONNECTIONS_PER_IP: ['maxConnectionsPerIp', 128],
		SHARDBEAT_HEADERS_TIMEOUT_S: ['headersTimeoutMs', 10_000],
		SHARDBEAT_REQUEST_TIMEOUT_S: ['requestTimeoutMs', 30_000],
		SHARDBEAT_KEEP_ALIVE_TIMEOUT_S: ['keepAliveTimeoutMs', 5_000],
		SHARDBEAT_SHED_LAG_MS: ['shedLagMs', 100],
		SHARDBEAT_SMTP_URL: ['smtpUrl', absent],
		SHARDBEAT_MAIL_FROM: ['mailFrom', 'Shardbeat <shardbeat@localhost>'],
		SHARDBEAT_RATE_SUBSCRIBE_PER_HOUR: ['subscribeRatePerHour', 10],
		SHARDBEAT_PUBLIC_DETAIL: ['publicDetail', 'full'],
		SHARDBEAT_DISCORD_CLIENT_ID: ['discordClientId', absent],
		SHARDBEAT_DISCORD_CLIENT_SECRET: ['discordClientSecret', absent],
		SHARDBEAT_DISCORD_OAUTH_URL: ['discordOAuthUrl', 'https://discord.com/api'],
		SHARDBEAT_OPERATORS: ['operators', []],
		SHARDBEAT_SERVER_URL: ['serverUrl', absent],
		SHARDBEAT_CONSOLE_KEY_LOGIN: ['consoleKeyLogin', true],
		SHARDBEAT_CONSOLE_IDLE_TIMEOUT_S: ['consoleIdleTimeoutMs', 3_600_000],
		SHARDBEAT_CONSOLE_SESSION_TTL_S: ['consoleSessionTtlMs', 43_200_000],
		SHARDBEAT_RATE_LOGIN_PER_MIN: ['loginRatePerMin', 10],
		SHARDBEAT_RATE_LOGIN_FAILURES_PER_HOUR: ['loginFailuresPerHour', 10],
		SHARDBEAT_LATENCY_BANDS: ['latencyBands', [200, 400]]
	};
	/** Values at the edges of what each variable accepts, and just past them. */
	const range: Record<string, { accepts: string[]; refuses: string[] }> = {
		SHARDBEAT_PORT: { accepts: ['0', '65535'], refuses: ['-1', '65536', '80.5', 'http'] },
		SHARDBEAT_HOST: { accepts: ['0.0.0.0'], refuses: [''] },
		SHARDBEAT_BOT_SECRET: { accepts: ['b'.repeat(16)], refuses: ['b'.repeat(15)] },
		SHARDBEAT_TOKEN_SECRET: { accepts: ['t'.repeat(32)], refuses: ['t'.repeat(31)] },
		SHARDBEAT_TOKEN_TTL_S: { accepts: ['10', '86400'], refuses: ['9', '86401'] },
		SHARDBEAT_HEARTBEAT_INTERVAL_MS: { accepts: ['100', '600000'], refuses: ['99', '600001'] },
		SHARDBEAT_MISSED_HEARTBEATS: { accepts: ['1', '100'], refuses: ['0', '101'] },
		SHARDBEAT_ALLOWED_ORIGINS: { accepts: ['https://a.example,http://127.0.0.1:8080'], refuses: ['https://a.example/', 'a.example'] },
		SHARDBEAT_STATUS_MAX_AGE_S: { accepts: ['0', '3600'], refuses: ['-1', '3601'] },
		SHARDBEAT_PUSH_INTERVAL_MS: { accepts: ['10', '10000'], refuses: ['9', '10001'] },
		SHARDBEAT_REDIS_URL: { accepts: ['redis://r:6379', 'rediss://r:6380'], refuses: ['http://r:6379', ''] },
		SHARDBEAT_DATABASE_URL: { accepts: ['postgres://u@db/sb', 'postgresql://u@db/sb'], refuses: ['mysql://u@db/sb', 'data/x.sqlite'] },
		SHARDBEAT_SQLITE_PATH: { accepts: [':memory:'], refuses: [''] },
		SHARDBEAT_RETENTION_DAYS: { accepts: ['1', '3650'], refuses: ['0', '3651'] },
		SHARDBEAT_INCIDENT_THRESHOLD_S: { accepts: ['10', '86400'], refuses: ['9', '86401'] },
		SHARDBEAT_OPERATOR_SECRET: { accepts: ['o'.repeat(24)], refuses: ['o'.repeat(23)] },
		SHARDBEAT_METRICS_TOKEN: { accepts: ['m'.repeat(24), 'a1B2-c3D4_e5F6.g7H8~i9J0k'], refuses: ['m'.repeat(23), '', `${'m'.repeat(12)} ${'m'.repeat(12)}`, `${'m'.repeat(24)}\n`, `${'m'.repeat(24)}é`] },
		SHARDBEAT_DISCORD_WEBHOOK_URL: { accepts: ['https://discord.com/api/webhooks/1/x', 'https://ptb.discordapp.com/api/webhooks/1/x'], refuses: ['http://discord.com/api/webhooks/1/x'] },
		SHARDBEAT_WEBHOOK_URL: { accepts: [], refuses: ['ftp://hooks.example/x'] }, // accepted with its secret: see 'reads a webhook with its secret'
		SHARDBEAT_WEBHOOK_SECRET: { accepts: ['s'.repeat(16)], refuses: ['s'.repeat(15)] },
		SHARDBEAT_WEBHOOK_LOCALE: { accepts: ['de', 'fr', 'es'], refuses: ['DE', 'it', 'de-DE', ''] },
		SHARDBEAT_DISCORD_ROLE_ID: { accepts: ['81384788765712384', '12345678901234567890'], refuses: ['<@&81384788765712384>', '1234', '@everyone', '123456789012345678901'] },
		SHARDBEAT_OUTBOX_EMAILS_PER_S: { accepts: ['1', '100000'], refuses: ['0', '100001', '2.5'] },
		SHARDBEAT_SMTP_CONNECTIONS: { accepts: ['1', '100'], refuses: ['0', '101'] },
		SHARDBEAT_DISCORD_PER_S: { accepts: ['1', '10000'], refuses: ['0', '10001'] },
		SHARDBEAT_OUTBOX_PAGE_SIZE: { accepts: ['10', '10000'], refuses: ['9', '10001'] },
		SHARDBEAT_OUTBOX_LEASE_S: { accepts: ['5', '3600'], refuses: ['4', '3601'] },
		SHARDBEAT_PAGE_URL: { accepts: ['https://status.example.com/'], refuses: ['https://status.example.com/?x', 'status.example.com'] },
		SHARDBEAT_BOT_NAME: { accepts: ['Acme Bot', 'x'.repeat(80)], refuses: ['', '   ', 'x'.repeat(81)] },
		SHARDBEAT_LOG_LEVEL: { accepts: ['silent', 'trace'], refuses: ['INFO'] },
		SHARDBEAT_TRUST_PROXY: { accepts: ['0', '1', 'false', 'true'], refuses: ['', 'yes'] },
		SHARDBEAT_RATE_TOKEN_PER_MIN: { accepts: ['0', '1000000'], refuses: ['-1', '1000001'] },
		SHARDBEAT_RATE_HTTP_PER_MIN: { accepts: ['0', '1000000'], refuses: ['-1', '1000001'] },
		SHARDBEAT_RATE_HEARTBEATS_PER_10S: { accepts: ['0', '1000000'], refuses: ['-1', '1000001', '1.5'] },
		SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S: { accepts: ['0', '1000000'], refuses: ['-1', '1000001'] },
		SHARDBEAT_MAX_VIEWERS_PER_IP: { accepts: ['0', '10000000'], refuses: ['-1', '10000001'] },
		SHARDBEAT_MAX_CONNECTIONS_PER_IP: { accepts: ['0', '10000000'], refuses: ['-1', '10000001'] },
		SHARDBEAT_HEADERS_TIMEOUT_S: { accepts: ['1', '30'], refuses: ['0', '601', '31'] }, // 31: longer than the default request timeout
		SHARDBEAT_REQUEST_TIMEOUT_S: { accepts: ['10', '3600'], refuses: ['9', '3601'] }, // 9: shorter than the default headers timeout
		SHARDBEAT_KEEP_ALIVE_TIMEOUT_S: { accepts: ['1', '600'], refuses: ['0', '601'] },
		SHARDBEAT_SHED_LAG_MS: { accepts: ['0', '60000'], refuses: ['-1', '60001', '1.5'] },
		SHARDBEAT_SMTP_URL: { accepts: ['smtp://user:pass@mail.example.com:587', 'smtps://mail.example.com'], refuses: ['mail.example.com', 'http://mail.example.com'] },
		SHARDBEAT_MAIL_FROM: { accepts: ['Status <status@example.com>'], refuses: ['', 'x'.repeat(201)] },
		SHARDBEAT_RATE_SUBSCRIBE_PER_HOUR: { accepts: ['0', '1000000'], refuses: ['-1', '1.5'] },
		SHARDBEAT_PUBLIC_DETAIL: { accepts: ['basic'], refuses: ['none'] },
		SHARDBEAT_DISCORD_CLIENT_ID: { accepts: [], refuses: ['1234567890123456', 'my-app', ''] }, // accepted with its secret: see 'reads a Discord login'
		SHARDBEAT_DISCORD_CLIENT_SECRET: { accepts: ['c'.repeat(16)], refuses: ['c'.repeat(15)] },
		SHARDBEAT_DISCORD_OAUTH_URL: { accepts: ['http://127.0.0.1:9999/api/'], refuses: ['discord.com/api', 'https://discord.com/api?x'] },
		SHARDBEAT_OPERATORS: { accepts: ['', '123456789012345678:owner,23456789012345678:viewer'], refuses: ['123456789012345678', '123456789012345678:admin', 'bob:owner', '123456789012345678:owner,123456789012345678:editor'] },
		SHARDBEAT_SERVER_URL: { accepts: ['https://api.status.example.com/'], refuses: ['api.status.example.com', 'https://a.example/?x'] },
		SHARDBEAT_CONSOLE_KEY_LOGIN: { accepts: ['0', '1', 'false', 'true'], refuses: ['', 'on'] },
		SHARDBEAT_CONSOLE_IDLE_TIMEOUT_S: { accepts: ['60', '2592000'], refuses: ['59', '2592001'] },
		SHARDBEAT_CONSOLE_SESSION_TTL_S: { accepts: ['60', '2592000'], refuses: ['59', '2592001'] },
		SHARDBEAT_RATE_LOGIN_PER_MIN: { accepts: ['0', '1000000'], refuses: ['-1', '1000001'] },
		SHARDBEAT_RATE_LOGIN_FAILURES_PER_HOUR: { accepts: ['0', '1000000'], refuses: ['-1', '1.5'] },
		SHARDBEAT_LATENCY_BANDS: { accepts: ['1,60000', ' 150 , 300 '], refuses: ['400,200', '200,200', '200', '0,400', '200,60001', '200ms,400ms', ''] }
	};

	it('reads a Discord login', () => {
		const { config, warnings } = loadConfig({ SHARDBEAT_DISCORD_CLIENT_ID: '123456789012345678', SHARDBEAT_DISCORD_CLIENT_SECRET: 'c'.repeat(32), SHARDBEAT_OPERATORS: '223456789012345678:editor' });
		expect(config).toMatchObject({ discordClientId: '123456789012345678', discordClientSecret: 'c'.repeat(32), operators: [{ discordId: '223456789012345678', role: 'editor' }] });
		expect(warnings.join('\n')).not.toContain('SHARDBEAT_OPERATORS');
	});

	it.each([
		['a client id without its secret', { SHARDBEAT_DISCORD_CLIENT_ID: '123456789012345678' }, 'SHARDBEAT_DISCORD_CLIENT_ID needs SHARDBEAT_DISCORD_CLIENT_SECRET'],
		[
			'Discord login in production without the server and page URLs',
			{ NODE_ENV: 'production', SHARDBEAT_BOT_SECRET: 'b'.repeat(16), SHARDBEAT_TOKEN_SECRET: 't'.repeat(32), SHARDBEAT_DISCORD_CLIENT_ID: '123456789012345678', SHARDBEAT_DISCORD_CLIENT_SECRET: 'c'.repeat(16) },
			'needs SHARDBEAT_SERVER_URL'
		]
	])('refuses %s, saying what is missing', (_, env, message) => {
		expect(() => loadConfig(env)).toThrow(ConfigError);
		expect(() => loadConfig(env)).toThrow(message);
	});

	it('warns when Discord login is on and nobody is listed, and turns the key login off in production', () => {
		expect(loadConfig({ SHARDBEAT_DISCORD_CLIENT_ID: '123456789012345678', SHARDBEAT_DISCORD_CLIENT_SECRET: 'c'.repeat(16) }).warnings.join('\n')).toContain('SHARDBEAT_OPERATORS lists nobody');
		const production = { NODE_ENV: 'production', SHARDBEAT_BOT_SECRET: 'b'.repeat(16), SHARDBEAT_TOKEN_SECRET: 't'.repeat(32) };
		expect(loadConfig(production).config.consoleKeyLogin).toBe(false);
		expect(loadConfig({ ...production, SHARDBEAT_CONSOLE_KEY_LOGIN: '1' }).config.consoleKeyLogin).toBe(true);
	});

	it('has a case in each table for every row', () => {
		const names = SETTINGS.map((s) => s.env);
		expect(Object.keys(defaults)).toEqual(names);
		expect(Object.keys(range)).toEqual(names);
	});

	it.each(Object.entries(defaults))('%s unset gives its default', (env, [key, expected]) => {
		const { config } = loadConfig({});
		if (expected === absent) expect(config).not.toHaveProperty(key);
		else expect(config[key]).toEqual(expected);
	});

	it.each(SETTINGS.filter((s) => 'default' in s))('$env set to its documented default is the same as unset, and is DEFAULTS', (s) => {
		const key = s.key as keyof typeof DEFAULTS;
		expect(loadConfig({ [s.env]: s.default }).config[key]).toEqual(loadConfig({}).config[key]);
		expect(DEFAULTS[key]).toEqual(loadConfig({}).config[key]);
	});

	const cases = Object.entries(range).flatMap(([env, { accepts, refuses }]) => [
		...accepts.map((value) => ['accepts', env, value, true] as const),
		...refuses.map((value) => ['refuses', env, value, false] as const)
	]);
	it.each(cases)('%s %s=%j', (_, env, value, ok) => {
		const load = () => loadConfig({ [env]: value });
		if (ok) expect(load).not.toThrow();
		else {
			expect(load).toThrow(ConfigError);
			expect(load).toThrow(`${env}: `);
		}
	});

	const conversions: [string, Record<string, string>, Partial<ServerConfig>][] = [
		['seconds to milliseconds', { SHARDBEAT_TOKEN_TTL_S: '60', SHARDBEAT_INCIDENT_THRESHOLD_S: '45' }, { tokenTtlMs: 60_000, incidentThresholdMs: 45_000 }],
		['a proxy flag from 1', { SHARDBEAT_TRUST_PROXY: '1' }, { trustProxy: true }],
		['a proxy flag from true', { SHARDBEAT_TRUST_PROXY: 'true' }, { trustProxy: true }],
		['a proxy flag from false', { SHARDBEAT_TRUST_PROXY: 'false' }, { trustProxy: false }],
		['origins, empty entries dropped', { SHARDBEAT_ALLOWED_ORIGINS: ' https://a.example ,, ' }, { allowedOrigins: ['https://a.example'] }],
		['no origins at all', { SHARDBEAT_ALLOWED_ORIGINS: '' }, { allowedOrigins: [] }],
		['a page URL without trailing slashes', { SHARDBEAT_PAGE_URL: 'https://status.example.com/sb//' }, { pageUrl: 'https://status.example.com/sb' }],
		['an SQLite path', { SHARDBEAT_SQLITE_PATH: ':memory:' }, { database: ':memory:' }],
		['timeouts in seconds to milliseconds', { SHARDBEAT_HEADERS_TIMEOUT_S: '5', SHARDBEAT_REQUEST_TIMEOUT_S: '20', SHARDBEAT_KEEP_ALIVE_TIMEOUT_S: '2' }, { headersTimeoutMs: 5_000, requestTimeoutMs: 20_000, keepAliveTimeoutMs: 2_000 }],
		['latency bands to two numbers', { SHARDBEAT_LATENCY_BANDS: '150, 350' }, { latencyBands: [150, 350] }],
		['a database URL over an SQLite path', { SHARDBEAT_SQLITE_PATH: '/x.db', SHARDBEAT_DATABASE_URL: 'postgresql://u@db/sb' }, { database: 'postgresql://u@db/sb' }]
	];
	it.each(conversions)('converts %s', (_, env, expected) => {
		expect(loadConfig(env).config).toEqual(expect.objectContaining(expected));
	});

	it('has every SHARDBEAT_ variable config.ts names as a row, each once', async () => {
		// Rows build the parser, so a variable is accepted only through one; this catches one read around the table.
		const source = await readFile(new URL('./config.ts', import.meta.url), 'utf8');
		const named = new Set(source.match(/SHARDBEAT_[A-Z0-9_]+/g));
		const names = SETTINGS.map((s) => s.env as string);
		expect(new Set(names).size).toBe(names.length);
		for (const name of named) expect(names, `${name} is named in config.ts but has no SETTINGS row`).toContain(name);
	});
});

describe('README', () => {
	const readme = () => readFile(new URL('../README.md', import.meta.url), 'utf8');

	it('has a config table row for every variable', async () => {
		const text = await readme();
		for (const s of SETTINGS) expect(text).toContain(`| \`${s.env}\` |`);
	});

	it('has the settings table SETTINGS renders, between its markers', async () => {
		const text = await readme();
		const [start, end] = SETTINGS_TABLE_MARKERS;
		expect(text, `README.md needs ${start} and ${end} around the settings table`).toContain(start);
		const block = text.slice(text.indexOf(start) + start.length, text.indexOf(end)).trim();
		expect(block, 'The README settings table differs from SETTINGS in server/config.ts: run `npm run docs:settings`').toBe(settingsTable());
	});
});

import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULTS, DEV_BOT_SECRET, ENV_DOCS, loadConfig } from './config.ts';

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
		expect(warnings).toHaveLength(3);
	});

	const ok: [string, Record<string, string>, object][] = [
		['a port', { SHARDBEAT_PORT: '8080' }, { port: 8080 }],
		['origins, trimmed', { SHARDBEAT_ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443' }, { allowedOrigins: ['https://a.example', 'https://b.example:8443'] }],
		['a token lifetime in seconds', { SHARDBEAT_TOKEN_TTL_S: '60' }, { tokenTtlMs: 60_000 }],
		['liveness settings', { SHARDBEAT_HEARTBEAT_INTERVAL_MS: '1000', SHARDBEAT_MISSED_HEARTBEATS: '5' }, { heartbeatIntervalMs: 1000, missedHeartbeats: 5 }],
		['history in SQLite by default', {}, { database: 'data/shardbeat.sqlite', retentionDays: 90, incidentThresholdMs: 120_000 }],
		['history in PostgreSQL', { SHARDBEAT_DATABASE_URL: 'postgres://u:p@db:5432/sb', SHARDBEAT_SQLITE_PATH: '/x.db' }, { database: 'postgres://u:p@db:5432/sb' }],
		['rate limits by default', {}, { trustProxy: false, tokenRatePerMin: 30, httpRatePerMin: 300, viewerEventsPer10s: 20, maxViewersPerIp: 50, publicDetail: 'full' }],
		[
			'rate limits, proxy trust and detail',
			{ SHARDBEAT_TRUST_PROXY: '1', SHARDBEAT_RATE_TOKEN_PER_MIN: '5', SHARDBEAT_RATE_HTTP_PER_MIN: '0', SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S: '7', SHARDBEAT_MAX_VIEWERS_PER_IP: '3', SHARDBEAT_PUBLIC_DETAIL: 'basic' },
			{ trustProxy: true, tokenRatePerMin: 5, httpRatePerMin: 0, viewerEventsPer10s: 7, maxViewersPerIp: 3, publicDetail: 'basic' }
		],
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
		['production without secrets', { NODE_ENV: 'production' }, /openssl rand/]
	];
	it.each(bad)('refuses %s with a message naming the variable', (_, env, message) => {
		expect(() => loadConfig(env)).toThrow(ConfigError);
		expect(() => loadConfig(env)).toThrow(message);
	});

	it('documents every variable it reads', () => {
		const read = ['SHARDBEAT_PORT', 'SHARDBEAT_HOST', 'SHARDBEAT_BOT_SECRET', 'SHARDBEAT_TOKEN_SECRET', 'SHARDBEAT_TOKEN_TTL_S', 'SHARDBEAT_HEARTBEAT_INTERVAL_MS', 'SHARDBEAT_MISSED_HEARTBEATS', 'SHARDBEAT_ALLOWED_ORIGINS', 'SHARDBEAT_STATUS_MAX_AGE_S', 'SHARDBEAT_PUSH_INTERVAL_MS', 'SHARDBEAT_REDIS_URL', 'SHARDBEAT_DATABASE_URL', 'SHARDBEAT_SQLITE_PATH', 'SHARDBEAT_RETENTION_DAYS', 'SHARDBEAT_INCIDENT_THRESHOLD_S', 'SHARDBEAT_OPERATOR_SECRET', 'SHARDBEAT_DISCORD_WEBHOOK_URL', 'SHARDBEAT_WEBHOOK_URL', 'SHARDBEAT_WEBHOOK_SECRET', 'SHARDBEAT_PAGE_URL', 'SHARDBEAT_LOG_LEVEL', 'SHARDBEAT_TRUST_PROXY', 'SHARDBEAT_RATE_TOKEN_PER_MIN', 'SHARDBEAT_RATE_HTTP_PER_MIN', 'SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S', 'SHARDBEAT_MAX_VIEWERS_PER_IP', 'SHARDBEAT_PUBLIC_DETAIL'];
		expect(ENV_DOCS.map((d) => d.name)).toEqual(read);
	});
});

describe('README', () => {
	it('has a config table row for every variable', async () => {
		const { readFile } = await import('node:fs/promises');
		const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
		for (const doc of ENV_DOCS) expect(readme).toContain(`| \`${doc.name}\` |`);
	});
});

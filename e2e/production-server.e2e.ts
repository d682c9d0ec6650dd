import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACES } from '#shared';
import { connectBot, eventually, heartbeat, sendHeartbeat, type BotSocket } from '#testing/server/harness';
import { buildServer, SERVER_OUT } from '../scripts/build-server.ts';
import { freePort } from '../scripts/stack.ts';

/*
 * The server as it is deployed: `npm run build:server`, build/server copied alone into an empty
 * folder, `npm ci --omit=dev` there (the real npm, from the registry or its cache), and
 * `node main.js` with NODE_ENV=production, real secrets and no tsx, no vite, no dev dependency
 * anywhere on disk to fall back on. It serves, takes a bot, and exits 0 on SIGTERM.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRETS = {
	SHARDBEAT_BOT_SECRET: 'prod-test-bot-secret-3f9c2a71',
	SHARDBEAT_TOKEN_SECRET: 'prod-test-token-secret-7d41e0b95c2a48f1a6e3',
	SHARDBEAT_METRICS_TOKEN: 'prod-test-metrics-token-b2c8e4f61a9d',
	SHARDBEAT_OPERATOR_SECRET: 'prod-test-operator-secret-5e7a3c1d9b'
};
const ORIGIN = 'https://status.example.test';
/** The server name in deploy/nginx/shardbeat.conf. */
const PROXY_NAME = 'status-api.example.com';
/** Packages the server must not need: development tools, and socket.io-client (a dependency of the reporter, not of the server). */
const DEV_ONLY = ['tsx', 'esbuild', 'vite', 'vitest', 'svelte', 'svelte-check', '@sveltejs/kit', 'typescript', 'pino-pretty', 'wrangler', 'playwright-core', 'jsdom', 'discord.js', 'fast-check', 'tailwindcss', 'socket.io-client'];

let dir: string;
let app: string;
let server: ChildProcess | undefined;
let output = '';
let url: string;
let installMs: number;

/** Every installed package, as its path under node_modules (`pg`, `engine.io/node_modules/ws`, …). */
function installed(nodeModules: string, prefix = ''): string[] {
	const found: string[] = [];
	for (const name of readdirSync(nodeModules)) {
		if (name.startsWith('.')) continue;
		const names = name.startsWith('@') ? readdirSync(join(nodeModules, name)).map((n) => `${name}/${n}`) : [name];
		for (const pkg of names) {
			if (!existsSync(join(nodeModules, pkg, 'package.json'))) continue;
			found.push(prefix + pkg);
			const nested = join(nodeModules, pkg, 'node_modules');
			if (existsSync(nested)) found.push(...installed(nested, `${prefix}${pkg}/node_modules/`));
		}
	}
	return found;
}

beforeAll(async () => {
	const built = await buildServer();
	console.log(`build/server/main.js: ${(built.bytes / 1024).toFixed(0)} KiB`);
	dir = mkdtempSync(join(tmpdir(), 'shardbeat-prod-'));
	app = join(dir, 'app');
	cpSync(SERVER_OUT, app, { recursive: true });

	const started = Date.now();
	const ci = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], {
		cwd: app,
		encoding: 'utf8',
		env: { ...process.env, NODE_ENV: 'production', npm_config_update_notifier: 'false' },
		timeout: 120_000
	});
	installMs = Date.now() - started;
	if (ci.status !== 0) throw new Error(`npm ci --omit=dev failed (${ci.status}):\n${ci.stdout}\n${ci.stderr}`);
	console.log(`npm ci --omit=dev: ${installMs} ms; ${ci.stdout.trim().split('\n').at(-1)}`);

	const port = await freePort();
	url = `http://127.0.0.1:${port}`;
	// Only what a systemd unit would give it: no NODE_OPTIONS, no tsx loader, nothing from this shell.
	server = spawn(process.execPath, ['--enable-source-maps', 'main.js'], {
		cwd: app,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: {
			PATH: process.env.PATH,
			NODE_ENV: 'production',
			...SECRETS,
			SHARDBEAT_HOST: '127.0.0.1',
			SHARDBEAT_PORT: String(port),
			SHARDBEAT_ALLOWED_ORIGINS: ORIGIN,
			// As behind the committed nginx config (below); requests without X-Forwarded-For count the peer.
			SHARDBEAT_TRUST_PROXY: '1',
			SHARDBEAT_SQLITE_PATH: join(dir, 'state', 'shardbeat.sqlite')
		}
	});
	server.stdout!.on('data', (d) => (output += d));
	server.stderr!.on('data', (d) => (output += d));
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`the built server did not listen in 20 s:\n${output}`)), 20_000);
		server!.stdout!.on('data', () => {
			if (output.includes('shardbeat server listening')) {
				clearTimeout(timer);
				resolve();
			}
		});
		server!.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`the built server exited (${code}) before listening:\n${output}`));
		});
	});
}, 150_000);

afterAll(() => {
	if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
	if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the built server, from a production install', () => {
	it('installs in under a minute, only production packages', () => {
		expect(installMs).toBeLessThan(60_000);
		const packages = installed(join(app, 'node_modules'));
		expect(packages).toContain('libsql');
		expect(packages).toContain('socket.io');
		for (const name of DEV_ONLY) expect(packages, `${name} is not for the server`).not.toContain(name);
		// Every installed package is one the root lockfile marks as needed outside development.
		const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
		const devOnly = packages.filter((p) => {
			const entry = lock.packages[`node_modules/${p}`];
			return !entry || entry.dev === true;
		});
		expect(devOnly).toEqual([]);
		// Nothing from the source tree sits next to the bundle.
		expect(readdirSync(app).sort()).toEqual(['main.js', 'main.js.map', 'node_modules', 'package-lock.json', 'package.json']);
	});

	it('answers /healthz, /api/status, /api/token and /metrics', async () => {
		const health = await fetch(`${url}/healthz`);
		expect(health.status).toBe(200);
		expect(await health.json()).toMatchObject({ status: 'ok', history: 'sqlite', historyOk: true, store: 'memory' });
		expect((await fetch(`${url}/api/status`)).status).toBe(200);

		const token = await fetch(`${url}/api/token`, { method: 'POST', headers: { origin: ORIGIN } });
		expect(token.status).toBe(200);
		expect(token.headers.get('access-control-allow-origin')).toBe(ORIGIN);
		expect((await fetch(`${url}/api/token`, { method: 'POST', headers: { origin: 'https://elsewhere.test' } })).status).toBe(403);

		const metrics = await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${SECRETS.SHARDBEAT_METRICS_TOKEN}` } });
		expect(metrics.status).toBe(200);
		expect(await metrics.text()).toContain('shardbeat_heartbeats_accepted_total');
	});

	it('takes a heartbeat from a bot with the production secret, and refuses the development one', async () => {
		await expect(connectBot(url, { secret: 'shardbeat-dev-secret' })).rejects.toThrow(/Wrong bot secret/);
		const bot = await connectBot(url, { secret: SECRETS.SHARDBEAT_BOT_SECRET });
		try {
			const ack = await sendHeartbeat(bot, heartbeat(0, [0, 1, 2, 3], 4));
			expect(ack.ok).toBe(true);
			await eventually(async () => {
				const health = (await (await fetch(`${url}/healthz`)).json()) as { clusters: number };
				return health.clusters === 1;
			});
		} finally {
			bot.disconnect();
		}
		});
});

/** An HTTPS request to nginx on loopback, from `localAddress`, trusting its self-signed certificate. */
function viaProxy(port: number, path: string, init: { method?: string; headers?: Record<string, string>; localAddress?: string } = {}) {
	return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
		const req = httpsRequest(
			{ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: { host: PROXY_NAME, ...init.headers }, localAddress: init.localAddress, servername: PROXY_NAME, rejectUnauthorized: false, agent: false },
			(res) => {
				let body = '';
				res.on('data', (d) => (body += d));
				res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
			}
		);
		req.once('error', reject);
		req.end();
	});
}

/** Replaces `from` with `to` in `text`, failing when the committed file no longer contains `from`. */
function substitute(text: string, from: string, to: string): string {
	if (!text.includes(from)) throw new Error(`deploy file no longer contains ${JSON.stringify(from)}; update the test`);
	return text.split(from).join(to);
}

describe('behind the committed nginx config (deploy/nginx/shardbeat.conf)', () => {
	let nginxBin = '';
	let nginx: ChildProcess | undefined;
	let nginxLog = '';
	let tlsPort: number;
	let httpPort: number;

	beforeAll(async () => {
		// Debian puts nginx in /usr/sbin, which is not on every user's PATH.
		nginxBin = ['nginx', '/usr/sbin/nginx'].find((bin) => !spawnSync(bin, ['-v']).error) ?? '';
		if (!nginxBin) throw new Error('nginx is not installed: apt-get install --no-install-recommends nginx-light (.ci/run does)');
		const conf = join(dir, 'nginx');
		mkdirSync(conf);
		const cert = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${PROXY_NAME}`, '-keyout', join(conf, 'key.pem'), '-out', join(conf, 'cert.pem')], { encoding: 'utf8' });
		if (cert.status !== 0) throw new Error(`openssl could not make a test certificate:\n${cert.stderr}`);
		[tlsPort, httpPort] = [await freePort(), await freePort()];
		// The committed file with only what differs on this machine: certificate, ports, upstream.
		let site = readFileSync(join(ROOT, 'deploy/nginx/shardbeat.conf'), 'utf8');
		site = substitute(site, `/etc/letsencrypt/live/${PROXY_NAME}/fullchain.pem`, join(conf, 'cert.pem'));
		site = substitute(site, `/etc/letsencrypt/live/${PROXY_NAME}/privkey.pem`, join(conf, 'key.pem'));
		site = substitute(site, 'listen 443 ssl;', `listen 127.0.0.1:${tlsPort} ssl;`);
		site = substitute(site, 'listen [::]:443 ssl;', '');
		site = substitute(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
		site = substitute(site, 'listen [::]:80;', '');
		site = substitute(site, 'server 127.0.0.1:4000;', `server ${new URL(url).host};`);
		writeFileSync(join(conf, 'shardbeat.conf'), site);
		const temp = (name: string) => `${name}_temp_path ${join(conf, name)};`;
		writeFileSync(
			join(conf, 'nginx.conf'),
			[
				'daemon off;',
				'master_process off;',
				`pid ${join(conf, 'nginx.pid')};`,
				`error_log ${join(conf, 'error.log')} warn;`,
				'events {}',
				`http { access_log off; ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join(' ')} include ${join(conf, 'shardbeat.conf')}; }`
			].join('\n')
		);
		const check = spawnSync(nginxBin, ['-t', '-p', conf, '-e', join(conf, 'error.log'), '-c', join(conf, 'nginx.conf')], { encoding: 'utf8' });
		expect(check.status, check.stderr).toBe(0);
		expect(check.stderr).not.toMatch(/\[(warn|emerg|alert)\]/);

		nginx = spawn(nginxBin, ['-p', conf, '-e', join(conf, 'error.log'), '-c', join(conf, 'nginx.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
		nginx.stdout!.on('data', (d) => (nginxLog += d));
		nginx.stderr!.on('data', (d) => (nginxLog += d));
		await eventually(async () => (await viaProxy(tlsPort, '/healthz').catch(() => undefined))?.status === 200, 10_000).catch(() => {
			throw new Error(`nginx did not answer in 10 s:\n${nginxLog}`);
		});
	});

	afterAll(async () => {
		if (!nginx || nginx.exitCode !== null) return;
		const exited = new Promise((resolve) => nginx!.once('exit', resolve));
		nginx.kill('SIGQUIT');
		await exited;
	});

	it('serves the API over TLS and redirects plain HTTP', async () => {
		const health = await viaProxy(tlsPort, '/healthz');
		expect(health.status).toBe(200);
		expect(health.headers['strict-transport-security']).toBeDefined();
		expect((await viaProxy(tlsPort, '/api/status')).status).toBe(200);
		const plain = await fetch(`http://127.0.0.1:${httpPort}/healthz`, { redirect: 'manual' });
		expect(plain.status).toBe(301);
		expect(plain.headers.get('location')).toBe(`https://127.0.0.1/healthz`);
	});

	it.each([['websocket'], ['polling']])('takes bots over %s through the proxy', async (transport) => {
		const bot: BotSocket = io(`https://127.0.0.1:${tlsPort}${NAMESPACES.bot}`, {
			auth: { secret: SECRETS.SHARDBEAT_BOT_SECRET },
			transports: [transport],
			rejectUnauthorized: false,
			extraHeaders: { host: PROXY_NAME },
			reconnection: false
		});
		try {
			await new Promise<void>((resolve, reject) => {
				bot.once('connect', resolve);
				bot.once('connect_error', reject);
			});
			expect(bot.io.engine.transport.name).toBe(transport);
			const ack = await sendHeartbeat(bot, heartbeat(7, [0, 1], 2));
			expect(ack.ok).toBe(true);
		} finally {
			bot.disconnect();
		}
	});

	it('overwrites X-Forwarded-For, so a client cannot pick its own rate-limit bucket', async () => {
		// 30 tokens a minute per client IP (the default). From 127.0.0.2, each request claiming to come
		// from another address: nginx replaces the claim with 127.0.0.2, so the 31st is refused.
		const from = { localAddress: '127.0.0.2', method: 'POST' };
		for (let i = 0; i < 30; i++) {
			const res = await viaProxy(tlsPort, '/api/token', { ...from, headers: { origin: ORIGIN, 'x-forwarded-for': `203.0.113.${i}` } });
			expect(res.status, res.body).toBe(200);
		}
		const refused = await viaProxy(tlsPort, '/api/token', { ...from, headers: { origin: ORIGIN, 'x-forwarded-for': '198.51.100.1' } });
		expect(refused.status).toBe(429);
		// Another client behind the same proxy has a bucket of its own (the server trusts the proxy's hop).
		expect((await viaProxy(tlsPort, '/api/token', { method: 'POST', localAddress: '127.0.0.3', headers: { origin: ORIGIN } })).status).toBe(200);
	});
});

describe('the committed systemd unit (deploy/systemd/shardbeat.service)', () => {
	it('passes systemd-analyze verify', () => {
		const bin = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
		if (bin.error) throw new Error('systemd-analyze is not installed: apt-get install --no-install-recommends systemd (.ci/run does)');
		const unit = join(dir, 'shardbeat.service');
		// verify checks that ExecStart's binary exists: point it at this machine's node.
		writeFileSync(unit, substitute(readFileSync(join(ROOT, 'deploy/systemd/shardbeat.service'), 'utf8'), '/usr/bin/node ', `${process.execPath} `));
		const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
		// verify exits 0 even for unknown keys and bad values; it only says so on stderr.
		expect(verify.stderr + verify.stdout).toBe('');
		expect(verify.status).toBe(0);
	});
});

describe('stopping', () => {
	it('exits 0 on SIGTERM, with its history on disk', async () => {
		const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
		server!.kill('SIGTERM');
		expect(await exited).toBe(0);
		expect(output).toContain('shutting down');
		expect(existsSync(join(dir, 'state', 'shardbeat.sqlite'))).toBe(true);
		// Logs are JSON lines, not pretty-printed (pino-pretty is not there to do it).
		for (const line of output.trim().split('\n')) expect(() => JSON.parse(line), line).not.toThrow();
	});
});

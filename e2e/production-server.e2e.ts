import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBot, eventually, heartbeat, sendHeartbeat } from '#testing/server/harness';
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

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/stack.ts';
import { NO_LIMITS } from './config.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Instance {
	url: string;
	port: number;
	process: ChildProcess;
	/** Everything it logged (pino JSON lines). */
	output(): string;
	/** SIGKILL: no goodbye, sockets die with it. */
	kill(): Promise<void>;
	/** SIGTERM: a graceful shutdown (resolves when the process has exited). */
	stop(): Promise<void>;
}

export interface InstanceOptions {
	/** Listen on this port (e.g. to restart on the same one). Default: a free port. */
	port?: number;
	/** Node flags before the entry, e.g. `--expose-gc`. */
	nodeArgs?: string[];
}

/** Every client of these tests is 127.0.0.1, polling as fast as a test wants: no rate limits unless a test sets them. */
const NO_RATE_LIMIT_ENV = {
	SHARDBEAT_RATE_TOKEN_PER_MIN: String(NO_LIMITS.tokenRatePerMin),
	SHARDBEAT_RATE_HTTP_PER_MIN: String(NO_LIMITS.httpRatePerMin),
	SHARDBEAT_RATE_HEARTBEATS_PER_10S: String(NO_LIMITS.heartbeatRatePer10s),
	SHARDBEAT_RATE_VIEWER_EVENTS_PER_10S: String(NO_LIMITS.viewerEventsPer10s),
	SHARDBEAT_MAX_VIEWERS_PER_IP: String(NO_LIMITS.maxViewersPerIp),
	SHARDBEAT_MAX_CONNECTIONS_PER_IP: String(NO_LIMITS.maxConnectionsPerIp),
	SHARDBEAT_SHED_LAG_MS: String(NO_LIMITS.shedLagMs)
};

/** `npm run server` as its own process, with `env` on top of a test-friendly base. */
export async function startInstance(env: Record<string, string>, options: InstanceOptions = {}): Promise<Instance> {
	const port = options.port ?? (await freePort());
	const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'server/main.ts'], {
		cwd: ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, SHARDBEAT_PORT: String(port), SHARDBEAT_HOST: '127.0.0.1', SHARDBEAT_LOG_LEVEL: 'info', SHARDBEAT_SQLITE_PATH: ':memory:', ...NO_RATE_LIMIT_ENV, ...env }
	});
	let out = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => (out += d));
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 30_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`instance exited (${child.exitCode}):\n${out.slice(-3000)}`);
		const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
		if (ok) break;
		if (Date.now() > deadline) throw new Error(`instance on ${port} not healthy in 30 s:\n${out.slice(-3000)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
	const signal = (name: NodeJS.Signals) =>
		new Promise<void>((resolve) => {
			if (child.exitCode !== null || child.signalCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill(name);
		});
	return {
		url,
		port,
		process: child,
		output: () => out,
		kill: () => signal('SIGKILL'),
		stop: () => signal('SIGTERM')
	};
}

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/stack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Instance {
	url: string;
	port: number;
	process: ChildProcess;
	/** Everything it logged (pino JSON lines). */
	output(): string;
	/** SIGKILL: no goodbye, sockets die with it. */
	kill(): Promise<void>;
}

/** `npm run server` as its own process, with `env` on top of a test-friendly base. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
	const port = await freePort();
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
		cwd: ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: { ...process.env, SHARDBEAT_PORT: String(port), SHARDBEAT_HOST: '127.0.0.1', SHARDBEAT_LOG_LEVEL: 'info', SHARDBEAT_SQLITE_PATH: ':memory:', ...env }
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
	return {
		url,
		port,
		process: child,
		output: () => out,
		kill: () =>
			new Promise<void>((resolve) => {
				if (child.exitCode !== null || child.signalCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGKILL');
			})
	};
}

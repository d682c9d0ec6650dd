import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Every load or server process dies with the bench, and on its own after this long regardless. */
export const PROCESS_LIFETIME_MS = 15 * 60_000;

export interface Child {
	/** Sends a command and resolves with the child's answer. */
	call<T = unknown>(cmd: string, args?: object): Promise<T>;
	stop(): Promise<void>;
	readonly process: ChildProcess;
}

/**
 * Spawns `node [--import tsx] <script> <args>`, pinned to `cpu` when `taskset` exists (so "one
 * server core" means one core). `tsx: false` runs plain Node, as a bot runs what it installed.
 * SHARDBEAT_BENCH_PROFILE=dir writes a CPU profile of the process there, to see who is the bottleneck.
 */
export function spawnNode(script: string, args: string[], options: { cpu?: number; tsx?: boolean; stdio: StdioOptions }): ChildProcess {
	const profile = process.env.SHARDBEAT_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SHARDBEAT_BENCH_PROFILE}`] : [];
	const node = [process.execPath, ...profile, ...(options.tsx === false ? [] : ['--import', 'tsx']), '--expose-gc', script, ...args];
	const pinned = options.cpu !== undefined && existsSync('/usr/bin/taskset');
	return spawn(pinned ? '/usr/bin/taskset' : node[0]!, pinned ? ['-c', String(options.cpu), ...node] : node.slice(1), {
		cwd: ROOT,
		stdio: options.stdio,
		env: { ...process.env, SHARDBEAT_BENCH_LIFETIME_MS: String(PROCESS_LIFETIME_MS) }
	});
}

/**
 * Starts the process module `entry` (e.g. `bench/processes/<name>.ts`, `testing/processes/soak-server.ts`)
 * as its own Node process, pinned to `cpu` when `taskset` exists, talking to its parent over
 * Node's IPC channel.
 */
export function startProcess(entry: URL, options: object, cpu?: number): Child {
	const script = fileURLToPath(entry);
	const name = basename(script, '.ts');
	const child = spawnNode(script, [JSON.stringify(options)], { cpu, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	let nextId = 0;
	const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
	child.on('message', (msg: { id: number; result?: unknown; error?: string }) => {
		const p = pending.get(msg.id);
		if (!p) return;
		pending.delete(msg.id);
		if (msg.error) p.reject(new Error(`${name}: ${msg.error}`));
		else p.resolve(msg.result);
	});
	child.on('exit', (code, signal) => {
		for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal})`));
		pending.clear();
	});
	return {
		process: child,
		call<T>(cmd: string, args: object = {}) {
			const id = nextId++;
			return new Promise<T>((resolve, reject) => {
				pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
				child.send({ id, cmd, ...args });
			});
		},
		stop() {
			if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
			return new Promise<void>((done) => {
				child.once('exit', () => done());
				// TERM first so a profiled child can write its profile; KILL if it lingers.
				child.kill('SIGTERM');
				setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
			});
		}
	};
}

/** The child side: answers commands with `handlers`, and exits when its parent goes or its time is up. */
export function serveCommands(handlers: Record<string, (args: Record<string, unknown>) => unknown>): void {
	process.on('message', async (msg: { id: number; cmd: string } & Record<string, unknown>) => {
		try {
			const handler = handlers[msg.cmd];
			if (!handler) throw new Error(`unknown command ${msg.cmd}`);
			process.send!({ id: msg.id, result: await handler(msg) });
		} catch (error) {
			process.send!({ id: msg.id, error: error instanceof Error ? error.stack ?? error.message : String(error) });
		}
	});
	process.on('disconnect', () => process.exit(0));
	process.on('SIGTERM', () => process.exit(0));
	setTimeout(() => process.exit(0), Number(process.env.SHARDBEAT_BENCH_LIFETIME_MS ?? 900_000)).unref();
}

export const childOptions = <T>(): T => JSON.parse(process.argv[2] ?? '{}') as T;

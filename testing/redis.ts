import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { freePort } from '../scripts/stack.ts';

export interface RedisServer {
	url: string;
	/** Stops the server (SIGTERM, no save). */
	stop(): Promise<void>;
	/** Starts it again on the same port, empty. */
	restart(): Promise<void>;
}

const REDIS_SERVER = '/usr/bin/redis-server';

/**
 * A real redis-server for the scale-out tests: the one `.ci/run` started (SHARDBEAT_TEST_REDIS_URL),
 * flushed, or else one of our own on a free port (Debian's package, `apt-get install redis-server`);
 * `own: true` always starts one of our own.
 */
export async function startRedis(options: { own?: boolean } = {}): Promise<RedisServer> {
	// `own`: a server of this test's alone, for tests that stop or restart Redis (or must not flush a shared one).
	const given = options.own ? undefined : process.env.SHARDBEAT_TEST_REDIS_URL;
	if (given) {
		const client = new Redis(given);
		await client.flushall();
		client.disconnect();
		return { url: given, stop: async () => {}, restart: async () => {} };
	}
	if (!existsSync(REDIS_SERVER)) {
		throw new Error(`No redis-server at ${REDIS_SERVER}: install Debian's package (apt-get install redis-server) or set SHARDBEAT_TEST_REDIS_URL.`);
	}
	const port = await freePort();
	let child: ChildProcess | undefined;
	const start = async () => {
		child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
		const deadline = Date.now() + 10_000;
		for (;;) {
			const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
			probe.on('error', () => undefined);
			try {
				await probe.connect();
				await probe.ping();
				probe.disconnect();
				break;
			} catch (error) {
				probe.disconnect();
				if (Date.now() > deadline) throw error;
				await new Promise((r) => setTimeout(r, 50));
			}
		}
	};
	const stop = () =>
		new Promise<void>((resolve) => {
			if (!child || child.exitCode !== null) return resolve();
			child.once('exit', () => resolve());
			child.kill('SIGTERM');
		});
	await start();
	return { url: `redis://127.0.0.1:${port}`, stop, restart: start };
}

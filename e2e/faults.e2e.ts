import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetSimulator } from '../server/simulator/fleet-simulator.ts';
import { formatSpread, sleep, spreadOf, until, watchFleet } from '#testing/faults/scenarios';
import { startInstance, type Instance } from '#testing/server/instances';
import { startTcpProxy } from '#testing/net/tcp-proxy';

/*
 * Faults on one real server process (issue 6): a restart under a connected fleet and page, a bot
 * process killed or frozen, and a network partition between bots and server.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BOT_SECRET = 'faults-bot-secret-0123456789';
const INTERVAL_MS = 1_000;
const MISSED = 3;
const dir = mkdtempSync(join(tmpdir(), 'shardbeat-faults-'));
const env = {
	SHARDBEAT_BOT_SECRET: BOT_SECRET,
	SHARDBEAT_TOKEN_SECRET: 'faults-token-secret-0123456789abcdef0123456789',
	SHARDBEAT_HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS),
	SHARDBEAT_MISSED_HEARTBEATS: String(MISSED),
	// History on disk, so it survives the restart and can be read afterwards.
	SHARDBEAT_SQLITE_PATH: join(dir, 'history.sqlite'),
	SHARDBEAT_LOG_LEVEL: 'info'
};
let server: Instance;

beforeAll(async () => {
	server = await startInstance(env);
});
afterAll(async () => {
	await server?.kill();
	rmSync(dir, { recursive: true, force: true });
});

describe('faults', () => {
	it('server restart (SIGTERM, same port) under 50 bots and a page: reconnects spread out, no cluster ever shown stopped', async () => {
		const connects: number[] = [];
		const fleet = new FleetSimulator({
			url: server.url,
			secret: BOT_SECRET,
			clusters: 50,
			shardsPerCluster: 2,
			intervalMs: INTERVAL_MS,
			reconnectChance: 0,
			deathChance: 0,
			seed: 3,
			// The reporter's own defaults: 1 s doubling to 30 s, ±50 % jitter.
			logger: { info: (m) => m.includes('connected to') && connects.push(Date.now()), warn() {}, error() {} }
		});
		const page = watchFleet(server.url);
		try {
			fleet.start();
			await fleet.connected(20_000);
			await until(() => page.clusters().filter((c) => c.lifecycle === 'running').length === 50, 20_000, 'the page to see 50 running clusters');
			connects.length = 0;

			const before = server;
			const downAt = Date.now();
			await before.stop();
			server = await startInstance(env, { port: before.port });
			const backAt = Date.now();
			await until(() => connects.length === 50, 30_000, 'all 50 bots to reconnect');
			await fleet.connected(5_000);
			await until(() => page.clusters().filter((c) => c.lifecycle === 'running').length === 50, 15_000, 'the page to see 50 running clusters again');
			// Past the silence timeout after the restart: still nothing stopped.
			await sleep(MISSED * INTERVAL_MS + 1_500);

			const spread = spreadOf(connects, backAt);
			console.log(`[faults] server down for ${backAt - downAt} ms (SIGTERM → healthy again)\n[faults] ${formatSpread(spread)}`);
			expect(spread.count).toBe(50);
			expect(spread.spreadMs, 'reconnects spread over at least a second').toBeGreaterThanOrEqual(1_000);
			expect(spread.busiestShare, 'no 100-ms window holds more than 30 % of the fleet').toBeLessThanOrEqual(0.3);

			expect([...page.everStopped.keys()], 'clusters the page saw stopped').toEqual([]);
			expect(page.states, 'the page went reconnecting and came back live').toContain('reconnecting');
			expect(page.states.at(-1)).toBe('live');
			expect(server.output()).not.toContain('marked stopped');
			const ids = page.clusters().map((c) => c.id);
			expect(new Set(ids).size).toBe(50);

			// History (SQLite on disk, across both processes): the restart is not an outage.
			const db = new Database(env.SHARDBEAT_SQLITE_PATH, { readonly: true });
			const stopped = db.prepare("select count(*) as n from cluster_transitions where lifecycle = 'stopped'").get() as { n: number };
			const seen = db.prepare('select count(distinct cluster_id) as n from cluster_transitions').get() as { n: number };
			db.close();
			expect(seen.n).toBe(50);
			expect(stopped.n, 'stopped transitions recorded across the restart').toBe(0);
		} finally {
			page.close();
			fleet.stop();
		}
	});

	it('a bot process killed with SIGKILL is shown stopped within 3 heartbeat intervals; a frozen one (SIGSTOP) too, and it recovers on SIGCONT', async () => {
		const page = watchFleet(server.url);
		// A real bot process: the simulator CLI, one cluster (id 0) of two shards.
		const bot = () =>
			spawn(process.execPath, ['--import', 'tsx', 'server/simulator/main.ts', '--url', server.url, '--secret', BOT_SECRET, '--clusters', '1', '--shards', '2', '--interval', String(INTERVAL_MS), '--chaos', '0'], {
				cwd: ROOT,
				stdio: 'ignore'
			});
		const children = [bot()];
		try {
			const t0 = Date.now() - 1_000;
			const running = () => page.lifecycle(0) === 'running' && page.replica.get(0)!.startedAt >= t0;
			await until(async () => (await page.poll(), running()), 20_000, 'the bot process to report');
			const killedAt = Date.now();
			children[0]!.kill('SIGKILL');
			const killMs = await until(() => page.lifecycle(0) === 'stopped', MISSED * INTERVAL_MS + 3_000, 'cluster 0 stopped after SIGKILL');
			console.log(`[faults] SIGKILL → shown stopped after ${killMs} ms (bound ${MISSED * INTERVAL_MS + 1_000} ms)`);
			expect(Date.now() - killedAt).toBeLessThanOrEqual(MISSED * INTERVAL_MS + 1_000);

			// A hung process keeps its socket open: only silence can tell.
			children.push(bot());
			await until(() => page.lifecycle(0) === 'running', 20_000, 'the second bot process to report');
			await sleep(INTERVAL_MS);
			const frozenAt = Date.now();
			children[1]!.kill('SIGSTOP');
			const stopMs = await until(() => page.lifecycle(0) === 'stopped', MISSED * INTERVAL_MS + 4_000, 'cluster 0 stopped after SIGSTOP');
			console.log(`[faults] SIGSTOP (hung bot) → shown stopped after ${stopMs} ms (silence timeout ${MISSED * INTERVAL_MS} ms + 1-s sweep + 0.5-s batch)`);
			// Silent for more than 3 intervals (from its last heartbeat, ≤ 1 interval before the freeze), one sweep, one batch.
			expect(Date.now() - frozenAt).toBeLessThanOrEqual(MISSED * INTERVAL_MS + 1_000 + 500 + 500);
			expect(Date.now() - frozenAt).toBeGreaterThanOrEqual((MISSED - 1) * INTERVAL_MS);
			children[1]!.kill('SIGCONT');
			const backMs = await until(() => page.lifecycle(0) === 'running', 10_000, 'cluster 0 running after SIGCONT');
			console.log(`[faults] SIGCONT → running again after ${backMs} ms`);
		} finally {
			for (const c of children) c.kill('SIGKILL');
			page.close();
		}
	});

	it('a network partition (black-holed TCP, no FIN/RST) between bots and server: clusters go stopped, then recover, with no duplicates', async () => {
		const proxy = await startTcpProxy(server.port);
		const fleet = new FleetSimulator({
			url: proxy.url,
			secret: BOT_SECRET,
			clusters: 6,
			shardsPerCluster: 2,
			intervalMs: INTERVAL_MS,
			reconnectChance: 0,
			deathChance: 0,
			seed: 11
		});
		// The page is on the other side of the partition (it talks to the server directly).
		const page = watchFleet(server.url);
		const ids = [0, 1, 2, 3, 4, 5];
		const t0 = Date.now() - 1_000;
		try {
			fleet.start();
			await fleet.connected(20_000);
			await until(() => ids.every((id) => page.lifecycle(id) === 'running' && page.replica.get(id)!.startedAt >= t0), 20_000, 'six running clusters');
			const count = page.clusters().length;

			const cutAt = Date.now();
			proxy.pause();
			const staleMs = await until(() => ids.every((id) => page.lifecycle(id) === 'stopped'), MISSED * INTERVAL_MS + 5_000, 'every partitioned cluster stopped');
			console.log(`[faults] partition → all 6 clusters stopped after ${staleMs} ms (silence timeout ${MISSED * INTERVAL_MS} ms)`);
			expect(Date.now() - cutAt).toBeLessThanOrEqual(MISSED * INTERVAL_MS + 2_500);
			expect(fleet.clusters.length).toBe(6);
			await sleep(2_000);

			const healedAt = Date.now();
			proxy.resume();
			const recoverMs = await until(() => ids.every((id) => page.lifecycle(id) === 'running'), 10_000, 'every cluster running after the partition heals');
			console.log(`[faults] partition healed → all 6 running again after ${recoverMs} ms`);
			expect(Date.now() - healedAt).toBeLessThanOrEqual(2 * INTERVAL_MS + 1_500);
			const after = page.clusters().map((c) => c.id);
			expect(new Set(after).size, 'cluster ids unique').toBe(after.length);
			expect(after.length, 'cluster count unchanged').toBe(count);
			const health = (await (await fetch(`${server.url}/healthz`)).json()) as { clusters: number; bots: number };
			expect(health.clusters).toBe(count);
		} finally {
			page.close();
			fleet.stop();
			await proxy.close();
		}
	});
});

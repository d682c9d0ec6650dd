import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetStatus } from '#shared';
import { fakeClock, type FakeClock } from '#testing/faults/faketime';
import { sleep, until, watchFleet } from '#testing/faults/scenarios';
import { startRedis, type RedisServer } from '#testing/redis';
import { startInstance, type Instance } from '#testing/server/instances';

/*
 * Time that cannot jump (issue 13): real server processes whose wall clock libfaketime steps
 * while they run (only the wall clock: FAKETIME_DONT_FAKE_MONOTONIC=1, as an NTP step or a VM
 * resumed from pause would), bots in real processes with the real reporter, 1-s heartbeats and a
 * 3-s silence timeout like the fault suite. Nothing that reports may be shown or recorded stopped;
 * a bot process that dies must still be stopped within the timeout and one interval.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BOT_SECRET = 'clock-bot-secret-0123456789';
const INTERVAL_MS = 1_000;
const MISSED = 3;
const TIMEOUT_MS = INTERVAL_MS * MISSED;
/** Clusters 0–5, two shards each. */
const TOTAL_SHARDS = 12;
const ALL = [0, 1, 2, 3, 4, 5];
const dir = mkdtempSync(join(tmpdir(), 'shardbeat-clock-'));
const base = {
	SHARDBEAT_BOT_SECRET: BOT_SECRET,
	SHARDBEAT_TOKEN_SECRET: 'clock-token-secret-0123456789abcdef0123456789',
	SHARDBEAT_HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS),
	SHARDBEAT_MISSED_HEARTBEATS: String(MISSED)
};
const children: ChildProcess[] = [];
const instances: Instance[] = [];

/** A bot process reporting `ids` to `url`. */
function bots(url: string, ids: number[]): ChildProcess {
	const child = spawn(
		process.execPath,
		['--import', 'tsx', 'testing/processes/bot.ts', '--url', url, '--secret', BOT_SECRET, '--ids', ids.join(','), '--total', String(TOTAL_SHARDS), '--interval', String(INTERVAL_MS)],
		{ cwd: ROOT, stdio: 'ignore' }
	);
	children.push(child);
	return child;
}

/** How far the instance's wall clock is from ours, as its `/api/status` says (`generatedAt`). */
async function offsetOf(instance: Instance): Promise<number> {
	const before = Date.now();
	const status = (await (await fetch(`${instance.url}/api/status`)).json()) as FleetStatus;
	return status.generatedAt - (before + Date.now()) / 2;
}

async function statusOf(instance: Instance): Promise<Record<number, string>> {
	const status = (await (await fetch(`${instance.url}/api/status`)).json()) as FleetStatus;
	return Object.fromEntries(status.clusters.map((c) => [c.id, c.lifecycle]));
}

/** Stopped transitions recorded in an instance's history database: [cluster, at]. */
function recordedStops(path: string): [number, number][] {
	const db = new Database(path, { readonly: true });
	try {
		const rows = db.prepare("select cluster_id, at from cluster_transitions where lifecycle = 'stopped' order by at").all() as { cluster_id: number; at: number }[];
		return rows.map((r) => [Number(r.cluster_id), Number(r.at)]);
	} finally {
		db.close();
	}
}

/** The figures this file prints, for bench/reliability.ts. */
const figure = (line: string) => console.log(`[clock] ${line}`);

afterAll(async () => {
	for (const c of children) c.kill('SIGKILL');
	await Promise.all(instances.map((i) => i.kill()));
	rmSync(dir, { recursive: true, force: true });
});

describe('one instance whose wall clock steps', () => {
	let server: Instance;
	let clock: FakeClock;
	const history = join(dir, 'one.sqlite');
	let frozen: ChildProcess;
	let killed: ChildProcess;
	let page: ReturnType<typeof watchFleet>;

	beforeAll(async () => {
		clock = fakeClock(dir, 'one');
		server = await startInstance({ ...base, ...clock.env, SHARDBEAT_SQLITE_PATH: history });
		instances.push(server);
		bots(server.url, [0, 1, 2, 3]);
		frozen = bots(server.url, [4]);
		killed = bots(server.url, [5]);
		page = watchFleet(server.url);
		await until(() => ALL.every((id) => page.lifecycle(id) === 'running'), 30_000, 'six running clusters');
		// Past the start-up grace, so silence counts.
		await sleep(TIMEOUT_MS);
	});
	afterAll(() => page?.close());

	it('+60 s steps (20 timeouts each) stop no cluster: none shown stopped by polls, pushes or /api/status, none recorded', async () => {
		// Five steps 1.2 s apart land at every phase of the 1-s heartbeat/sweep cycle, 200 ms apart: a
		// clock that trusted the wall clock would meet a sweep before some cluster's next heartbeat.
		const STEPS = 5;
		for (let i = 1; i <= STEPS; i++) {
			clock.set(60 * i);
			const seen = await until(async () => (await offsetOf(server)) > 60_000 * i - 1_000, 5_000, `the server clock ${60 * i} s ahead`);
			if (i === 1) figure(`+60 s step seen by the server within ${seen} ms`);
			await sleep(1_200);
		}
		// Two timeouts and more after the last step: every sweep in between saw minutes of "silence" by the wall clock.
		await sleep(2 * TIMEOUT_MS + 1_000);
		expect([...page.everStopped.keys()], 'clusters the page saw stopped').toEqual([]);
		expect(await statusOf(server)).toEqual(Object.fromEntries(ALL.map((id) => [id, 'running'])));
		expect(server.output()).not.toContain('marked stopped');
		await sleep(1_500); // history writes once a second
		expect(recordedStops(history), 'stopped transitions recorded').toEqual([]);
		figure(`${STEPS} steps of +60 s: 0 of ${ALL.length} reporting clusters shown or recorded stopped (over ${STEPS * 1.2 + (2 * TIMEOUT_MS + 1_000) / 1000} s)`);
	});

	it('a −60 s step: a frozen bot (SIGSTOP) and a killed one (SIGKILL) are still stopped within the timeout plus one interval; the others never', async () => {
		expect(await offsetOf(server)).toBeGreaterThan(299_000);
		// Frozen, then the clock steps back before its silence could be noticed: by the wall clock
		// it was last heard a minute in the future.
		frozen.kill('SIGSTOP');
		const frozenAt = Date.now();
		clock.set(240);
		killed.kill('SIGKILL');
		const killedAt = Date.now();
		await until(async () => (await offsetOf(server)) < 241_000, 5_000, 'the server clock a minute back');
		await until(() => page.lifecycle(5) === 'stopped', TIMEOUT_MS + 10_000, 'the killed bot stopped');
		const killMs = Date.now() - killedAt;
		await until(() => page.lifecycle(4) === 'stopped', TIMEOUT_MS + 10_000, 'the frozen bot stopped');
		const frozenMs = Date.now() - frozenAt;
		figure(`−60 s step: SIGKILLed bot shown stopped after ${killMs} ms, SIGSTOPped (silent) bot after ${frozenMs} ms (timeout ${TIMEOUT_MS} ms + interval ${INTERVAL_MS} ms)`);
		expect(killMs).toBeLessThanOrEqual(TIMEOUT_MS + INTERVAL_MS);
		// Silent for the timeout counted from its last heartbeat (≤ 1 interval before the freeze), then one sweep and one batch.
		expect(frozenMs).toBeLessThanOrEqual(TIMEOUT_MS + INTERVAL_MS + 500);
		await sleep(TIMEOUT_MS);
		expect([...page.everStopped.keys()].sort(), 'clusters the page saw stopped').toEqual([4, 5]);
		expect(await statusOf(server)).toEqual({ 0: 'running', 1: 'running', 2: 'running', 3: 'running', 4: 'stopped', 5: 'stopped' });
		await sleep(1_500);
		const stops = recordedStops(history);
		expect(stops.map(([id]) => id).sort(), 'stopped transitions recorded').toEqual([4, 5]);
		frozen.kill('SIGCONT');
		await until(() => page.lifecycle(4) === 'running', 10_000, 'the frozen bot running again on SIGCONT');
	});
});

describe('two instances on Redis, one 30 s ahead', () => {
	let redis: RedisServer;
	let a: Instance;
	let b: Instance;
	const historyA = join(dir, 'a.sqlite');
	const historyB = join(dir, 'b.sqlite');

	beforeAll(async () => {
		// Our own redis-server: this test stops it, or must not flush a shared one.
		redis = await startRedis({ own: true });
		const env = { ...base, SHARDBEAT_REDIS_URL: redis.url };
		[a, b] = await Promise.all([
			startInstance({ ...env, ...fakeClock(dir, 'a', 0).env, SHARDBEAT_SQLITE_PATH: historyA }),
			startInstance({ ...env, ...fakeClock(dir, 'b', 30).env, SHARDBEAT_SQLITE_PATH: historyB })
		]);
		instances.push(a, b);
	});
	afterAll(async () => {
		await redis?.stop();
	});

	it('nobody is stopped for the skew; a killed bot, and the clusters of a killed instance, are stopped within the timeout plus one interval', async () => {
		const skew = (await offsetOf(b)) - (await offsetOf(a));
		figure(`instance B's wall clock ${(skew / 1000).toFixed(1)} s ahead of A's`);
		expect(skew).toBeGreaterThan(29_000);
		bots(a.url, [0, 1, 2]);
		bots(b.url, [3, 4]);
		const lone = bots(b.url, [5]);
		const onA = watchFleet(a.url);
		const onB = watchFleet(b.url);
		try {
			await until(() => ALL.every((id) => onA.lifecycle(id) === 'running' && onB.lifecycle(id) === 'running'), 30_000, 'six running clusters on both instances');
			// Each instance sweeps Redis every second: B, ahead, would see A's clusters 30 s silent; A
			// would see B's as heard 30 s in the future.
			await sleep(2 * TIMEOUT_MS + 1_000);
			expect([...onA.everStopped.keys()], 'clusters A showed stopped').toEqual([]);
			expect([...onB.everStopped.keys()], 'clusters B showed stopped').toEqual([]);
			const running = Object.fromEntries(ALL.map((id) => [id, 'running']));
			expect(await statusOf(a)).toEqual(running);
			expect(await statusOf(b)).toEqual(running);
			figure(`30 s skew: 0 of ${ALL.length} reporting clusters shown stopped on either instance over ${2 * TIMEOUT_MS + 1_000} ms`);

			// A bot on the instance ahead dies: B stops it at the disconnect, on Redis's terms.
			lone.kill('SIGKILL');
			const loneMs = await until(() => onA.lifecycle(5) === 'stopped', TIMEOUT_MS + 10_000, 'the killed bot stopped, seen on A');
			await sleep(1_500); // B's history writes once a second, and a SIGKILL loses what it has not written
			// The instance ahead dies with its bots' sockets: only A's sweep of Redis can tell.
			const killedAt = Date.now();
			await b.kill();
			await until(() => onA.lifecycle(3) === 'stopped' && onA.lifecycle(4) === 'stopped', TIMEOUT_MS + 30_000, "the dead instance's clusters stopped by A");
			const sweepMs = Date.now() - killedAt;
			figure(`30 s skew: SIGKILLed bot shown stopped after ${loneMs} ms; the SIGKILLed instance's clusters stopped by the other after ${sweepMs} ms (timeout ${TIMEOUT_MS} ms + interval ${INTERVAL_MS} ms)`);
			expect(loneMs).toBeLessThanOrEqual(TIMEOUT_MS + INTERVAL_MS);
			expect(sweepMs).toBeLessThanOrEqual(TIMEOUT_MS + INTERVAL_MS + 500);
			for (const id of [0, 1, 2]) expect(onA.lifecycle(id)).toBe('running');
			expect([...onA.everStopped.keys()].sort()).toEqual([3, 4, 5]);
			await sleep(1_500);
			const recorded = [...recordedStops(historyA), ...recordedStops(historyB)].map(([id]) => id).sort();
			expect(recorded, 'stopped transitions recorded by either instance').toEqual([3, 4, 5]);
		} finally {
			onA.close();
			onB.close();
		}
	});
});

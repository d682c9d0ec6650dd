import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetStatus } from '#shared';
import { connectBot, heartbeat, sendHeartbeat } from '#testing/server/harness';
import { FleetSimulator } from '../server/simulator/fleet-simulator.ts';
import { sleep, until, watchFleet } from '#testing/faults/scenarios';
import { startInstance, type Instance } from '#testing/server/instances';
import { startRedis, type RedisServer } from '#testing/redis';

/*
 * Scale-out with Redis stopped and started again (empty) under a live fleet: the instances keep
 * serving what they know and say so, then converge. This test needs a redis-server it may stop,
 * so it always starts its own (even when CI's SHARDBEAT_TEST_REDIS_URL is set). An instance
 * killed outright is e2e/scale-out.e2e.ts's last two tests.
 */
const BOT_SECRET = 'faults-redis-bot-secret-0123456789';
const INTERVAL_MS = 1_000;
let redis: RedisServer;
let instances: Instance[] = [];

beforeAll(async () => {
	// Our own redis-server: this test stops it, or must not flush a shared one.
	redis = await startRedis({ own: true });
	const env = {
		SHARDBEAT_REDIS_URL: redis.url,
		SHARDBEAT_BOT_SECRET: BOT_SECRET,
		SHARDBEAT_TOKEN_SECRET: 'faults-redis-token-secret-0123456789abcdef',
		SHARDBEAT_HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS)
	};
	instances = await Promise.all([startInstance(env), startInstance(env)]);
});

afterAll(async () => {
	await Promise.all(instances.map((i) => i.kill()));
	await redis?.stop();
});

const json = async <T>(url: string): Promise<{ status: number; body: T }> => {
	const res = await fetch(url);
	return { status: res.status, body: (await res.json()) as T };
};
type Health = { version: number; store: string; storeOk: boolean; storeDetail?: string; clusters: number };

describe('Redis stopped and restarted', () => {
	it('instances keep answering from what they know, report storeOk: false, and converge when Redis is back', async () => {
		const [a, b] = instances as [Instance, Instance];
		const fleet = new FleetSimulator({ url: a.url, secret: BOT_SECRET, clusters: 4, shardsPerCluster: 2, intervalMs: INTERVAL_MS, reconnectChance: 0, deathChance: 0, seed: 5 });
		const page = watchFleet(b.url);
		try {
			fleet.start();
			await fleet.connected(20_000);
			await until(() => [0, 1, 2, 3].every((id) => page.lifecycle(id) === 'running'), 15_000, 'four running clusters on B');

			const downAt = Date.now();
			await redis.stop();
			await sleep(3 * INTERVAL_MS + 1_500);
			for (const i of [a, b]) {
				const health = await json<Health>(`${i.url}/healthz`);
				expect(health.status).toBe(200);
				expect(health.body).toMatchObject({ store: 'redis', storeOk: false });
				expect(health.body.storeDetail).toMatch(/serving the last known fleet/);
				const status = await json<FleetStatus>(`${i.url}/api/status`);
				expect(status.status).toBe(200);
				expect(status.body.clusters.map((c) => c.id).filter((id) => id < 4)).toEqual([0, 1, 2, 3]);
			}
			// Polls still answer on both instances, and nobody is called stopped for Redis's sake.
			expect(await page.poll()).toBe(true);
			const pageOnA = watchFleet(a.url);
			await until(async () => pageOnA.clusters().length >= 4, 10_000, 'a page on A to load during the outage');
			pageOnA.close();
			expect([...page.everStopped.keys()].filter((id) => id < 4)).toEqual([]);
			// A heartbeat during the outage is still accepted (a new bot, told ok).
			const bot = await connectBot(a.url, { secret: BOT_SECRET });
			expect((await sendHeartbeat(bot, heartbeat(9, [8, 9], 10))).ok).toBe(true);
			bot.disconnect();
			expect(a.output()).toMatch(/redis error/);
			console.log(`[faults] redis down for ${Date.now() - downAt} ms: both instances answered polls and /api/status, /healthz storeOk false`);

			await redis.restart();
			const backAt = Date.now();
			const convergeMs = await until(
				async () => {
					const [ha, hb] = await Promise.all([a, b].map((i) => json<Health>(`${i.url}/healthz`)));
					if (!ha!.body.storeOk || !hb!.body.storeOk || ha!.body.version !== hb!.body.version) return false;
					// A heartbeat after recovery, visible on every instance.
					const statuses = await Promise.all([a, b].map((i) => json<FleetStatus>(`${i.url}/api/status`)));
					return statuses.every((s) => s.body.clusters.filter((c) => c.id < 4).length === 4 && s.body.clusters.filter((c) => c.id < 4).every((c) => c.lifecycle === 'running' && c.lastHeartbeatAt > backAt));
				},
				20_000,
				'both instances to converge after Redis is back'
			);
			console.log(`[faults] redis back (empty): instances converged (same version, fresh heartbeats everywhere) after ${convergeMs} ms`);
			await until(() => [0, 1, 2, 3].every((id) => page.replica.get(id)!.lastHeartbeatAt > backAt), 10_000, 'the page on B to see fresh heartbeats');
			expect([...page.everStopped.keys()].filter((id) => id < 4)).toEqual([]);
		} finally {
			page.close();
			fleet.stop();
		}
	});
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, heartbeat, postHeartbeat } from '#testing/server/harness';
import { startInstance, type Instance } from '#testing/server/instances';
import { startRedis, type RedisServer } from '#testing/redis';

/*
 * Issue 14 scaled out: `POST /api/v1/heartbeat` on two server processes sharing one real
 * redis-server. A heartbeat posted to A is the fleet B serves (the same fleet → publisher → store
 * path as a socket's), a bot whose posts a balancer spreads over both instances spends one
 * per-cluster bucket, and silence stops an HTTP cluster on every instance.
 */
const BOT_SECRET = 'http-scale-out-bot-secret-0123456789';
const INTERVAL_MS = 1_000;

const instanceEnv = {
	SHARDBEAT_BOT_SECRET: BOT_SECRET,
	SHARDBEAT_TOKEN_SECRET: 'http-scale-out-token-secret-0123456789abcdef',
	SHARDBEAT_HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS),
	SHARDBEAT_MISSED_HEARTBEATS: '3',
	SHARDBEAT_RATE_HEARTBEATS_PER_10S: '4'
};

let redis: RedisServer;
let instances: Instance[] = [];

beforeAll(async () => {
	redis = await startRedis();
	const env = { ...instanceEnv, SHARDBEAT_REDIS_URL: redis.url };
	instances = await Promise.all([startInstance(env), startInstance(env)]);
});

afterAll(async () => {
	await Promise.all(instances.map((i) => i.kill()));
	await redis?.stop();
});

type Status = { clusters: { id: number; lifecycle: string; shardIds: number[]; shards: { id: number; state: string }[] }[] };
const status = async (i: Instance) => (await (await fetch(`${i.url}/api/status`)).json()) as Status;

describe('HTTP heartbeats on several instances', () => {
	it('a heartbeat posted to A shows in /api/status on B; silence stops it on both', async () => {
		const [a, b] = instances as [Instance, Instance];
		const res = await postHeartbeat(a.url, heartbeat(11, [0, 1], 2), { secret: BOT_SECRET });
		expect(res.status).toBe(200);
		await eventually(async () => (await status(b)).clusters.some((c) => c.id === 11 && c.lifecycle === 'running'), 10_000);
		expect((await status(b)).clusters.find((c) => c.id === 11)).toMatchObject({ shardIds: [0, 1], shards: [{ id: 0, state: 'ready' }, { id: 1, state: 'ready' }] });

		// No socket to lose: only silence (3 × 1 s, after each instance's start-up grace) stops it.
		for (const i of [a, b]) await eventually(async () => (await status(i)).clusters.find((c) => c.id === 11)?.lifecycle === 'stopped', 15_000);
	});

	it('unavailable guilds travel through Redis: pushed to B, a count moving alone too, and reloaded by a new instance', async () => {
		const [a, b] = instances as [Instance, Instance];
		type Counts = { clusters: { id: number; shards: { unavailableGuilds?: number }[] }[] };
		const counts = async (i: Instance) => ((await (await fetch(`${i.url}/api/status`)).json()) as Counts).clusters.find((c) => c.id === 14)?.shards.map((s) => s.unavailableGuilds);
		const withCounts = (unavailable: number[]) => {
			const hb = heartbeat(14, [0, 1], 2);
			return { ...hb, shards: hb.shards.map((s, i) => ({ ...s, unavailableGuilds: unavailable[i]! })) };
		};
		expect((await postHeartbeat(a.url, withCounts([0, 3]), { secret: BOT_SECRET })).status).toBe(200);
		await eventually(async () => JSON.stringify(await counts(b)) === '[0,3]', 10_000);
		// Only the count moves: a patch entry, published and applied on B.
		expect((await postHeartbeat(a.url, withCounts([0, 5]), { secret: BOT_SECRET })).status).toBe(200);
		await eventually(async () => JSON.stringify(await counts(b)) === '[0,5]', 10_000);
		// A new instance loads the fleet from the records Redis keeps.
		const c = await startInstance({ ...instanceEnv, SHARDBEAT_REDIS_URL: redis.url });
		try {
			await eventually(async () => JSON.stringify(await counts(c)) === '[0,5]', 10_000);
		} finally {
			await c.kill();
		}
	});

	it('one per-cluster bucket across instances: posts spread over A and B share it', async () => {
		const [a, b] = instances as [Instance, Instance];
		const codes: number[] = [];
		for (const i of [a, b, a, b, a]) codes.push((await postHeartbeat(i.url, heartbeat(12, [0], 1), { secret: BOT_SECRET })).status);
		expect(codes).toEqual([200, 200, 200, 200, 429]);
		// Another cluster from the same host has its own bucket.
		expect((await postHeartbeat(b.url, heartbeat(13, [0], 1), { secret: BOT_SECRET })).status).toBe(200);
	});
});

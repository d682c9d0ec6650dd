import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { ClusterStatus, ConnectErrorData } from '#shared';
import { CAP_RETRY_MS } from '../server/namespaces/viewer.ts';
import { RedisConnectionCap } from '../server/security/connection-cap.ts';
import { connectBot, connectViewer, eventually, fetchToken, followViewer, heartbeat, NO_LIMITS, sendHeartbeat, startServer, type Harness } from '#testing/server/harness';
import { freePort } from '../scripts/stack.ts';
import { startRedis, type RedisServer } from '#testing/redis';

/*
 * Scaled out, the per-IP viewer cap and the public detail level must hold across instances: a
 * client spreading its sockets over two instances gets one cap, not one per instance, and a
 * public viewer on B never sees the figures a bot on A reported.
 */
const OPERATOR_SECRET = 'operator-secret-for-cap-e2e-0123456789abcdef';
let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
	redis = await startRedis();
	client = new Redis(redis.url);
}, 30_000);
afterAll(async () => {
	client?.disconnect();
	await redis?.stop();
});

async function refusal(url: string, token: string): Promise<ConnectErrorData | undefined> {
	try {
		const socket = await connectViewer(url, token);
		socket.disconnect();
		return undefined;
	} catch (error) {
		return (error as { data?: ConnectErrorData }).data;
	}
}

describe('per-IP viewer cap on Redis', () => {
	let a: Harness;
	let b: Harness;
	afterAll(async () => {
		await a?.close();
		await b?.close();
	});

	it('is one cap across instances, refused with a retry hint, and freed when a socket leaves', async () => {
		const limits = { ...NO_LIMITS, maxViewersPerIp: 3 };
		a = await startServer({ ...limits, redisUrl: redis.url });
		b = await startServer({ ...limits, redisUrl: redis.url });
		const token = await fetchToken(a.url);
		const onA = [await connectViewer(a.url, token), await connectViewer(a.url, token)];
		const onB = await connectViewer(b.url, token);
		// Each instance holds fewer than 3; together they hold 3, so both refuse a fourth.
		for (const h of [a, b]) expect(await refusal(h.url, token)).toEqual({ code: 'rate_limited', retryAfterMs: CAP_RETRY_MS });
		expect(await client.zcard('shardbeat:conn:127.0.0.1')).toBe(3);

		onA[0]!.disconnect();
		await eventually(async () => (await client.zcard('shardbeat:conn:127.0.0.1')) === 2);
		const admitted = await connectViewer(b.url, token);
		expect(admitted.connected).toBe(true);
		expect(await refusal(a.url, token)).toMatchObject({ code: 'rate_limited' });

		// A graceful shutdown gives its slots back at once: B can take A's remaining one.
		await a.close();
		await eventually(async () => (await client.zcard('shardbeat:conn:127.0.0.1')) === 2);
		const third = await connectViewer(b.url, token);
		expect(third.connected).toBe(true);
		for (const s of [onB, admitted, third]) s.disconnect();
		await eventually(async () => (await client.zcard('shardbeat:conn:127.0.0.1')) === 0);
	});

	it("a crashed instance's slots lapse with their lease (on Redis's clock)", async () => {
		// Leases are scored on Redis's clock (TIME in the script), so this waits out a short lease.
		const options = { redis: client, limit: 2, leaseMs: 1_500, prefix: 'shardbeat:test-lease:' };
		const crashed = new RedisConnectionCap({ ...options, instanceId: 'crashed' });
		const alive = new RedisConnectionCap({ ...options, instanceId: 'alive' });
		try {
			expect(await crashed.acquire('ip', 's1')).toBe(true);
			expect(await crashed.acquire('ip', 's2')).toBe(true);
			crashed.close(); // no release: a SIGKILL says no goodbye
			expect(await alive.acquire('ip', 's3')).toBe(false);
			await new Promise((r) => setTimeout(r, 1_000));
			expect(await alive.acquire('ip', 's3')).toBe(false);
			await new Promise((r) => setTimeout(r, 600));
			expect(await alive.acquire('ip', 's3')).toBe(true);
			expect(await client.zrange('shardbeat:test-lease:ip', 0, -1)).toEqual(['alive:s3']);
			// The living instance renews its own, so they outlast the lease they were taken with.
			await new Promise((r) => setTimeout(r, 1_000));
			await alive.renew();
			await new Promise((r) => setTimeout(r, 1_000));
			const other = new RedisConnectionCap({ ...options, limit: 1, instanceId: 'other' });
			expect(await other.acquire('ip', 's4')).toBe(false);
			other.close();
		} finally {
			alive.close();
		}
	});

	it('counts this instance only while Redis is away, and writes its slots back when Redis returns', async () => {
		const away = new Redis(`redis://127.0.0.1:${await freePort()}`, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
		away.on('error', () => {});
		const errors: string[] = [];
		const offline = new RedisConnectionCap({ redis: away, limit: 2, instanceId: 'offline', onError: (e) => errors.push(e.message) });
		try {
			expect(await offline.acquire('ip', 'a')).toBe(true);
			expect(await offline.acquire('ip', 'b')).toBe(true);
			expect(await offline.acquire('ip', 'c')).toBe(false);
			expect(errors.length).toBeGreaterThan(0);
		} finally {
			offline.close();
			away.disconnect();
		}

		// Redis restarted empty: the next renewal puts back what this instance holds.
		const back = new RedisConnectionCap({ redis: client, limit: 5, instanceId: 'back', prefix: 'shardbeat:test-renew:' });
		try {
			await back.acquire('ip', 'a');
			await back.acquire('ip', 'b');
			await client.del('shardbeat:test-renew:ip');
			await back.renew();
			expect((await client.zrange('shardbeat:test-renew:ip', 0, -1)).sort()).toEqual(['back:a', 'back:b']);
		} finally {
			back.close();
		}
	});
});

describe('SHARDBEAT_PUBLIC_DETAIL=basic on Redis', () => {
	let a: Harness;
	let b: Harness;
	afterAll(async () => {
		await a?.close();
		await b?.close();
	});

	const isRedacted = (clusters: readonly ClusterStatus[]) => clusters.length > 0 && clusters.every((c) => c.guilds === 0 && c.members === 0 && c.shards.every((s) => s.ping === null && s.guilds === 0));
	const isDetailed = (clusters: readonly ClusterStatus[]) => clusters.length > 0 && clusters.every((c) => c.members > 0 && c.shards.every((s) => (s.ping ?? 0) > 0));

	/** A viewer following its pushes; `redactedAfter` tells, after each push, whether it held no figure. */
	async function follower(url: string, token: string) {
		const redactedAfter: boolean[] = [];
		const followed = await followViewer(url, token, (replica) => redactedAfter.push(isRedacted(replica.status.clusters)));
		return { ...followed, redactedAfter };
	}

	it('public viewers on B get no ping or guild figure of a bot on A, by poll, push or /api/status; operators on B do', async () => {
		const config = { publicDetail: 'basic' as const, operatorSecret: OPERATOR_SECRET, redisUrl: redis.url, ...NO_LIMITS };
		a = await startServer(config);
		b = await startServer(config);
		const bot = await connectBot(a.url);
		expect((await sendHeartbeat(bot, heartbeat(0, [0, 1, 2, 3], 8))).ok).toBe(true);
		await eventually(async () => ((await (await fetch(`${b.url}/api/status`)).json()) as { clusters: unknown[] }).clusters.length === 1);

		const operatorToken = ((await (await fetch(`${b.url}/api/token`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_SECRET}` } })).json()) as { token: string }).token;
		const pub = await follower(b.url, await fetchToken(b.url));
		const op = await follower(b.url, operatorToken);
		expect(isRedacted(pub.replica.status.clusters)).toBe(true);
		expect(isDetailed(op.replica.status.clusters)).toBe(true);

		// Changes committed on A reach B's viewers as pushes through the Redis adapter.
		await sendHeartbeat(bot, { ...heartbeat(0, [0, 1, 2, 3], 8), shards: [0, 1, 2, 3].map((id) => ({ id, state: id === 3 ? 'resuming' : 'ready', ping: 90 + id, guilds: 100 + id })) });
		const second = await connectBot(a.url);
		await sendHeartbeat(second, heartbeat(1, [4, 5, 6, 7], 8));
		await eventually(() => pub.replica.status.clusters.length === 2 && op.replica.status.clusters.length === 2 && op.replica.status.clusters[0]!.shards[0]!.ping === 90);
		expect(pub.pushes.length).toBeGreaterThan(0);
		expect(pub.replica.status.clusters[0]!.shards[3]!.state).toBe('resuming');
		expect(isRedacted(pub.replica.status.clusters)).toBe(true);
		expect(isDetailed(op.replica.status.clusters)).toBe(true);
		// No push ever carried a figure, not only the state they add up to; the operator's did.
		expect(pub.redactedAfter).toEqual(pub.pushes.map(() => true));
		expect(op.redactedAfter.at(-1)).toBe(false);
		const json = JSON.stringify(await (await fetch(`${b.url}/api/status`)).json());
		expect(json).not.toMatch(/"ping":\s*9\d/);
		expect(isRedacted(((await (await fetch(`${b.url}/api/status`)).json()) as { clusters: ClusterStatus[] }).clusters)).toBe(true);
		for (const s of [bot, second, pub.socket, op.socket]) s.disconnect();
	});
});

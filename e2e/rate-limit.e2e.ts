import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RATE_LIMIT_DEFAULTS, startServer, type Harness } from '#testing/server/harness';
import { startRedis, type RedisServer } from '#testing/redis';

/*
 * Scaled out, the HTTP limits live in Redis: a client spreading its requests over two instances
 * (as a round-robin balancer does) gets the same 30 tokens a minute, not 30 per instance.
 */
let redis: RedisServer;
let a: Harness;
let b: Harness;

beforeAll(async () => {
	redis = await startRedis();
	a = await startServer({ ...RATE_LIMIT_DEFAULTS, redisUrl: redis.url });
	b = await startServer({ ...RATE_LIMIT_DEFAULTS, redisUrl: redis.url });
}, 30_000);
afterAll(async () => {
	await a?.close();
	await b?.close();
	await redis?.stop();
});

const postToken = (h: Harness) => fetch(`${h.url}/api/token`, { method: 'POST' });

describe('rate limits on Redis', () => {
	it('shares one token budget per IP between two instances', async () => {
		for (let i = 0; i < 30; i++) expect((await postToken(i % 2 === 0 ? a : b)).status).toBe(200);
		for (const h of [a, b]) {
			const refused = await postToken(h);
			expect(refused.status).toBe(429);
			expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
			expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
		}
		// Buckets are kept under shardbeat:rl: and expire once they would be full again.
		const client = new Redis(redis.url);
		try {
			const keys = await client.keys('shardbeat:rl:*');
			expect(keys.sort()).toEqual(['shardbeat:rl:http:127.0.0.1', 'shardbeat:rl:token:127.0.0.1']);
			const ttl = await client.pttl('shardbeat:rl:token:127.0.0.1');
			expect(ttl).toBeGreaterThan(0);
			expect(ttl).toBeLessThanOrEqual(61_000);
		} finally {
			client.disconnect();
		}
		// The whole-API budget (300) is shared too, and not used up by 32 requests.
		expect((await fetch(`${a.url}/api/status`)).status).toBe(200);
	});
});

import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectErrorData } from '#shared';
import { connectBot, connectViewer, fetchToken, METRICS_TOKEN, RATE_LIMIT_DEFAULTS, scrapeMetrics, startServer, type Harness, type ViewerSocket } from '#testing/server/harness';
import { clientIp } from './client-ip.ts';
import { MemoryRateStore, takeToken } from './rate-limit.ts';

describe('token bucket', () => {
	const rule = { limit: 3, windowMs: 3_000 };

	it('allows a burst of `limit`, then one per window/limit, and says when', () => {
		const store = new MemoryRateStore();
		expect([0, 0, 0].map((t) => store.take('a', rule, t).ok)).toEqual([true, true, true]);
		expect(store.take('a', rule, 0)).toEqual({ ok: false, retryAfterMs: 1_000 });
		expect(store.take('a', rule, 400)).toEqual({ ok: false, retryAfterMs: 600 });
		expect(store.take('a', rule, 1_000).ok).toBe(true);
		expect(store.take('b', rule, 1_000).ok).toBe(true);
	});

	it('never refills past the limit or on a clock that steps back', () => {
		let { bucket } = takeToken(undefined, rule, 10_000);
		bucket = takeToken(bucket, rule, 1_000_000).bucket;
		expect(bucket.tokens).toBe(2);
		expect(takeToken(bucket, rule, 0).bucket.tokens).toBe(1);
	});

	it('treats 0 as unlimited', () => {
		const store = new MemoryRateStore();
		for (let i = 0; i < 1_000; i++) expect(store.take('a', { limit: 0, windowMs: 1 }, 0).ok).toBe(true);
		expect(store.size).toBe(0);
	});

	it('drops idle buckets and keeps at most maxKeys, least recently used first', () => {
		const store = new MemoryRateStore({ maxKeys: 3, sweepIntervalMs: 1_000 });
		for (const key of ['a', 'b', 'c']) store.take(key, rule, 0);
		store.take('a', rule, 0);
		store.take('d', rule, 0); // evicts b, the least recently used
		expect(store.size).toBe(3);
		store.take('d', rule, 0);
		expect(store.take('b', rule, 0).ok).toBe(true); // b starts full again
		// Everything refills within 3 s: the next take after that sweeps all but itself.
		store.take('z', rule, 10_000);
		expect(store.size).toBe(1);
	});
});

describe('client IP', () => {
	it('is the TCP peer unless the proxy is trusted', () => {
		const headers = { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' };
		expect(clientIp(headers, '::ffff:127.0.0.1', false)).toBe('127.0.0.1');
		expect(clientIp(headers, '127.0.0.1', true)).toBe('203.0.113.9');
		expect(clientIp({}, '::1', true)).toBe('::1');
	});
});

let h: Harness;
afterEach(() => h?.close());

async function postToken(headers: Record<string, string> = {}) {
	return fetch(`${h.url}/api/token`, { method: 'POST', headers });
}

describe('HTTP limits per IP', () => {
	it('answers the 31st token request in a minute with 429, Retry-After and the error shape', async () => {
		h = await startServer(RATE_LIMIT_DEFAULTS);
		for (let i = 0; i < 30; i++) expect((await postToken()).status).toBe(200);
		const refused = await postToken({ origin: 'http://page.test' });
		expect(refused.status).toBe(429);
		const retryAfter = Number(refused.headers.get('retry-after'));
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(2);
		// The page can read the refusal: CORS headers come with it.
		expect(refused.headers.get('access-control-allow-origin')).toBe('http://page.test');
		expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/retry in \d+ s/) } });
		// Other routes have their own, larger budget; probes are never limited.
		expect((await fetch(`${h.url}/api/status`)).status).toBe(200);
		expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
	});

	it('limits the whole API per IP, but never /healthz or a scrape with the metrics token', async () => {
		h = await startServer({ ...RATE_LIMIT_DEFAULTS, httpRatePerMin: 5, metricsToken: METRICS_TOKEN });
		const paths = ['/api/status', '/api/v1/summary', '/badge.svg', '/nope', '/api/status'];
		for (const path of paths) expect((await fetch(`${h.url}${path}`)).status).not.toBe(429);
		const refused = await fetch(`${h.url}/api/v1/summary`);
		expect(refused.status).toBe(429);
		expect(refused.headers.get('retry-after')).toBe('12');
		for (let i = 0; i < 10; i++) {
			expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
			expect((await scrapeMetrics(h.url)).status).toBe(200);
		}
		// Without the token (or with a wrong one) /metrics is an ordinary request: limited like any other.
		expect((await fetch(`${h.url}/metrics`)).status).toBe(429);
		expect((await scrapeMetrics(h.url, 'a-guess-at-the-metrics-token-000')).status).toBe(429);
	});

	it('counts token guesses at /metrics against the HTTP limit, so guessing is slow', async () => {
		h = await startServer({ ...RATE_LIMIT_DEFAULTS, httpRatePerMin: 5, metricsToken: METRICS_TOKEN });
		const statuses = [];
		for (let i = 0; i < 8; i++) statuses.push((await scrapeMetrics(h.url, `guess-${i}-0123456789abcdefghij`)).status);
		expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
		expect((await fetch(`${h.url}/api/status`)).status).toBe(429);
		// The operator's scraper, from the same address, is still let in.
		expect((await scrapeMetrics(h.url)).status).toBe(200);
	});

	it('counts X-Forwarded-For hops only with SHARDBEAT_TRUST_PROXY', async () => {
		h = await startServer({ ...RATE_LIMIT_DEFAULTS, tokenRatePerMin: 2 });
		// Untrusted: the header is the client's own claim and changes nothing.
		for (const ip of ['198.51.100.1', '198.51.100.2']) expect((await postToken({ 'x-forwarded-for': ip })).status).toBe(200);
		expect((await postToken({ 'x-forwarded-for': '198.51.100.3' })).status).toBe(429);
		await h.close();

		h = await startServer({ ...RATE_LIMIT_DEFAULTS, tokenRatePerMin: 2, trustProxy: true });
		for (let i = 0; i < 2; i++) expect((await postToken({ 'x-forwarded-for': '198.51.100.1' })).status).toBe(200);
		expect((await postToken({ 'x-forwarded-for': '198.51.100.1, 10.0.0.1' })).status).toBe(429);
		expect((await postToken({ 'x-forwarded-for': '198.51.100.2' })).status).toBe(200);
	});
});

describe('viewer socket limits', () => {
	const poll = (s: ViewerSocket) => s.timeout(5_000).emitWithAck('get-cluster-status', {});

	it('answers a poll flood with rate_limited acks while another socket is unaffected', async () => {
		h = await startServer(RATE_LIMIT_DEFAULTS);
		const token = await fetchToken(h.url);
		const flooder = await connectViewer(h.url, token);
		const other = await connectViewer(h.url, token);
		const acks = await Promise.all(Array.from({ length: 40 }, () => poll(flooder)));
		const refused = acks.filter((a) => !a.ok);
		expect(acks.filter((a) => a.ok)).toHaveLength(20);
		expect(refused.length).toBeGreaterThanOrEqual(19);
		expect(refused[0]).toEqual({ ok: false, error: { code: 'rate_limited', message: expect.any(String), retryAfterMs: expect.any(Number) } });
		const wait = (refused[0] as { error: { retryAfterMs: number } }).error.retryAfterMs;
		expect(wait).toBeGreaterThan(0);
		expect(wait).toBeLessThanOrEqual(500);
		for (let i = 0; i < 15; i++) expect((await poll(other)).ok).toBe(true);
		expect(flooder.connected).toBe(true);
		// The budget comes back at 2 a second.
		await new Promise((r) => setTimeout(r, wait + 50));
		expect((await poll(flooder)).ok).toBe(true);
	});

	it('refuses the 51st viewer connection from one IP, while bots still connect', async () => {
		h = await startServer(RATE_LIMIT_DEFAULTS);
		const token = await fetchToken(h.url);
		const viewers = await Promise.all(Array.from({ length: 50 }, () => connectViewer(h.url, token)));
		const error = (await connectViewer(h.url, token).catch((e: unknown) => e)) as Error & { data?: ConnectErrorData };
		expect(error.data?.code).toBe('rate_limited');
		expect(h.server.io.of('/viewer').sockets.size).toBe(50);
		const bots = await Promise.all(Array.from({ length: 5 }, () => connectBot(h.url)));
		expect(bots.every((b) => b.connected)).toBe(true);
		// A closed tab frees its place.
		viewers[0]!.disconnect();
		await new Promise((r) => setTimeout(r, 100));
		expect((await connectViewer(h.url, token)).connected).toBe(true);
	});
});

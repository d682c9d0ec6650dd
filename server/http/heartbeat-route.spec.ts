import { afterEach, describe, expect, it, vi } from 'vitest';
import {
	BOT_SECRET,
	connectBot,
	eventually,
	fetchToken,
	heartbeat,
	postHeartbeat,
	sendHeartbeat,
	startServer,
	type Harness
} from '#testing/server/harness';

/*
 * Issue 14, "Any language: heartbeats over HTTP": `POST /api/v1/heartbeat` is the socket's
 * heartbeat over HTTP — the same validation, fleet and liveness, the socket ack as the answer.
 */

const OPERATOR = 'http-hb-operator-secret-0123456789';
let h: Harness | undefined;
afterEach(async () => {
	vi.useRealTimers();
	await h?.close();
	h = undefined;
});

/** The fleet as `/api/status` shows it once pending changes are committed. */
async function status(server: Harness) {
	await server.server.flush();
	const res = await fetch(`${server.url}/api/status`);
	expect(res.status).toBe(200);
	return (await res.json()) as { version: number; clusters: { id: number; lifecycle: string; shards: { id: number; state: string; ping: number | null }[] }[] };
}

describe('POST /api/v1/heartbeat', () => {
	it('accepts a heartbeat: answers the socket ack, and the cluster shows in /api/status', async () => {
		h = await startServer();
		const before = Date.now();
		const res = await postHeartbeat(h.url, heartbeat(3, [0, 1], 2));
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('no-store');
		const body = (await res.json()) as { ok: boolean; receivedAt: number; conflicts: unknown[] };
		expect(body).toEqual({ ok: true, receivedAt: expect.any(Number), conflicts: [] });
		expect(body.receivedAt).toBeGreaterThanOrEqual(before);
		const { clusters } = await status(h);
		expect(clusters).toEqual([expect.objectContaining({ id: 3, lifecycle: 'running', shards: [expect.objectContaining({ id: 0, state: 'ready', ping: 40 }), expect.objectContaining({ id: 1, state: 'ready', ping: 41 })] })]);
		expect(h.server.stats.heartbeatsAccepted).toBe(1);
	});

	it('takes unavailable guilds per shard, and still takes heartbeats without them', async () => {
		h = await startServer();
		const counted = heartbeat(3, [0, 1], 4);
		counted.shards = counted.shards.map((s) => ({ ...s, unavailableGuilds: s.id === 1 ? 7 : 0 }));
		expect((await postHeartbeat(h.url, counted)).status).toBe(200);
		expect((await postHeartbeat(h.url, heartbeat(4, [2, 3], 4))).status).toBe(200);
		const { clusters } = await status(h);
		expect(clusters.map((c) => c.shards.map((s) => (s as { unavailableGuilds?: number }).unavailableGuilds))).toEqual([
			[0, 7],
			[undefined, undefined]
		]);
		expect(JSON.stringify(clusters[1])).not.toContain('unavailableGuilds');
	});

	it('reports conflicts with a socket cluster, and a socket disconnecting never stops an HTTP cluster', async () => {
		h = await startServer();
		const bot = await connectBot(h.url);
		expect((await sendHeartbeat(bot, heartbeat(0, [0, 1], 4))).ok).toBe(true);
		const res = await postHeartbeat(h.url, heartbeat(1, [1, 2], 4));
		expect(await res.json()).toMatchObject({ ok: true, conflicts: [{ shardId: 1 }] });
		bot.disconnect();
		await eventually(() => h!.server.fleet.get(0)?.lifecycle === 'stopped');
		expect(h.server.fleet.get(1)?.lifecycle).toBe('running');
	});

	it('a cluster that moves from its socket to HTTP is no longer stopped by that socket disconnecting', async () => {
		h = await startServer();
		const bot = await connectBot(h.url);
		expect((await sendHeartbeat(bot, heartbeat(5, [0], 1))).ok).toBe(true);
		expect((await postHeartbeat(h.url, heartbeat(5, [0], 1))).status).toBe(200);
		bot.disconnect();
		await new Promise((r) => setTimeout(r, 200));
		expect(h.server.fleet.get(5)?.lifecycle).toBe('running');
	});

	const valid = heartbeat(7, [0, 1], 2);
	const json = JSON.stringify(valid);
	type Case = [name: string, send: (h: Harness) => Promise<Response>, status: number, code: string, mentions?: string];
	const refusals: Case[] = [
		['no Authorization', (h) => postHeartbeat(h.url, valid, { secret: null }), 401, 'unauthorized', 'No bot secret'],
		['a wrong secret', (h) => postHeartbeat(h.url, valid, { secret: 'not-the-bot-secret' }), 401, 'unauthorized', 'Wrong bot secret'],
		['the secret with another scheme', (h) => postHeartbeat(h.url, valid, { secret: null, headers: { Authorization: `Basic ${BOT_SECRET}` } }), 401, 'unauthorized'],
		['a viewer token', async (h) => postHeartbeat(h.url, valid, { secret: await fetchToken(h.url) }), 401, 'unauthorized'],
		['the operator secret', (h) => postHeartbeat(h.url, valid, { secret: OPERATOR }), 401, 'unauthorized'],
		['malformed JSON', (h) => postHeartbeat(h.url, json.slice(0, -1)), 400, 'invalid_json'],
		['an empty body', (h) => postHeartbeat(h.url, ''), 400, 'invalid_json'],
		['clusterId as a string', (h) => postHeartbeat(h.url, { ...valid, clusterId: '7' }), 400, 'invalid_payload', 'clusterId'],
		['a null ping (NaN in JSON)', (h) => postHeartbeat(h.url, { ...valid, shards: [{ ...valid.shards[0], ping: null }] }), 400, 'invalid_payload', 'shards[0].ping'],
		['an unknown shard state', (h) => postHeartbeat(h.url, { ...valid, shards: [{ ...valid.shards[0], state: 'exploded' }] }), 400, 'invalid_payload', 'shards[0].state'],
		['more unavailable guilds than guilds', (h) => postHeartbeat(h.url, { ...valid, shards: [valid.shards[0], { ...valid.shards[1], unavailableGuilds: 102 }] }), 400, 'invalid_payload', 'shards[1].unavailableGuilds: 102 is more than'],
		['an unknown field', (h) => postHeartbeat(h.url, { ...valid, admin: true }), 400, 'invalid_payload', 'admin'],
		['a __proto__ key', (h) => postHeartbeat(h.url, `{"__proto__":{"x":1},${json.slice(1)}`), 400, 'invalid_payload', '__proto__'],
		['another protocol version', (h) => postHeartbeat(h.url, { ...valid, v: 2 }), 400, 'unsupported_version', 'v2'],
		['a body over the socket message size', (h) => postHeartbeat(h.url, `{"pad":"${'x'.repeat(1_000_001)}"}`), 413, 'payload_too_large'],
		['text/plain', (h) => postHeartbeat(h.url, json, { headers: { 'Content-Type': 'text/plain' } }), 415, 'unsupported_media_type'],
		['no Content-Type', (h) => fetch(`${h.url}/api/v1/heartbeat`, { method: 'POST', headers: { Authorization: `Bearer ${BOT_SECRET}` }, body: new Blob([json]) }), 415, 'unsupported_media_type'],
		['GET', (h) => postHeartbeat(h.url, valid, { method: 'GET' }), 405, 'method_not_allowed'],
		['PUT', (h) => postHeartbeat(h.url, valid, { method: 'PUT' }), 405, 'method_not_allowed']
	];
	it.each(refusals)('refuses %s with a reason, and changes nothing', async (_, request, statusCode, code, mentions) => {
		h = await startServer({ operatorSecret: OPERATOR });
		expect((await postHeartbeat(h.url, heartbeat(1, [0, 1], 2))).status).toBe(200);
		const before = await status(h);
		const accepted = h.server.stats.heartbeatsAccepted;

		const res = await request(h);
		expect(res.status).toBe(statusCode);
		expect(res.headers.get('cache-control')).toBe('no-store');
		const body = (await res.json()) as { ok: false; error: { code: string; message: string } };
		expect(body).toEqual({ ok: false, error: { code, message: expect.any(String) } });
		if (mentions) expect(body.error.message).toContain(mentions);

		expect(await status(h)).toEqual(before);
		expect(h.server.fleet.get(7)).toBeUndefined();
		expect(h.server.stats.heartbeatsAccepted).toBe(accepted);
		// No secret a client sent ever reaches the log.
		const logged = JSON.stringify(h.logs);
		for (const secret of ['not-the-bot-secret', OPERATOR, BOT_SECRET]) expect(logged).not.toContain(secret);
		// The server still works.
		expect((await postHeartbeat(h.url, valid)).status).toBe(200);
	});

	it('refuses exactly as the socket does: one validation, the same codes and messages', async () => {
		h = await startServer();
		const bot = await connectBot(h.url);
		const bad: unknown[] = [
			{ ...valid, clusterId: -1 },
			{ ...valid, shardIds: [0, 0] },
			{ ...valid, shards: [{ id: 5, state: 'ready', guilds: 1 }] },
			{ ...valid, v: 'one' },
			'hello',
			[valid],
			null
		];
		for (const payload of bad) {
			const ack = await sendHeartbeat(bot, payload);
			const res = await postHeartbeat(h.url, JSON.stringify(payload));
			expect(res.status).toBe(400);
			expect(await res.json()).toEqual(ack);
		}
	});

	it('only silence stops an HTTP cluster: after 3 missed intervals, and not before; a heartbeat brings it back', async () => {
		vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date', 'performance'] });
		h = await startServer({ heartbeatIntervalMs: 5_000, missedHeartbeats: 3 });
		const ack = (await (await postHeartbeat(h.url, heartbeat(0, [0, 1]))).json()) as { receivedAt: number };

		vi.advanceTimersByTime(14_000);
		expect(h.server.fleet.get(0)?.lifecycle).toBe('running');
		vi.advanceTimersByTime(2_000);
		const cluster = h.server.fleet.get(0)!;
		expect(cluster.lifecycle).toBe('stopped');
		expect(cluster.lastHeartbeatAt).toBe(ack.receivedAt);
		expect(h.logs.some((l) => l.msg === 'cluster went silent; marked stopped' && l.cluster === 0)).toBe(true);

		expect((await postHeartbeat(h.url, heartbeat(0, [0, 1]))).status).toBe(200);
		expect(h.server.fleet.get(0)?.lifecycle).toBe('running');
	});
});

describe('POST /api/v1/heartbeat limits', () => {
	it('limits heartbeats per cluster: a burst, then 429 with Retry-After that changes nothing; other clusters unaffected', async () => {
		h = await startServer({ heartbeatRatePer10s: 3 });
		for (let i = 0; i < 3; i++) expect((await postHeartbeat(h.url, heartbeat(1, [0], 2))).status).toBe(200);
		const seen = h.server.fleet.get(1)!.lastHeartbeatAt;
		const before = await status(h);

		const res = await postHeartbeat(h.url, heartbeat(1, [0], 2, { shards: [{ id: 0, state: 'idle', guilds: 1 }] }));
		expect(res.status).toBe(429);
		expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		const body = (await res.json()) as { ok: false; error: { code: string; message: string; retryAfterMs: number } };
		expect(body).toMatchObject({ ok: false, error: { code: 'rate_limited', message: expect.stringContaining('cluster 1') } });
		expect(body.error.retryAfterMs).toBeGreaterThan(0);
		expect(body.error.retryAfterMs).toBeLessThanOrEqual(3_400);
		expect(h.server.fleet.get(1)!.lastHeartbeatAt).toBe(seen);
		expect(await status(h)).toEqual(before);

		// Per cluster, not per IP: another cluster from the same host still gets in.
		expect((await postHeartbeat(h.url, heartbeat(2, [1], 2))).status).toBe(200);
		// Invalid heartbeats are refused before the bucket (they carry no trustworthy cluster id).
		expect((await postHeartbeat(h.url, { ...heartbeat(1, [0], 2), v: 9 })).status).toBe(400);
	});

	it('a host posting for many clusters is not held to the per-IP limit; requests without the secret are', async () => {
		h = await startServer({ httpRatePerMin: 3, heartbeatRatePer10s: 10 });
		for (let id = 0; id < 10; id++) expect((await postHeartbeat(h.url, heartbeat(id, [id], 10))).status, `cluster ${id}`).toBe(200);
		const refused = [];
		for (let i = 0; i < 5; i++) refused.push((await postHeartbeat(h.url, heartbeat(0, [0], 10), { secret: `guess-${i}` })).status);
		expect(refused).toEqual([401, 401, 401, 429, 429]);
	});
});

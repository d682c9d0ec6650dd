import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type Ack, type HeartbeatAccepted, type HeartbeatDelta, type ShardReport } from '#shared';
import { connectBot, eventually, heartbeat, postHeartbeat, sendHeartbeat, startServer, type BotSocket, type Harness } from '#testing/server/harness';

let h: Harness;
const others: Harness[] = [];
beforeEach(async () => {
	h = await startServer();
});
afterEach(async () => {
	await h.close();
	for (const o of others.splice(0)) await o.close();
});

const full = (seq: number, guilds = 100) => ({ ...heartbeat(0, [0, 1, 2], 8, { shards: [0, 1, 2].map((id) => ({ id, state: 'ready' as const, ping: 40, guilds })) }), seq });
const delta = (base: number, shards: ShardReport[], over: Partial<HeartbeatDelta> = {}): HeartbeatDelta => ({
	v: PROTOCOL_VERSION,
	clusterId: 0,
	seq: base + 1,
	base,
	shards,
	guilds: 300,
	members: 5_000,
	uptimeMs: 65_000,
	...over
});
const shardsOf = (server: Harness) => server.server.fleet.get(0)?.shards.map((s) => ({ id: s.id, state: s.state, ping: s.ping, guilds: s.guilds }));

describe('heartbeat deltas on /bot', () => {
	it('says in every accepted ack that it takes deltas', async () => {
		const bot = await connectBot(h.url);
		expect(await sendHeartbeat(bot, heartbeat(0, [0]))).toMatchObject({ ok: true, acceptsDeltas: true });
		expect(await sendHeartbeat(bot, full(1))).toMatchObject({ ok: true, acceptsDeltas: true });
	});

	it('applies a delta on the last accepted heartbeat, and a chain of them', async () => {
		const bot = await connectBot(h.url);
		expect(await sendHeartbeat(bot, full(1))).toMatchObject({ ok: true });
		expect(await sendHeartbeat(bot, delta(1, [{ id: 1, state: 'resuming', ping: 90, guilds: 100 }]))).toMatchObject({ ok: true, conflicts: [] });
		expect(await sendHeartbeat(bot, delta(2, [{ id: 2, state: 'ready', ping: 41, guilds: 7 }], { guilds: 207 }))).toMatchObject({ ok: true });
		expect(shardsOf(h)).toEqual([
			{ id: 0, state: 'ready', ping: 40, guilds: 100 },
			{ id: 1, state: 'resuming', ping: 90, guilds: 100 },
			{ id: 2, state: 'ready', ping: 41, guilds: 7 }
		]);
		expect(h.server.fleet.get(0)?.guilds).toBe(207);
	});

	it('counts a delta with no changed shards as a heartbeat for every shard', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, full(1));
		const before = h.server.fleet.get(0)!.lastHeartbeatAt;
		await eventually(() => Date.now() > before);
		expect(await sendHeartbeat(bot, delta(1, []))).toMatchObject({ ok: true });
		expect(h.server.fleet.get(0)!.lastHeartbeatAt).toBeGreaterThan(before);
		expect(h.server.fleet.get(0)?.shards).toHaveLength(3);
	});

	it('refuses a delta on a base it did not accept (lost, reordered, refused), changing nothing, and recovers with a full heartbeat', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, full(1));
		const before = shardsOf(h);
		for (const base of [0, 2, 7]) {
			const refused = await sendHeartbeat(bot, delta(base, [{ id: 0, state: 'resuming', guilds: 1 }]));
			expect(refused).toMatchObject({ ok: false, error: { code: 'unknown_base', message: expect.stringMatching(/base \d+ .*seq 1 .*send a full heartbeat/) } });
		}
		// A refused full heartbeat is no base either.
		expect(await sendHeartbeat(bot, { ...full(5), clusterId: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
		expect(await sendHeartbeat(bot, delta(5, []))).toMatchObject({ ok: false, error: { code: 'unknown_base' } });
		expect(shardsOf(h)).toEqual(before);
		expect(await sendHeartbeat(bot, full(6, 9))).toMatchObject({ ok: true });
		expect(await sendHeartbeat(bot, delta(6, [{ id: 0, state: 'resuming', guilds: 1 }]))).toMatchObject({ ok: true });
		expect(shardsOf(h)).toEqual([{ id: 0, state: 'resuming', ping: null, guilds: 1 }, ...[1, 2].map((id) => ({ id, state: 'ready', ping: 40, guilds: 9 }))]);
	});

	it('drops the base when an unnumbered heartbeat is accepted, whose shards a delta on the older base would undo', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, full(1));
		const { seq: _, ...plain } = full(1, 50);
		expect(await sendHeartbeat(bot, plain)).toMatchObject({ ok: true });
		expect(await sendHeartbeat(bot, delta(1, []))).toMatchObject({ ok: false, error: { code: 'unknown_base' } });
		expect(h.server.fleet.get(0)?.shards[0]?.guilds).toBe(50);
	});

	it('refuses a delta for another cluster than its base', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, full(1));
		expect(await sendHeartbeat(bot, delta(1, [], { clusterId: 1 }))).toMatchObject({ ok: false, error: { code: 'unknown_base' } });
		expect(h.server.fleet.get(1)).toBeUndefined();
	});

	it('validates the heartbeat a delta stands for like a full one, naming the delta field', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, full(1));
		const before = shardsOf(h);
		const cases: [unknown, string][] = [
			[delta(1, [{ id: 1, state: 'exploded' as never, guilds: 1 }]), 'shards[0].state'],
			[delta(1, [{ id: 1, state: 'ready', guilds: 1, unavailableGuilds: 2 }]), 'shards[0].unavailableGuilds'],
			[delta(1, [{ id: 5, state: 'ready', guilds: 1 }]), 'shards[0].id'],
			[delta(1, [{ id: 1, state: 'ready', guilds: 1 }, { id: 1, state: 'ready', guilds: 2 }]), 'shards[1].id'],
			[{ ...delta(1, []), shardIds: [0] }, 'shardIds'],
			[{ ...delta(1, []), base: -1 }, 'base'],
			[{ ...delta(1, []), seq: 1.5 }, 'seq'],
			[{ ...full(2), seq: 'two' }, 'seq']
		];
		for (const [payload, field] of cases) {
			const refused = await sendHeartbeat(bot, payload);
			expect(refused, field).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining(`${field}:`) } });
		}
		expect(shardsOf(h)).toEqual(before);
		// The base survived every refusal.
		expect(await sendHeartbeat(bot, delta(1, []))).toMatchObject({ ok: true });
	});

	it('forgets the base when the connection ends: a delta after a reconnect is refused', async () => {
		const first = await connectBot(h.url);
		await sendHeartbeat(first, full(1));
		first.disconnect();
		const again = await connectBot(h.url);
		expect(await sendHeartbeat(again, delta(1, []))).toMatchObject({ ok: false, error: { code: 'unknown_base' } });
		expect(await sendHeartbeat(again, full(1))).toMatchObject({ ok: true });
		expect(await sendHeartbeat(again, delta(1, []))).toMatchObject({ ok: true });
	});

	it('scale-out: a delta arriving at another instance, which never saw its base, is refused there, and a full heartbeat recovers', async () => {
		const other = await startServer();
		others.push(other);
		const a = await connectBot(h.url);
		await sendHeartbeat(a, full(1));
		expect(await sendHeartbeat(a, delta(1, []))).toMatchObject({ ok: true });
		// Failover: the bot's next connection lands on the other instance.
		a.disconnect();
		const b = await connectBot(other.url);
		expect(await sendHeartbeat(b, delta(2, []))).toMatchObject({ ok: false, error: { code: 'unknown_base', message: expect.stringContaining('another server instance') } });
		expect(other.server.fleet.get(0)).toBeUndefined();
		expect(await sendHeartbeat(b, full(3))).toMatchObject({ ok: true });
		expect(await sendHeartbeat(b, delta(3, [{ id: 2, state: 'ready', ping: 45, guilds: 100 }]))).toMatchObject({ ok: true });
		expect(shardsOf(other)?.[2]).toMatchObject({ ping: 45 });
	});

	it('pushes the refusal of a delta sent without an ack', async () => {
		const bot: BotSocket = await connectBot(h.url);
		const seen: Ack<HeartbeatAccepted>[] = [];
		bot.on('heartbeat-result', (r) => seen.push(r));
		bot.emit('heartbeat', delta(4, []));
		await eventually(() => seen.length === 1);
		expect(seen[0]).toMatchObject({ ok: false, error: { code: 'unknown_base' } });
	});

	it('keeps the HTTP heartbeat route full-only', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, full(1));
		const before = shardsOf(h);
		const post = (body: unknown) => postHeartbeat(h.url, JSON.stringify(body));
		const res = await post(delta(1, [{ id: 0, state: 'disconnected', guilds: 1 }]));
		expect(res.status).toBe(400);
		// A whole heartbeat that names a base is refused too, by that key: HTTP has no connection to hold one.
		const { seq: _, ...whole } = full(1);
		const named = await post({ ...whole, base: 1 });
		expect(named.status).toBe(400);
		expect(JSON.stringify(await named.json())).toContain('invalid heartbeat: base:');
		expect(shardsOf(h)).toEqual(before);
	});
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clusterHealth, type Ack, type ConnectErrorData, type HeartbeatAccepted } from '#shared';
import { BOT_SECRET, type BotSocket, connectBot, connectViewer, eventually, fetchToken, getStatus, heartbeat, sendHeartbeat, startServer, type Harness } from '#testing/server/harness';

let h: Harness;
/** The fleet as viewers see it once pending changes are committed (no waiting for the batch tick). */
async function snapshot() {
	await h.server.flush();
	return h.server.snapshot();
}
beforeEach(async () => {
	h = await startServer();
});
afterEach(async () => {
	vi.useRealTimers();
	await h.close();
});

describe('bot handshake', () => {
	const refusals: [string, unknown, RegExp][] = [
		['no auth at all', {}, /No bot secret/],
		['an empty secret', { secret: '' }, /No bot secret/],
		['a secret that is not a string', { secret: 12345 }, /No bot secret/],
		['a wrong secret', { secret: 'not-the-secret' }, /Wrong bot secret/],
		['the secret with a trailing space', { secret: `${BOT_SECRET} ` }, /Wrong bot secret/]
	];
	it.each(refusals)('refuses %s at connect, with a clear error', async (_, auth, message) => {
		const error = (await connectBot(h.url, auth).catch((e: unknown) => e)) as Error & { data?: ConnectErrorData };
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toMatch(message);
		expect(error.message).toContain('SHARDBEAT_BOT_SECRET');
		expect(error.data?.code).toBe('unauthorized');
		expect(h.server.io.of('/bot').sockets.size).toBe(0);
		// The secret the bot sent never reaches the logs.
		expect(JSON.stringify(h.logs)).not.toContain('not-the-secret');
	});

	it('accepts the right secret', async () => {
		const bot = await connectBot(h.url);
		expect(bot.connected).toBe(true);
	});
});

describe('heartbeat validation', () => {
	const valid = heartbeat(0, [0, 1, 2, 3]);
	const withShard = (patch: object, index = 0) => ({ ...valid, shards: valid.shards.map((s, i) => (i === index ? { ...s, ...patch } : s)) });
	const evil = JSON.parse('{"__proto__": {"polluted": true}}');

	const cases: [name: string, payload: unknown, field: string][] = [
		['a string instead of an object', 'hello', '(payload)'],
		['null', null, '(payload)'],
		['an array', [valid], '(payload)'],
		['clusterId as a string', { ...valid, clusterId: '0' }, 'clusterId'],
		['a negative clusterId', { ...valid, clusterId: -1 }, 'clusterId'],
		['a fractional clusterId', { ...valid, clusterId: 1.5 }, 'clusterId'],
		['a missing shards list', { ...valid, shards: undefined }, 'shards'],
		['a missing totalShards', { ...valid, totalShards: undefined }, 'totalShards'],
		['guilds as a boolean', { ...valid, guilds: true }, 'guilds'],
		['a negative member count', { ...valid, members: -5 }, 'members'],
		['a NaN ping', withShard({ ping: Number.NaN }), 'shards[0].ping'],
		['an Infinity ping', withShard({ ping: Number.POSITIVE_INFINITY }), 'shards[0].ping'],
		['a negative ping', withShard({ ping: -1 }), 'shards[0].ping'],
		['an unknown shard state', withShard({ state: 'exploded' }), 'shards[0].state'],
		['a numeric discord.js status', withShard({ state: 0 }), 'shards[0].state'],
		['a fractional shard id', withShard({ id: 0.5 }), 'shards[0].id'],
		['duplicate shard reports', { ...valid, shards: [valid.shards[0], valid.shards[0]] }, 'shards[1].id'],
		['duplicate shard ids', { ...valid, shardIds: [0, 1, 1, 3] }, 'shardIds[2]'],
		['a shard not in the cluster list', { ...valid, shards: [{ id: 5, state: 'ready', guilds: 1 }] }, 'shards[0].id'],
		['a shard id beyond totalShards', { ...valid, shardIds: [0, 9], shards: [] }, 'shardIds[1]'],
		['a 100,000-shard list', { ...valid, totalShards: 100_000, shardIds: Array.from({ length: 100_000 }, (_, i) => i) }, 'shardIds'],
		['an unknown field', { ...valid, admin: true }, 'admin'],
		['a __proto__ key', { ...valid, ...evil }, '__proto__'],
		['a constructor key in a shard', withShard({ constructor: 'x' }), 'shards[0].constructor'],
		['an empty shard id list', { ...valid, shardIds: [], shards: [] }, 'shardIds'],
		['negative unavailable guilds', withShard({ unavailableGuilds: -1 }, 3), 'shards[3].unavailableGuilds'],
		['fractional unavailable guilds', withShard({ unavailableGuilds: 1.5 }, 3), 'shards[3].unavailableGuilds'],
		['unavailable guilds as a string', withShard({ unavailableGuilds: '2' }, 3), 'shards[3].unavailableGuilds'],
		['null unavailable guilds (NaN in JSON)', withShard({ unavailableGuilds: null }, 3), 'shards[3].unavailableGuilds'],
		['more unavailable guilds than guilds', withShard({ unavailableGuilds: 104 }, 3), 'shards[3].unavailableGuilds'],
		['unavailable guilds past the limit', withShard({ guilds: 1_000_000, unavailableGuilds: 100_001 }, 3), 'shards[3].unavailableGuilds']
	];

	it.for(cases)('refuses %s and changes nothing', async ([, payload, field]) => {
		const bot = await connectBot(h.url);
		expect((await sendHeartbeat(bot, heartbeat(1, [4, 5, 6, 7]))).ok).toBe(true);
		const before = await snapshot();

		const ack = await sendHeartbeat(bot, payload);
		expect(ack.ok).toBe(false);
		if (ack.ok) return;
		expect(ack.error.code).toBe('invalid_payload');
		expect(ack.error.message).toContain(`${field}:`);

		expect({ ...(await snapshot()), generatedAt: 0 }).toEqual({ ...before, generatedAt: 0 });
		expect(h.logs.some((l) => l.msg === 'heartbeat refused' && l.field === field)).toBe(true);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(bot.connected).toBe(true);
	});

	it('refuses another protocol version with a hint to upgrade', async () => {
		const bot = await connectBot(h.url);
		const ack = await sendHeartbeat(bot, { ...valid, v: 2 });
		expect(ack).toMatchObject({ ok: false, error: { code: 'unsupported_version' } });
		expect(!ack.ok && ack.error.message).toMatch(/speaks v1/);
		expect(h.server.fleet.size).toBe(0);
	});

	it('drops an oversized frame without crashing or losing state', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, heartbeat(1, [4, 5, 6, 7]));
		const before = (await snapshot()).clusters;
		bot.emit('heartbeat', { ...valid, padding: 'x'.repeat(2_000_000) } as never, () => {});
		await eventually(() => !bot.connected);
		const after = await connectBot(h.url);
		expect((await sendHeartbeat(after, heartbeat(2, [0]))).ok).toBe(true);
		// The cluster on the dropped socket is stopped (its socket went away), but still known.
		expect((await snapshot()).clusters.find((c) => c.id === 1)?.shardIds).toEqual(before[0]!.shardIds);
	});

	it('survives a heartbeat sent without an acknowledgement callback', async () => {
		const bot = await connectBot(h.url);
		bot.emit('heartbeat', 'garbage' as never, undefined as never);
		bot.emit('heartbeat', heartbeat(3, [3]) as never, undefined as never);
		await eventually(() => h.server.fleet.size === 1);
		expect((await snapshot()).clusters[0]?.id).toBe(3);
	});
});

describe('heartbeats without an ack (answers only problems)', () => {
	/** Every `heartbeat-result` the server pushes to `bot`, in order. */
	function pushes(bot: BotSocket) {
		const seen: Ack<HeartbeatAccepted>[] = [];
		bot.on('heartbeat-result', (result) => seen.push(result));
		return seen;
	}

	it('says in every accepted ack that it answers only problems, and never in a refusal', async () => {
		const bot = await connectBot(h.url);
		expect(await sendHeartbeat(bot, heartbeat(0, [0, 1]))).toMatchObject({ ok: true, answersOnlyProblems: true });
		const refused = await sendHeartbeat(bot, { ...heartbeat(0, [0, 1]), clusterId: -1 });
		expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'invalid_payload' }) });
	});

	it('applies an accepted heartbeat sent without an ack and answers nothing', async () => {
		const bot = await connectBot(h.url);
		const seen = pushes(bot);
		bot.emit('heartbeat', heartbeat(0, [0, 1], 8, { guilds: 17 }));
		bot.emit('heartbeat', heartbeat(0, [0, 1], 8, { guilds: 18 }));
		// One connection keeps order: once this ack is back, any answer to the two before it would be too.
		await sendHeartbeat(bot, heartbeat(1, [2, 3]));
		expect(h.server.fleet.get(0)?.guilds).toBe(18);
		expect(seen).toEqual([]);
	});

	it('pushes the refusal of a heartbeat sent without an ack, naming the field, and changes nothing', async () => {
		const bot = await connectBot(h.url);
		const seen = pushes(bot);
		await sendHeartbeat(bot, heartbeat(0, [0, 1], 8, { guilds: 5 }));
		const before = await snapshot();
		bot.emit('heartbeat', { ...heartbeat(0, [0, 1], 8, { guilds: 6 }), shards: [{ id: 0, state: 'exploded', guilds: 6 }] } as never);
		await eventually(() => seen.length === 1);
		expect(seen[0]).toMatchObject({ ok: false, error: { code: 'invalid_payload', message: expect.stringContaining('shards[0].state:') } });
		expect({ ...(await snapshot()), generatedAt: 0 }).toEqual({ ...before, generatedAt: 0 });
		expect(bot.connected).toBe(true);
	});

	it('pushes conflicts of a heartbeat sent without an ack, every time, as the ack would', async () => {
		const a = await connectBot(h.url);
		const b = await connectBot(h.url);
		const seen = pushes(b);
		await sendHeartbeat(a, heartbeat(0, [0, 1, 2, 3]));
		b.emit('heartbeat', heartbeat(1, [3, 4, 5]));
		b.emit('heartbeat', heartbeat(1, [3, 4, 5]));
		await eventually(() => seen.length === 2);
		for (const result of seen) expect(result).toMatchObject({ ok: true, conflicts: [{ shardId: 3, clusterIds: [0, 1] }] });
	});

	it('answers a flood of garbage sent without an ack one push each, and keeps serving', async () => {
		const bot = await connectBot(h.url);
		const seen = pushes(bot);
		for (let i = 0; i < 50; i++) bot.emit('heartbeat', { garbage: i } as never);
		await eventually(() => seen.length === 50);
		expect(seen.every((r) => !r.ok && r.error.code === 'invalid_payload')).toBe(true);
		expect((await sendHeartbeat(bot, heartbeat(2, [0]))).ok).toBe(true);
		expect(h.server.fleet.size).toBe(1);
	});
});

describe('fleet state', () => {
	it('get-cluster-status returns exactly what the bots reported', async () => {
		const a = await connectBot(h.url);
		const b = await connectBot(h.url);
		const hbA = heartbeat(0, [0, 1, 2, 3], 8, {
			shards: [
				{ id: 0, state: 'ready', ping: 41, guilds: 10 },
				{ id: 1, state: 'resuming', ping: 120, guilds: 11, unavailableGuilds: 0 },
				{ id: 2, state: 'waiting-for-guilds', guilds: 12, unavailableGuilds: 12 },
				{ id: 3, state: 'ready', ping: 99, guilds: 13, unavailableGuilds: 2 }
			],
			guilds: 46,
			members: 4_321,
			uptimeMs: 90_000
		});
		const hbB = heartbeat(1, [4, 5, 6, 7], 8, { guilds: 999, members: 1_234_567 });
		const ackA = await sendHeartbeat(a, hbA);
		const ackB = await sendHeartbeat(b, hbB);
		if (!ackA.ok || !ackB.ok) throw new Error('valid heartbeat refused');

		const viewer = await connectViewer(h.url, await fetchToken(h.url));
		const status = await getStatus(viewer);
		expect(status.totalShards).toBe(8);
		expect(status.conflicts).toEqual([]);
		expect(status.clusters).toEqual([
			{
				id: 0,
				lifecycle: 'starting',
				shardIds: [0, 1, 2, 3],
				shards: [
					{ id: 0, state: 'ready', ping: 41, guilds: 10 },
					{ id: 1, state: 'resuming', ping: 120, guilds: 11, unavailableGuilds: 0 },
					{ id: 2, state: 'waiting-for-guilds', ping: null, guilds: 12, unavailableGuilds: 12 },
					{ id: 3, state: 'ready', ping: 99, guilds: 13, unavailableGuilds: 2 }
				],
				guilds: 46,
				members: 4_321,
				totalShards: 8,
				startedAt: ackA.receivedAt - 90_000,
				lastHeartbeatAt: ackA.receivedAt
			},
			{
				id: 1,
				lifecycle: 'running',
				shardIds: [4, 5, 6, 7],
				shards: hbB.shards.map((s) => ({ ...s, ping: s.ping ?? null })),
				guilds: 999,
				members: 1_234_567,
				totalShards: 8,
				startedAt: ackB.receivedAt - 60_000,
				lastHeartbeatAt: ackB.receivedAt
			}
		]);
	});

	it('moves starting → running once every shard is ready, and stays running through a reconnect', async () => {
		const bot = await connectBot(h.url);
		const connecting = heartbeat(0, [0, 1]);
		connecting.shards[1]!.state = 'connecting';
		await sendHeartbeat(bot, connecting);
		expect(h.server.fleet.get(0)?.lifecycle).toBe('starting');
		await sendHeartbeat(bot, heartbeat(0, [0, 1], 8, { uptimeMs: 65_000 }));
		expect(h.server.fleet.get(0)?.lifecycle).toBe('running');
		await sendHeartbeat(bot, { ...connecting, uptimeMs: 70_000 });
		expect(h.server.fleet.get(0)?.lifecycle).toBe('running');
		expect(clusterHealth(h.server.fleet.get(0)!)).toBe('degraded');
		// A smaller uptime means the process restarted: it is starting again.
		await sendHeartbeat(bot, { ...connecting, uptimeMs: 1_000 });
		expect(h.server.fleet.get(0)?.lifecycle).toBe('starting');
	});

	it('reports two clusters claiming one shard instead of merging them', async () => {
		const a = await connectBot(h.url);
		const b = await connectBot(h.url);
		await sendHeartbeat(a, heartbeat(0, [0, 1, 2, 3]));
		const ack = await sendHeartbeat(b, heartbeat(1, [3, 4, 5]));
		expect(ack).toMatchObject({ ok: true, conflicts: [{ shardId: 3, clusterIds: [0, 1] }] });
		await sendHeartbeat(b, heartbeat(1, [3, 4, 5]));

		const status = await snapshot();
		expect(status.conflicts).toEqual([{ shardId: 3, clusterIds: [0, 1] }]);
		expect(status.clusters.map((c) => c.shardIds)).toEqual([
			[0, 1, 2, 3],
			[3, 4, 5]
		]);
		// Logged once when it appears, not on every heartbeat.
		expect(h.logs.filter((l) => l.msg === 'shard claimed by more than one live cluster')).toHaveLength(1);

		b.disconnect();
		await eventually(async () => (await snapshot()).conflicts.length === 0);
	});

	it('marks a cluster stopped the moment its bot socket disconnects, keeping its last heartbeat time', async () => {
		const bot = await connectBot(h.url);
		const ack = await sendHeartbeat(bot, heartbeat(0, [0, 1]));
		bot.disconnect();
		await eventually(() => h.server.fleet.get(0)?.lifecycle === 'stopped');
		const cluster = h.server.fleet.get(0)!;
		expect(cluster.lastHeartbeatAt).toBe(ack.ok && ack.receivedAt);
		// Never frozen at its last good state: the shards are shown down.
		expect(cluster.shards.map((s) => [s.state, s.ping])).toEqual([
			['disconnected', null],
			['disconnected', null]
		]);
	});

	it('forgets a stopped cluster once its shards are served by another live cluster', async () => {
		const old = await connectBot(h.url);
		await sendHeartbeat(old, heartbeat(9, [6, 7]));
		old.disconnect();
		await eventually(() => h.server.fleet.get(9)?.lifecycle === 'stopped');
		const replacement = await connectBot(h.url);
		await sendHeartbeat(replacement, heartbeat(3, [6, 7]));
		expect(h.server.fleet.get(9)).toBeUndefined();
	});
});

describe('liveness', () => {
	it('marks a silent cluster stopped after 3 missed intervals, and not before', async () => {
		await h.close();
		vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date', 'performance'] });
		h = await startServer({ heartbeatIntervalMs: 5_000, missedHeartbeats: 3 });
		const bot = await connectBot(h.url);
		const ack = await sendHeartbeat(bot, heartbeat(0, [0, 1]));

		vi.advanceTimersByTime(14_000);
		expect(h.server.fleet.get(0)?.lifecycle).toBe('running');
		vi.advanceTimersByTime(2_000);
		const cluster = h.server.fleet.get(0)!;
		expect(cluster.lifecycle).toBe('stopped');
		expect(cluster.lastHeartbeatAt).toBe(ack.ok && ack.receivedAt);
		expect(h.logs.some((l) => l.msg === 'cluster went silent; marked stopped' && l.cluster === 0)).toBe(true);
		expect(bot.connected).toBe(true);

		// A heartbeat brings it back.
		await sendHeartbeat(bot, heartbeat(0, [0, 1]));
		expect(h.server.fleet.get(0)?.lifecycle).toBe('running');
	});

	it('clears its timers (liveness sweep, push batching, uptime rollup, event-loop delay window, the outbox\'s maintenance check, the unconfirmed-subscription sweep) on close', async () => {
		await h.close();
		vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
		h = await startServer();
		await h.server.history.whenReady();
		await vi.waitFor(() => expect(vi.getTimerCount()).toBe(6));
		await h.close();
		expect(vi.getTimerCount()).toBe(0);
	});
});

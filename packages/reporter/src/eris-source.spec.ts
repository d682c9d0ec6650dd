import { afterEach, describe, expect, it } from 'vitest';
import type { ShardState } from '../../../shared-types/index.ts';
import { parseHeartbeat } from '../../../server/protocol/heartbeat-schema.ts';
import { BOT_SECRET, eventually, startServer, type Harness } from '../../../testing/server/harness.ts';
import { erisSource, type ErisClientLike, type ErisShardLike } from './eris-source.ts';
import { reportErisClient, reportOceanicClient, type ShardbeatReporter } from './index.ts';
import type { ClusterReport } from './reporter.ts';

/*
 * Eris and Oceanic.js are not dependencies: the clients here are built in each library's shape
 * (Eris: range in client.options; Oceanic.js: range in client.shards.options, a Map subclass).
 */

function shard(id: number, status: string, latency = Number.POSITIVE_INFINITY): ErisShardLike {
	return { id, status, latency };
}

function erisClient(shards: ErisShardLike[], guilds: [shardId: number, members: number][], options: ErisClientLike['options'] = {}): ErisClientLike {
	return {
		shards: new Map(shards.map((s) => [s.id, s])),
		guilds: new Map(guilds.map(([shardId, memberCount], i) => [String(i), { shard: shards.find((s) => s.id === shardId) ?? { id: shardId }, memberCount }])),
		options
	};
}

class OceanicShardManager extends Map<number, ErisShardLike> {
	constructor(
		shards: ErisShardLike[],
		readonly options: { maxShards: number | 'auto'; firstShardID: number; lastShardID: number; shardIDs?: number[] }
	) {
		super(shards.map((s) => [s.id, s]));
	}
}

/** An Oceanic.js client holding `shardIds`, each ready, with `options` as its ShardManager has them. */
function oceanic(shardIds: number[], options: OceanicShardManager['options']): ErisClientLike {
	return { shards: new OceanicShardManager(shardIds.map((id) => shard(id, 'ready', 20)), options), guilds: new Map() };
}

function read(client: ErisClientLike, options: Parameters<typeof erisSource>[1] = {}): ClusterReport {
	const report = erisSource(client, { uptimeMs: () => 1234, ...options })();
	const parsed = parseHeartbeat({ v: 1, ...report });
	expect(parsed, parsed.ok ? '' : parsed.error.message).toMatchObject({ ok: true });
	return report;
}

describe('compile-time: real Eris and Oceanic.js clients are ErisClientLike', () => {
	it('assign without a cast', async () => {
		const { Client: ErisClient } = await import('eris');
		const { Client: OceanicClient } = await import('oceanic.js');
		const eris: ErisClientLike = new ErisClient('Bot x', { intents: [] });
		const oceanic: ErisClientLike = new OceanicClient({ auth: 'Bot x' });
		expect([eris, oceanic].map((c) => typeof c.shards.values)).toEqual(['function', 'function']);
	});
});

describe('erisSource reads an Eris or Oceanic.js client', () => {
	const states: [status: string, expected: ShardState][] = [
		['disconnected', 'disconnected'],
		['connecting', 'connecting'],
		['handshaking', 'connecting'],
		['identifying', 'identifying'],
		['resuming', 'resuming'],
		['ready', 'ready'],
		['something-new', 'disconnected']
	];
	it.each(states)('status %s → %s', (status, expected) => {
		expect(read(erisClient([shard(0, status, 40)], [])).shards).toEqual([{ id: 0, state: expected, ping: 40, guilds: 0, unavailableGuilds: 0 }]);
	});

	it('Eris: the range and total from client.options, guilds and members per shard, latency rounded, Infinity left out', () => {
		const client = erisClient(
			[shard(5, 'ready', 41.6), shard(4, 'ready', 38), shard(6, 'resuming'), shard(7, 'connecting', -1)],
			[[4, 100], [4, 20], [5, 7], [6, Number.NaN], [2, 9999]],
			{ firstShardID: 4, lastShardID: 7, maxShards: 16 }
		);
		expect(read(client)).toEqual({
			clusterId: 0,
			totalShards: 16,
			shardIds: [4, 5, 6, 7],
			shards: [
				{ id: 4, state: 'ready', ping: 38, guilds: 2, unavailableGuilds: 0 },
				{ id: 5, state: 'ready', ping: 42, guilds: 1, unavailableGuilds: 0 },
				{ id: 6, state: 'resuming', guilds: 1, unavailableGuilds: 0 },
				{ id: 7, state: 'connecting', guilds: 0, unavailableGuilds: 0 }
			],
			guilds: 4,
			members: 127,
			uptimeMs: 1234
		});
	});

	it("Oceanic.js: the range from client.shards.options; a shard not yet created is listed but not reported; clusterId and totalShards options win", () => {
		const shards = [shard(8, 'ready', 12), shard(9, 'handshaking')];
		const client: ErisClientLike = { shards: new OceanicShardManager(shards, { maxShards: 'auto', firstShardID: 8, lastShardID: 10 }), guilds: new Map() };
		expect(read(client)).toMatchObject({ clusterId: 0, totalShards: 11, shardIds: [8, 9, 10], shards: [{ id: 8 }, { id: 9, state: 'connecting' }] });
		expect(read(client, { clusterId: 3, totalShards: 24 })).toMatchObject({ clusterId: 3, totalShards: 24, shardIds: [8, 9, 10] });
	});

	// Which shards the cluster claims, from each library's own options as they stand after connect.
	const ranges: [what: string, client: () => ErisClientLike, shardIds: number[], totalShards: number][] = [
		['Eris firstShardID..lastShardID', () => erisClient([shard(2, 'ready')], [], { firstShardID: 2, lastShardID: 3, maxShards: 4 }), [2, 3], 4],
		['Oceanic.js firstShardID..lastShardID', () => oceanic([2, 3], { maxShards: 4, firstShardID: 2, lastShardID: 3 }), [2, 3], 4],
		// Oceanic.js 1.15 with `shardIDs: [2, 3], maxShards: 'auto'`: connect sets maxShards and lastShardID from
		// GET /gateway/bot and leaves firstShardID at 0, so only shardIDs says which shards are this client's.
		['Oceanic.js shardIDs over the 0..last it fills in', () => oceanic([2, 3], { maxShards: 4, firstShardID: 0, lastShardID: 3, shardIDs: [2, 3] }), [2, 3], 4],
		['Oceanic.js shardIDs, not contiguous, unordered', () => oceanic([5, 1], { maxShards: 8, firstShardID: 0, lastShardID: -1, shardIDs: [5, 1] }), [1, 5], 8],
		['Oceanic.js before connect: empty shardIDs, lastShardID -1', () => oceanic([], { maxShards: 'auto', firstShardID: 0, lastShardID: -1, shardIDs: [] }), [0], 1]
	];
	it.each(ranges)('shard list: %s', (_, client, shardIds, totalShards) => {
		expect(read(client())).toMatchObject({ shardIds, totalShards });
	});

	it("'auto' before connecting, no range: the shards the client holds, or shard 0", () => {
		expect(read(erisClient([shard(1, 'ready'), shard(0, 'ready')], [], { maxShards: 'auto' }))).toMatchObject({ totalShards: 2, shardIds: [0, 1] });
		expect(read(erisClient([], []))).toMatchObject({ totalShards: 1, shardIds: [0], shards: [] });
	});
});

describe('unavailable guilds, from real Eris and Oceanic.js clients fed gateway packets', () => {
	const TOTAL = 4;
	/** A guild id that Discord's `(id >> 22) % 4` puts on `shardId` (the `n`th such id). */
	const guildOn = (shardId: number, n = 0) => String((2_400_000_000n + BigInt(n * TOTAL + shardId)) << 22n);
	const READY_EXTRA = {
		v: 10,
		user: { id: '1', username: 'bot', discriminator: '0', bot: true, avatar: null, global_name: null },
		session_id: 's',
		resume_gateway_url: 'ws://127.0.0.1',
		private_channels: [],
		application: { id: '1', flags: 0 }
	};
	const GUILD_EXTRA = { channels: [], roles: [], members: [], voice_states: [], presences: [], emojis: [], threads: [], stickers: [], features: [], stage_instances: [], guild_scheduled_events: [], owner_id: '1' };
	type Packet = [shardId: number, t: string, d: Record<string, unknown>];
	const ready = (shardId: number, ...ids: string[]): Packet => [shardId, 'READY', { ...READY_EXTRA, shard: [shardId, TOTAL], guilds: ids.map((id) => ({ id, unavailable: true })) }];
	const create = (shardId: number, id: string): Packet => [shardId, 'GUILD_CREATE', { ...GUILD_EXTRA, id, name: id, member_count: 5, unavailable: false }];
	const outage = (shardId: number, id: string): Packet => [shardId, 'GUILD_DELETE', { id, unavailable: true }];

	/** The library's client for shards 0 and 1 of 4, its real `Shard`s, and how a packet reaches one. */
	interface Library {
		client: ErisClientLike;
		send(packet: Packet): Promise<void>;
		close(): void;
	}
	async function eris(): Promise<Library> {
		const { Client, Shard } = await import('eris');
		const client = new Client('Bot x', { firstShardID: 0, lastShardID: 1, maxShards: TOTAL, intents: ['guilds'] });
		// `wsEvent` takes a dispatch as Eris's socket handler passes it on; it is not in Eris's typings.
		const shards = [0, 1].map((id) => new Shard(id, client) as InstanceType<typeof Shard> & { wsEvent(packet: unknown): void });
		shards.forEach((s, id) => client.shards.set(id, s));
		return {
			client,
			send: async ([id, t, d]) => shards[id]!.wsEvent({ op: 0, t, d }),
			close: () => shards.forEach((s) => s.hardReset())
		};
	}
	async function oceanic(): Promise<Library> {
		const { Client, Shard } = await import('oceanic.js');
		const client = new Client({ auth: 'Bot x', gateway: { intents: ['GUILDS'], maxShards: TOTAL, firstShardID: 0, lastShardID: 1 } });
		const shards = [0, 1].map((id) => new Shard(id, client.shards));
		shards.forEach((s, id) => client.shards.set(id, s));
		// What `client.connect()` sets; Oceanic.js's Guild#shard refuses to answer without it.
		client.shards.connected = true;
		return {
			client,
			async send([id, t, d]) {
				shards[id]!['onPacket']({ op: 0, t, d, s: 0 } as never);
				// Oceanic.js handles dispatches in async functions: let them run.
				await new Promise((resolve) => setImmediate(resolve));
			},
			close: () => shards.forEach((s) => s.hardReset())
		};
	}

	const cases: { name: string; packets: Packet[]; expected: Record<number, [guilds: number, unavailable: number]> }[] = [
		{ name: "READY's guilds are unavailable until their GUILD_CREATE", packets: [ready(0, guildOn(0), guildOn(0, 1)), ready(1, guildOn(1))], expected: { 0: [2, 2], 1: [1, 1] } },
		{ name: 'GUILD_CREATE makes one available', packets: [ready(0, guildOn(0), guildOn(0, 1)), create(0, guildOn(0))], expected: { 0: [2, 1], 1: [0, 0] } },
		{
			name: 'GUILD_DELETE unavailable: true (a Discord outage) keeps the guild counted, as unavailable',
			packets: [create(1, guildOn(1)), create(1, guildOn(1, 1)), outage(1, guildOn(1))],
			expected: { 0: [0, 0], 1: [2, 1] }
		},
		{ name: 'the outage ends with a GUILD_CREATE', packets: [create(1, guildOn(1)), outage(1, guildOn(1)), create(1, guildOn(1))], expected: { 0: [0, 0], 1: [1, 0] } },
		{ name: "an unavailable guild of another cluster's shard is not counted", packets: [ready(0, guildOn(3), guildOn(0))], expected: { 0: [1, 1], 1: [0, 0] } }
	];
	describe.each([
		['Eris', eris],
		['Oceanic.js', oceanic]
	] as const)('%s', (_, make) => {
		it.each(cases)('$name', async ({ packets, expected }) => {
			const library = await make();
			try {
				for (const packet of packets) await library.send(packet);
				const report = read(library.client);
				expect(Object.fromEntries(report.shards.map((s) => [s.id, [s.guilds, s.unavailableGuilds]]))).toEqual(expected);
				expect(report.guilds).toBe(Object.values(expected).reduce((n, [guilds]) => n + guilds, 0));
			} finally {
				library.close();
			}
		});
	});

	it('takes the shard an Eris entry names over the formula', () => {
		const client = erisClient([shard(0, 'ready', 30), shard(1, 'ready', 30)], [], { firstShardID: 0, lastShardID: 1, maxShards: TOTAL });
		client.unavailableGuilds = new Map([['a', { id: guildOn(0), shard: { id: 1 } }]]);
		expect(read(client).shards.map((s) => s.unavailableGuilds)).toEqual([0, 1]);
	});

	it('skips an entry whose id is no snowflake and names no shard', () => {
		const client = erisClient([shard(0, 'ready', 30)], [], { firstShardID: 0, lastShardID: 0, maxShards: 1 });
		client.unavailableGuilds = new Map([['a', { id: 'not-a-snowflake' }]]);
		expect(read(client).shards).toMatchObject([{ guilds: 0, unavailableGuilds: 0 }]);
	});
});

describe('reportErisClient / reportOceanicClient: one call, reported to a real server', () => {
	let h: Harness | undefined;
	const reporters: ShardbeatReporter[] = [];
	afterEach(async () => {
		for (const r of reporters.splice(0)) r.stop();
		await h?.close();
	});

	it('both clusters appear in GET /api/status', async () => {
		h = await startServer();
		const logger = { info() {}, warn() {}, error() {} };
		const eris = erisClient([shard(0, 'ready', 30), shard(1, 'ready', 31)], [[0, 10]], { firstShardID: 0, lastShardID: 1, maxShards: 4 });
		const oceanic: ErisClientLike = {
			shards: new OceanicShardManager([shard(2, 'ready', 50), shard(3, 'identifying')], { maxShards: 4, firstShardID: 2, lastShardID: 3 }),
			guilds: new Map()
		};
		reporters.push(reportErisClient(eris, { url: h.url, secret: BOT_SECRET, logger }));
		reporters.push(reportOceanicClient(oceanic, { url: h.url, secret: BOT_SECRET, clusterId: 1, logger }));
		const url = h.url;
		await eventually(async () => {
			await h!.server.flush();
			const body = (await (await fetch(`${url}/api/status`)).json()) as { clusters: { id: number }[] };
			return body.clusters.length === 2;
		});
		const body = (await (await fetch(`${url}/api/status`)).json()) as { clusters: { id: number; lifecycle: string; shardIds: number[]; guilds: number }[] };
		expect(body.clusters).toMatchObject([
			{ id: 0, lifecycle: 'running', shardIds: [0, 1], guilds: 1 },
			{ id: 1, lifecycle: 'starting', shardIds: [2, 3], guilds: 0 }
		]);
	});
});

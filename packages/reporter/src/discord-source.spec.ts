import { Client, ShardClientUtil, Status, type WebSocketShard } from 'discord.js';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LIMITS } from '../../../shared-types/index.ts';
import { parseHeartbeat } from '../../../server/protocol/heartbeat-schema.ts';
import { DISCORD_JS_STATUS_CASES } from '../../../testing/fixtures/discord-status.ts';
import { addGuild, addShard, detachedShard, dispatch, nextSnowflake } from '../../../testing/discord/offline-client.js';
import { discordSource, type ClusterClientLike, type DiscordClientLike } from './discord-source.ts';
import { reportDiscordClient } from './index.ts';
import type { ClusterReport } from './reporter.ts';

/*
 * Real discord.js objects, built offline (testing/discord/offline-client.js): real
 * `WebSocketShard`s in `client.ws.shards`, guilds cached through discord.js's own GUILD_CREATE handler.
 */

// The constructor is `private` in discord.js's typings; it is public in its JavaScript.
const RealShardClientUtil = ShardClientUtil as unknown as new (client: Client, mode: string) => ShardClientUtil;

const clients: Client[] = [];

afterEach(async () => {
	await Promise.all(clients.splice(0).map((c) => c.destroy()));
});

function newClient(options: Partial<ConstructorParameters<typeof Client>[0]> = {}): Client {
	const client = new Client({ intents: [], ...options });
	clients.push(client);
	return client;
}

/** The report must also be one the server accepts. */
function read(client: DiscordClientLike, options: Parameters<typeof discordSource>[1] = {}): ClusterReport {
	const source = discordSource(client, { uptimeMs: () => 1234, ...options });
	const report = source();
	source.detach();
	const parsed = parseHeartbeat({ v: 1, ...report });
	expect(parsed, parsed.ok ? '' : parsed.error.message).toMatchObject({ ok: true });
	return report;
}

describe('compile-time: a real discord.js Client is a DiscordClientLike', () => {
	it('assigns without a cast', () => {
		const client = newClient();
		const like: DiscordClientLike = client;
		const ready: DiscordClientLike = client as Client<true>;
		expect(like).toBe(ready);
	});
});

describe('shard states come from discord.js Status numbers', () => {
	it.each(DISCORD_JS_STATUS_CASES)('a shard with Status.%s reports %s', (_name, status, expected) => {
		const client = newClient({ shards: [0], shardCount: 1 });
		addShard(client, { id: 0, status, ping: 40 });
		expect(read(client).shards).toEqual([{ id: 0, state: expected, ping: 40, guilds: 0, unavailableGuilds: 0 }]);
	});

	it('a freshly constructed WebSocketShard (discord.js default: Idle, ping -1) reports idle with no ping', () => {
		const client = newClient();
		client.ws.shards.set(0, detachedShard(client, 0));
		const [shard] = read(client).shards;
		expect(shard).toEqual({ id: 0, state: 'idle', guilds: 0, unavailableGuilds: 0 });
		expect(shard).not.toHaveProperty('ping');
	});
});

describe('ping', () => {
	const cases: { name: string; ping: number; expected: number | undefined }[] = [
		{ name: 'discord.js -1 (no heartbeat yet) is omitted', ping: -1, expected: undefined },
		{ name: 'fractional rounds up', ping: 87.6, expected: 88 },
		{ name: 'fractional rounds down', ping: 87.4, expected: 87 },
		{ name: 'zero is kept', ping: 0, expected: 0 },
		{ name: 'integer is kept', ping: 42, expected: 42 },
		{ name: 'NaN is omitted', ping: Number.NaN, expected: undefined },
		{ name: 'Infinity is omitted', ping: Number.POSITIVE_INFINITY, expected: undefined },
		{ name: 'other negatives are omitted', ping: -5, expected: undefined },
		{ name: 'above the limit is capped', ping: 1e9, expected: LIMITS.maxPingMs }
	];
	it.each(cases)('$name ($ping → $expected)', ({ ping, expected }) => {
		const client = newClient({ shards: [0], shardCount: 1 });
		addShard(client, { id: 0, status: Status.Ready, ping });
		const [shard] = read(client).shards;
		if (expected === undefined) expect(shard).not.toHaveProperty('ping');
		else expect(shard).toHaveProperty('ping', expected);
	});
});

describe('cluster layout', () => {
	const hybrid: ClusterClientLike = { id: 3, shardList: [6, 7], info: { TOTAL_SHARDS: 16 } };

	interface LayoutCase {
		name: string;
		setup: () => { client: Client; options?: Parameters<typeof discordSource>[1] };
		expected: Pick<ClusterReport, 'clusterId' | 'shardIds' | 'totalShards'>;
	}
	const cases: LayoutCase[] = [
		{
			name: '(a) hybrid-sharding cluster passed as an option',
			setup: () => ({ client: newClient({ shards: [6, 7], shardCount: 16 }), options: { cluster: hybrid } }),
			expected: { clusterId: 3, shardIds: [6, 7], totalShards: 16 }
		},
		{
			name: '(b) client.cluster is picked up automatically',
			setup: () => {
				const client = newClient({ shards: [6, 7], shardCount: 16 });
				Object.assign(client, { cluster: hybrid });
				return { client };
			},
			expected: { clusterId: 3, shardIds: [6, 7], totalShards: 16 }
		},
		{
			name: 'the cluster option wins over client.cluster',
			setup: () => {
				const client = newClient();
				Object.assign(client, { cluster: { id: 9, shardList: [0], info: { TOTAL_SHARDS: 1 } } });
				return { client, options: { cluster: hybrid } };
			},
			expected: { clusterId: 3, shardIds: [6, 7], totalShards: 16 }
		},
		{
			name: 'client.cluster wins over client.shard',
			setup: () => {
				const client = newClient();
				client.shard = { ids: [2], count: 4 } as unknown as ShardClientUtil;
				Object.assign(client, { cluster: hybrid });
				return { client };
			},
			expected: { clusterId: 3, shardIds: [6, 7], totalShards: 16 }
		},
		{
			name: '(c) ShardingManager-style client.shard = { ids: [2], count: 4 }',
			setup: () => {
				const client = newClient();
				client.shard = { ids: [2], count: 4 } as unknown as ShardClientUtil;
				return { client };
			},
			expected: { clusterId: 2, shardIds: [2], totalShards: 4 }
		},
		{
			name: '(c) a real ShardClientUtil reading the client’s options',
			setup: () => {
				const client = newClient({ shards: [2], shardCount: 4 });
				// No mode: the constructor attaches no process/worker listeners.
				client.shard = new RealShardClientUtil(client, 'none');
				expect(client.shard.ids).toEqual([2]);
				expect(client.shard.count).toBe(4);
				return { client };
			},
			expected: { clusterId: 2, shardIds: [2], totalShards: 4 }
		},
		{
			name: '(d) no sharding, discord.js defaults (shards [0], shardCount 1)',
			setup: () => ({ client: newClient() }),
			expected: { clusterId: 0, shardIds: [0], totalShards: 1 }
		},
		{
			name: '(d) no sharding, options.shards array with an explicit shardCount',
			setup: () => ({ client: newClient({ shards: [4, 5], shardCount: 8 }) }),
			expected: { clusterId: 0, shardIds: [4, 5], totalShards: 8 }
		},
		{
			name: '(d) no sharding, options.shards number (discord.js turns it into an array)',
			setup: () => ({ client: newClient({ shards: 1, shardCount: 2 }) }),
			expected: { clusterId: 0, shardIds: [1], totalShards: 2 }
		},
		{
			name: '(d) no sharding, shards "auto": ids from client.ws.shards keys',
			setup: () => {
				const client = newClient({ shards: 'auto' });
				addShard(client, { id: 0, status: Status.Ready, ping: 10 });
				addShard(client, { id: 1, status: Status.Connecting });
				addShard(client, { id: 2, status: Status.Ready, ping: 12 });
				return { client };
			},
			expected: { clusterId: 0, shardIds: [0, 1, 2], totalShards: 3 }
		},
		{
			name: 'the clusterId option names a plain client’s cluster (a bot running its own clustering)',
			setup: () => ({ client: newClient({ shards: [2, 3], shardCount: 4 }), options: { clusterId: 1 } }),
			expected: { clusterId: 1, shardIds: [2, 3], totalShards: 4 }
		},
		{
			name: 'the clusterId option wins over client.shard and client.cluster, which keep the shard list',
			setup: () => {
				const client = newClient();
				Object.assign(client, { cluster: hybrid });
				return { client, options: { clusterId: 5 } };
			},
			expected: { clusterId: 5, shardIds: [6, 7], totalShards: 16 }
		},
		{
			name: '(d) no sharding, shards "auto" before any shard exists',
			setup: () => ({ client: newClient({ shards: 'auto' }) }),
			expected: { clusterId: 0, shardIds: [0], totalShards: 1 }
		}
	];
	it.each(cases)('$name', ({ setup, expected }) => {
		const { client, options } = setup();
		expect(read(client, options)).toMatchObject(expected);
	});
});

describe('guild and member counts', () => {
	it('counts guilds per shard and totals, only for this cluster’s shards (hybrid layout)', () => {
		const client = newClient({ shards: [6, 7], shardCount: 16 });
		const s6 = addShard(client, { id: 6, status: Status.Ready, ping: 87.6 });
		const s7 = addShard(client, { id: 7, status: Status.Resuming, ping: -1 });
		// A shard of another cluster that somehow is in this client's manager.
		const s8 = addShard(client, { id: 8, status: Status.Ready, ping: 20 });
		addGuild(client, s6, 100);
		addGuild(client, s6, 250);
		addGuild(client, s6, 3);
		addGuild(client, s7, 1000);
		addGuild(client, s8, 99_999);
		addGuild(client, detachedShard(client, 0), 77_777);
		expect(client.guilds.cache.size).toBe(6);

		const report = read(client, { cluster: { id: 3, shardList: [6, 7], info: { TOTAL_SHARDS: 16 } } });
		expect(report).toEqual({
			clusterId: 3,
			shardIds: [6, 7],
			totalShards: 16,
			shards: [
				{ id: 6, state: 'ready', ping: 88, guilds: 3, unavailableGuilds: 0 },
				{ id: 7, state: 'resuming', guilds: 1, unavailableGuilds: 0 }
			],
			guilds: 4,
			members: 1353,
			uptimeMs: 1234
		});
		expect(report.shards[1]).not.toHaveProperty('ping');
	});

	interface CountCase {
		name: string;
		/** Member counts of guilds per shard id; `undefined` is a guild without member_count. */
		guilds: Record<number, (number | undefined)[]>;
		expected: { perShard: Record<number, number>; guilds: number; members: number };
	}
	const cases: CountCase[] = [
		{ name: 'no guilds', guilds: {}, expected: { perShard: { 0: 0, 1: 0 }, guilds: 0, members: 0 } },
		{
			name: 'guilds on both shards',
			guilds: { 0: [10, 20], 1: [5] },
			expected: { perShard: { 0: 2, 1: 1 }, guilds: 3, members: 35 }
		},
		{
			name: 'guilds on a shard outside the cluster are not counted',
			guilds: { 0: [10], 1: [5], 2: [1000, 1000], 3: [7] },
			expected: { perShard: { 0: 1, 1: 1 }, guilds: 2, members: 15 }
		},
		{
			name: 'a guild without member_count counts as a guild but adds no members',
			guilds: { 0: [10, undefined], 1: [undefined] },
			expected: { perShard: { 0: 2, 1: 1 }, guilds: 3, members: 10 }
		}
	];
	it.each(cases)('$name', ({ guilds, expected }) => {
		const client = newClient({ shards: [0, 1], shardCount: 4 });
		const shards = new Map<number, WebSocketShard>([
			[0, addShard(client, { id: 0, status: Status.Ready, ping: 30 })],
			[1, addShard(client, { id: 1, status: Status.Ready, ping: 31 })]
		]);
		for (const [id, counts] of Object.entries(guilds)) {
			const shard = shards.get(Number(id)) ?? detachedShard(client, Number(id));
			for (const count of counts) addGuild(client, shard, count);
		}
		const report = read(client);
		expect(Object.fromEntries(report.shards.map((s) => [s.id, s.guilds]))).toEqual(expected.perShard);
		expect(report.guilds).toBe(expected.guilds);
		expect(report.members).toBe(expected.members);
	});

	it('an unavailable guild (outage) is counted, as unavailable, but adds no members', () => {
		const client = newClient({ shards: [0], shardCount: 1 });
		const s0 = addShard(client, { id: 0, status: Status.Ready, ping: 30 });
		addGuild(client, s0, 50);
		const outage = addGuild(client, s0, undefined, { unavailable: true });
		expect(outage.available).toBe(false);
		const report = read(client);
		expect(report).toMatchObject({ guilds: 2, members: 50, shards: [{ id: 0, guilds: 2, unavailableGuilds: 1 }] });
	});
});

describe('unavailable guilds, through discord.js’s own gateway handlers', () => {
	const READY_EXTRA = { v: 10, user: { id: '1', username: 'bot', discriminator: '0', bot: true, avatar: null }, session_id: 's', resume_gateway_url: 'ws://127.0.0.1', application: { id: '1', flags: 0 } };
	const ids = (shardId: number, n: number) => Array.from({ length: n }, (_, i) => String(200_000_000_000_000_000n + BigInt(shardId * 100 + i)));
	// As Discord sends it: `unavailable: false` is what makes discord.js mark a known guild available again.
	const created = (id: string) => ({ id, name: id, channels: [], roles: [], member_count: 4, unavailable: false });
	interface Step {
		name: string;
		/** What the gateway sends, per shard, in order. */
		act: (client: Client, shard: (id: number) => WebSocketShard) => void;
		/** Per shard id: [guilds, unavailable guilds]. */
		expected: Record<number, [guilds: number, unavailable: number]>;
	}
	const cases: Step[] = [
		{
			name: "READY's guilds are unavailable until their GUILD_CREATE",
			act: (client, shard) => {
				dispatch(client, shard(0), 'READY', { ...READY_EXTRA, guilds: ids(0, 3).map((id) => ({ id, unavailable: true })) });
				dispatch(client, shard(1), 'READY', { ...READY_EXTRA, guilds: ids(1, 2).map((id) => ({ id, unavailable: true })) });
			},
			expected: { 0: [3, 3], 1: [2, 2] }
		},
		{
			name: 'GUILD_CREATE makes a READY guild available',
			act: (client, shard) => {
				dispatch(client, shard(0), 'READY', { ...READY_EXTRA, guilds: ids(0, 3).map((id) => ({ id, unavailable: true })) });
				for (const id of ids(0, 2)) dispatch(client, shard(0), 'GUILD_CREATE', created(id));
			},
			expected: { 0: [3, 1], 1: [0, 0] }
		},
		{
			name: 'GUILD_DELETE with unavailable: true (a Discord outage) keeps the guild, unavailable',
			act: (client, shard) => {
				for (const id of ids(1, 4)) dispatch(client, shard(1), 'GUILD_CREATE', created(id));
				for (const id of ids(1, 3)) dispatch(client, shard(1), 'GUILD_DELETE', { id, unavailable: true });
			},
			expected: { 0: [0, 0], 1: [4, 3] }
		},
		{
			name: 'the outage ends: GUILD_CREATE brings them back',
			act: (client, shard) => {
				for (const id of ids(1, 2)) dispatch(client, shard(1), 'GUILD_CREATE', created(id));
				for (const id of ids(1, 2)) dispatch(client, shard(1), 'GUILD_DELETE', { id, unavailable: true });
				for (const id of ids(1, 2)) dispatch(client, shard(1), 'GUILD_CREATE', created(id));
			},
			expected: { 0: [0, 0], 1: [2, 0] }
		},
		{
			name: 'a GUILD_DELETE without unavailable (the bot left) removes the guild',
			act: (client, shard) => {
				for (const id of ids(0, 2)) dispatch(client, shard(0), 'GUILD_CREATE', created(id));
				dispatch(client, shard(0), 'GUILD_DELETE', { id: ids(0, 1)[0] });
			},
			expected: { 0: [1, 0], 1: [0, 0] }
		},
		{
			name: "another cluster's unavailable guilds are not counted",
			act: (client) => dispatch(client, detachedShard(client, 3), 'READY', { ...READY_EXTRA, guilds: ids(3, 5).map((id) => ({ id, unavailable: true })) }),
			expected: { 0: [0, 0], 1: [0, 0] }
		}
	];
	it.each(cases)('$name', ({ act, expected }) => {
		const client = newClient({ shards: [0, 1], shardCount: 4 });
		const shards = [addShard(client, { id: 0, status: Status.Ready, ping: 30 }), addShard(client, { id: 1, status: Status.Ready, ping: 31 })];
		act(client, (id) => shards[id]!);
		const report = read(client);
		expect(Object.fromEntries(report.shards.map((s) => [s.id, [s.guilds, s.unavailableGuilds]]))).toEqual(expected);
		expect(report.guilds).toBe(Object.values(expected).reduce((n, [guilds]) => n + guilds, 0));
	});

	it('reads the client afresh on every call', () => {
		const client = newClient({ shards: [0], shardCount: 1 });
		const s0 = addShard(client, { id: 0, status: Status.Connecting });
		const source = discordSource(client, { uptimeMs: () => 0 });
		expect(source()).toMatchObject({ guilds: 0, shards: [{ id: 0, state: 'connecting', guilds: 0 }] });
		s0.status = Status.Ready;
		s0.ping = 55;
		addGuild(client, s0, 12);
		expect(source()).toMatchObject({ guilds: 1, members: 12, shards: [{ id: 0, state: 'ready', ping: 55, guilds: 1 }] });
	});
});

describe('the guild cache is walked again only when discord.js may have changed what it holds', () => {
	const member = () => ({ user: { id: nextSnowflake(), username: 'someone', discriminator: '0' }, roles: [], joined_at: new Date(0).toISOString() });

	interface ChangeCase {
		name: string;
		/** Applies one change to a client with guilds a (10 members) and b (20) on shard 0, c (30) on shard 1, other (7) on shard 5, not the cluster's. */
		change: (client: Client, shards: WebSocketShard[], ids: { a: string; b: string; c: string; other: string }) => void;
		expected: { guilds: number; members: number; perShard: [number, number] };
	}
	const cases: ChangeCase[] = [
		{ name: 'nothing (the counts as built)', change: () => {}, expected: { guilds: 3, members: 60, perShard: [2, 1] } },
		{
			name: 'GUILD_MEMBER_ADD: one more member, same cache size',
			change: (client, [s0], { a }) => dispatch(client, s0!, 'GUILD_MEMBER_ADD', { guild_id: a, ...member() }),
			expected: { guilds: 3, members: 61, perShard: [2, 1] }
		},
		{
			name: 'GUILD_MEMBER_REMOVE: one member fewer (not cached: discord.js still counts it down)',
			change: (client, [, s1], { c }) => dispatch(client, s1!, 'GUILD_MEMBER_REMOVE', { guild_id: c, user: member().user }),
			expected: { guilds: 3, members: 59, perShard: [2, 1] }
		},
		{
			name: 'GUILD_MEMBER_ADD ×3 and _REMOVE ×1 across both shards',
			change: (client, [s0, s1], { a, c }) => {
				for (const [shard, guild_id] of [[s0, a], [s1, c], [s1, c]] as const) dispatch(client, shard!, 'GUILD_MEMBER_ADD', { guild_id, ...member() });
				dispatch(client, s0!, 'GUILD_MEMBER_REMOVE', { guild_id: a, user: member().user });
			},
			expected: { guilds: 3, members: 62, perShard: [2, 1] }
		},
		{
			name: 'GUILD_MEMBER_ADD for a guild not in the cache (discord.js ignores it)',
			change: (client, [s0]) => dispatch(client, s0!, 'GUILD_MEMBER_ADD', { guild_id: nextSnowflake(), ...member() }),
			expected: { guilds: 3, members: 60, perShard: [2, 1] }
		},
		{
			name: 'GUILD_MEMBER_ADD for a guild of a shard not in this cluster',
			change: (client, [s0], { other }) => dispatch(client, s0!, 'GUILD_MEMBER_ADD', { guild_id: other, ...member() }),
			expected: { guilds: 3, members: 60, perShard: [2, 1] }
		},
		{
			name: 'GUILD_DELETE unavailable, then GUILD_MEMBER_ADD for it (its count is kept)',
			change: (client, [s0], { a }) => {
				dispatch(client, s0!, 'GUILD_DELETE', { id: a, unavailable: true });
				dispatch(client, s0!, 'GUILD_MEMBER_ADD', { guild_id: a, ...member() });
			},
			expected: { guilds: 3, members: 61, perShard: [2, 1] }
		},
		{
			name: 'GUILD_DELETE: the bot left a guild',
			change: (client, [s0], { b }) => dispatch(client, s0!, 'GUILD_DELETE', { id: b }),
			expected: { guilds: 2, members: 40, perShard: [1, 1] }
		},
		{
			name: 'GUILD_DELETE unavailable, then GUILD_CREATE with a new member count: same cache size throughout',
			change: (client, [s0], { a }) => {
				dispatch(client, s0!, 'GUILD_DELETE', { id: a, unavailable: true });
				dispatch(client, s0!, 'GUILD_CREATE', { id: a, name: 'back', channels: [], roles: [], member_count: 15 });
			},
			expected: { guilds: 3, members: 65, perShard: [2, 1] }
		},
		{
			name: 'GUILD_CREATE: a new guild',
			change: (client, [, s1]) => void addGuild(client, s1!, 5),
			expected: { guilds: 4, members: 65, perShard: [2, 2] }
		},
		{
			name: 'a guild removed from the cache by the bot itself (no dispatch)',
			change: (client, _shards, { c }) => void client.guilds.cache.delete(c),
			expected: { guilds: 2, members: 30, perShard: [2, 0] }
		}
	];
	it.each(cases)('after $name, the same report as a fresh read', ({ change, expected }) => {
		const client = newClient({ shards: [0, 1], shardCount: 2 });
		const shards = [addShard(client, { id: 0, status: Status.Ready, ping: 30 }), addShard(client, { id: 1, status: Status.Ready, ping: 31 })];
		const ids = { a: addGuild(client, shards[0]!, 10).id, b: addGuild(client, shards[0]!, 20).id, c: addGuild(client, shards[1]!, 30).id, other: addGuild(client, detachedShard(client, 5), 7).id };
		const source = discordSource(client, { uptimeMs: () => 1234 });
		source(); // the walk this source keeps
		change(client, shards, ids);
		const report = source();
		source.detach();
		expect(report).toEqual(read(client));
		expect({ guilds: report.guilds, members: report.members, perShard: report.shards.map((s) => s.guilds) }).toEqual(expected);
	});

	it('after any sequence of guild and member dispatches, reads as a fresh source does', () => {
		type Step =
			| { kind: 'join' | 'leave' | 'unavailable' | 'back' | 'left' | 'dropped'; guild: number; shard: number }
			| { kind: 'new'; shard: number; members: number }
			| { kind: 'read' };
		const guildStep = (kind: 'join' | 'leave' | 'unavailable' | 'back' | 'left' | 'dropped') =>
			fc.record({ kind: fc.constant(kind), guild: fc.nat(7), shard: fc.nat(2) });
		const step: fc.Arbitrary<Step> = fc.oneof(
			{ weight: 4, arbitrary: fc.oneof(guildStep('join'), guildStep('leave')) },
			fc.oneof(guildStep('unavailable'), guildStep('back'), guildStep('left'), guildStep('dropped')),
			fc.record({ kind: fc.constant('new' as const), shard: fc.nat(2), members: fc.nat(50) }),
			{ weight: 2, arbitrary: fc.constant({ kind: 'read' as const }) }
		);
		fc.assert(
			fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
				// Shards 0 and 1 are this cluster's; 2 is another's, its guilds in the same cache.
				const client = newClient({ shards: [0, 1], shardCount: 3 });
				const shards = [addShard(client, { id: 0, status: Status.Ready, ping: 30 }), addShard(client, { id: 1, status: Status.Ready, ping: 31 }), detachedShard(client, 2)];
				const ids = [10, 20, 30, 40, 50].map((members, i) => addGuild(client, shards[i % 3]!, members).id);
				const source = discordSource(client, { uptimeMs: () => 1234 });
				source();
				for (const s of steps) {
					if (s.kind === 'read') expect(source()).toEqual(read(client));
					else if (s.kind === 'new') ids.push(addGuild(client, shards[s.shard]!, s.members).id);
					else {
						// Guild 5-7 ids are unknown to the cache (a dispatch discord.js ignores).
						const id = ids[s.guild] ?? `9${s.guild}`;
						const shard = shards[s.shard]!;
						if (s.kind === 'join') dispatch(client, shard, 'GUILD_MEMBER_ADD', { guild_id: id, ...member() });
						if (s.kind === 'leave') dispatch(client, shard, 'GUILD_MEMBER_REMOVE', { guild_id: id, user: member().user });
						if (s.kind === 'unavailable') dispatch(client, shard, 'GUILD_DELETE', { id, unavailable: true });
						if (s.kind === 'back') dispatch(client, shard, 'GUILD_CREATE', { id, name: 'back', channels: [], roles: [], member_count: 3 });
						if (s.kind === 'left') dispatch(client, shard, 'GUILD_DELETE', { id });
						if (s.kind === 'dropped') client.guilds.cache.delete(id);
					}
				}
				expect(source()).toEqual(read(client));
				source.detach();
			}),
			{ numRuns: 150 }
		);
	});

	it('reads of an unchanged client walk the cache once; shard states and pings are read every time', () => {
		const client = newClient({ shards: [0], shardCount: 1 });
		const s0 = addShard(client, { id: 0, status: Status.Ready, ping: 30 });
		const guild = addGuild(client, s0, 10);
		const walks = vi.spyOn(client.guilds.cache, 'values');
		const source = discordSource(client, { uptimeMs: () => 0 });
		source();
		source();
		s0.status = Status.Resuming;
		s0.ping = 99;
		// Dispatches that do not touch guilds or member counts, as a busy bot gets thousands of.
		dispatch(client, s0, 'TYPING_START', { channel_id: '1', guild_id: guild.id, user_id: '2', timestamp: 0 });
		dispatch(client, s0, 'GUILD_ROLE_CREATE', { guild_id: guild.id, role: { id: nextSnowflake(), name: 'new', permissions: '0', position: 1, color: 0 } });
		expect(source()).toMatchObject({ members: 10, shards: [{ id: 0, state: 'resuming', ping: 99, guilds: 1 }] });
		expect(walks).toHaveBeenCalledTimes(1);
		// A member joining is counted without a walk; a guild arriving is walked for.
		dispatch(client, s0, 'GUILD_MEMBER_ADD', { guild_id: guild.id, ...member() });
		expect(source()).toMatchObject({ members: 11 });
		expect(walks).toHaveBeenCalledTimes(1);
		addGuild(client, s0, 4);
		expect(source()).toMatchObject({ members: 15, guilds: 2 });
		expect(walks).toHaveBeenCalledTimes(2);
		source.detach();
	});

	it('a different shard list (a hybrid cluster given new shards) walks again', () => {
		const client = newClient({ shards: [0, 1], shardCount: 2 });
		addGuild(client, addShard(client, { id: 0, status: Status.Ready }), 10);
		addGuild(client, addShard(client, { id: 1, status: Status.Ready }), 20);
		const cluster: ClusterClientLike = { id: 0, shardList: [0], info: { TOTAL_SHARDS: 2 } };
		const source = discordSource(client, { cluster, uptimeMs: () => 1234 });
		expect(source()).toMatchObject({ guilds: 1, members: 10 });
		cluster.shardList = [0, 1];
		expect(source()).toMatchObject({ guilds: 2, members: 30 });
		source.detach();
	});

	const done: [name: string, start: (client: Client) => () => void][] = [
		['discordSource(client).detach()', (client) => discordSource(client).detach],
		// Port 9 (discard): nothing listens, and stop() ends the reconnecting at once.
		['reportDiscordClient(client).stop()', (client) => reportDiscordClient(client, { url: 'http://127.0.0.1:9', secret: 's', logger: { info() {}, warn() {}, error() {} } }).stop]
	];
	it.each(done)('%s removes every listener it added to client.ws (the client outlives it)', (_name, start) => {
		const client = newClient();
		const events = ['READY', 'GUILD_CREATE', 'GUILD_DELETE', 'GUILD_MEMBER_ADD', 'GUILD_MEMBER_REMOVE'];
		const count = () => events.map((e) => client.ws.listenerCount(e));
		const stop = start(client);
		expect(count()).toEqual([1, 1, 1, 1, 1]);
		stop();
		expect(count()).toEqual([0, 0, 0, 0, 0]);
	});

	it('a client without client.ws.on (any object of the shape) is walked at every read', () => {
		const guild = { shardId: 0, memberCount: 5 };
		const client: DiscordClientLike = { ws: { shards: new Map([[0, { id: 0, status: Status.Ready, ping: 1 }]]) }, guilds: { cache: new Map([['g', guild]]) } };
		const source = discordSource(client, { uptimeMs: () => 0 });
		expect(source().members).toBe(5);
		guild.memberCount = 6;
		expect(source().members).toBe(6);
	});
});

describe('a source kept across heartbeats', () => {
	it('hands out the same object for a shard whose figures did not change, a new one for one that did, and never changes one it handed out', () => {
		const client = newClient({ shards: [0, 1, 2], shardCount: 3 });
		const shards = [0, 1, 2].map((id) => addShard(client, { id, status: Status.Ready, ping: 30 + id }));
		addGuild(client, shards[1]!, 10);
		const source = discordSource(client, { uptimeMs: () => 0 });
		const first = source();
		const kept = structuredClone(first);
		const second = source();
		expect(second.shards).toBe(first.shards);
		expect(second.shardIds).toBe(first.shardIds);
		shards[1]!.ping = 99;
		const third = source();
		expect(third.shards).not.toBe(first.shards);
		expect(third.shards.map((s, i) => s === first.shards[i])).toEqual([true, false, true]);
		expect(third.shards[1]).toEqual({ id: 1, state: 'ready', ping: 99, guilds: 1, unavailableGuilds: 0 });
		expect(first).toEqual(kept);
		// Frozen, so that the reporter may know an unchanged shard by identity (changedShards).
		expect([third.shards, third.shardIds, ...third.shards].every((o) => Object.isFrozen(o))).toBe(true);
		source.detach();
	});

	it('after any sequence of shard changes, reads as a fresh source does, and earlier reads stay as they were', () => {
		type Step =
			| { kind: 'status'; shard: number; status: number }
			| { kind: 'ping'; shard: number; ping: number }
			| { kind: 'replace' | 'remove' | 'add'; shard: number }
			| { kind: 'list'; ids: number[] }
			| { kind: 'read' };
		const shard = fc.nat(4);
		const step: fc.Arbitrary<Step> = fc.oneof(
			fc.record({ kind: fc.constant('status' as const), shard, status: fc.constantFrom(...DISCORD_JS_STATUS_CASES.map(([, s]) => s)) }),
			fc.record({ kind: fc.constant('ping' as const), shard, ping: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 500 })) }),
			fc.record({ kind: fc.constantFrom('replace' as const, 'remove' as const, 'add' as const), shard }),
			fc.record({ kind: fc.constant('list' as const), ids: fc.uniqueArray(shard, { minLength: 1, maxLength: 5 }) }),
			{ weight: 3, arbitrary: fc.constant({ kind: 'read' as const }) }
		);
		fc.assert(
			fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
				const client = newClient({ shards: [0, 1, 2, 3, 4], shardCount: 5 });
				const cluster: ClusterClientLike = { id: 0, shardList: [0, 1, 2, 3], info: { TOTAL_SHARDS: 5 } };
				for (let id = 0; id < 5; id++) addGuild(client, addShard(client, { id, status: Status.Ready, ping: 30 + id }), 10 + id);
				const source = discordSource(client, { cluster, uptimeMs: () => 1234 });
				const reads: [ClusterReport, ClusterReport][] = [];
				const check = () => {
					const report = source();
					expect(report).toEqual(read(client, { cluster }));
					reads.push([report, structuredClone(report)]);
				};
				check();
				for (const s of steps) {
					const current = client.ws.shards.get(s.kind === 'read' || s.kind === 'list' ? -1 : s.shard);
					if (s.kind === 'read') check();
					else if (s.kind === 'list') cluster.shardList = s.ids;
					else if (s.kind === 'status' && current) current.status = s.status;
					else if (s.kind === 'ping' && current) current.ping = s.ping;
					else if (s.kind === 'remove') client.ws.shards.delete(s.shard);
					// Another WebSocketShard object in the same place of ws.shards (discord.js makes new ones when it reconnects a manager).
					else if (s.kind === 'replace' && current) client.ws.shards.set(s.shard, Object.assign(detachedShard(client, s.shard), { status: current.status, ping: current.ping }));
					else if (s.kind === 'add' && !current) addShard(client, { id: s.shard, status: Status.Connecting });
				}
				check();
				for (const [report, copy] of reads) expect(report).toEqual(copy);
				source.detach();
			}),
			{ numRuns: 200 }
		);
	});
});

describe('uptimeMs', () => {
	const cases: [given: number, expected: number][] = [
		[0, 0],
		[1234, 1234],
		[1234.4, 1234],
		[1234.6, 1235],
		[-50, 0]
	];
	it.each(cases)('%s → %s', (given, expected) => {
		const client = newClient();
		expect(discordSource(client, { uptimeMs: () => given })().uptimeMs).toBe(expected);
	});

	it('defaults to process uptime', () => {
		const client = newClient();
		const before = process.uptime() * 1000;
		const uptime = discordSource(client)().uptimeMs;
		const after = process.uptime() * 1000;
		expect(uptime).toBeGreaterThanOrEqual(Math.floor(before));
		expect(uptime).toBeLessThanOrEqual(Math.ceil(after));
	});
});

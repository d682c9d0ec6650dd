import { Client, ShardClientUtil, Status, WebSocketShard, type Guild, type WebSocketManager } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { LIMITS, type ShardState } from '../../../shared-types/index.ts';
import { parseHeartbeat } from '../../../server/protocol/heartbeat-schema.ts';
import { discordSource, type ClusterClientLike, type DiscordClientLike } from './discord-source.ts';
import type { ClusterReport } from './reporter.ts';

/*
 * Real discord.js objects, built offline: no token, no login, no network. Shards are real
 * `WebSocketShard`s in the real `client.ws.shards` Collection, and guilds enter the cache through
 * discord.js's own GUILD_CREATE dispatch handler, exactly as they do when the gateway sends them.
 */

// Both constructors are `private` in discord.js's typings; they are public in its JavaScript.
const RealWebSocketShard = WebSocketShard as unknown as new (manager: WebSocketManager, id: number) => WebSocketShard;
const RealShardClientUtil = ShardClientUtil as unknown as new (client: Client, mode: string) => ShardClientUtil;

/** `handlePacket` is internal to discord.js's WebSocketManager (not in its typings). */
interface PacketHandler {
	handlePacket(packet: { t: string; d: unknown }, shard: WebSocketShard): boolean;
}

const clients: Client[] = [];

afterEach(async () => {
	await Promise.all(clients.splice(0).map((c) => c.destroy()));
});

function newClient(options: Partial<ConstructorParameters<typeof Client>[0]> = {}): Client {
	const client = new Client({ intents: [], ...options });
	clients.push(client);
	return client;
}

interface ShardSpec {
	id: number;
	status: Status;
	ping?: number;
}

function addShard(client: Client, { id, status, ping }: ShardSpec): WebSocketShard {
	const shard = new RealWebSocketShard(client.ws, id);
	shard.status = status;
	if (ping !== undefined) shard.ping = ping;
	client.ws.shards.set(id, shard);
	return shard;
}

let nextGuild = 100_000_000_000_000_000n;

/** Feeds a GUILD_CREATE for a new guild through discord.js's own handler, as if `shard` received it. */
function addGuild(client: Client, shard: WebSocketShard, memberCount?: number, extra: Record<string, unknown> = {}): Guild {
	const id = String(nextGuild++);
	const data = {
		id,
		name: `guild ${id}`,
		channels: [],
		roles: [],
		...(memberCount === undefined ? {} : { member_count: memberCount }),
		...extra
	};
	(client.ws as unknown as PacketHandler).handlePacket({ t: 'GUILD_CREATE', d: data }, shard);
	const guild = client.guilds.cache.get(id);
	if (!guild) throw new Error(`discord.js did not cache guild ${id}`);
	expect(guild.shardId).toBe(shard.id);
	return guild;
}

/**
 * Feeds any gateway dispatch through discord.js's own handler, as if `shard` received it (for
 * READY, the shard first takes the packet, as discord.js's manager does).
 */
function dispatch(client: Client, shard: WebSocketShard, t: string, d: unknown): void {
	if (t === 'READY') (shard as unknown as { onReadyPacket(d: unknown): void }).onReadyPacket(d);
	(client.ws as unknown as PacketHandler).handlePacket({ t, d }, shard);
}

/** A shard that is not in `client.ws.shards` but whose id guilds can still be tagged with. */
function detachedShard(client: Client, id: number): WebSocketShard {
	return new RealWebSocketShard(client.ws, id);
}

/** The report must also be one the server accepts. */
function read(client: DiscordClientLike, options: Parameters<typeof discordSource>[1] = {}): ClusterReport {
	const report = discordSource(client, { uptimeMs: () => 1234, ...options })();
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
	const cases: [name: keyof typeof Status, status: Status, expected: ShardState][] = [
		['Ready', Status.Ready, 'ready'],
		['Connecting', Status.Connecting, 'connecting'],
		['Reconnecting', Status.Reconnecting, 'reconnecting'],
		['Idle', Status.Idle, 'idle'],
		['Nearly', Status.Nearly, 'nearly'],
		['Disconnected', Status.Disconnected, 'disconnected'],
		['WaitingForGuilds', Status.WaitingForGuilds, 'waiting-for-guilds'],
		['Identifying', Status.Identifying, 'identifying'],
		['Resuming', Status.Resuming, 'resuming']
	];
	it.each(cases)('a shard with Status.%s reports %s', (_name, status, expected) => {
		const client = newClient({ shards: [0], shardCount: 1 });
		addShard(client, { id: 0, status, ping: 40 });
		expect(read(client).shards).toEqual([{ id: 0, state: expected, ping: 40, guilds: 0, unavailableGuilds: 0 }]);
	});

	it('a freshly constructed WebSocketShard (discord.js default: Idle, ping -1) reports idle with no ping', () => {
		const client = newClient();
		client.ws.shards.set(0, new RealWebSocketShard(client.ws, 0));
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

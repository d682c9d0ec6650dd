import { describe, expect, it } from 'vitest';
import { cluster as fixtureCluster, range, shard as fixtureShard } from '#testing/fixtures/cluster';
import type { ClusterStatus, ShardStatus } from '../cluster.ts';
import { LIMITS } from '../heartbeat.ts';
import { SHARD_STATES, type ShardState } from '../shard-state.ts';
import { WireFormatError } from './bytes.ts';
import { decodeDelta, decodeFull, encodeDelta, encodeDeltaEntry, encodeFull, joinDelta, mergeChange, type ChangeSet, type ClusterChange, type DeltaEntry } from './fleet-update.ts';

const AT = Date.UTC(2026, 10, 21, 12, 0, 0);

const pingOf = (id: number) => 40 + (id % 50);
const guildsOf = (id: number) => 900 + id;
const shard = (id: number, over: Partial<ShardStatus> = {}): ShardStatus => fixtureShard(id, 'ready', { readyPing: pingOf(id), guilds: guildsOf(id), ...over });

/** A running cluster reporting every shard it owns, unless `over` says otherwise (`over` wins over the figures built from its own shards). */
const cluster = (id: number, shardIds: number[], over: Partial<ClusterStatus> = {}): ClusterStatus => ({
	...fixtureCluster({ id, shardIds, readyPing: pingOf, guildsPerShard: guildsOf, members: 100_000 * shardIds.length, startedAt: AT - 3_600_000, lastHeartbeatAt: AT - 1_234 }),
	...over
});

describe('encodeFull / decodeFull round trip', () => {
	const gappy = [0, 1, 2, 10, 11, 20, 31, 32, 33];
	const cases: { name: string; clusters: ClusterStatus[] }[] = [
		{ name: 'no clusters', clusters: [] },
		{ name: 'contiguous shard ids', clusters: [cluster(0, range(0, 8)), cluster(1, range(8, 8))] },
		{ name: 'a block that does not start at 0', clusters: [cluster(3, range(1_000, 16))] },
		{ name: 'shard ids with gaps (several runs)', clusters: [cluster(2, gappy)] },
		{
			name: 'fewer shards reported than assigned (a subset, not a prefix)',
			clusters: [cluster(4, range(4, 8), { shards: [shard(5), shard(7), shard(8), shard(11)] })]
		},
		{
			name: 'a subset of gappy ids',
			clusters: [cluster(5, gappy, { shards: [shard(1), shard(10), shard(33)] })]
		},
		{ name: 'zero reported shards', clusters: [cluster(6, range(0, 4), { lifecycle: 'starting', shards: [], guilds: 0 })] },
		{
			name: 'null pings',
			clusters: [cluster(7, range(0, 3), { shards: range(0, 3).map((id) => shard(id, { state: 'identifying', ping: null })) })]
		},
		{
			name: 'every shard state',
			clusters: [cluster(8, range(0, SHARD_STATES.length), { shards: SHARD_STATES.map((state, id) => shard(id, { state })) })]
		},
		{
			name: 'ping 0 and 60000',
			clusters: [cluster(9, [0, 1], { shards: [shard(0, { ping: 0 }), shard(1, { ping: 60_000 })] })]
		},
		{ name: 'huge counters', clusters: [cluster(10, [0], { members: 2 ** 52, guilds: 2 ** 40, shards: [shard(0, { guilds: 2 ** 33 })] })] },
		{
			name: 'times after the base (negative offsets)',
			clusters: [cluster(11, [0, 1], { startedAt: AT + 5_000, lastHeartbeatAt: AT + 10 })]
		},
		{ name: 'times far before the base', clusters: [cluster(12, [0], { startedAt: 0, lastHeartbeatAt: 1 })] },
		{
			name: 'stopped lifecycle',
			clusters: [cluster(13, range(0, 4), { lifecycle: 'stopped', shards: range(0, 4).map((id) => shard(id, { state: 'disconnected', ping: null })) })]
		},
		{ name: 'large ids, zero totals', clusters: [cluster(100_000, [99_999], { totalShards: 0, guilds: 0, members: 0 })] },
		{
			name: 'unavailable guilds: 0, some, all, the limit, and not reported, side by side',
			clusters: [
				cluster(14, range(0, 5), {
					shards: [
						shard(0, { unavailableGuilds: 0 }),
						shard(1, { unavailableGuilds: 3 }),
						shard(2, { guilds: 7, unavailableGuilds: 7, state: 'waiting-for-guilds', ping: null }),
						shard(3, { guilds: LIMITS.maxUnavailableGuilds, unavailableGuilds: LIMITS.maxUnavailableGuilds, ping: LIMITS.maxPingMs }),
						shard(4)
					]
				})
			]
		},
		{ name: 'unavailable guilds on a subset of gappy ids', clusters: [cluster(15, gappy, { shards: [shard(1, { unavailableGuilds: 2 }), shard(33)] })] },
		{
			name: 'a mixed fleet',
			clusters: [
				cluster(0, range(0, 4)),
				cluster(1, gappy, { lifecycle: 'starting', shards: [shard(2, { state: 'resuming', ping: null })] }),
				cluster(2, range(50, 2), { lifecycle: 'stopped' })
			]
		}
	];

	it.each(cases.map((c) => [c.name, c] as const))('%s', (_, { clusters }) => {
		expect(decodeFull(encodeFull(clusters, AT), AT)).toEqual(clusters);
	});

	it('decodes from an ArrayBuffer as well', () => {
		const clusters = [cluster(1, gappy)];
		expect(decodeFull(new Uint8Array(encodeFull(clusters, AT)).buffer, AT)).toEqual(clusters);
	});

	it('refuses trailing bytes', () => {
		const data = encodeFull([cluster(1, [0, 1])], AT);
		expect(() => decodeFull(new Uint8Array([...data, 0]), AT)).toThrow(WireFormatError);
	});

	it('refuses truncated data', () => {
		const data = encodeFull([cluster(1, [0, 1])], AT);
		expect(() => decodeFull(data.subarray(0, data.length - 1), AT)).toThrow(WireFormatError);
	});
});

describe('data written before unavailable guilds existed', () => {
	/*
	 * Bytes of the encoder as it was before the field (commit cc33873), kept verbatim: a replica,
	 * a Redis record or a page holding them must still read them, and a fleet with no counts must
	 * still be written byte for byte the same.
	 */
	const before = cluster(7, range(0, 3), {
		guilds: 3_603,
		members: 5_000,
		totalShards: 64,
		startedAt: AT - 3_600_000,
		lastHeartbeatAt: AT - 1_000,
		shards: [
			{ id: 0, state: 'ready', ping: 40, guilds: 1_200 },
			{ id: 1, state: 'resuming', ping: null, guilds: 1_201 },
			{ id: 2, state: 'ready', ping: 40, guilds: 1_202 }
		]
	});
	const after: ClusterStatus = { ...before, guilds: 3_600, shards: before.shards.map((s, i) => (i === 1 ? { ...s, state: 'ready', ping: 77 } : s)) };
	const OLD_FULL = '01070180bab703d00f40931c8827010002039005b00903b1099005b209';
	const OLD_DELTA = '0107d00f901c88270101e009b109';
	const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

	it('an old full snapshot decodes, with no counts', () => {
		const [decoded] = decodeFull(Buffer.from(OLD_FULL, 'hex'), AT);
		expect(decoded).toEqual(before);
		expect(decoded!.shards.some((s) => 'unavailableGuilds' in s)).toBe(false);
	});

	it('an old patch decodes against the cluster it patches', () => {
		expect(decodeDelta(Buffer.from(OLD_DELTA, 'hex'), AT, () => before)).toEqual([{ kind: 'set', cluster: after, change: new Set([1]) }]);
	});

	it('a fleet without counts is written exactly as before', () => {
		expect(hex(encodeFull([before], AT))).toBe(OLD_FULL);
		expect(hex(encodeDelta(new Map([[7, new Set([1])]]), () => after, AT))).toBe(OLD_DELTA);
	});
});

describe('a realistic fleet (1,000 clusters × 16 shards)', () => {
	/** mulberry32: a seeded generator, so the fleet (and its size) is the same every run. */
	function random(seed: number): (min: number, max: number) => number {
		return (min, max) => {
			seed = (seed + 0x6d2b79f5) | 0;
			let t = seed;
			t = Math.imul(t ^ (t >>> 15), t | 1);
			t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
			const unit = ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
			return min + Math.floor(unit * (max - min + 1));
		};
	}

	const rand = random(20261121);
	const clusters: ClusterStatus[] = range(0, 1_000).map((id) => {
		const shards = range(id * 16, 16).map((sid) => ({
			id: sid,
			state: (rand(0, 99) < 97 ? 'ready' : 'resuming') as ShardState,
			ping: rand(40, 150),
			guilds: rand(600, 1_500)
		}));
		return {
			id,
			lifecycle: 'running',
			shardIds: shards.map((s) => s.id),
			shards,
			guilds: shards.reduce((n, s) => n + s.guilds, 0),
			members: shards.length * rand(90_000, 110_000),
			totalShards: 16_000,
			startedAt: AT - rand(3_600_000, 3 * 86_400_000),
			lastHeartbeatAt: AT - rand(0, 5_000)
		};
	});

	it('fits in 120,000 bytes and round-trips exactly', () => {
		const data = encodeFull(clusters, AT);
		expect(data.length).toBeLessThanOrEqual(120_000);
		expect(decodeFull(data, AT)).toEqual(clusters);
	});

	it('costs not one byte more when every shard reports 0 unavailable guilds, and a few when some have them', () => {
		const none = clusters.map((c) => ({ ...c, shards: c.shards.map((s) => ({ ...s, unavailableGuilds: 0 })) }));
		expect(encodeFull(none, AT).length).toBe(encodeFull(clusters, AT).length);
		// A Discord outage: one shard in eight has some guilds unavailable.
		const outage = none.map((c) => ({ ...c, shards: c.shards.map((s) => (s.id % 8 === 0 ? { ...s, unavailableGuilds: rand(1, 40) } : s)) }));
		const data = encodeFull(outage, AT);
		expect(data.length - encodeFull(clusters, AT).length).toBeLessThanOrEqual(2 * 2_000);
		expect(decodeFull(data, AT)).toEqual(outage);
	});
});

describe('encodeFull refuses clusters it cannot carry faithfully', () => {
	const cases: { name: string; c: ClusterStatus }[] = [
		{ name: 'a shard outside shardIds (fewer shards than ids)', c: cluster(1, [0, 1, 2], { shards: [shard(0), shard(7)] }) },
		// With as many shards as ids the ids are not sent, so a foreign one would come back renamed.
		{ name: 'a shard outside shardIds (as many shards as ids)', c: cluster(1, [0, 1], { shards: [shard(0), shard(7)] }) },
		{ name: 'shards out of order (fewer shards than ids)', c: cluster(1, [0, 1, 2], { shards: [shard(2), shard(0)] }) },
		{ name: 'shards out of order (as many shards as ids)', c: cluster(1, [0, 1], { shards: [shard(1), shard(0, { state: 'idle' })] }) },
		{ name: 'an unknown state', c: cluster(1, [0, 1], { shards: [shard(0), shard(1, { state: 'zombie' as ShardState })] }) }
	];
	it.each(cases.map((k) => [k.name, k] as const))('%s', (_, { c }) => {
		expect(() => encodeFull([c], AT)).toThrow(WireFormatError);
	});
});

describe('mergeChange', () => {
	const cases: [name: string, prev: ClusterChange | undefined, next: ClusterChange, expected: ClusterChange][] = [
		['nothing, then a patch', undefined, new Set([1]), new Set([1])],
		['nothing, then removed', undefined, 'removed', 'removed'],
		['patch + patch (union)', new Set([1, 2]), new Set([2, 5]), new Set([1, 2, 5])],
		['patch + empty patch', new Set([3]), new Set(), new Set([3])],
		['patch + full', new Set([1]), 'full', 'full'],
		['full + patch', 'full', new Set([1]), 'full'],
		['full + removed', 'full', 'removed', 'removed'],
		['removed + full', 'removed', 'full', 'full'],
		['patch + removed', new Set([1]), 'removed', 'removed'],
		// A receiver that applied the removal no longer has the cluster to patch.
		['removed + patch', 'removed', new Set([1]), 'full']
	];
	it.each(cases)('%s', (_, prev, next, expected) => {
		expect(mergeChange(prev, next)).toEqual(expected);
	});

	it('leaves both inputs untouched', () => {
		const prev = new Set([1]);
		const next = new Set([2]);
		mergeChange(prev, next);
		expect([...prev]).toEqual([1]);
		expect([...next]).toEqual([2]);
	});
});

describe('encodeDelta / decodeDelta', () => {
	const before = cluster(7, range(0, 8));
	// The server's copy: shards 1, 3 and 5 moved, but the change set names only 1 and 3.
	const after: ClusterStatus = {
		...before,
		guilds: before.guilds + 5,
		members: before.members + 100,
		lastHeartbeatAt: AT - 10,
		shards: before.shards.map((s, i) =>
			i === 1 ? { ...s, ping: 99 } : i === 3 ? { ...s, state: 'resuming', ping: null } : i === 5 ? { ...s, guilds: 1 } : s
		)
	};
	const server = (id: number) => (id === after.id ? after : undefined);
	const client = (id: number) => (id === before.id ? before : undefined);

	it('a patch carries the named shards and the cluster counters, nothing else', () => {
		const data = encodeDelta(new Map([[7, new Set([3, 1])]]), server, AT);
		const expected: DeltaEntry = {
			kind: 'set',
			cluster: {
				...before,
				guilds: after.guilds,
				members: after.members,
				lastHeartbeatAt: after.lastHeartbeatAt,
				shards: before.shards.map((s, i) => (i === 1 || i === 3 ? after.shards[i]! : s))
			},
			change: new Set([1, 3])
		};
		expect(decodeDelta(data, AT, client)).toEqual([expected]);
		expect(data.length).toBeLessThan(encodeDelta(new Map([[7, 'full']]), server, AT).length);
	});

	describe('unavailable guilds in patches', () => {
		const counted: ClusterStatus = { ...before, shards: before.shards.map((s, i) => (i === 2 ? { ...s, unavailableGuilds: 4 } : s)) };
		const cases: [name: string, held: ClusterStatus, sent: ClusterStatus, index: number][] = [
			['a count appears', before, { ...before, shards: before.shards.map((s, i) => (i === 1 ? { ...s, unavailableGuilds: 12 } : s)) }, 1],
			['a count moves', counted, { ...counted, shards: counted.shards.map((s, i) => (i === 2 ? { ...s, unavailableGuilds: 9 } : s)) }, 2],
			['a count drops to 0', counted, { ...counted, shards: counted.shards.map((s, i) => (i === 2 ? { ...s, unavailableGuilds: 0 } : s)) }, 2],
			['a count is no longer reported', counted, before, 2]
		];
		it.each(cases)('%s: the patch carries the shard as it is now', (_, held, sent, index) => {
			const [entry] = decodeDelta(encodeDelta(new Map([[7, new Set([index])]]), () => sent, AT), AT, () => held);
			expect(entry).toEqual({ kind: 'set', cluster: sent, change: new Set([index]) });
			const shard = (entry as { cluster: ClusterStatus }).cluster.shards[index]!;
			expect('unavailableGuilds' in shard).toBe(sent.shards[index]!.unavailableGuilds !== undefined);
		});
	});

	it('a counters-only patch (empty set) moves the counters alone', () => {
		const data = encodeDelta(new Map([[7, new Set<number>()]]), server, AT);
		const [entry] = decodeDelta(data, AT, client);
		expect(entry).toEqual({ kind: 'set', cluster: { ...before, guilds: after.guilds, members: after.members, lastHeartbeatAt: after.lastHeartbeatAt }, change: new Set() });
	});

	it('drops patch indexes past the end of the shard list', () => {
		const [entry] = decodeDelta(encodeDelta(new Map([[7, new Set([1, 99])]]), server, AT), AT, client);
		expect(entry).toMatchObject({ kind: 'set', change: new Set([1]) });
	});

	it('a full entry carries the whole cluster, whatever the receiver holds', () => {
		const data = encodeDelta(new Map([[7, 'full']]), server, AT);
		expect(decodeDelta(data, AT, () => undefined)).toEqual([{ kind: 'set', cluster: after, change: 'full' }]);
	});

	it.each<[string, ClusterChange]>([
		['full', 'full'],
		['patch', new Set([0])],
		['removed', 'removed']
	])('a %s change for a cluster the server no longer has is sent as removed', (_, change) => {
		const data = encodeDelta(new Map([[42, change]]), server, AT);
		expect(decodeDelta(data, AT, client)).toEqual([{ kind: 'removed', id: 42 }]);
	});

	it('keeps the entries in change-set order', () => {
		const added = cluster(3, [40, 41]);
		const changes: ChangeSet = new Map<number, ClusterChange>([
			[3, 'full'],
			[7, new Set([1])],
			[9, 'removed']
		]);
		const entries = decodeDelta(encodeDelta(changes, (id) => (id === 3 ? added : server(id)), AT), AT, client);
		expect(entries.map((e) => (e.kind === 'removed' ? `-${e.id}` : `${e.cluster.id}:${e.change === 'full' ? 'full' : 'patch'}`))).toEqual([
			'3:full',
			'7:patch',
			'-9'
		]);
	});

	it('refuses a patch for a cluster the receiver does not have', () => {
		const data = encodeDelta(new Map([[7, new Set([1])]]), server, AT);
		expect(() => decodeDelta(data, AT, () => undefined)).toThrow(WireFormatError);
	});

	it('refuses a patch for a shard index the receiver does not have', () => {
		const data = encodeDelta(new Map([[7, new Set([6])]]), server, AT);
		const shorter = { ...before, shardIds: range(0, 4), shards: before.shards.slice(0, 4) };
		expect(() => decodeDelta(data, AT, () => shorter)).toThrow(WireFormatError);
	});

	it('refuses a trailing partial entry (a delta is its entries back to back)', () => {
		const data = encodeDelta(new Map([[9, 'removed']]), server, AT);
		expect(() => decodeDelta(new Uint8Array([...data, 0]), AT, client)).toThrow(WireFormatError);
	});

	it('refuses an unknown entry kind', () => {
		expect(() => decodeDelta(new Uint8Array([9, 0]), AT, client)).toThrow(/unknown delta entry kind/);
	});

	it('joinDelta of separately encoded entries equals encodeDelta of the same changes', () => {
		const changes = new Map<number, ClusterChange>([[9, 'removed']]);
		const parts = [...changes].map(([id, change]) => encodeDeltaEntry(id, change, server, AT).finish());
		expect(joinDelta(parts)).toEqual(encodeDelta(changes, server, AT));
	});
});

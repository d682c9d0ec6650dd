import { describe, expect, it } from 'vitest';
import { encodeFull, type ChangeSet, type ClusterChange, type ClusterStatus, type Heartbeat, type ShardReport, type ShardStatus } from '#shared';
import { cluster } from '#testing/fixtures/cluster';
import { heartbeat } from '#testing/server/harness';
import { changeBetween, Fleet, stoppedCopy } from './fleet.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const SHARDS = [10, 11, 12, 13];

describe('changeBetween', () => {
	const base = cluster({ id: 1, shardIds: SHARDS, guildsPerShard: 100, members: 5_000, totalShards: 16, startedAt: T0, lastHeartbeatAt: T0 + 60_000 });
	const shards = base.shards;
	const next = (over: Partial<ClusterStatus>): ClusterStatus => ({ ...base, lastHeartbeatAt: base.lastHeartbeatAt + 5_000, ...over });
	const shard = (i: number, over: Partial<ShardStatus>) => shards.map((s, k) => (k === i ? { ...s, ...over } : s));
	const wider: ClusterStatus = { ...base, shardIds: [...SHARDS, 14] };

	const cases: [name: string, prev: ClusterStatus | undefined, next: ClusterStatus, expected: ClusterChange | null][] = [
		['a new cluster', undefined, base, 'full'],
		['lifecycle', base, next({ lifecycle: 'starting' }), 'full'],
		['startedAt (a restart)', base, next({ startedAt: T0 + 1 }), 'full'],
		['totalShards (a re-shard)', base, next({ totalShards: 32 }), 'full'],
		['shardIds, same length', base, next({ shardIds: [10, 11, 12, 14] }), 'full'],
		['shardIds, one more', base, next({ shardIds: [...SHARDS, 14] }), 'full'],
		['a shard no longer reported', base, next({ shards: shards.slice(0, 3) }), 'full'],
		['a different shard reported, same count', wider, { ...wider, shards: [...shards.slice(0, 3), { ...shards[3]!, id: 14 }] }, 'full'],
		['one shard ping', base, next({ shards: shard(2, { ping: 41 }) }), new Set([2])],
		['one shard ping becomes known', { ...base, shards: shard(1, { ping: null }) }, next({ shards: shard(1, { ping: 0 }) }), new Set([1])],
		['one shard state', base, next({ shards: shard(1, { state: 'resuming' }) }), new Set([1])],
		['one shard guilds (and the cluster total)', base, next({ shards: shard(3, { guilds: 101 }), guilds: 401 }), new Set([3])],
		['two shards', base, next({ shards: shard(0, { ping: 1 }).map((s, i) => (i === 3 ? { ...s, state: 'idle' } : s)) }), new Set([0, 3])],
		['one shard unavailable guilds, nothing else', { ...base, shards: shard(2, { unavailableGuilds: 0 }) }, next({ shards: shard(2, { unavailableGuilds: 7 }) }), new Set([2])],
		['unavailable guilds reported for the first time (an upgraded reporter)', base, next({ shards: shard(1, { unavailableGuilds: 0 }) }), new Set([1])],
		['unavailable guilds no longer reported', { ...base, shards: shard(0, { unavailableGuilds: 3 }) }, next({}), new Set([0])],
		['only members', base, next({ members: 5_001 }), new Set()],
		['only the cluster guild total', base, next({ guilds: 399 }), new Set()],
		['only lastHeartbeatAt', base, next({}), null],
		['an equal copy', base, { ...base, shardIds: [...SHARDS], shards: shards.map((s) => ({ ...s })) }, null],
		['the same unavailable guilds', { ...base, shards: shard(3, { unavailableGuilds: 5 }) }, next({ shards: shard(3, { unavailableGuilds: 5 }) }), null]
	];
	it.each(cases)('%s', (_, prev, next, expected) => {
		expect(changeBetween(prev, next)).toEqual(expected);
	});
});

describe('Fleet change tracking', () => {
	/** Cluster 1's heartbeat `seconds` after T0, its uptime moving with it (same process). */
	const beat = (seconds: number, extra: Partial<Heartbeat> = {}): [Heartbeat, null, number] => [
		heartbeat(1, SHARDS, 16, { uptimeMs: 60_000 + seconds * 1_000, ...extra }),
		null,
		T0 + seconds * 1_000
	];
	const withShard = (shardId: number, over: Partial<ShardReport>) => ({ shards: heartbeat(1, SHARDS).shards.map((s) => (s.id === shardId ? { ...s, ...over } : s)) });
	const withPing = (shardId: number, ping: number) => withShard(shardId, { ping });

	/** A fleet that has seen cluster 1 once, with that change already taken. */
	function started(): Fleet {
		const fleet = new Fleet();
		fleet.apply(...beat(0));
		fleet.takeChanges();
		return fleet;
	}

	it('records a first heartbeat as full, and takeChanges empties the record', () => {
		const fleet = new Fleet();
		fleet.apply(...beat(0));
		expect(fleet.pendingChanges).toBe(1);
		expect(fleet.takeChanges()).toEqual(new Map([[1, 'full']]));
		expect(fleet.pendingChanges).toBe(0);
		expect(fleet.takeChanges()).toEqual(new Map());
	});

	const cases: [name: string, act: (fleet: Fleet) => void, expected: ChangeSet][] = [
		['an identical heartbeat records nothing', (f) => f.apply(...beat(5)), new Map()],
		['a ping change records the shard’s index, not its id', (f) => f.apply(...beat(5, withPing(12, 90))), new Map([[1, new Set([2])]])],
		['changes to two shards merge', (f) => (f.apply(...beat(5, withPing(10, 90))), f.apply(...beat(10, withPing(13, 90)))), new Map([[1, new Set([0, 3])]])],
		['a member count change records an empty patch', (f) => f.apply(...beat(5, { members: 6_000 })), new Map([[1, new Set()]])],
		['an unavailable-guild count alone records the shard', (f) => f.apply(...beat(5, withShard(11, { unavailableGuilds: 4 }))), new Map([[1, new Set([1])]])],
		['a restart (smaller uptime) records full', (f) => f.apply(heartbeat(1, SHARDS, 16, { uptimeMs: 1_000 }), null, T0 + 5_000), new Map([[1, 'full']])],
		['a stop records full', (f) => f.stop(1), new Map([[1, 'full']])],
		['a patch then a stop is full', (f) => (f.apply(...beat(5, withPing(12, 90))), f.stop(1)), new Map([[1, 'full']])],
		['stopping an unknown cluster records nothing', (f) => f.stop(99), new Map()],
		['a sub-millisecond ping change records nothing', (f) => f.apply(...beat(5, withPing(12, 52.3))), new Map()]
	];
	it.each(cases)('%s', (_, act, expected) => {
		const fleet = started();
		act(fleet);
		expect(fleet.takeChanges()).toEqual(expected);
		expect(fleet.pendingChanges).toBe(0);
	});

	it('records a superseded stopped cluster as removed', () => {
		const fleet = new Fleet();
		fleet.apply(heartbeat(1, [0, 1], 2), 'a', T0);
		fleet.stop(1);
		fleet.takeChanges();
		fleet.apply(heartbeat(2, [0, 1], 2), 'b', T0 + 1_000);
		expect(fleet.takeChanges()).toEqual(
			new Map<number, ClusterChange>([
				[2, 'full'],
				[1, 'removed']
			])
		);
		expect(fleet.get(1)).toBeUndefined();
	});
});

describe('Fleet membership: clusters expected after a restart, and retired ones', () => {
	/** What the history recorded before the restart: a 4 × 4 fleet of 16 shards. */
	const before = [0, 1, 2, 3].map((id) => ({ id, shardIds: [id * 4, id * 4 + 1, id * 4 + 2, id * 4 + 3], totalShards: 16, lastHeartbeatAt: T0 - 60_000 }));
	const ids = (fleet: Fleet) => fleet.snapshot(T0).clusters.map((c) => `${c.id}:${c.lifecycle}`);

	it('keeps expected clusters out of sight until stop reveals one as stopped, shards disconnected', () => {
		const fleet = new Fleet();
		fleet.expect(before);
		expect(ids(fleet)).toEqual([]);
		expect(fleet.takeChanges()).toEqual(new Map());
		expect(fleet.isExpected(3)).toBe(true);
		expect(fleet.stop(3)).toBe(true);
		expect(fleet.isExpected(3)).toBe(false);
		expect(fleet.get(3)).toMatchObject({ lifecycle: 'stopped', shardIds: [12, 13, 14, 15], totalShards: 16, lastHeartbeatAt: T0 - 60_000 });
		expect(fleet.get(3)!.shards.map((s) => s.state)).toEqual(['disconnected', 'disconnected', 'disconnected', 'disconnected']);
		expect(fleet.takeChanges()).toEqual(new Map([[3, 'full']]));
		expect(fleet.stop(3)).toBe(false);
		expect(fleet.stop(42)).toBe(false);
	});

	it('an expected cluster that reports is simply a cluster again', () => {
		const fleet = new Fleet();
		fleet.expect(before);
		fleet.apply(heartbeat(0, [0, 1, 2, 3], 16), 'a', T0);
		expect(fleet.isExpected(0)).toBe(false);
		expect(fleet.stop(0)).toBe(true);
		expect(ids(fleet)).toEqual(['0:stopped']);
	});

	it('a report that lowers the total supersedes expected clusters beyond it: removed, never shown', () => {
		const fleet = new Fleet();
		fleet.expect(before);
		fleet.apply(heartbeat(0, [0, 1, 2, 3], 8), 'a', T0);
		expect(fleet.takeChanges()).toEqual(
			new Map<number, ClusterChange>([
				[0, 'full'],
				[2, 'removed'],
				[3, 'removed']
			])
		);
		expect([2, 3].map((id) => fleet.isExpected(id))).toEqual([false, false]);
		// Cluster 1's shards 4–7 are still the bot's and nobody runs them: it stays expected.
		expect(fleet.isExpected(1)).toBe(true);
	});

	it('expecting clusters after reports arrived supersedes at once, and never overrides a cluster already heard', () => {
		const fleet = new Fleet();
		fleet.apply(heartbeat(0, [0, 1, 2, 3, 4, 5, 6, 7], 8), 'a', T0);
		fleet.takeChanges();
		fleet.expect(before);
		expect(fleet.takeChanges()).toEqual(
			new Map<number, ClusterChange>([
				[1, 'removed'],
				[2, 'removed'],
				[3, 'removed']
			])
		);
		expect(fleet.get(0)!.lifecycle).toBe('running');
	});

	it('expects nothing superseded before any report: the shard count is unknown', () => {
		const fleet = new Fleet();
		fleet.expect(before);
		expect(before.map((c) => fleet.isExpected(c.id))).toEqual([true, true, true, true]);
	});

	it.each<[string, (fleet: Fleet) => ReturnType<Fleet['retire']>, ReturnType<Fleet['retire']>, string[], ChangeSet]>([
		['an unknown cluster', (f) => f.retire(9), { outcome: 'unknown' }, ['0:running', '1:stopped'], new Map()],
		['a live cluster', (f) => f.retire(0), { outcome: 'live', lifecycle: 'running', lastHeartbeatAt: T0 }, ['0:running', '1:stopped'], new Map()],
		['a stopped cluster', (f) => f.retire(1), { outcome: 'retired', shardIds: [4, 5, 6, 7] }, ['0:running'], new Map([[1, 'removed']])],
		['an expected cluster', (f) => f.retire(2), { outcome: 'retired', shardIds: [8, 9, 10, 11] }, ['0:running', '1:stopped'], new Map([[2, 'removed']])],
		[
			'a cluster another instance holds (stopped in the shared fleet)',
			(f) => f.retire(7, { ...f.get(1)!, id: 7, shardIds: [28] }),
			{ outcome: 'retired', shardIds: [28] },
			['0:running', '1:stopped'],
			new Map([[7, 'removed']])
		],
		['a cluster another instance holds, live', (f) => f.retire(7, { ...f.get(0)!, id: 7 }), { outcome: 'live', lifecycle: 'running', lastHeartbeatAt: T0 }, ['0:running', '1:stopped'], new Map()]
	])('retiring %s', (_, act, outcome, shown, changes) => {
		const fleet = new Fleet();
		fleet.expect(before.slice(2));
		fleet.apply(heartbeat(0, [0, 1, 2, 3], 16), 'a', T0);
		fleet.apply(heartbeat(1, [4, 5, 6, 7], 16), 'b', T0);
		fleet.stop(1);
		fleet.takeChanges();
		expect(act(fleet)).toEqual(outcome);
		expect(ids(fleet)).toEqual(shown);
		expect(fleet.takeChanges()).toEqual(changes);
	});

	it("supersedes against the shard count viewers see (the newest live cluster's), not the last heartbeat's", () => {
		// Mid re-shard from 18 shards down to 16: old cluster 0 (18) runs on, new cluster 1 (16) has
		// started, old cluster 5 (15–17) has stopped. The last heartbeat is the old cluster's.
		const fleet = new Fleet();
		fleet.apply(heartbeat(5, [15, 16, 17], 18, { uptimeMs: 3_600_000 }), 'five', T0);
		fleet.apply(heartbeat(1, [15], 16, { uptimeMs: 1_000 }), 'new', T0);
		fleet.stop(5);
		fleet.apply(heartbeat(0, Array.from({ length: 15 }, (_, i) => i), 18, { uptimeMs: 3_600_000 }), 'old', T0);
		expect(fleet.get(5)).toBeUndefined();
		expect(fleet.takeChanges().get(5)).toBe('removed');
	});

	it('a retired cluster that reports again rejoins', () => {
		const fleet = new Fleet();
		fleet.apply(heartbeat(1, [4, 5, 6, 7], 16), 'b', T0);
		fleet.stop(1);
		fleet.retire(1);
		fleet.apply(heartbeat(1, [4, 5, 6, 7], 16), 'b', T0 + 60_000);
		expect(ids(fleet)).toEqual(['1:running']);
	});
});

describe('Fleet.restoreChanges', () => {
	const cases: [name: string, taken: ChangeSet, later: (fleet: Fleet) => void, expected: ChangeSet][] = [
		['nothing since', new Map([[1, new Set([0])]]), () => {}, new Map([[1, new Set([0])]])],
		['a later patch merges with the restored one', new Map([[1, new Set([0])]]), (f) => ping(f, 11), new Map([[1, new Set([0, 1])]])],
		['a restored full stays full under a later patch', new Map([[1, 'full']]), (f) => ping(f, 11), new Map([[1, 'full']])],
		['a later stop wins over a restored patch', new Map([[1, new Set([0])]]), (f) => f.stop(1), new Map([[1, 'full']])],
		[
			'another cluster’s restored change sits beside later ones',
			new Map([[2, 'removed']]),
			(f) => ping(f, 13),
			new Map<number, ClusterChange>([
				[1, new Set([3])],
				[2, 'removed']
			])
		]
	];
	function ping(fleet: Fleet, shardId: number) {
		const shards = heartbeat(1, SHARDS).shards.map((s) => (s.id === shardId ? { ...s, ping: 120 } : s));
		fleet.apply(heartbeat(1, SHARDS, 16, { shards, uptimeMs: 65_000 }), null, T0 + 5_000);
	}
	it.each(cases)('%s', (_, taken, later, expected) => {
		const fleet = new Fleet();
		fleet.apply(heartbeat(1, SHARDS, 16), null, T0);
		fleet.takeChanges();
		later(fleet);
		fleet.restoreChanges(taken);
		expect(fleet.takeChanges()).toEqual(expected);
	});
});

describe('Fleet pings', () => {
	const cases: [reported: number | undefined, stored: number | null][] = [
		[40.4, 40],
		[40.5, 41],
		[0.2, 0],
		[59_999.6, 60_000],
		[undefined, null]
	];
	it.each(cases)('%s ms is stored as %s', (reported, stored) => {
		const fleet = new Fleet();
		const shards = [{ id: 0, state: 'ready' as const, guilds: 10, ...(reported === undefined ? {} : { ping: reported }) }];
		fleet.apply(heartbeat(1, [0], 1, { shards }), null, T0);
		const status = fleet.get(1)!;
		expect(status.shards[0]!.ping).toBe(stored);
		// Whole milliseconds are what the wire carries; a fractional ping would not encode.
		expect(() => encodeFull([status], T0)).not.toThrow();
	});
});

describe('Fleet unavailable guilds', () => {
	const cases: [name: string, reported: number | undefined, stored: number | undefined][] = [
		['an old reporter leaves the count out: not stored as 0', undefined, undefined],
		['0 is kept: the reporter vouches for none', 0, 0],
		['a count is kept as reported', 7, 7]
	];
	it.each(cases)('%s', (_, reported, stored) => {
		const fleet = new Fleet();
		const shards = [{ id: 0, state: 'ready' as const, guilds: 10, ...(reported === undefined ? {} : { unavailableGuilds: reported }) }];
		fleet.apply(heartbeat(1, [0], 1, { shards }), null, T0);
		const shard = fleet.get(1)!.shards[0]!;
		expect(shard.unavailableGuilds).toBe(stored);
		expect('unavailableGuilds' in shard).toBe(stored !== undefined);
	});

	it('a stopped cluster forgets its counts: a dead process has no gateway session to vouch for them', () => {
		const running = cluster({ id: 1, shards: [{ id: 0, state: 'ready', ping: 40, guilds: 10, unavailableGuilds: 3 }] });
		const stopped = stoppedCopy(running);
		expect(stopped.shards).toEqual([{ id: 0, state: 'disconnected', ping: null, guilds: 10 }]);
		expect('unavailableGuilds' in stopped.shards[0]!).toBe(false);
		expect(running.shards[0]!.unavailableGuilds).toBe(3);
	});
});

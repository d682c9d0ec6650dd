import { describe, expect, it } from 'vitest';
import type { ClusterLifecycle, ClusterStatus, ShardState } from '#shared';
import { cluster as buildCluster } from '#testing/fixtures/cluster';
import { averagePing, isUnhealthy, sortClusters, unavailableGuilds, type ClusterSort } from './cluster-view.ts';

const T0 = Date.UTC(2025, 5, 1, 12);

/** A cluster with one shard per entry, ids `id * 10 + i`; ping defaults to 50 for ready shards. */
const cluster = (id: number, shards: (ShardState | [ShardState, number | null])[], lifecycle: ClusterLifecycle = 'running'): ClusterStatus =>
	buildCluster({ id, lifecycle, states: shards, firstShard: id * 10, readyPing: 50, guildsPerShard: 100, members: shards.length * 10_000, startedAt: T0 - 3_600_000, lastHeartbeatAt: T0 - 2_000 });

const ids = (list: readonly ClusterStatus[]) => list.map((c) => c.id);

describe('averagePing', () => {
	it.each([
		{ name: 'all shards have a ping', pings: [10, 20, 30], expected: 20 },
		{ name: 'nulls are ignored, not counted as 0', pings: [null, 40, 60], expected: 50 },
		{ name: 'fractional mean is kept', pings: [10, 11], expected: 10.5 },
		{ name: 'a ping of 0 is a ping', pings: [0, 0], expected: 0 },
		{ name: 'no shard has a ping', pings: [null, null], expected: null },
		{ name: 'no shards at all', pings: [], expected: null }
	])('$name → $expected', ({ pings, expected }) => {
		const c = cluster(
			1,
			pings.map((p) => ['ready', p] as [ShardState, number | null])
		);
		expect(averagePing(c)).toBe(expected);
	});
});

describe('unavailableGuilds', () => {
	const withCounts = (counts: (number | undefined)[]): ClusterStatus => {
		const c = cluster(1, counts.map(() => 'ready'));
		return { ...c, shards: c.shards.map((s, i) => (counts[i] === undefined ? s : { ...s, unavailableGuilds: counts[i] })) };
	};
	it.each([
		{ name: 'summed over the shards', counts: [3, 0, 4], expected: 7 },
		{ name: 'none unavailable', counts: [0, 0], expected: 0 },
		{ name: 'a reporter that does not send the count', counts: [undefined, undefined], expected: 0 },
		{ name: 'some shards with, some without', counts: [undefined, 2], expected: 2 },
		{ name: 'no shards at all', counts: [], expected: 0 }
	])('$name → $expected', ({ counts, expected }) => {
		expect(unavailableGuilds(withCounts(counts))).toBe(expected);
	});
});

describe('isUnhealthy', () => {
	it.each([
		{ name: 'all ready', c: cluster(0, ['ready', 'ready']), expected: false },
		{ name: 'one reconnecting (degraded)', c: cluster(0, ['ready', 'reconnecting']), expected: true },
		{ name: 'none ready (down)', c: cluster(0, ['disconnected', 'identifying']), expected: true },
		{ name: 'stopped with stale ready shards', c: cluster(0, ['ready', 'ready'], 'stopped'), expected: true },
		{ name: 'assigned shard not reported yet', c: { ...cluster(0, ['ready']), shardIds: [0, 1] }, expected: true }
	])('$name → $expected', ({ c, expected }) => {
		expect(isUnhealthy(c)).toBe(expected);
	});
});

describe('sortClusters', () => {
	// Deliberately shuffled input.
	const healthFixture: ClusterStatus[] = [
		cluster(6, ['ready', 'ready']), // healthy
		cluster(3, ['ready', 'ready', 'ready', 'resuming']), // degraded 3/4
		cluster(1, ['ready', 'ready'], 'stopped'), // down (stopped), ratio 2/2
		cluster(5, ['ready', 'idle', 'idle', 'connecting']), // degraded 1/4
		cluster(0, ['ready', 'ready']), // healthy
		cluster(4, ['disconnected', 'disconnected']), // down, ratio 0
		cluster(2, ['reconnecting', 'ready', 'nearly', 'idle']) // degraded 1/4
	];

	const pingFixture: ClusterStatus[] = [
		cluster(4, ['disconnected']), // null
		cluster(0, [['ready', 40], ['ready', 60]]), // 50
		cluster(5, [['ready', 0]]), // 0
		cluster(1, ['disconnected', 'idle']), // null
		cluster(3, [['ready', 50]]), // 50 (tie with 0 → by id)
		cluster(2, [['ready', 100], ['ready', 140], ['reconnecting', null]]) // 120
	];

	it.each([
		{ by: 'id', fixture: healthFixture, expected: [0, 1, 2, 3, 4, 5, 6] },
		// down first (the one with fewer ready shards first), then degraded by ready ratio then id, then healthy by id
		{ by: 'health', fixture: healthFixture, expected: [4, 1, 2, 5, 3, 0, 6] },
		{ by: 'id', fixture: pingFixture, expected: [0, 1, 2, 3, 4, 5] },
		// slowest first, ties by id, clusters without any ping last (by id)
		{ by: 'ping', fixture: pingFixture, expected: [2, 0, 3, 5, 1, 4] }
	] satisfies { by: ClusterSort; fixture: ClusterStatus[]; expected: number[] }[])('by $by → $expected', ({ by, fixture, expected }) => {
		expect(ids(sortClusters(fixture, by))).toEqual(expected);
	});

	it.each(['id', 'health', 'ping'] satisfies ClusterSort[])('by %s returns a new array and never mutates its input', (by) => {
		for (const fixture of [healthFixture, pingFixture]) {
			const before = ids(fixture);
			const snapshot = structuredClone(fixture);
			const frozen = Object.freeze([...fixture]);
			const sorted = sortClusters(frozen, by);
			expect(sorted).not.toBe(frozen);
			expect(ids(fixture)).toEqual(before);
			expect(fixture).toEqual(snapshot);
			expect(sorted).toHaveLength(fixture.length);
			// Same objects, just reordered.
			for (const c of sorted) expect(fixture).toContain(c);
		}
	});

	it.each(['id', 'health', 'ping'] satisfies ClusterSort[])('by %s handles an empty list', (by) => {
		expect(sortClusters([], by)).toEqual([]);
	});
});

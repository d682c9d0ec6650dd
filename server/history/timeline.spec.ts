import { describe, expect, it } from 'vitest';
import { buildShardHistories, outagesOf, type ClusterRow, type ShardRow } from './timeline.ts';

const W = { start: 1_000, end: 10_000 };
const s = (at: number, shard: number, state: string, cluster = 0): ShardRow => ({ at, cluster_id: cluster, shard_id: shard, state });
const removed = (at: number, cluster = 0): ClusterRow => ({ at, cluster_id: cluster, lifecycle: 'removed' });
/** The cluster runs `shardIds` from `at` (a new session, a re-shard, a stop: every cluster row carries it). */
const layout = (at: number, cluster: number, shardIds: number[], lifecycle = 'running'): ClusterRow => ({ at, cluster_id: cluster, lifecycle, shard_ids: shardIds });

type Expected = { shardId: number; tracked: [number, number][]; down: [number, number][]; departures?: number[] };

describe('buildShardHistories', () => {
	it.each<[string, ShardRow[], ClusterRow[], Record<number, Expected[]>]>([
		['nothing recorded', [], [], {}],
		['ready all window (state from before it)', [s(500, 0, 'ready')], [], { 0: [{ shardId: 0, tracked: [[1_000, 10_000]], down: [] }] }],
		['first seen inside the window', [s(4_000, 0, 'ready')], [], { 0: [{ shardId: 0, tracked: [[4_000, 10_000]], down: [] }] }],
		[
			'down then back',
			[s(500, 0, 'ready'), s(2_000, 0, 'reconnecting'), s(2_500, 0, 'resuming'), s(3_000, 0, 'ready')],
			[],
			{ 0: [{ shardId: 0, tracked: [[1_000, 10_000]], down: [[2_000, 3_000]] }] }
		],
		['down before the window and still down', [s(500, 0, 'disconnected')], [], { 0: [{ shardId: 0, tracked: [[1_000, 10_000]], down: [[1_000, 10_000]] }] }],
		['missing (assigned, never reported) is down', [s(2_000, 0, 'missing'), s(3_000, 0, 'ready')], [], { 0: [{ shardId: 0, tracked: [[2_000, 10_000]], down: [[2_000, 3_000]] }] }],
		[
			'a removed cluster stops tracking its shards, down or not',
			[s(500, 0, 'ready'), s(600, 1, 'disconnected')],
			[removed(5_000)],
			{
				0: [
					{ shardId: 0, tracked: [[1_000, 5_000]], down: [], departures: [5_000] },
					{ shardId: 1, tracked: [[1_000, 5_000]], down: [[1_000, 5_000]], departures: [5_000] }
				]
			}
		],
		[
			'a shard moving to another cluster (re-shard) has a history in each',
			[s(500, 3, 'ready', 0), s(6_000, 3, 'ready', 1)],
			[removed(6_000, 0)],
			{ 0: [{ shardId: 3, tracked: [[1_000, 6_000]], down: [], departures: [6_000] }], 1: [{ shardId: 3, tracked: [[6_000, 10_000]], down: [] }] }
		],
		[
			'a layout without a shard ends it in that cluster, down or not; the shards it keeps go on',
			[s(500, 0, 'ready', 2), s(500, 32, 'disconnected', 2)],
			[layout(6_000, 2, [0, 1])],
			{
				2: [
					{ shardId: 0, tracked: [[1_000, 10_000]], down: [] },
					{ shardId: 32, tracked: [[1_000, 6_000]], down: [[1_000, 6_000]], departures: [6_000] }
				]
			}
		],
		[
			'a layout recorded before the window that no longer lists a shard: never tracked inside it',
			[s(200, 32, 'disconnected', 2), s(500, 8, 'ready', 2)],
			[layout(500, 2, [8])],
			{ 2: [{ shardId: 8, tracked: [[1_000, 10_000]], down: [] }, { shardId: 32, tracked: [], down: [] }] }
		],
		[
			'a cluster removed, then back: tracked again from its first row after',
			[s(500, 0, 'ready'), s(5_000, 0, 'ready')],
			[removed(3_000)],
			{ 0: [{ shardId: 0, tracked: [[1_000, 3_000], [5_000, 10_000]], down: [], departures: [3_000] }] }
		],
		[
			'rows from before layouts were recorded (no shard_ids) end nothing',
			[s(500, 0, 'ready')],
			[{ at: 4_000, cluster_id: 0, lifecycle: 'running', shard_ids: null }],
			{ 0: [{ shardId: 0, tracked: [[1_000, 10_000]], down: [] }] }
		],
		[
			'shard 11 down in stopped cluster 5 and up in cluster 2: served, so no phantom downtime in cluster 5',
			[s(500, 11, 'ready', 5), s(2_000, 11, 'disconnected', 5), s(4_000, 11, 'ready', 2)],
			[layout(2_000, 5, [11], 'stopped'), removed(7_000, 5)],
			{ 2: [{ shardId: 11, tracked: [[4_000, 10_000]], down: [] }], 5: [{ shardId: 11, tracked: [[1_000, 4_000]], down: [[2_000, 4_000]], departures: [7_000] }] }
		],
		[
			'two clusters both listing a shard down: it is down in both',
			[s(2_000, 11, 'disconnected', 5), s(4_000, 11, 'identifying', 2), s(6_000, 11, 'ready', 2)],
			[],
			{ 2: [{ shardId: 11, tracked: [[4_000, 10_000]], down: [[4_000, 6_000]] }], 5: [{ shardId: 11, tracked: [[2_000, 6_000]], down: [[2_000, 6_000]] }] }
		],
		['commits sharing a millisecond: a removal ends the states recorded at that instant', [s(500, 0, 'ready'), s(2_000, 1, 'ready'), s(2_000, 0, 'disconnected')], [removed(2_000)], { 0: [{ shardId: 0, tracked: [[1_000, 2_000]], down: [], departures: [2_000] }] }],
		[
			'commits sharing a millisecond: a layout keeps the shards it lists, whatever came before it that instant',
			[s(2_000, 4, 'ready', 1), s(2_000, 8, 'disconnected', 1), s(2_000, 8, 'ready', 1)],
			[layout(2_000, 1, [4, 5], 'running'), layout(2_000, 1, [8])],
			{ 1: [{ shardId: 8, tracked: [[2_000, 10_000]], down: [] }] }
		],
		['rows after the window are ignored', [s(500, 0, 'ready'), s(12_000, 0, 'disconnected')], [], { 0: [{ shardId: 0, tracked: [[1_000, 10_000]], down: [] }] }]
	])('%s', (_, shards, clusters, expected) => {
		const result = buildShardHistories(shards, clusters, W);
		const plain = Object.fromEntries(
			[...result].map(([id, list]) => [
				id,
				list.map((h) => ({
					shardId: h.shardId,
					tracked: h.tracked.map((i) => [i.start, i.end]),
					down: h.down.map((i) => [i.start, i.end]),
					...(h.departures.length > 0 ? { departures: h.departures } : {})
				}))
			])
		);
		expect(plain).toEqual(expected);
	});
});

describe('outagesOf', () => {
	const histories = buildShardHistories([s(500, 0, 'ready'), s(2_000, 0, 'disconnected'), s(3_000, 0, 'ready'), s(8_000, 1, 'disconnected', 1)], [], W);
	it('a shard that recovered exactly at the end of the window is not still out', () => {
		const h = buildShardHistories([s(500, 0, 'disconnected'), s(10_000 - 1, 0, 'ready')], [], { start: 1_000, end: 10_000 - 1 });
		expect(outagesOf(h)).toEqual([{ clusterIds: [0], shardId: 0, start: 1_000, end: 9_999 }]);
	});
	it('a shard that went down at the very end of the window is out (and its earlier outage is over)', () => {
		const h = buildShardHistories([s(500, 0, 'disconnected'), s(2_000, 0, 'ready'), s(9_999, 0, 'disconnected')], [], { start: 1_000, end: 9_999 });
		expect(outagesOf(h)).toEqual([
			{ clusterIds: [0], shardId: 0, start: 1_000, end: 2_000 },
			{ clusterIds: [0], shardId: 0, start: 9_999, end: null }
		]);
	});
	it('lists down intervals; one reaching now is ongoing', () => {
		expect(outagesOf(histories)).toEqual([
			{ clusterIds: [0], shardId: 0, start: 2_000, end: 3_000 },
			{ clusterIds: [1], shardId: 1, start: 8_000, end: null }
		]);
	});
	it('cuts out maintenance of the cluster only', () => {
		expect(outagesOf(histories, (id) => (id === 1 ? [{ start: 7_000, end: 9_000 }] : []))).toEqual([
			{ clusterIds: [0], shardId: 0, start: 2_000, end: 3_000 },
			{ clusterIds: [1], shardId: 1, start: 9_000, end: null }
		]);
	});

	it.each<[string, ShardRow[], ClusterRow[], { shardId: number; start: number; end: number | null; clusterIds: number[]; left?: boolean }[]]>([
		[
			'shard 11 down in cluster 5, back in cluster 2: its outage ends there',
			[s(500, 11, 'ready', 5), s(2_000, 11, 'disconnected', 5), s(4_000, 11, 'ready', 2)],
			[layout(2_000, 5, [11], 'stopped')],
			[{ shardId: 11, start: 2_000, end: 4_000, clusterIds: [5] }]
		],
		[
			'…and the same when cluster 2 takes it over at the very end of the window',
			[s(2_000, 11, 'disconnected', 5), s(10_000, 11, 'ready', 2)],
			[],
			[{ shardId: 11, start: 2_000, end: 10_000, clusterIds: [5] }]
		],
		[
			'…and the same once cluster 5 is superseded at that instant',
			[s(500, 11, 'ready', 5), s(2_000, 11, 'disconnected', 5), s(4_000, 11, 'ready', 2)],
			[layout(2_000, 5, [11], 'stopped'), removed(4_000, 5)],
			[{ shardId: 11, start: 2_000, end: 4_000, clusterIds: [5] }]
		],
		[
			'down in cluster 5, then still coming up in cluster 2: one outage across both',
			[s(2_000, 11, 'disconnected', 5), s(4_000, 11, 'identifying', 2), s(6_000, 11, 'ready', 2)],
			[removed(4_000, 5)],
			[{ shardId: 11, start: 2_000, end: 6_000, clusterIds: [2, 5] }]
		],
		[
			'a shard down when its cluster is removed, run by no other: it left the fleet',
			[s(500, 12, 'ready', 3), s(2_000, 12, 'disconnected', 3)],
			[removed(6_000, 3)],
			[{ shardId: 12, start: 2_000, end: 6_000, clusterIds: [3], left: true }]
		],
		[
			'a shard down when its cluster re-shards without it: it left the fleet',
			[s(2_000, 40, 'disconnected', 2), s(6_000, 8, 'ready', 2)],
			[layout(6_000, 2, [8])],
			[{ shardId: 40, start: 2_000, end: 6_000, clusterIds: [2], left: true }]
		],
		[
			'leaving at the very end of the window is leaving, not still out',
			[s(2_000, 12, 'disconnected', 3)],
			[removed(10_000, 3)],
			[{ shardId: 12, start: 2_000, end: 10_000, clusterIds: [3], left: true }]
		]
	])('%s', (_, shards, clusters, expected) => {
		expect(outagesOf(buildShardHistories(shards, clusters, W))).toEqual(expected);
	});
});

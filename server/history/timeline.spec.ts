import { describe, expect, it } from 'vitest';
import { buildShardHistories, outagesOf, type ClusterRow, type ShardRow } from './timeline.ts';

const W = { start: 1_000, end: 10_000 };
const s = (at: number, shard: number, state: string, cluster = 0): ShardRow => ({ at, cluster_id: cluster, shard_id: shard, state });
const removed = (at: number, cluster = 0): ClusterRow => ({ at, cluster_id: cluster, lifecycle: 'removed' });

describe('buildShardHistories', () => {
	it.each<[string, ShardRow[], ClusterRow[], Record<number, { shardId: number; tracked: [number, number][]; down: [number, number][] }[]>]>([
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
					{ shardId: 0, tracked: [[1_000, 5_000]], down: [] },
					{ shardId: 1, tracked: [[1_000, 5_000]], down: [[1_000, 5_000]] }
				]
			}
		],
		[
			'a shard moving to another cluster (re-shard) has a history in each',
			[s(500, 3, 'ready', 0), s(6_000, 3, 'ready', 1)],
			[removed(6_000, 0)],
			{ 0: [{ shardId: 3, tracked: [[1_000, 6_000]], down: [] }], 1: [{ shardId: 3, tracked: [[6_000, 10_000]], down: [] }] }
		],
		['rows after the window are ignored', [s(500, 0, 'ready'), s(12_000, 0, 'disconnected')], [], { 0: [{ shardId: 0, tracked: [[1_000, 10_000]], down: [] }] }]
	])('%s', (_, shards, clusters, expected) => {
		const result = buildShardHistories(shards, clusters, W);
		const plain = Object.fromEntries(
			[...result].map(([id, list]) => [
				id,
				list.map((h) => ({ shardId: h.shardId, tracked: h.tracked.map((i) => [i.start, i.end]), down: h.down.map((i) => [i.start, i.end]) }))
			])
		);
		expect(plain).toEqual(expected);
	});
});

describe('outagesOf', () => {
	const histories = buildShardHistories([s(500, 0, 'ready'), s(2_000, 0, 'disconnected'), s(3_000, 0, 'ready'), s(8_000, 1, 'disconnected', 1)], [], W);
	it('a shard that recovered exactly at the end of the window is not still out', () => {
		const h = buildShardHistories([s(500, 0, 'disconnected'), s(10_000 - 1, 0, 'ready')], [], { start: 1_000, end: 10_000 - 1 });
		expect(outagesOf(h)).toEqual([{ clusterId: 0, shardId: 0, start: 1_000, end: 9_999 }]);
	});
	it('a shard that went down at the very end of the window is out (and its earlier outage is over)', () => {
		const h = buildShardHistories([s(500, 0, 'disconnected'), s(2_000, 0, 'ready'), s(9_999, 0, 'disconnected')], [], { start: 1_000, end: 9_999 });
		expect(outagesOf(h)).toEqual([
			{ clusterId: 0, shardId: 0, start: 1_000, end: 2_000 },
			{ clusterId: 0, shardId: 0, start: 9_999, end: null }
		]);
	});
	it('lists down intervals; one reaching now is ongoing', () => {
		expect(outagesOf(histories)).toEqual([
			{ clusterId: 0, shardId: 0, start: 2_000, end: 3_000 },
			{ clusterId: 1, shardId: 1, start: 8_000, end: null }
		]);
	});
	it('cuts out maintenance of the cluster only', () => {
		expect(outagesOf(histories, (id) => (id === 1 ? [{ start: 7_000, end: 9_000 }] : []))).toEqual([
			{ clusterId: 0, shardId: 0, start: 2_000, end: 3_000 },
			{ clusterId: 1, shardId: 1, start: 9_000, end: null }
		]);
	});
});

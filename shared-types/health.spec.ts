import { describe, expect, it } from 'vitest';
import { cluster as fixtureCluster, FIXTURE_T0, shard } from '#testing/fixtures/cluster';
import type { ClusterLifecycle, ClusterStatus } from './cluster.ts';
import { clusterHealth, overallHealth, readyShardCount, type ClusterHealth, type OverallHealth } from './health.ts';
import type { ShardState } from './shard-state.ts';

/** A cluster assigned `shardIds`, reporting `states` as `[shardId, state]` pairs. */
const cluster = (id: number, lifecycle: ClusterLifecycle, shardIds: number[], states: [shardId: number, state: ShardState][]): ClusterStatus =>
	fixtureCluster({ id, lifecycle, shardIds, shards: states.map(([shardId, state]) => shard(shardId, state)), members: 1000, lastHeartbeatAt: FIXTURE_T0 + 5_000, startedAt: FIXTURE_T0 });

/** Every id in `shardIds`, each in `state`. */
function all(shardIds: number[], state: ShardState): [number, ShardState][] {
	return shardIds.map((id) => [id, state]);
}

describe('readyShardCount', () => {
	const cases: { name: string; c: ClusterStatus; expected: number }[] = [
		{ name: 'no shards reported', c: cluster(0, 'running', [0, 1], []), expected: 0 },
		{ name: 'all ready', c: cluster(0, 'running', [0, 1, 2], all([0, 1, 2], 'ready')), expected: 3 },
		{
			name: 'only ready counts (transitional and down do not)',
			c: cluster(0, 'running', [0, 1, 2, 3], [
				[0, 'ready'],
				[1, 'resuming'],
				[2, 'idle'],
				[3, 'disconnected']
			]),
			expected: 1
		},
		{
			name: 'a reported shard not in shardIds does not count',
			c: cluster(0, 'running', [0, 1], [
				[0, 'ready'],
				[1, 'ready'],
				[7, 'ready']
			]),
			expected: 2
		},
		{ name: 'reported shards but empty shardIds', c: cluster(0, 'running', [], all([0, 1], 'ready')), expected: 0 },
		// readyShardCount ignores lifecycle; clusterHealth/overallHealth handle stopped clusters.
		{ name: 'lifecycle is not considered', c: cluster(0, 'stopped', [0], all([0], 'ready')), expected: 1 }
	];
	it.each(cases)('$name → $expected', ({ c, expected }) => {
		expect(readyShardCount(c)).toBe(expected);
	});
});

describe('clusterHealth', () => {
	const cases: { name: string; c: ClusterStatus; expected: ClusterHealth }[] = [
		{ name: 'running, every shard ready', c: cluster(0, 'running', [0, 1], all([0, 1], 'ready')), expected: 'healthy' },
		{
			name: 'running, one shard reconnecting',
			c: cluster(0, 'running', [0, 1], [
				[0, 'ready'],
				[1, 'reconnecting']
			]),
			expected: 'degraded'
		},
		{
			name: 'running, one assigned shard not reported yet',
			c: cluster(0, 'running', [0, 1], [[0, 'ready']]),
			expected: 'degraded'
		},
		{ name: 'running, no shard ready', c: cluster(0, 'running', [0, 1], all([0, 1], 'connecting')), expected: 'down' },
		{ name: 'running, nothing reported', c: cluster(0, 'running', [0, 1], []), expected: 'down' },
		{ name: 'starting, no ready shards', c: cluster(0, 'starting', [0, 1], all([0, 1], 'identifying')), expected: 'down' },
		{ name: 'starting, all ready', c: cluster(0, 'starting', [0, 1], all([0, 1], 'ready')), expected: 'healthy' },
		{ name: 'stopped even though its last report was all ready', c: cluster(0, 'stopped', [0, 1], all([0, 1], 'ready')), expected: 'down' },
		{
			name: 'a ready shard outside shardIds does not make it healthy',
			c: cluster(0, 'running', [0, 1], [
				[0, 'ready'],
				[5, 'ready']
			]),
			expected: 'degraded'
		},
		{
			name: 'only foreign shards ready → down',
			c: cluster(0, 'running', [0], [
				[0, 'waiting-for-guilds'],
				[5, 'ready']
			]),
			expected: 'down'
		}
	];
	it.each(cases)('$name → $expected', ({ c, expected }) => {
		expect(clusterHealth(c)).toBe(expected);
	});
});

describe('overallHealth', () => {
	const cases: { name: string; clusters: ClusterStatus[]; totalShards: number; expected: OverallHealth }[] = [
		{ name: 'no clusters', clusters: [], totalShards: 0, expected: { state: 'unknown', up: 0, total: 0 } },
		{ name: 'no clusters, total known', clusters: [], totalShards: 16, expected: { state: 'unknown', up: 0, total: 16 } },
		{
			name: 'all ready',
			clusters: [cluster(0, 'running', [0, 1], all([0, 1], 'ready')), cluster(1, 'running', [2, 3], all([2, 3], 'ready'))],
			totalShards: 4,
			expected: { state: 'operational', up: 4, total: 4 }
		},
		{
			name: 'one shard reconnecting',
			clusters: [
				cluster(0, 'running', [0, 1], all([0, 1], 'ready')),
				cluster(1, 'running', [2, 3], [
					[2, 'ready'],
					[3, 'reconnecting']
				])
			],
			totalShards: 4,
			expected: { state: 'degraded', up: 3, total: 4 }
		},
		{
			name: 'all clusters stopped',
			clusters: [cluster(0, 'stopped', [0, 1], all([0, 1], 'ready')), cluster(1, 'stopped', [2, 3], all([2, 3], 'ready'))],
			totalShards: 4,
			expected: { state: 'outage', up: 0, total: 4 }
		},
		{
			name: 'live clusters but no shard ready',
			clusters: [cluster(0, 'running', [0, 1], all([0, 1], 'connecting'))],
			totalShards: 2,
			expected: { state: 'outage', up: 0, total: 2 }
		},
		{
			name: 'shards 4-7 never reported (cluster never started)',
			clusters: [cluster(0, 'running', [0, 1], all([0, 1], 'ready')), cluster(1, 'running', [2, 3], all([2, 3], 'ready'))],
			totalShards: 8,
			expected: { state: 'degraded', up: 4, total: 8 }
		},
		{
			name: 'a shard ready in a stopped cluster does not count',
			clusters: [cluster(0, 'running', [0, 1], all([0, 1], 'ready')), cluster(1, 'stopped', [2, 3], all([2, 3], 'ready'))],
			totalShards: 4,
			expected: { state: 'degraded', up: 2, total: 4 }
		},
		{
			name: 'a shard claimed by two live clusters counts once',
			clusters: [
				cluster(0, 'running', [0, 1], all([0, 1], 'ready')),
				cluster(1, 'running', [1, 2], [
					[1, 'ready'],
					[2, 'resuming']
				])
			],
			totalShards: 4,
			expected: { state: 'degraded', up: 2, total: 4 }
		},
		{
			name: 'a shard claimed twice does not hide a missing one',
			clusters: [cluster(0, 'running', [0, 1], all([0, 1], 'ready')), cluster(1, 'running', [1], all([1], 'ready'))],
			totalShards: 3,
			expected: { state: 'degraded', up: 2, total: 3 }
		},
		{
			name: 'a reported shard outside the cluster’s shardIds does not count',
			clusters: [
				cluster(0, 'running', [0], [
					[0, 'ready'],
					[1, 'ready']
				]),
				cluster(1, 'running', [1], [[1, 'connecting']])
			],
			totalShards: 2,
			expected: { state: 'degraded', up: 1, total: 2 }
		},
		{
			name: 'a starting cluster with no ready shards',
			clusters: [cluster(0, 'running', [0, 1], all([0, 1], 'ready')), cluster(1, 'starting', [2, 3], all([2, 3], 'identifying'))],
			totalShards: 4,
			expected: { state: 'degraded', up: 2, total: 4 }
		},
		{
			name: 'totalShards 0 falls back to max shard id + 1',
			clusters: [cluster(0, 'running', [0, 1], all([0, 1], 'ready')), cluster(1, 'running', [5], all([5], 'ready'))],
			totalShards: 0,
			expected: { state: 'degraded', up: 3, total: 6 }
		},
		{
			name: 'totalShards 0 fallback, all ready',
			clusters: [cluster(0, 'running', [0, 1, 2], all([0, 1, 2], 'ready'))],
			totalShards: 0,
			expected: { state: 'operational', up: 3, total: 3 }
		},
		{
			name: 'totalShards 0 fallback includes stopped clusters’ shards',
			clusters: [cluster(0, 'running', [0], all([0], 'ready')), cluster(1, 'stopped', [1, 2, 3], all([1, 2, 3], 'ready'))],
			totalShards: 0,
			expected: { state: 'degraded', up: 1, total: 4 }
		},
		{
			name: 'clusters that claim no shards say nothing about health',
			clusters: [cluster(0, 'running', [], [])],
			totalShards: 0,
			expected: { state: 'unknown', up: 0, total: 0 }
		},
		{
			name: 'a shard id beyond totalShards is ignored',
			clusters: [cluster(0, 'running', [0, 1, 9], all([0, 1, 9], 'ready'))],
			totalShards: 2,
			expected: { state: 'operational', up: 2, total: 2 }
		}
	];
	it.each(cases)('$name → $expected.state $expected.up/$expected.total', ({ clusters, totalShards, expected }) => {
		expect(overallHealth({ clusters, totalShards })).toEqual(expected);
	});

	it('agrees with clusterHealth: every cluster healthy ⇔ operational when clusters cover the total', () => {
		const fleets: ClusterStatus[][] = [
			[cluster(0, 'running', [0, 1], all([0, 1], 'ready'))],
			[cluster(0, 'running', [0, 1], [[0, 'ready'], [1, 'nearly']])],
			[cluster(0, 'stopped', [0, 1], all([0, 1], 'ready'))]
		];
		for (const clusters of fleets) {
			const allHealthy = clusters.every((c) => clusterHealth(c) === 'healthy');
			expect(overallHealth({ clusters, totalShards: 2 }).state === 'operational').toBe(allHealthy);
		}
	});
});

import { describe, expect, it } from 'vitest';
import { cluster as fixtureCluster } from '#testing/fixtures/cluster';
import type { ClusterLifecycle, ClusterStatus, ShardConflict } from './cluster.ts';
import { deriveConflicts, deriveTotalShards } from './fleet-derive.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

interface Spec {
	id: number;
	shardIds?: number[];
	lifecycle?: ClusterLifecycle;
	totalShards?: number;
	startedAt?: number;
	lastHeartbeatAt?: number;
}

const cluster = ({ id, shardIds = [], lifecycle = 'running', totalShards = 8, startedAt = T0, lastHeartbeatAt = T0 + 60_000 }: Spec): ClusterStatus =>
	fixtureCluster({ id, shardIds, lifecycle, totalShards, startedAt, lastHeartbeatAt, members: 1_000 });

describe('deriveConflicts', () => {
	const cases: { name: string; clusters: Spec[]; expected: ShardConflict[] }[] = [
		{ name: 'no clusters', clusters: [], expected: [] },
		{
			name: 'disjoint clusters',
			clusters: [
				{ id: 1, shardIds: [0, 1] },
				{ id: 2, shardIds: [2, 3] }
			],
			expected: []
		},
		{
			name: 'two live clusters claim shard 3',
			clusters: [
				{ id: 1, shardIds: [0, 1, 2, 3] },
				{ id: 2, shardIds: [3, 4], lifecycle: 'starting' }
			],
			expected: [{ shardId: 3, clusterIds: [1, 2] }]
		},
		{
			name: 'a stopped cluster claims nothing',
			clusters: [
				{ id: 1, shardIds: [0, 1, 2, 3] },
				{ id: 2, shardIds: [3, 4], lifecycle: 'stopped' }
			],
			expected: []
		},
		{
			name: 'only stopped clusters overlap',
			clusters: [
				{ id: 1, shardIds: [0, 1], lifecycle: 'stopped' },
				{ id: 2, shardIds: [0, 1], lifecycle: 'stopped' }
			],
			expected: []
		},
		{
			name: 'three claimants, listed out of id order',
			clusters: [
				{ id: 5, shardIds: [7] },
				{ id: 2, shardIds: [7] },
				{ id: 9, shardIds: [7] }
			],
			expected: [{ shardId: 7, clusterIds: [2, 5, 9] }]
		},
		{
			name: 'conflicts sorted by shard id, whichever is found first',
			clusters: [
				{ id: 1, shardIds: [9] },
				{ id: 2, shardIds: [9] },
				{ id: 3, shardIds: [2, 4] },
				{ id: 4, shardIds: [2, 4] }
			],
			expected: [
				{ shardId: 2, clusterIds: [3, 4] },
				{ shardId: 4, clusterIds: [3, 4] },
				{ shardId: 9, clusterIds: [1, 2] }
			]
		},
		{
			name: 'a stopped claimant among three live ones',
			clusters: [
				{ id: 1, shardIds: [0] },
				{ id: 2, shardIds: [0], lifecycle: 'stopped' },
				{ id: 3, shardIds: [0] }
			],
			expected: [{ shardId: 0, clusterIds: [1, 3] }]
		}
	];
	it.each(cases.map((c) => [c.name, c] as const))('%s', (_, { clusters, expected }) => {
		expect(deriveConflicts(clusters.map(cluster))).toEqual(expected);
	});
});

describe('deriveTotalShards', () => {
	const cases: { name: string; clusters: Spec[]; expected: number }[] = [
		{ name: 'nothing reported', clusters: [], expected: 0 },
		{ name: 'one live cluster', clusters: [{ id: 1, totalShards: 24 }], expected: 24 },
		{
			name: 'the newest live cluster wins (listed last)',
			clusters: [
				{ id: 2, totalShards: 8, startedAt: T0 },
				{ id: 1, totalShards: 16, startedAt: T0 + 1 }
			],
			expected: 16
		},
		{
			name: 'the newest live cluster wins (listed first)',
			clusters: [
				{ id: 1, totalShards: 16, startedAt: T0 + 1 },
				{ id: 2, totalShards: 8, startedAt: T0 }
			],
			expected: 16
		},
		{
			name: 'a start-time tie goes to the higher id (listed last)',
			clusters: [
				{ id: 1, totalShards: 8 },
				{ id: 2, totalShards: 16 }
			],
			expected: 16
		},
		{
			name: 'a start-time tie goes to the higher id (listed first)',
			clusters: [
				{ id: 2, totalShards: 16 },
				{ id: 1, totalShards: 8 }
			],
			expected: 16
		},
		{
			name: 'a newer stopped cluster does not count while one is live',
			clusters: [
				{ id: 1, totalShards: 8, startedAt: T0 },
				{ id: 2, totalShards: 32, startedAt: T0 + 5_000, lastHeartbeatAt: T0 + 99_000, lifecycle: 'stopped' }
			],
			expected: 8
		},
		{
			name: 'a starting cluster is live',
			clusters: [
				{ id: 1, totalShards: 8, startedAt: T0 },
				{ id: 2, totalShards: 12, startedAt: T0 + 5_000, lifecycle: 'starting' }
			],
			expected: 12
		},
		{
			name: 'none live: the last heard wins (listed last)',
			clusters: [
				{ id: 1, totalShards: 8, startedAt: T0 + 9_000, lastHeartbeatAt: T0 + 10_000, lifecycle: 'stopped' },
				{ id: 2, totalShards: 16, startedAt: T0, lastHeartbeatAt: T0 + 20_000, lifecycle: 'stopped' }
			],
			expected: 16
		},
		{
			name: 'none live: the last heard wins (listed first)',
			clusters: [
				{ id: 2, totalShards: 16, startedAt: T0, lastHeartbeatAt: T0 + 20_000, lifecycle: 'stopped' },
				{ id: 1, totalShards: 8, startedAt: T0 + 9_000, lastHeartbeatAt: T0 + 10_000, lifecycle: 'stopped' }
			],
			expected: 16
		}
	];
	it.each(cases.map((c) => [c.name, c] as const))('%s', (_, { clusters, expected }) => {
		expect(deriveTotalShards(clusters.map(cluster))).toBe(expected);
	});
});

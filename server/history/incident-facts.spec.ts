import { describe, expect, it } from 'vitest';
import { clustersDown } from './incident-facts.ts';
import type { ShardOutage } from './timeline.ts';

const M = 60_000;
const o = (clusterId: number, shardId: number, start: number, end: number | null): ShardOutage => ({ clusterIds: [clusterId], shardId, start: start * M, end: end === null ? null : end * M });

describe('clustersDown', () => {
	it.each<[string, ShardOutage[], number[], [from: number, until: number], number[]]>([
		['each shard counts in the cluster it was down in', [o(2, 11, 0, 10), o(5, 40, 0, null), o(5, 41, 1, null)], [11, 40, 41], [2, 3], [2, 5]],
		['only the shards named', [o(2, 11, 0, 10), o(5, 40, 0, null)], [40], [2, 3], [5]],
		['a shard that moved counts where its outage was at that time', [o(1, 11, 0, 5), o(2, 11, 8, null)], [11], [9, 10], [2]],
		['an outage that began later in the span counts', [o(3, 7, 2.5, null)], [7], [2, 3], [3]],
		['over a whole incident, every cluster a shard was down in', [o(1, 11, 0, 5), o(2, 11, 8, null), o(3, 12, 30, 40)], [11], [0, 20], [1, 2]],
		['a shard with no outage in the span is found anyway', [o(3, 7, 20, 30)], [7], [2, 3], [3]],
		['nothing down, no clusters', [o(3, 7, 0, null)], [], [2, 3], []]
	])('%s', (_, outages, shards, [from, until], want) => {
		expect(clustersDown(outages, shards, from * M, until * M)).toEqual(want);
	});
});

import { describe, expect, it } from 'vitest';
import { cluster } from '#testing/fixtures/cluster';
import { clusterOfShard } from './shard-view.ts';

describe('clusterOfShard', () => {
	const live = cluster({ id: 7, shardIds: [2, 3] });
	const stopped = cluster({ id: 20, shardIds: [2], lifecycle: 'stopped' });
	const other = cluster({ id: 1, shardIds: [0, 1] });
	it.each([
		{ name: 'the cluster listing the shard', clusters: [other, live], shard: 3, owner: 7 },
		{ name: 'a live cluster over a stopped one listed first', clusters: [stopped, live], shard: 2, owner: 7 },
		{ name: 'a stopped cluster when it is the only one', clusters: [other, stopped], shard: 2, owner: 20 },
		{ name: 'nothing when no cluster lists it', clusters: [other, live], shard: 9, owner: undefined },
		{ name: 'nothing in an empty fleet', clusters: [], shard: 0, owner: undefined }
	])('$name', ({ clusters, shard, owner }) => {
		expect(clusterOfShard(clusters, shard)?.id).toBe(owner);
	});
});

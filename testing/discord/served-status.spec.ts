import { describe, expect, it } from 'vitest';
import type { ShardStatus } from '../../shared-types/index.ts';
import { cluster, shard } from '../fixtures/cluster.ts';
import type { ServedGuild } from './gateway.ts';
import { clusterView, pingMismatches, servedCluster } from './served-status.ts';

function shards(...pings: (number | null)[]): ShardStatus[] {
	return pings.map((ping, id) => shard(id, 'ready', { ping }));
}

describe('pingMismatches', () => {
	const delays = [50, 300, 600];
	const rows: [what: string, pings: (number | null)[], expected: string[]][] = [
		['each ping at its delay or a little above, in order', [50, 311, 640], []],
		['a ping below its ACK delay', [49, 311, 640], ['shard 0: ping 49 ms is below its ACK delay of 50 ms']],
		['a ping past the slack', [50, 311, 1600], ['shard 2: ping 1600 ms is not under 600 + 1000 ms']],
		['no ping yet', [50, null, 640], ['shard 1: no ping']],
		['in bounds but out of order', [700, 311, 640], ['shards rank 1, 2, 0 by ping but 0, 1, 2 by ACK delay']]
	];
	it.each(rows)('%s', (_, pings, expected) => {
		expect(pingMismatches(shards(...pings), delays, 1_000)).toEqual(expected);
	});

	it('a shard with no delay given is named, not skipped', () => {
		expect(pingMismatches(shards(50, 300, 600, 10), delays, 1_000)).toEqual(['shard 3: no ACK delay given']);
	});
});

describe('servedCluster', () => {
	const guild = (shardId: number, memberCount: number, available = true): ServedGuild => ({ id: `${shardId}-${memberCount}`, name: 'g', shardId, memberCount, available });
	const gateway = {
		totalShards: 4,
		guilds: (shard: number) => (shard === 2 ? [guild(2, 10), guild(2, 20, false)] : [guild(3, 5), guild(3, 6), guild(3, 7)])
	};

	it('counts every guild per shard, the unavailable ones apart too, and the members of the available ones, in the order of shardIds', () => {
		expect(servedCluster(gateway, 1, [2, 3])).toEqual({
			id: 1,
			lifecycle: 'running',
			totalShards: 4,
			shardIds: [2, 3],
			shards: [
				{ id: 2, state: 'ready', guilds: 2, unavailableGuilds: 1 },
				{ id: 3, state: 'ready', guilds: 3, unavailableGuilds: 0 }
			],
			guilds: 5,
			members: 28
		});
	});

	it('clusterView keeps unavailableGuilds only where the server shows it (a stopped cluster has none)', () => {
		expect(clusterView(cluster({ lifecycle: 'stopped', shards: [shard(0, 'disconnected', { guilds: 3 })] })).shards).toEqual([{ id: 0, state: 'disconnected', guilds: 3 }]);
		expect(clusterView(cluster({ shards: [shard(0, 'ready', { guilds: 3, unavailableGuilds: 2 })] })).shards).toEqual([{ id: 0, state: 'ready', guilds: 3, unavailableGuilds: 2 }]);
	});
});

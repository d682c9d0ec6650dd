import { describe, expect, it } from 'vitest';
import { cluster, shard } from '#testing/fixtures/cluster';
import { fleetTotals, type FleetTotals } from './fleet-totals.ts';

describe('fleetTotals', () => {
	it.each<[string, Parameters<typeof fleetTotals>[0], FleetTotals]>([
		['no clusters', [], { guilds: 0, members: 0, unavailableGuilds: 0, averagePing: null, stopped: [] }],
		[
			'pings averaged per shard, not per cluster',
			[cluster({ id: 1, states: ['ready', 'ready', 'ready'], readyPing: 30, members: 5 }), cluster({ id: 2, firstShard: 3, states: ['ready'], readyPing: 70, members: 7 })],
			{ guilds: 40, members: 12, unavailableGuilds: 0, averagePing: 40, stopped: [] }
		],
		[
			'shards without a ping are left out of the mean',
			[cluster({ id: 1, states: ['ready', 'disconnected'], readyPing: 50 })],
			{ guilds: 20, members: 0, unavailableGuilds: 0, averagePing: 50, stopped: [] }
		],
		[
			'unavailable guilds summed where reported; stopped clusters listed ascending',
			[
				cluster({ id: 9, lifecycle: 'stopped', shards: [{ ...shard(0, 'ready'), unavailableGuilds: 3 }] }),
				cluster({ id: 4, lifecycle: 'stopped', shards: [{ ...shard(1, 'ready'), unavailableGuilds: 2 }, shard(2, 'ready')] })
			],
			{ guilds: 30, members: 0, unavailableGuilds: 5, averagePing: 40, stopped: [4, 9] }
		]
	])('%s', (_, clusters, totals) => {
		expect(fleetTotals(clusters)).toEqual(totals);
	});
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guildIdsForShard } from '#testing/discord/snowflakes';
import { shardForGuild } from '../guild-shard.ts';
import { guildPlacement, noticeTouches, type FleetLayout, type NoticeReach } from './touches.ts';
import type { SubscriptionScope } from './scope.ts';

/** 4 clusters × 4 shards: cluster c runs shards 4c..4c+3. */
const LAYOUT_16: FleetLayout = { totalShards: 16, clusters: [0, 1, 2, 3].map((id) => ({ id, shardIds: [0, 1, 2, 3].map((s) => id * 4 + s) })) };
/** After a re-shard to 32 shards in 2 clusters of 16. */
const LAYOUT_32: FleetLayout = { totalShards: 32, clusters: [10, 11].map((id, i) => ({ id, shardIds: Array.from({ length: 16 }, (_, s) => i * 16 + s) })) };

/** A guild on shard 5 of 16 (cluster 1), which is shard 21 of 32 (cluster 11). */
const GUILD = guildIdsForShard(5, 16, 1)[0]!;
const guild: SubscriptionScope = { kind: 'guild', guildId: GUILD };

describe('guildPlacement', () => {
	it('finds the shard by the shard count then, and the cluster that ran it', () => {
		expect(guildPlacement(GUILD, LAYOUT_16)).toEqual({ shardId: 5, clusterId: 1 });
		const shard32 = shardForGuild(GUILD, 32);
		expect(guildPlacement(GUILD, LAYOUT_32)).toEqual({ shardId: shard32, clusterId: shard32 < 16 ? 10 : 11 });
	});
	it('says so when no cluster ran the shard, and gives nothing without a shard count', () => {
		expect(guildPlacement(GUILD, { totalShards: 16, clusters: [] })).toEqual({ shardId: 5, clusterId: null });
		expect(guildPlacement(GUILD, { totalShards: 0, clusters: [] })).toBeNull();
	});
});

describe('noticeTouches', () => {
	const shards = (clusterIds: number[], shardIds: number[]): NoticeReach => ({ clusterIds, shardIds });
	const cases: [name: string, reach: NoticeReach, scope: SubscriptionScope, layout: FleetLayout | null, expected: boolean][] = [
		['whole bot hears everything', shards([3], [12]), { kind: 'bot' }, LAYOUT_16, true],
		['a whole-bot maintenance reaches a cluster subscriber', { clusterIds: null, shardIds: [] }, { kind: 'clusters', clusterIds: [2] }, LAYOUT_16, true],
		['a whole-bot maintenance reaches a guild subscriber', { clusterIds: null, shardIds: [] }, guild, LAYOUT_16, true],
		['cluster subscriber: its cluster', shards([1, 3], []), { kind: 'clusters', clusterIds: [3] }, LAYOUT_16, true],
		['cluster subscriber: another cluster', shards([1], [4]), { kind: 'clusters', clusterIds: [3] }, LAYOUT_16, false],
		['guild: its shard is down', shards([1], [5]), guild, LAYOUT_16, true],
		['guild: another shard of its own cluster is down', shards([1], [4, 6]), guild, LAYOUT_16, false],
		['guild: a cluster notice (operator) naming its cluster', shards([1], []), guild, LAYOUT_16, true],
		['guild: a cluster notice naming another cluster', shards([2], []), guild, LAYOUT_16, false],
		['guild: its shard unassigned, a cluster notice', shards([1], []), guild, { totalShards: 16, clusters: [] }, false],
		['guild: no layout known yet, told rather than missed', shards([2], [9]), guild, null, true]
	];
	it.each(cases)('%s', (_, reach, scope, layout, expected) => {
		expect(noticeTouches(reach, scope, layout)).toBe(expected);
	});

	it('follows the guild through a re-shard: the same subscription, another shard and cluster', () => {
		const shard32 = shardForGuild(GUILD, 32);
		const otherShard = (shard32 + 1) % 32;
		// Before: shard 5 of 16 in cluster 1.
		expect(noticeTouches(shards([1], [5]), guild, LAYOUT_16)).toBe(true);
		// After: shard 5 means another guild set; the subscriber's shard is now `shard32`.
		expect(noticeTouches(shards([10, 11], [shard32]), guild, LAYOUT_32)).toBe(true);
		expect(noticeTouches(shards([10, 11], [otherShard]), guild, LAYOUT_32)).toBe(false);
		expect(noticeTouches(shards([shard32 < 16 ? 10 : 11], []), guild, LAYOUT_32)).toBe(true);
		expect(noticeTouches(shards([shard32 < 16 ? 11 : 10], []), guild, LAYOUT_32)).toBe(false);
	});

	it('property: a guild subscriber hears a shard notice exactly when the notice names its shard under that notice’s shard count', () => {
		fc.assert(
			fc.property(
				fc.bigInt({ min: 1n << 40n, max: (1n << 63n) - 1n }),
				fc.integer({ min: 1, max: 4096 }),
				fc.uniqueArray(fc.nat(4095), { minLength: 1, maxLength: 20 }),
				(id, totalShards, named) => {
					const guildId = id.toString();
					fc.pre(guildId.length >= 17);
					const shardIds = named.filter((s) => s < totalShards).sort((a, b) => a - b);
					fc.pre(shardIds.length > 0);
					const layout: FleetLayout = { totalShards, clusters: [{ id: 0, shardIds: Array.from({ length: totalShards }, (_, s) => s) }] };
					const expected = shardIds.includes(Number((BigInt(guildId) >> 22n) % BigInt(totalShards)));
					expect(noticeTouches({ clusterIds: [0], shardIds }, { kind: 'guild', guildId }, layout)).toBe(expected);
				}
			)
		);
	});
});

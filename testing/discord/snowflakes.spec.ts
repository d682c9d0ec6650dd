import { describe, expect, it } from 'vitest';
import { isSnowflake, shardForGuild } from '../../shared-types/guild-shard.ts';
import { guildIdsForShard, snowflake } from './snowflakes.ts';

describe('snowflake', () => {
	const cases: [timestamp: bigint, low: bigint, expected: string][] = [
		[0n, 0n, '0'],
		[1n, 0n, '4194304'],
		[1n, 1n, '4194305'],
		// discord.js's own guild: 81384788765712384 = 19403645698 << 22 | 8192
		[19_403_645_698n, 8192n, '81384788765712384'],
		[1_100_000_000_000n, 0n, '4613734400000000000']
	];
	it.each(cases)('%s << 22 | %s → %s', (timestamp, low, expected) => {
		expect(snowflake(timestamp, low)).toBe(expected);
	});

	it('refuses a low part wider than 22 bits', () => {
		expect(() => snowflake(1n, 1n << 22n)).toThrow(/low must fit in 22 bits/);
	});
});

describe('guildIdsForShard', () => {
	const layouts: [shardId: number, totalShards: number, count: number][] = [
		[0, 1, 3],
		[0, 3, 2],
		[1, 3, 4],
		[2, 3, 5],
		[7, 16, 3],
		[999, 1000, 2]
	];
	it.each(layouts)('shard %i of %i, %i guilds: every id is a snowflake Discord puts on that shard', (shardId, totalShards, count) => {
		const ids = guildIdsForShard(shardId, totalShards, count);
		expect(ids).toHaveLength(count);
		expect(new Set(ids).size).toBe(count);
		for (const id of ids) {
			expect(isSnowflake(id)).toBe(true);
			expect(shardForGuild(id, totalShards)).toBe(shardId);
		}
	});

	it('gives different shards different ids, and a salt different ids for the same layout', () => {
		const all = [0, 1, 2].flatMap((s) => guildIdsForShard(s, 3, 4));
		expect(new Set(all).size).toBe(12);
		expect(guildIdsForShard(0, 3, 1, 5)).not.toEqual(guildIdsForShard(0, 3, 1));
	});

	const bad: [args: [number, number, number], message: RegExp][] = [
		[[0, 0, 1], /totalShards must be a positive integer, got 0/],
		[[3, 3, 1], /shardId must be in 0..2, got 3/],
		[[-1, 3, 1], /shardId must be in 0..2, got -1/],
		[[0, 3, 1.5], /count must be a whole number, got 1.5/]
	];
	it.each(bad)('refuses %j: %s', (args, message) => {
		expect(() => guildIdsForShard(...args)).toThrow(message);
	});
});

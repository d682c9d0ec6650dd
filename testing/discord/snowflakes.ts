/*
 * Discord snowflakes the stand-in gateway hands out: a 42-bit millisecond timestamp since the
 * Discord epoch above 22 bits of worker, process and increment
 * (https://discord.com/developers/docs/reference#snowflakes). Guild ids are built so that Discord's
 * own sharding rule, `(guild_id >> 22) % shard_count === shard_id`, puts each on the shard that
 * serves it; a client library that checks the rule, or a test that asks `shardForGuild`, agrees.
 */

/** 2022-11-08 in ms since the Discord epoch (2015-01-01): ids of the same length as real ones today. */
const BASE_TIMESTAMP = 1_100_000_000_000n;

/** A snowflake string for `timestampMs` since the Discord epoch and a 22-bit `low` part. */
export function snowflake(timestampMs: bigint, low = 0n): string {
	if (low < 0n || low >= 1n << 22n) throw new RangeError(`low must fit in 22 bits, got ${low}.`);
	return ((timestampMs << 22n) | low).toString();
}

/**
 * The ids of the `count` guilds shard `shardId` of `totalShards` serves: timestamps step by
 * `totalShards` from a base that is a multiple of it, so `timestamp % totalShards === shardId`.
 * `salt` (the low 22 bits) lets two stand-ins hand out different ids for the same layout.
 */
export function guildIdsForShard(shardId: number, totalShards: number, count: number, salt = 0): string[] {
	if (!Number.isInteger(totalShards) || totalShards < 1) throw new RangeError(`totalShards must be a positive integer, got ${totalShards}.`);
	if (!Number.isInteger(shardId) || shardId < 0 || shardId >= totalShards) throw new RangeError(`shardId must be in 0..${totalShards - 1}, got ${shardId}.`);
	if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number, got ${count}.`);
	const total = BigInt(totalShards);
	const base = BASE_TIMESTAMP - (BASE_TIMESTAMP % total) + BigInt(shardId);
	return Array.from({ length: count }, (_, i) => snowflake(base + BigInt(i) * total, BigInt(salt)));
}

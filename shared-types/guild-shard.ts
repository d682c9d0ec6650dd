/*
 * Find my shard: Discord assigns a guild to shard `(guild_id >> 22) % shard_count`
 * (https://discord.com/developers/docs/topics/gateway#sharding).
 */

export type GuildInputError = 'empty' | 'not_a_snowflake' | 'direct_message_link';

export type GuildInput = { ok: true; guildId: string } | { ok: false; error: GuildInputError };

const SNOWFLAKE = /^\d{17,20}$/;
const MAX_SNOWFLAKE = (1n << 64n) - 1n;
// discord.com, ptb./canary. subdomains and the legacy discordapp.com host; channel or message link.
const LINK =
	/^(?:https?:\/\/)?(?:(?:www|ptb|canary)\.)?discord(?:app)?\.com\/channels\/(@me|\d+)\/\d+(?:\/\d+)?\/?(?:[?#].*)?$/i;

/** True for a decimal Discord snowflake: 17 to 20 digits that fit in 64 bits. */
export function isSnowflake(value: string): boolean {
	return SNOWFLAKE.test(value) && BigInt(value) <= MAX_SNOWFLAKE;
}

/**
 * Reads a guild ID from what a user pasted: a bare server ID or a Discord message/channel link.
 * A DM link has no server, so it gets its own error rather than "not a snowflake".
 */
export function parseGuildInput(raw: string): GuildInput {
	const input = raw.trim();
	if (input === '') return { ok: false, error: 'empty' };
	const link = LINK.exec(input);
	if (link) {
		if (link[1]!.toLowerCase() === '@me') return { ok: false, error: 'direct_message_link' };
		return isSnowflake(link[1]!) ? { ok: true, guildId: link[1]! } : { ok: false, error: 'not_a_snowflake' };
	}
	return isSnowflake(input) ? { ok: true, guildId: input } : { ok: false, error: 'not_a_snowflake' };
}

/** The shard that serves `guildId` when the bot runs `totalShards` shards. */
export function shardForGuild(guildId: string, totalShards: number): number {
	if (!isSnowflake(guildId)) throw new RangeError(`"${guildId}" is not a Discord snowflake (17–20 digits).`);
	if (!Number.isInteger(totalShards) || totalShards < 1) {
		throw new RangeError(`totalShards must be a positive integer, got ${totalShards}.`);
	}
	return Number((BigInt(guildId) >> 22n) % BigInt(totalShards));
}

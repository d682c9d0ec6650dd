import { describe, expect, it } from 'vitest';
import { isSnowflake, parseGuildInput, shardForGuild, type GuildInput } from './guild-shard.ts';

const G = '81384788765712384'; // discord.js's own guild (17 digits)
const G2 = '175928847299117063'; // 18 digits

describe('isSnowflake', () => {
	const cases: [input: string, expected: boolean][] = [
		[G, true],
		[G2, true],
		['41771983423143937', true], // 17 digits
		['1234567890123456', false], // 16 digits
		['12345678901234567890', true], // 20 digits, < 2^64
		['123456789012345678901', false], // 21 digits
		['18446744073709551615', true], // 2^64 - 1, the largest
		['18446744073709551616', false], // 2^64
		['99999999999999999999', false], // 20 digits but > 2^64 - 1
		['', false],
		['abc', false],
		['-81384788765712384', false],
		['81384788765712384.5', false],
		['8138478876571238.4', false],
		['1e20', false],
		['0x1211bc5f4c00000', false],
		[` ${G}`, false], // isSnowflake does not trim; parseGuildInput does
		[`${G}\n`, false],
		['８１３８４７８８７６５７１２３８４', false] // full-width digits
	];
	it.each(cases)('%j → %s', (input, expected) => {
		expect(isSnowflake(input)).toBe(expected);
	});
});

describe('parseGuildInput', () => {
	const ok = (guildId: string): GuildInput => ({ ok: true, guildId });
	const err = (error: 'empty' | 'not_a_snowflake' | 'direct_message_link'): GuildInput => ({ ok: false, error });

	const cases: [input: string, expected: GuildInput][] = [
		// bare ids
		[G, ok(G)],
		[G2, ok(G2)],
		[`  ${G}  `, ok(G)],
		[`\t${G}\n`, ok(G)],
		// message links
		[`https://discord.com/channels/${G}/222078108977594368/1000000000000000000`, ok(G)],
		[`https://ptb.discord.com/channels/${G}/222078108977594368/1000000000000000000`, ok(G)],
		[`https://canary.discord.com/channels/${G}/222078108977594368/1000000000000000000`, ok(G)],
		[`https://discordapp.com/channels/${G}/222078108977594368/1000000000000000000`, ok(G)],
		[`https://canary.discordapp.com/channels/${G2}/1/2`, ok(G2)],
		[`https://www.discord.com/channels/${G}/1/2`, ok(G)],
		[`http://discord.com/channels/${G}/1/2`, ok(G)],
		[`discord.com/channels/${G}/1/2`, ok(G)],
		[`HTTPS://Discord.COM/channels/${G}/1/2`, ok(G)],
		[`  https://discord.com/channels/${G}/1/2  `, ok(G)],
		// channel links (no message id), trailing slash, query strings and fragments
		[`https://discord.com/channels/${G}/222078108977594368`, ok(G)],
		[`https://discord.com/channels/${G}/222078108977594368/`, ok(G)],
		[`https://discord.com/channels/${G}/222078108977594368?foo=bar`, ok(G)],
		[`https://discord.com/channels/${G}/222078108977594368/1000000000000000000?utm_source=x&a=b`, ok(G)],
		[`https://discord.com/channels/${G}/222078108977594368#top`, ok(G)],
		// DM links have no server
		['https://discord.com/channels/@me/222078108977594368', err('direct_message_link')],
		['https://discord.com/channels/@me/222078108977594368/1000000000000000000', err('direct_message_link')],
		['https://ptb.discord.com/channels/@me/1/2', err('direct_message_link')],
		['HTTPS://DISCORD.COM/CHANNELS/@ME/1/2', err('direct_message_link')],
		// empty
		['', err('empty')],
		['   ', err('empty')],
		['\n\t', err('empty')],
		// not snowflakes
		['abc', err('not_a_snowflake')],
		['1234567890123456', err('not_a_snowflake')], // 16 digits
		['123456789012345678901', err('not_a_snowflake')], // 21 digits
		['18446744073709551616', err('not_a_snowflake')], // 2^64
		['-81384788765712384', err('not_a_snowflake')],
		['81384788765712384.0', err('not_a_snowflake')],
		[`${G} ${G2}`, err('not_a_snowflake')],
		[`<#${G}>`, err('not_a_snowflake')],
		// a link whose guild part is not a snowflake
		['https://discord.com/channels/123/456/789', err('not_a_snowflake')],
		['https://discord.com/channels/18446744073709551616/1/2', err('not_a_snowflake')],
		// links to other hosts, or lookalikes of discord.com
		['https://evil.com/channels/1/2/3', err('not_a_snowflake')],
		[`https://evil.com/channels/${G}/2/3`, err('not_a_snowflake')],
		[`https://discord.com.evil.com/channels/${G}/2/3`, err('not_a_snowflake')],
		[`https://evildiscord.com/channels/${G}/2/3`, err('not_a_snowflake')],
		[`https://evil.discord.com/channels/${G}/2/3`, err('not_a_snowflake')],
		[`https://discord.gg/channels/${G}/2/3`, err('not_a_snowflake')],
		[`https://evil.com/?r=https://discord.com/channels/${G}/2/3`, err('not_a_snowflake')],
		// not a channel link
		[`https://discord.com/channels/${G}`, err('not_a_snowflake')],
		[`https://discord.com/guilds/${G}/1/2`, err('not_a_snowflake')],
		[`https://discord.com/channels/${G}/abc`, err('not_a_snowflake')]
	];
	it.each(cases)('%j → %j', (input, expected) => {
		expect(parseGuildInput(input)).toEqual(expected);
	});
});

describe('shardForGuild', () => {
	// Expected values computed once by hand from (guild_id >> 22) % shard_count, written as literals.
	const cases: [guildId: string, totalShards: number, expected: number][] = [
		[G, 1, 0],
		[G, 2, 0],
		[G, 16, 2],
		[G2, 16, 4],
		[G2, 1000, 796],
		['41771983423143937', 7, 2],
		['18446744073709551615', 1000, 103] // the largest snowflake, beyond Number precision
	];
	it.each(cases)('guild %s with %i shards → shard %i', (guildId, totalShards, expected) => {
		expect(shardForGuild(guildId, totalShards)).toBe(expected);
	});

	it.each([1, 2, 3, 16, 100, 2500])('always lands in [0, %i)', (totalShards) => {
		for (const id of [G, G2, '41771983423143937', '18446744073709551615']) {
			const shard = shardForGuild(id, totalShards);
			expect(Number.isInteger(shard)).toBe(true);
			expect(shard).toBeGreaterThanOrEqual(0);
			expect(shard).toBeLessThan(totalShards);
		}
	});

	const badTotals: number[] = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY];
	it.each(badTotals)('throws RangeError for totalShards %s', (totalShards) => {
		expect(() => shardForGuild(G, totalShards)).toThrow(RangeError);
		// Not just any RangeError (BigInt division by zero is one too): the function's own, naming the argument.
		expect(() => shardForGuild(G, totalShards)).toThrow(/totalShards/);
	});

	const badIds: string[] = ['', 'abc', '1234567890123456', '18446744073709551616', '-81384788765712384', ` ${G}`];
	it.each(badIds)('throws RangeError for guild id %j', (guildId) => {
		expect(() => shardForGuild(guildId, 16)).toThrow(RangeError);
		expect(() => shardForGuild(guildId, 16)).toThrow(/snowflake/);
	});
});

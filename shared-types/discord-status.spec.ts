import { WebSocketShardStatus } from '@discordjs/ws';
import { Status } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { fromDiscordJsStatus, fromErisShardStatus, fromWebSocketShardStatus, type ErisShardStatus } from './discord-status.ts';
import { SHARD_STATES, type ShardState } from './shard-state.ts';
import { DISCORD_JS_STATUS_CASES } from '../testing/fixtures/discord-status.ts';

/*
 * The tables are keyed by the REAL enums, so a discord.js or @discordjs/ws release that renumbers
 * its states fails here instead of silently mislabelling shards on the status page.
 */

const discordJsCases = DISCORD_JS_STATUS_CASES;

const wsCases: [name: keyof typeof WebSocketShardStatus, status: WebSocketShardStatus, expected: ShardState][] = [
	['Idle', WebSocketShardStatus.Idle, 'idle'],
	['Connecting', WebSocketShardStatus.Connecting, 'connecting'],
	['Resuming', WebSocketShardStatus.Resuming, 'resuming'],
	['Ready', WebSocketShardStatus.Ready, 'ready']
];

/** Numbers that are in neither enum, or are not enum values at all. */
const unknownToBoth: number[] = [99, -1, 1.5, Number.NaN, 9, -0.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
/** Valid discord.js numbers past the end of the four-state @discordjs/ws enum. */
const unknownToWsOnly: number[] = [4, 5, 8];

describe('fromDiscordJsStatus (discord.js v14 Status)', () => {
	it.each(discordJsCases)('Status.%s (%i) → %s', (_name, status, expected) => {
		expect(fromDiscordJsStatus(status)).toBe(expected);
	});

	it('the table covers every member of the real Status enum', () => {
		const numericMembers = Object.values(Status).filter((v): v is number => typeof v === 'number');
		expect(numericMembers.sort((a, b) => a - b)).toEqual(discordJsCases.map(([, s]) => s).sort((a, b) => a - b));
	});

	it('the discord.js enum still has the documented numbering', () => {
		expect([
			Status.Ready,
			Status.Connecting,
			Status.Reconnecting,
			Status.Idle,
			Status.Nearly,
			Status.Disconnected,
			Status.WaitingForGuilds,
			Status.Identifying,
			Status.Resuming
		]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
	});

	it('reaches every SHARD_STATES value', () => {
		const reached = new Set(Object.values(Status).filter((v): v is number => typeof v === 'number').map(fromDiscordJsStatus));
		for (const state of SHARD_STATES) expect(reached, `state "${state}" is unreachable`).toContain(state);
		expect(reached.size).toBe(SHARD_STATES.length);
	});

	it.each(unknownToBoth)('unknown %s → disconnected', (n) => {
		expect(fromDiscordJsStatus(n)).toBe('disconnected');
	});
});

describe('fromWebSocketShardStatus (@discordjs/ws WebSocketShardStatus)', () => {
	it.each(wsCases)('WebSocketShardStatus.%s (%i) → %s', (_name, status, expected) => {
		expect(fromWebSocketShardStatus(status)).toBe(expected);
	});

	it('the table covers every member of the real WebSocketShardStatus enum', () => {
		const numericMembers = Object.values(WebSocketShardStatus).filter((v): v is number => typeof v === 'number');
		expect(numericMembers.sort((a, b) => a - b)).toEqual(wsCases.map(([, s]) => s).sort((a, b) => a - b));
	});

	it.each([...unknownToBoth, ...unknownToWsOnly])('unknown %s → disconnected', (n) => {
		expect(fromWebSocketShardStatus(n)).toBe('disconnected');
	});
});

describe('the two enums disagree on the same numbers', () => {
	it('3 is Idle in discord.js but Ready in @discordjs/ws', () => {
		expect(Status.Idle).toBe(3);
		expect(WebSocketShardStatus.Ready).toBe(3);
		expect(fromDiscordJsStatus(3)).toBe('idle');
		expect(fromWebSocketShardStatus(3)).toBe('ready');
	});

	const sameNumber: [n: number, discordJs: ShardState, ws: ShardState][] = [
		[0, 'ready', 'idle'],
		[1, 'connecting', 'connecting'],
		[2, 'reconnecting', 'resuming'],
		[3, 'idle', 'ready']
	];
	it.each(sameNumber)('%i → discord.js %s, @discordjs/ws %s', (n, discordJs, ws) => {
		expect(fromDiscordJsStatus(n)).toBe(discordJs);
		expect(fromWebSocketShardStatus(n)).toBe(ws);
	});
});

/** Eris and Oceanic.js are not dependencies, so their six strings are written out here. */
const erisCases: [status: ErisShardStatus, expected: ShardState][] = [
	['disconnected', 'disconnected'],
	['connecting', 'connecting'],
	['handshaking', 'connecting'],
	['identifying', 'identifying'],
	['resuming', 'resuming'],
	['ready', 'ready']
];

describe('fromErisShardStatus (Eris and Oceanic.js Shard#status)', () => {
	it.each(erisCases)('%s → %s', (status, expected) => {
		expect(fromErisShardStatus(status)).toBe(expected);
	});

	it.each(['', 'READY', 'Ready', 'closed', 'idle', '__proto__', 'constructor', 'toString', 'hasOwnProperty'])('unknown %j → disconnected', (status) => {
		expect(fromErisShardStatus(status)).toBe('disconnected');
	});
});

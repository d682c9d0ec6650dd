import type { ShardState } from './shard-state.ts';

/*
 * The one place where a Discord library's shard status (discord.js and @discordjs/ws numbers,
 * Eris and Oceanic.js strings) becomes a Shardbeat state.
 *
 * The two enums disagree on the same numbers (3 is Idle in discord.js but Ready in
 * @discordjs/ws), which is why each has its own table and neither is ever sent on the wire.
 */

/**
 * discord.js v14 `Status` (`client.ws.shards.get(id).status`):
 * Ready=0, Connecting=1, Reconnecting=2, Idle=3, Nearly=4, Disconnected=5,
 * WaitingForGuilds=6, Identifying=7, Resuming=8.
 */
const DISCORDJS_STATUS: readonly ShardState[] = [
	'ready',
	'connecting',
	'reconnecting',
	'idle',
	'nearly',
	'disconnected',
	'waiting-for-guilds',
	'identifying',
	'resuming'
];

/** @discordjs/ws `WebSocketShardStatus`: Idle=0, Connecting=1, Resuming=2, Ready=3. */
const WS_SHARD_STATUS: readonly ShardState[] = ['idle', 'connecting', 'resuming', 'ready'];

function lookup(table: readonly ShardState[], status: number): ShardState {
	// An unknown number (a future discord.js state) is reported as not up rather than guessed.
	return (Number.isInteger(status) && table[status]) || 'disconnected';
}

/** Maps a discord.js v14 `Status` number to a Shardbeat state; unknown numbers become `disconnected`. */
export function fromDiscordJsStatus(status: number): ShardState {
	return lookup(DISCORDJS_STATUS, status);
}

/** Maps an @discordjs/ws `WebSocketShardStatus` number to a Shardbeat state; unknown numbers become `disconnected`. */
export function fromWebSocketShardStatus(status: number): ShardState {
	return lookup(WS_SHARD_STATUS, status);
}

/** Eris and Oceanic.js `Shard#status`: the same six strings in both libraries. */
export type ErisShardStatus = 'disconnected' | 'connecting' | 'handshaking' | 'identifying' | 'resuming' | 'ready';

/**
 * Eris / Oceanic.js `Shard#status`. `handshaking` (socket open, waiting for the gateway's Hello)
 * is still connecting as far as a visitor is concerned.
 */
const ERIS_STATUS: Readonly<Record<ErisShardStatus, ShardState>> = {
	disconnected: 'disconnected',
	connecting: 'connecting',
	handshaking: 'connecting',
	identifying: 'identifying',
	resuming: 'resuming',
	ready: 'ready'
};

/** Maps an Eris or Oceanic.js `Shard#status` string to a Shardbeat state; unknown strings become `disconnected`. */
export function fromErisShardStatus(status: string): ShardState {
	return Object.hasOwn(ERIS_STATUS, status) ? ERIS_STATUS[status as ErisShardStatus] : 'disconnected';
}

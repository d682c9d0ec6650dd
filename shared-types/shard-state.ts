/**
 * Shardbeat's own names for a shard's gateway connection state.
 *
 * discord.js and @discordjs/ws number their states differently (see `discord-status.ts`),
 * so the wire protocol never carries their numbers: reporters translate once, at the edge.
 */
export const SHARD_STATES = [
	'ready',
	'connecting',
	'reconnecting',
	'resuming',
	'identifying',
	'waiting-for-guilds',
	'nearly',
	'idle',
	'disconnected'
] as const;

export type ShardState = (typeof SHARD_STATES)[number];

/** Only a `ready` shard is serving its guilds; every other state counts as not up. */
export function isShardUp(state: ShardState): boolean {
	return state === 'ready';
}

/**
 * Coarse grouping for display and health: `up` serves guilds, `transitional` is on its way
 * back (the gateway handshake is in progress), `down` is not trying or has given up.
 */
export type ShardStateKind = 'up' | 'transitional' | 'down';

const KIND: Record<ShardState, ShardStateKind> = {
	ready: 'up',
	connecting: 'transitional',
	reconnecting: 'transitional',
	resuming: 'transitional',
	identifying: 'transitional',
	'waiting-for-guilds': 'transitional',
	nearly: 'transitional',
	idle: 'down',
	disconnected: 'down'
};

export function shardStateKind(state: ShardState): ShardStateKind {
	return KIND[state];
}

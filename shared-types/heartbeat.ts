import type { ShardState } from './shard-state.ts';

/** The protocol version a heartbeat declares; the server refuses versions it does not speak. */
export const PROTOCOL_VERSION = 1;

/** Upper bounds the server enforces, shared so reporters can check before sending. */
export const LIMITS = {
	/** Discord's largest bots run tens of thousands of shards; this leaves room. */
	maxTotalShards: 100_000,
	/** One process rarely holds more than a few dozen shards; 1,024 is generous. */
	maxShardsPerCluster: 1_024,
	maxClusterId: 100_000,
	/** Gateway pings above a minute are reported as a minute. */
	maxPingMs: 60_000,
	/**
	 * Unavailable guilds on one shard. Discord serves at most 2,500 guilds per shard (it asks bots
	 * past that to shard), so this leaves forty times that; a bigger number is a reporter's bug.
	 */
	maxUnavailableGuilds: 100_000
} as const;

/** One shard in a heartbeat. */
export interface ShardReport {
	id: number;
	state: ShardState;
	/**
	 * Gateway round trip, ms. Leave it out when unknown (discord.js reports -1 before the first
	 * gateway heartbeat); `null` is refused because that is what NaN and Infinity become in JSON.
	 */
	ping?: number;
	/** Every guild of the shard, unavailable ones included. */
	guilds: number;
	/**
	 * How many of `guilds` Discord marks unavailable (its own outage, or guilds not yet received
	 * after READY): 0 – `LIMITS.maxUnavailableGuilds`, never more than `guilds`. Optional, so
	 * reporters older than the field still validate; leave it out when the library cannot tell.
	 */
	unavailableGuilds?: number;
}

/** What a cluster sends on the bot namespace every heartbeat interval. */
export interface Heartbeat {
	v: typeof PROTOCOL_VERSION;
	clusterId: number;
	totalShards: number;
	/** The shards this cluster is responsible for. */
	shardIds: number[];
	/** Status of the shards it has started; each id must be in `shardIds`. */
	shards: ShardReport[];
	guilds: number;
	members: number;
	/** How long the cluster process has been up, ms. */
	uptimeMs: number;
}

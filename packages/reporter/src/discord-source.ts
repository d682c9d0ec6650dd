import { LIMITS, fromDiscordJsStatus, type ShardReport } from './protocol.ts';
import type { ClusterReport } from './reporter.ts';
import { GuildTally } from './guild-tally.ts';

/*
 * Structural types: the parts of discord.js (v14) and discord-hybrid-sharding (v2/v3) the reporter
 * reads. Neither is a dependency; any object of this shape works.
 */

/** A discord.js `WebSocketShard`: `status` is discord.js's numeric `Status`. */
export interface DiscordShardLike {
	id: number;
	status: number;
	/** ms; discord.js reports -1 until the first gateway heartbeat completes. */
	ping: number;
}

/** A discord-hybrid-sharding `ClusterClient` (`client.cluster`). */
export interface ClusterClientLike {
	id: number;
	shardList: number[];
	info: { TOTAL_SHARDS: number };
}

/** The parts of a discord.js `Client` the reporter reads. */
export interface DiscordClientLike {
	ws: { shards: { values(): Iterable<DiscordShardLike>; size: number } };
	/** Unavailable guilds stay in the cache with `available` false (READY's stubs, and Discord's outages). */
	guilds: { cache: { values(): Iterable<{ shardId: number; memberCount: number; available?: boolean }> } };
	/** discord.js `ShardClientUtil` when run under a `ShardingManager`. */
	shard?: { ids: number[]; count: number } | null;
	options?: { shards?: number | readonly number[] | 'auto'; shardCount?: number };
	/** Set by discord-hybrid-sharding on the client it spawns. */
	cluster?: ClusterClientLike;
}

export interface DiscordSourceOptions {
	/** A discord-hybrid-sharding `ClusterClient`; defaults to `client.cluster` when present. */
	cluster?: ClusterClientLike;
	/** Process uptime in ms. Default `process.uptime() * 1000`. */
	uptimeMs?: () => number;
}

function shardLayout(client: DiscordClientLike, cluster: ClusterClientLike | undefined) {
	if (cluster) return { clusterId: cluster.id, shardIds: [...cluster.shardList], totalShards: cluster.info.TOTAL_SHARDS };
	if (client.shard) return { clusterId: client.shard.ids[0] ?? 0, shardIds: [...client.shard.ids], totalShards: client.shard.count };
	const configured = client.options?.shards;
	const shardIds = Array.isArray(configured)
		? [...configured]
		: client.ws.shards.size > 0
			? [...client.ws.shards.values()].map((s) => s.id)
			: [0];
	const totalShards = Math.max(client.options?.shardCount ?? 0, ...shardIds.map((id) => id + 1));
	return { clusterId: 0, shardIds, totalShards };
}

/** A library's ping as the protocol takes it: whole ms, capped; unknown (negative, NaN, Infinity) left out. */
export function pingOf(ping: number): number | undefined {
	if (!Number.isFinite(ping) || ping < 0) return undefined;
	return Math.min(Math.round(ping), LIMITS.maxPingMs);
}

/**
 * Reads a discord.js client's state as a Shardbeat report: each shard's state (mapped from
 * discord.js's `Status`) and ping from `client.ws.shards`, guild, unavailable-guild and member
 * counts from the guild cache (discord.js keeps an unavailable guild there with `available`
 * false), the cluster id and shard list from discord-hybrid-sharding, `client.shard`, or
 * the client's own options, in that order.
 *
 * @example
 * const source = discordSource(client);            // plain discord.js or ShardingManager
 * const source = discordSource(client, { cluster: client.cluster }); // hybrid sharding
 */
export function discordSource(client: DiscordClientLike, options: DiscordSourceOptions = {}): () => ClusterReport {
	const uptimeMs = options.uptimeMs ?? (() => process.uptime() * 1000);
	return (): ClusterReport => {
		const layout = shardLayout(client, options.cluster ?? client.cluster);
		const assigned = new Set(layout.shardIds);

		const tally = new GuildTally();
		let members = 0;
		for (const guild of client.guilds.cache.values()) {
			if (!assigned.has(guild.shardId)) continue;
			tally.add(guild.shardId, guild.available === false);
			if (Number.isFinite(guild.memberCount)) members += guild.memberCount;
		}

		const shards: ShardReport[] = [];
		for (const shard of client.ws.shards.values()) {
			if (!assigned.has(shard.id)) continue;
			const ping = pingOf(shard.ping);
			shards.push({ id: shard.id, state: fromDiscordJsStatus(shard.status), ...(ping === undefined ? {} : { ping }), ...tally.of(shard.id) });
		}
		return { ...layout, shards, guilds: tally.guilds, members, uptimeMs: Math.max(0, Math.round(uptimeMs())) };
	};
}

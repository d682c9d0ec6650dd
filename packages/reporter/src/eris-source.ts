import { fromErisShardStatus, isSnowflake, shardForGuild, type ShardReport } from './protocol.ts';
import { pingOf } from './discord-source.ts';
import type { ClusterReport } from './reporter.ts';
import { GuildTally } from './guild-tally.ts';

/*
 * Structural types: the parts of an Eris (0.17+) or Oceanic.js (1.x) client the reporter reads.
 * Neither library is a dependency; any object of this shape works.
 */

/** An Eris or Oceanic.js `Shard`. */
export interface ErisShardLike {
	id: number;
	/** 'disconnected' | 'connecting' | 'handshaking' | 'identifying' | 'resuming' | 'ready'. */
	status: string;
	/** ms; both libraries report Infinity until the first gateway heartbeat is acknowledged. */
	latency: number;
}

/** Which shards a client runs: Eris keeps these in `client.options`, Oceanic.js in `client.shards.options`. */
export interface ErisShardRangeLike {
	maxShards?: number | 'auto' | string;
	firstShardID?: number;
	lastShardID?: number;
	/**
	 * Oceanic.js: the shards the client runs. Given, it wins over `firstShardID`..`lastShardID`,
	 * which Oceanic.js then leaves at 0..(recommended count − 1); not given, Oceanic.js fills it
	 * from that range at connect.
	 */
	shardIDs?: readonly number[];
}

/** The parts of an Eris `Client` or an Oceanic.js `Client` the reporter reads. */
export interface ErisClientLike {
	/** Eris: a `Collection<Shard>` (a Map); Oceanic.js: the `ShardManager` (a Map with `options`). */
	shards: { values(): Iterable<ErisShardLike>; options?: ErisShardRangeLike };
	/** Each guild's shard and member count. */
	guilds: { values(): Iterable<{ shard: { id: number }; memberCount: number }> };
	/**
	 * Guilds Discord marks unavailable, kept apart from `guilds` by both libraries. Eris's entry
	 * has a `shard` only when it knew the guild's shard (not for READY's, not after a
	 * `GUILD_DELETE`), Oceanic.js's never: the shard is then Discord's own `(id >> 22) % total`.
	 */
	unavailableGuilds?: { values(): Iterable<{ id: string; shard?: { id: number } | undefined }> };
	/**
	 * Eris: the shard range (`ErisShardRangeLike`). Oceanic.js's client options hold none of it
	 * (its range is in `shards.options`), and TypeScript refuses an object sharing no property
	 * with an all-optional type, hence `object` beside it.
	 */
	options?: ErisShardRangeLike | object;
}

export interface ErisSourceOptions {
	/** This process's cluster id, when you run several (eris-fleet, your own clustering). Default 0. */
	clusterId?: number;
	/** The bot's total shard count. Default: the client's numeric `maxShards`, else the highest shard id + 1. */
	totalShards?: number;
	/** Process uptime in ms. Default `process.uptime() * 1000`. */
	uptimeMs?: () => number;
}

function range(client: ErisClientLike): ErisShardRangeLike {
	return { ...(client.options as ErisShardRangeLike | undefined), ...client.shards.options };
}

/** The shards this client runs: Oceanic.js's `shardIDs`, else `firstShardID`..`lastShardID`, else those it holds, else shard 0. */
function assignedShards({ firstShardID: first, lastShardID: last, shardIDs }: ErisShardRangeLike, held: readonly ErisShardLike[]): number[] {
	if (Array.isArray(shardIDs) && shardIDs.length > 0 && shardIDs.every((id) => Number.isInteger(id) && id >= 0)) {
		return [...new Set(shardIDs)].sort((a, b) => a - b);
	}
	if (Number.isInteger(first) && Number.isInteger(last) && last! >= first!) return Array.from({ length: last! - first! + 1 }, (_, i) => first! + i);
	return held.length > 0 ? held.map((s) => s.id).sort((a, b) => a - b) : [0];
}

/**
 * Reads an Eris or Oceanic.js client as a Shardbeat report: each shard's `status` (mapped in
 * `shared-types/discord-status.ts`) and `latency` from `client.shards`, guild and member counts
 * from `client.guilds`, unavailable guilds from `client.unavailableGuilds` (counted among the
 * shard's guilds too, as discord.js counts them), the shard list from Oceanic.js's `shardIDs` or
 * `firstShardID`..`lastShardID` (else the shards the client holds).
 */
export function erisSource(client: ErisClientLike, options: ErisSourceOptions = {}): () => ClusterReport {
	const uptimeMs = options.uptimeMs ?? (() => process.uptime() * 1000);
	return (): ClusterReport => {
		const shardRange = range(client);
		const { maxShards } = shardRange;
		const held = [...client.shards.values()];
		const shardIds = assignedShards(shardRange, held);
		const totalShards = options.totalShards ?? (typeof maxShards === 'number' && maxShards > 0 ? maxShards : Math.max(...shardIds) + 1);
		const assigned = new Set(shardIds);

		const tally = new GuildTally();
		let members = 0;
		for (const guild of client.guilds.values()) {
			const shardId = guild.shard?.id;
			if (shardId === undefined || !assigned.has(shardId)) continue;
			tally.add(shardId, false);
			if (Number.isFinite(guild.memberCount)) members += guild.memberCount;
		}
		for (const guild of client.unavailableGuilds?.values() ?? []) {
			const shardId = guild.shard?.id ?? (isSnowflake(guild.id) ? shardForGuild(guild.id, totalShards) : undefined);
			if (shardId !== undefined && assigned.has(shardId)) tally.add(shardId, true);
		}

		const shards: ShardReport[] = [];
		for (const shard of held) {
			if (!assigned.has(shard.id)) continue;
			const ping = pingOf(shard.latency);
			shards.push({ id: shard.id, state: fromErisShardStatus(shard.status), ...(ping === undefined ? {} : { ping }), ...tally.of(shard.id) });
		}
		shards.sort((a, b) => a.id - b.id);
		return { clusterId: options.clusterId ?? 0, totalShards, shardIds, shards, guilds: tally.guilds, members, uptimeMs: Math.max(0, Math.round(uptimeMs())) };
	};
}

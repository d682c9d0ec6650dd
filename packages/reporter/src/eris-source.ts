import { fromErisShardStatus, type ShardReport } from './protocol.ts';
import { pingOf } from './discord-source.ts';
import type { ClusterReport } from './reporter.ts';

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

/**
 * The parts of an Oceanic.js `Client` the reporter reads. Its `client.options` holds no shard
 * range (that is `client.shards.options`) and is left out: typed as Eris's, the real Oceanic.js
 * `Client` would not be accepted.
 */
export interface OceanicClientLike {
	/** Eris: a `Collection<Shard>` (a Map); Oceanic.js: the `ShardManager` (a Map with `options`). */
	shards: { values(): Iterable<ErisShardLike>; options?: ErisShardRangeLike };
	/** Each guild's shard and member count. */
	guilds: { values(): Iterable<{ shard: { id: number }; memberCount: number }> };
}

/** The parts of an Eris `Client` the reporter reads: Oceanic.js's, and the range in `client.options`. */
export interface ErisClientLike extends OceanicClientLike {
	options?: ErisShardRangeLike;
}

export interface ErisSourceOptions {
	/** This process's cluster id, when you run several (eris-fleet, your own clustering). Default 0. */
	clusterId?: number;
	/** The bot's total shard count. Default: the client's numeric `maxShards`, else the highest shard id + 1. */
	totalShards?: number;
	/** Process uptime in ms. Default `process.uptime() * 1000`. */
	uptimeMs?: () => number;
}

function range(client: ErisClientLike | OceanicClientLike): ErisShardRangeLike {
	return { ...('options' in client ? client.options : undefined), ...client.shards.options };
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
 * from `client.guilds`, the shard list from Oceanic.js's `shardIDs` or `firstShardID`..`lastShardID`
 * (else the shards the client holds).
 */
export function erisSource(client: ErisClientLike | OceanicClientLike, options: ErisSourceOptions = {}): () => ClusterReport {
	const uptimeMs = options.uptimeMs ?? (() => process.uptime() * 1000);
	return (): ClusterReport => {
		const shardRange = range(client);
		const { maxShards } = shardRange;
		const held = [...client.shards.values()];
		const shardIds = assignedShards(shardRange, held);
		const totalShards = options.totalShards ?? (typeof maxShards === 'number' && maxShards > 0 ? maxShards : Math.max(...shardIds) + 1);
		const assigned = new Set(shardIds);

		const guildsByShard = new Map<number, number>();
		let guilds = 0;
		let members = 0;
		for (const guild of client.guilds.values()) {
			const shardId = guild.shard?.id;
			if (shardId === undefined || !assigned.has(shardId)) continue;
			guilds++;
			guildsByShard.set(shardId, (guildsByShard.get(shardId) ?? 0) + 1);
			if (Number.isFinite(guild.memberCount)) members += guild.memberCount;
		}

		const shards: ShardReport[] = [];
		for (const shard of held) {
			if (!assigned.has(shard.id)) continue;
			const ping = pingOf(shard.latency);
			shards.push({ id: shard.id, state: fromErisShardStatus(shard.status), ...(ping === undefined ? {} : { ping }), guilds: guildsByShard.get(shard.id) ?? 0 });
		}
		shards.sort((a, b) => a.id - b.id);
		return { clusterId: options.clusterId ?? 0, totalShards, shardIds, shards, guilds, members, uptimeMs: Math.max(0, Math.round(uptimeMs())) };
	};
}

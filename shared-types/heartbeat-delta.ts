import type { Heartbeat, ShardReport } from './heartbeat.ts';

/*
 * Heartbeats that carry only the shards that changed. At 128 shards a full heartbeat is ~9.6 KB,
 * and writing it is most of what a heartbeat costs the bot; a gateway ping changes every ~41 s
 * and guild counts rarely, so most shards are the same as five seconds ago. Both sides use these
 * functions: the reporter to build a delta, the server to rebuild the full heartbeat from it,
 * which it then validates exactly like one sent whole.
 */

/** A full heartbeat numbered so that later deltas can name it as their base. Only sent on `/bot` once the server said `acceptsDeltas`. */
export interface SequencedHeartbeat extends Heartbeat {
	/** Counts up per connection, from 1. */
	seq: number;
}

/**
 * The heartbeat `base` (a `seq` the server accepted on this connection) with `shards` replaced by
 * id. Sent only when the cluster's shard ids, `totalShards` and the set of reported shards are
 * the base's; anything else goes full.
 */
export interface HeartbeatDelta {
	v: Heartbeat['v'];
	clusterId: number;
	seq: number;
	/** The `seq` of the last heartbeat (full or delta) the server accepted on this connection. */
	base: number;
	/** Only the shards whose report differs from the base's; empty when none changed (still a heartbeat for every shard). */
	shards: ShardReport[];
	guilds: number;
	members: number;
	uptimeMs: number;
}

/**
 * A full heartbeat every this many, even when deltas would do: a base both sides got wrong (a
 * bug) is then cured within this many heartbeats instead of lasting the whole connection.
 */
export const FULL_HEARTBEAT_EVERY = 10;

const sameShard = (a: ShardReport, b: ShardReport): boolean =>
	a.id === b.id && a.state === b.state && a.ping === b.ping && a.guilds === b.guilds && a.unavailableGuilds === b.unavailableGuilds;

/**
 * The shards of `next` that differ from `prev`, or `undefined` when a delta cannot say what
 * changed (another cluster id or `totalShards`, other `shardIds`, or shards started, stopped or
 * reordered) and a full heartbeat must go instead.
 */
export function changedShards(prev: Heartbeat, next: Heartbeat): ShardReport[] | undefined {
	if (prev.clusterId !== next.clusterId || prev.totalShards !== next.totalShards) return undefined;
	const { shardIds } = next;
	if (prev.shardIds.length !== shardIds.length || prev.shards.length !== next.shards.length) return undefined;
	if (prev.shardIds !== shardIds) for (let i = 0; i < shardIds.length; i++) if (prev.shardIds[i] !== shardIds[i]) return undefined;
	const changed: ShardReport[] = [];
	for (let i = 0; i < next.shards.length; i++) {
		const a = prev.shards[i]!;
		const b = next.shards[i]!;
		// The same object in a snapshot is a frozen one (snapshots copy all others): unchanged,
		// known without reading it, which at 128 shards is most of what this costs a sleeping bot.
		if (a === b) continue;
		if (a.id !== b.id) return undefined;
		if (!sameShard(a, b)) changed.push(b);
	}
	return changed;
}

/**
 * A copy of `heartbeat` that later changes to the source's objects cannot reach: the reporter
 * diffs the next heartbeat against it, and a source may reuse its objects. Frozen objects (the
 * discord.js source freezes what it hands out) cannot change, so they are kept as they are.
 */
export function snapshotHeartbeat(heartbeat: Heartbeat): Heartbeat {
	const shards: ShardReport[] = new Array(heartbeat.shards.length);
	for (let i = 0; i < shards.length; i++) shards[i] = copyShard(heartbeat.shards[i]!);
	const { shardIds } = heartbeat;
	return { ...heartbeat, shardIds: Object.isFrozen(shardIds) ? shardIds : shardIds.slice(), shards };
}

function copyShard(s: ShardReport): ShardReport {
	if (Object.isFrozen(s)) return s;
	const copy: ShardReport = { id: s.id, state: s.state, guilds: s.guilds };
	if (s.ping !== undefined) copy.ping = s.ping;
	if (s.unavailableGuilds !== undefined) copy.unavailableGuilds = s.unavailableGuilds;
	return copy;
}

/**
 * Brings a snapshot taken of `prev` up to `next` after `changedShards(snapshot, next)` gave
 * `changed`: only the changed shards are copied, so a heartbeat in which little moved allocates
 * little. In place, for that reason; `changed` must be what `changedShards` returned for `next`.
 */
export function advanceSnapshot(snapshot: Heartbeat, next: Heartbeat, changed: readonly ShardReport[]): void {
	for (let i = 0, j = 0; j < changed.length && i < next.shards.length; i++) {
		if (next.shards[i] === changed[j]) snapshot.shards[i] = copyShard(changed[j++]!);
	}
}

export type DeltaApplied = { ok: true; heartbeat: Heartbeat } | { ok: false; field: string; message: string };

/**
 * The full heartbeat a delta stands for: `base` with the delta's shards put in place by id and its
 * cluster-level fields. Refuses (naming the field) a shard the base does not report, or one listed
 * twice; everything else is left to the heartbeat's own validation. Never mutates `base`.
 */
export function applyHeartbeatDelta(base: Heartbeat, delta: HeartbeatDelta): DeltaApplied {
	const shards = base.shards.slice();
	const replaced = new Set<number>();
	// By id through a map once a delta names more than a few shards: a search per shard would make a
	// large delta against a large base quadratic.
	const index = delta.shards.length > 8 ? new Map(shards.map((s, i) => [s.id, i])) : undefined;
	for (let i = 0; i < delta.shards.length; i++) {
		const shard = delta.shards[i]!;
		const at = index ? (index.get(shard.id) ?? -1) : shards.findIndex((s) => s.id === shard.id);
		if (at < 0) {
			return { ok: false, field: `shards[${i}].id`, message: `shard ${shard.id} is not reported in the base heartbeat; a delta only updates shards the base reports, so send a full heartbeat` };
		}
		if (replaced.has(shard.id)) return { ok: false, field: `shards[${i}].id`, message: `shard ${shard.id} is reported twice` };
		replaced.add(shard.id);
		shards[at] = shard;
	}
	return {
		ok: true,
		heartbeat: {
			v: delta.v,
			clusterId: delta.clusterId,
			totalShards: base.totalShards,
			shardIds: base.shardIds,
			shards,
			guilds: delta.guilds,
			members: delta.members,
			uptimeMs: delta.uptimeMs
		}
	};
}

import { decodeDelta, decodeFull, encodeDelta, encodeFull, type ChangeSet, type ClusterStatus, type ShardStatus } from '#shared';
import type { CommittedUpdate } from './fleet-feed.ts';

/*
 * `SHARDBEAT_PUBLIC_DETAIL=basic`. Per-shard pings and guild counts tell an attacker which shard
 * is weakest (highest ping) or worth most (most guilds); states alone still tell users whether
 * their server is up. So the public copy keeps every state and time, and drops those figures.
 * Unavailable guilds go with the guild counts: a count per shard is a figure of the same kind
 * (and bounds the shard's guilds from below), and what it tells a user, that Discord is having
 * trouble, the shard's state and Discord's own status page already say.
 */

function redactShard(s: ShardStatus): ShardStatus {
	if (s.ping === null && s.guilds === 0 && s.unavailableGuilds === undefined) return s;
	const { unavailableGuilds: _dropped, ...rest } = s;
	return { ...rest, ping: null, guilds: 0 };
}

/** A cluster without pings, guild, unavailable guild or member counts. */
export function redactCluster(c: ClusterStatus): ClusterStatus {
	return { ...c, guilds: 0, members: 0, shards: c.shards.map(redactShard) };
}

/**
 * The same update (same kind and versions) with redacted figures. A delta's patches are decoded
 * against `lookup` (the cluster as the redacted copy holds it), which only lends the shards the
 * patch does not name, and re-encoded as the same patch, so public deltas stay as small.
 */
export function redactUpdate(update: CommittedUpdate, lookup: (id: number) => ClusterStatus | undefined): CommittedUpdate {
	if (update.kind === 'full') return { ...update, data: encodeFull(decodeFull(update.data, update.at).map(redactCluster), update.at) };
	const changes: ChangeSet = new Map();
	const clusters = new Map<number, ClusterStatus>();
	for (const entry of decodeDelta(update.data, update.at, lookup)) {
		if (entry.kind === 'removed') changes.set(entry.id, 'removed');
		else {
			changes.set(entry.cluster.id, entry.change);
			clusters.set(entry.cluster.id, redactCluster(entry.cluster));
		}
	}
	return { ...update, data: encodeDelta(changes, (id) => clusters.get(id), update.at) };
}

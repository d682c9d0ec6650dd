import type { ClusterStatus, ShardConflict } from './cluster.ts';

/*
 * What the fleet as a whole says, derived from its clusters alone. Derived (not carried on the
 * wire) so every holder of the same clusters agrees, whichever server instance committed which
 * cluster's change.
 */

/** Shards claimed by more than one live cluster, ascending by shard id. */
export function deriveConflicts(clusters: readonly ClusterStatus[]): ShardConflict[] {
	const owner = new Map<number, number>();
	const multi = new Map<number, number[]>();
	for (const c of clusters) {
		if (c.lifecycle === 'stopped') continue;
		for (const id of c.shardIds) {
			const first = owner.get(id);
			if (first === undefined) owner.set(id, c.id);
			else {
				const list = multi.get(id);
				if (list) list.push(c.id);
				else multi.set(id, [first, c.id]);
			}
		}
	}
	return [...multi]
		.map(([shardId, ids]) => ({ shardId, clusterIds: ids.sort((a, b) => a - b) }))
		.sort((a, b) => a.shardId - b.shardId);
}

/**
 * The bot's shard count: as reported by the most recently started live cluster (a re-shard
 * starts new processes, so the newest knows best); with none live, by the last one heard from.
 */
export function deriveTotalShards(clusters: readonly ClusterStatus[]): number {
	let best: ClusterStatus | undefined;
	for (const c of clusters) {
		if (c.lifecycle === 'stopped') continue;
		if (!best || c.startedAt > best.startedAt || (c.startedAt === best.startedAt && c.id > best.id)) best = c;
	}
	if (!best) {
		for (const c of clusters) if (!best || c.lastHeartbeatAt > best.lastHeartbeatAt) best = c;
	}
	return best?.totalShards ?? 0;
}

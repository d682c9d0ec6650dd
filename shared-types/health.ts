import type { ClusterStatus, FleetStatus } from './cluster.ts';
import { isShardUp } from './shard-state.ts';

/** A single cluster: every assigned shard ready, some, or none (or the process is stopped). */
export type ClusterHealth = 'healthy' | 'degraded' | 'down';

/** The fleet as a whole, the word on the banner. */
export type OverallState = 'operational' | 'degraded' | 'outage' | 'unknown';

export interface OverallHealth {
	state: OverallState;
	/** Shards that are ready in a live cluster. */
	up: number;
	/** The bot's total shard count; shards no live cluster reports count as down. */
	total: number;
}

/** Shards of `cluster` that are ready, counting only ids the cluster is assigned. */
export function readyShardCount(cluster: Pick<ClusterStatus, 'shardIds' | 'shards'>): number {
	const assigned = new Set(cluster.shardIds);
	let up = 0;
	for (const shard of cluster.shards) if (assigned.has(shard.id) && isShardUp(shard.state)) up++;
	return up;
}

export function clusterHealth(cluster: Pick<ClusterStatus, 'lifecycle' | 'shardIds' | 'shards'>): ClusterHealth {
	if (cluster.lifecycle === 'stopped') return 'down';
	const up = readyShardCount(cluster);
	if (up === 0) return 'down';
	return up === cluster.shardIds.length ? 'healthy' : 'degraded';
}

/**
 * Overall health: `unknown` when no cluster has ever reported; otherwise `operational` when every
 * shard of the bot is ready in a live cluster, `outage` when none is, `degraded` in between.
 * A shard in the total that no live cluster reports (a cluster that never started) is down.
 */
export function overallHealth(fleet: Pick<FleetStatus, 'clusters' | 'totalShards'>): OverallHealth {
	let total = fleet.totalShards;
	if (fleet.clusters.length === 0) return { state: 'unknown', up: 0, total };
	if (total <= 0) for (const c of fleet.clusters) for (const id of c.shardIds) total = Math.max(total, id + 1);
	// Clusters that claim no shards tell us nothing about the bot's health.
	if (total === 0) return { state: 'unknown', up: 0, total: 0 };

	// A shard counts once even when two clusters claim it (a conflict the server reports separately).
	// The page runs this on every update of a 16,000-shard fleet, so it allocates two arrays, not a
	// Set per cluster: `assigned` marks one cluster's ids at a time and is cleared after.
	const ready = new Uint8Array(total);
	const assigned = new Uint8Array(total);
	for (const cluster of fleet.clusters) {
		if (cluster.lifecycle === 'stopped') continue;
		for (const id of cluster.shardIds) if (id < total) assigned[id] = 1;
		for (const shard of cluster.shards) {
			if (shard.id < total && assigned[shard.id] === 1 && isShardUp(shard.state)) ready[shard.id] = 1;
		}
		for (const id of cluster.shardIds) if (id < total) assigned[id] = 0;
	}
	let up = 0;
	for (let i = 0; i < total; i++) up += ready[i]!;

	const state: OverallState = up === total ? 'operational' : up === 0 ? 'outage' : 'degraded';
	return { state, up, total };
}

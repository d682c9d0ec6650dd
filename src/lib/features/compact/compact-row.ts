import { clusterHealth, readyShardCount, type ClusterHealth, type ClusterLifecycle, type ClusterStatus } from '#shared';
import { averagePing } from '$lib/features/clusters/cluster-view';

/** One row of the compact list: what a cluster's card says, in one line. */
export interface CompactRow {
	id: number;
	health: ClusterHealth;
	lifecycle: ClusterLifecycle;
	/** Covered by a maintenance window in force. */
	maintenance: boolean;
	/** Shown as last seen before a reconnect; the server has not reported it since. */
	awaiting: boolean;
	/** Ready shards; 0 for a stopped cluster (its last report may still say ready). */
	up: number;
	/** Shards assigned to it. */
	total: number;
	/** Mean gateway ping of the shards that have one; null when none has. */
	ping: number | null;
	guilds: number;
	/** When a stopped cluster was last heard from (epoch ms); null while it runs. */
	lastHeartbeatAt: number | null;
}

/** The compact list's row for `cluster`. */
export function compactRow(cluster: ClusterStatus, flags: { maintenance: boolean; awaiting: boolean }): CompactRow {
	const stopped = cluster.lifecycle === 'stopped';
	return {
		id: cluster.id,
		health: clusterHealth(cluster),
		lifecycle: cluster.lifecycle,
		maintenance: flags.maintenance,
		awaiting: flags.awaiting,
		up: stopped ? 0 : readyShardCount(cluster),
		total: cluster.shardIds.length,
		ping: stopped ? null : averagePing(cluster),
		guilds: cluster.guilds,
		lastHeartbeatAt: stopped ? cluster.lastHeartbeatAt : null
	};
}

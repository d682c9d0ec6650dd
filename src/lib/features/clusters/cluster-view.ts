import { clusterHealth, readyShardCount, type ClusterHealth, type ClusterStatus } from '#shared';

export type ClusterSort = 'id' | 'health' | 'ping';

/** Mean ping of the cluster's shards that have one; null when none does (e.g. stopped). */
export function averagePing(cluster: ClusterStatus): number | null {
	let sum = 0;
	let n = 0;
	for (const s of cluster.shards) {
		if (s.ping !== null) {
			sum += s.ping;
			n++;
		}
	}
	return n === 0 ? null : sum / n;
}

/**
 * Guilds Discord marks unavailable across the cluster's shards, as their reporter last said: 0
 * when none is, when the reporter does not send the count, and for a stopped cluster (whose
 * counts the server drops).
 */
export function unavailableGuilds(cluster: ClusterStatus): number {
	let n = 0;
	for (const s of cluster.shards) n += s.unavailableGuilds ?? 0;
	return n;
}

const SEVERITY: Record<ClusterHealth, number> = { down: 0, degraded: 1, healthy: 2 };

/**
 * Orders clusters for display: by id; by health (worst first, then id); or by ping (slowest
 * first, clusters without a ping last). Never mutates its input.
 */
export function sortClusters(clusters: readonly ClusterStatus[], by: ClusterSort): ClusterStatus[] {
	const list = [...clusters];
	if (by === 'id') return list.sort((a, b) => a.id - b.id);
	if (by === 'health') {
		return list.sort((a, b) => SEVERITY[clusterHealth(a)] - SEVERITY[clusterHealth(b)] || readyShardCount(a) / a.shardIds.length - readyShardCount(b) / b.shardIds.length || a.id - b.id);
	}
	return list.sort((a, b) => (averagePing(b) ?? -1) - (averagePing(a) ?? -1) || a.id - b.id);
}

export function isUnhealthy(cluster: ClusterStatus): boolean {
	return clusterHealth(cluster) !== 'healthy';
}

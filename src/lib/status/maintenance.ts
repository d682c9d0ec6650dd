import { clusterHealth, type ClusterStatus, type MaintenanceWindow, type OverallHealth } from '#shared';

/*
 * Planned work: which windows are in force, which clusters they cover, and whether the banner
 * may say "maintenance" instead of "outage".
 */

/** Windows in force at `now` (`startsAt` inclusive, `endsAt` exclusive). */
export function activeMaintenance(windows: readonly MaintenanceWindow[], now: number): MaintenanceWindow[] {
	return windows.filter((w) => w.startsAt <= now && now < w.endsAt);
}

/** Windows not started yet at `now`, soonest first. */
export function upcomingMaintenance(windows: readonly MaintenanceWindow[], now: number): MaintenanceWindow[] {
	return windows.filter((w) => w.startsAt > now).sort((a, b) => a.startsAt - b.startsAt);
}

/** Whether any of the `active` windows covers cluster `id` (`clusterIds` null: the whole bot). */
export function underMaintenance(id: number, active: readonly MaintenanceWindow[]): boolean {
	return active.some((w) => w.clusterIds === null || w.clusterIds.includes(id));
}

/**
 * Whether the banner should say "maintenance": something is unhealthy, and all of it is covered
 * by active maintenance. A whole-bot window covers everything. Otherwise every unhealthy cluster
 * must be covered, and so must every shard no cluster reports (`overallHealth` counts those as
 * down, and no window can name a cluster that never reported), so a real outage beside planned
 * work is never passed off as maintenance.
 */
export function maintenanceExplainsHealth(
	health: OverallHealth,
	clusters: readonly Pick<ClusterStatus, 'id' | 'lifecycle' | 'shardIds' | 'shards'>[],
	active: readonly MaintenanceWindow[]
): boolean {
	if (active.length === 0 || (health.state !== 'degraded' && health.state !== 'outage')) return false;
	if (active.some((w) => w.clusterIds === null)) return true;
	const reported = new Set<number>();
	for (const c of clusters) {
		for (const id of c.shardIds) reported.add(id);
		if (clusterHealth(c) !== 'healthy' && !underMaintenance(c.id, active)) return false;
	}
	return reported.size >= health.total;
}

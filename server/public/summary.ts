import { clusterHealth, isShardUp, overallHealth, readyShardCount } from '#shared';
import type { ClusterStatus, FleetStatus, Incident, MaintenanceWindow, StatusSummary } from '#shared';

type SummaryState = StatusSummary['status']['state'];

/** A window is in progress from `startsAt` (inclusive) to `endsAt` (exclusive). */
function isActive(window: MaintenanceWindow, now: number): boolean {
	return window.startsAt <= now && now < window.endsAt;
}

/** Soonest first; the id keeps the order stable when two windows start together. */
function byStart(a: MaintenanceWindow, b: MaintenanceWindow): number {
	return a.startsAt - b.startsAt || a.id - b.id;
}

/**
 * Builds `GET /api/v1/summary` from the live fleet, the incidents and the maintenance windows
 * at `now` (epoch ms). Pure: the same inputs always give the same summary.
 *
 * Maintenance: a cluster covered by an active window (`clusterIds` null covers every cluster)
 * shows health `maintenance`, and its shards count as neither up nor down, so planned work never
 * reads as an outage. The overall state is `maintenance` when some window is active and every
 * shard outside maintenance is up; otherwise it is `overallHealth` over the shards outside
 * maintenance. An active whole-bot window also covers shards no cluster reports (a cluster that
 * has not started), and makes an empty fleet read `maintenance` rather than `unknown`: the
 * operator said the bot is down on purpose.
 *
 * `activeIncidents` are the unresolved incidents, newest first; `maintenance.active` and
 * `maintenance.upcoming` are soonest first, and windows that have ended are left out.
 */
export function buildSummary(fleet: FleetStatus, incidents: Incident[], maintenance: MaintenanceWindow[], now: number): StatusSummary {
	const active = maintenance.filter((w) => isActive(w, now)).sort(byStart);
	const upcoming = maintenance.filter((w) => w.startsAt > now).sort(byStart);

	const wholeBot = active.some((w) => w.clusterIds === null);
	const underMaintenance = new Set<number>();
	for (const w of active) for (const id of w.clusterIds ?? []) underMaintenance.add(id);
	const inMaintenance = (c: ClusterStatus) => wholeBot || underMaintenance.has(c.id);

	const clusters: StatusSummary['clusters'] = [...fleet.clusters]
		.sort((a, b) => a.id - b.id)
		.map((c) => ({
			id: c.id,
			health: inMaintenance(c) ? 'maintenance' : clusterHealth(c),
			// A stopped cluster's last report may still say `ready`; clusterHealth calls it down, so do we.
			shardsUp: c.lifecycle === 'stopped' ? 0 : readyShardCount(c),
			shards: c.shardIds.length,
			lifecycle: c.lifecycle
		}));

	const { state, up, total } = overallState(fleet, inMaintenance, wholeBot, active.length > 0);
	return {
		generatedAt: now,
		status: { state, description: describe(state, up, total), shardsUp: up, shardsTotal: total },
		clusters,
		activeIncidents: incidents.filter((i) => i.status !== 'resolved').sort((a, b) => b.startedAt - a.startedAt || b.id - a.id),
		maintenance: { active, upcoming }
	};
}

function overallState(
	fleet: FleetStatus,
	inMaintenance: (c: ClusterStatus) => boolean,
	wholeBot: boolean,
	anyActive: boolean
): { state: SummaryState; up: number; total: number } {
	if (wholeBot) return { state: 'maintenance', up: 0, total: 0 };

	// The whole fleet fixes the total (overallHealth derives it when no cluster reported one);
	// the clusters outside maintenance decide which shards are up.
	const all = overallHealth(fleet);
	// With nothing reported, a window for some clusters says nothing about the rest: still unknown.
	if (all.state === 'unknown') return { state: 'unknown', up: 0, total: all.total };
	const outside = fleet.clusters.filter((c) => !inMaintenance(c));
	const { up } = outside.length > 0 ? overallHealth({ clusters: outside, totalShards: all.total }) : { up: 0 };

	// Shards claimed by a cluster in maintenance leave the total, unless another (live, not in
	// maintenance) cluster serves them anyway: then they are simply up.
	const excluded = new Set<number>();
	for (const c of fleet.clusters) if (inMaintenance(c)) for (const id of c.shardIds) if (id < all.total) excluded.add(id);
	if (excluded.size > 0) {
		for (const c of outside) {
			if (c.lifecycle === 'stopped') continue;
			const assigned = new Set(c.shardIds);
			for (const s of c.shards) if (isShardUp(s.state) && assigned.has(s.id)) excluded.delete(s.id);
		}
	}
	const total = all.total - excluded.size;

	if (anyActive && up === total) return { state: 'maintenance', up, total };
	if (total === 0) return { state: 'unknown', up, total };
	return { state: up === total ? 'operational' : up === 0 ? 'outage' : 'degraded', up, total };
}

/** The banner sentence, in English (the page words its own from `state` and the counts). */
function describe(state: SummaryState, up: number, total: number): string {
	switch (state) {
		case 'operational':
			return 'All shards operational';
		case 'degraded':
			return `Partial outage: ${up} of ${total} shards up`;
		case 'outage':
			return 'Major outage';
		case 'maintenance':
			return 'Under maintenance';
		case 'unknown':
			return 'No data yet';
	}
}

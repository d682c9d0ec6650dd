import { lastLocalDays, localDay, startOfLocalDay, type ClusterHistory, type DailyBars, type FleetHistory, type Incident, type IncidentUpdate, type MaintenanceWindow, type UptimeFigures } from '#shared';
import type { DemoHistory } from './history-state.svelte.ts';

/*
 * Made-up history for `npm run dev` without a status server, to go with `demoFleet` (6 clusters
 * of 8 shards; cluster 2 reconnecting, cluster 4 stopped). Imported only behind `dev`, so a
 * production build cannot contain it; the page labels it "demo data" wherever it is shown.
 * Everything is derived from `now`, so bars stay put across refreshes within a day.
 */

const CLUSTERS = 6;
const PER_CLUSTER = 8;
const SHARDS = CLUSTERS * PER_CLUSTER;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The demo bot started reporting 75 days ago: older bars are grey. */
const TRACKED_DAYS = 75;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const shardsOf = (cluster: number) => range(cluster * PER_CLUSTER, cluster * PER_CLUSTER + PER_CLUSTER - 1);

interface DemoIncident extends Incident {
	/** Whole-shard minutes down, for the bars. */
	downMinutes: number;
}

function incidents(now: number, timeZone: string): DemoIncident[] {
	// Automatic updates carry facts, which the page words in its own language (`message` is the API's English).
	const u = (id: number, at: number, status: IncidentUpdate['status'], message: string, auto?: Required<Pick<IncidentUpdate, 'kind' | 'shardsDown' | 'clusterIdsDown'>>): IncidentUpdate => ({
		id,
		at,
		status,
		message,
		...auto
	});
	const list: DemoIncident[] = [];

	// Open now, on the cluster the demo fleet shows reconnecting.
	const slow = now - 25 * MINUTE;
	list.push({
		id: 106,
		source: 'operator',
		title: 'Slow reconnects on cluster 2',
		status: 'monitoring',
		impact: 'minor',
		startedAt: slow,
		resolvedAt: null,
		clusterIds: [2],
		shardIds: [19, 21],
		downMinutes: 2 * 6,
		updates: [
			u(1061, slow, 'investigating', 'Two shards of cluster 2 keep reconnecting. We are looking into it.'),
			u(1062, slow + 12 * MINUTE, 'identified', 'Discord is rate-limiting this cluster’s identify requests after a restart.'),
			u(1063, slow + 20 * MINUTE, 'monitoring', 'The shards are resuming one at a time; servers on them may see delayed replies.')
		]
	});

	// `hour` o'clock local time, `daysAgo` days back.
	const at = (daysAgo: number, hour: number) => startOfLocalDay(now - daysAgo * DAY, timeZone) + hour * HOUR;
	const resolved = (id: number, daysAgo: number, hour: number, minutes: number, rest: Omit<DemoIncident, 'id' | 'startedAt' | 'resolvedAt' | 'status' | 'downMinutes' | 'updates'>, updates: (start: number, end: number) => IncidentUpdate[]) => {
		const start = at(daysAgo, hour);
		const end = start + minutes * MINUTE;
		list.push({ id, ...rest, status: 'resolved', startedAt: start, resolvedAt: end, downMinutes: minutes * rest.shardIds.length, updates: updates(start, end) });
	};

	resolved(105, 2, 9, 38, { source: 'operator', title: 'Elevated reconnects on cluster 2', impact: 'minor', clusterIds: [2], shardIds: shardsOf(2) }, (s, e) => [
		u(1051, s, 'investigating', 'Cluster 2 is reconnecting more often than usual.'),
		u(1052, s + 15 * MINUTE, 'identified', 'A noisy neighbour on the host starved the cluster of CPU; it has been moved.'),
		u(1053, e, 'resolved', 'Reconnects are back to normal.')
	]);
	const back = (): Required<Pick<IncidentUpdate, 'kind' | 'shardsDown' | 'clusterIdsDown'>> => ({ kind: 'resolved', shardsDown: [], clusterIdsDown: [] });
	resolved(104, 11, 14, 95, { source: 'auto', title: '8 shards down in cluster 5', titleFacts: { shardCount: 8, clusterIds: [5] }, impact: 'minor', clusterIds: [5], shardIds: shardsOf(5) }, (s, e) => [
		u(1041, s, 'investigating', '8 shards went down in cluster 5 (shards 40–47).', { kind: 'opened', shardsDown: shardsOf(5), clusterIdsDown: [5] }),
		u(1042, e, 'resolved', 'All shards are back up.', back())
	]);
	resolved(103, 23, 3, 300, { source: 'auto', title: '48 shards down in 6 clusters', titleFacts: { shardCount: SHARDS, clusterIds: range(0, 5) }, impact: 'critical', clusterIds: range(0, 5), shardIds: range(0, SHARDS - 1) }, (s, e) => [
		u(1031, s, 'investigating', '24 shards went down in clusters 0, 1, and 2 (shards 0–23).', { kind: 'opened', shardsDown: range(0, 23), clusterIdsDown: [0, 1, 2] }),
		u(1032, s + 4 * MINUTE, 'investigating', 'The outage spread: 48 shards are down in 6 clusters (shards 0–47).', { kind: 'worsened', shardsDown: range(0, SHARDS - 1), clusterIdsDown: range(0, 5) }),
		u(1033, s + 20 * MINUTE, 'identified', 'Discord’s gateway is failing for many bots; we are waiting on Discord.'),
		u(1034, s + 240 * MINUTE, 'monitoring', 'Some shards recovered: 24 shards are still down in clusters 3, 4, and 5 (shards 24–47).', { kind: 'improved', shardsDown: range(24, SHARDS - 1), clusterIdsDown: [3, 4, 5] }),
		u(1035, e, 'resolved', 'All shards are back up.', back())
	]);
	resolved(102, 40, 20, 20, { source: 'auto', title: '2 shards down in cluster 1', titleFacts: { shardCount: 2, clusterIds: [1] }, impact: 'minor', clusterIds: [1], shardIds: [8, 9] }, (s, e) => [
		u(1021, s, 'investigating', '2 shards went down in cluster 1 (shards 8–9).', { kind: 'opened', shardsDown: [8, 9], clusterIdsDown: [1] }),
		u(1022, e, 'resolved', 'All shards are back up.', back())
	]);
	resolved(101, 57, 16, 45, { source: 'operator', title: 'Bot restarted for a security fix', impact: 'major', clusterIds: range(0, 5), shardIds: range(0, SHARDS - 1) }, (s, e) => [
		u(1011, s, 'identified', 'An urgent dependency fix needs a full restart. Commands are unavailable for a few minutes.'),
		u(1012, e, 'resolved', 'Every cluster is back.')
	]);
	return list.sort((a, b) => b.startedAt - a.startedAt);
}

function maintenance(now: number): MaintenanceWindow[] {
	const hour = now - (now % HOUR);
	return [
		{
			id: 7,
			title: 'Moving cluster 4 to a new host',
			message: 'Cluster 4 is stopped while it moves; its servers are back within the hour.',
			startsAt: now - 10 * MINUTE,
			endsAt: now + 50 * MINUTE,
			clusterIds: [4]
		},
		{
			id: 8,
			title: 'Gateway library upgrade',
			message: 'All clusters restart one at a time; expect short reconnects.',
			startsAt: hour + 3 * DAY,
			endsAt: hour + 3 * DAY + HOUR,
			clusterIds: null
		}
	];
}

/** Bars for `shards` shards, counting each incident's downtime on the shards in `scope`. */
function bars(now: number, timeZone: string, all: DemoIncident[], scope: (i: DemoIncident) => number, shards: number): DailyBars {
	const days = lastLocalDays(now, 90, timeZone);
	const minutes = new Map<string, number>();
	for (const i of all) {
		const day = localDay(i.startedAt, timeZone);
		minutes.set(day, (minutes.get(day) ?? 0) + scope(i) / shards);
	}
	return {
		days: days.map((d) => d.day),
		ratio: days.map((d, k) => {
			if (k < days.length - TRACKED_DAYS) return null;
			const length = (d.end - d.start) / MINUTE;
			return Math.round(Math.max(0, 1 - (minutes.get(d.day) ?? 0) / length) * 10_000) / 10_000;
		}),
		downMinutes: days.map((d, k) => (k < days.length - TRACKED_DAYS ? 0 : Math.round((minutes.get(d.day) ?? 0) * 10) / 10))
	};
}

/** Uptime figures from daily bars: each tracked day weighs the same. */
function figures(b: DailyBars): UptimeFigures {
	const over = (n: number) => {
		const tracked = b.ratio.slice(-n).filter((r): r is number => r !== null);
		return tracked.length === 0 ? null : Math.round((tracked.reduce((s, r) => s + r, 0) / tracked.length) * 10_000) / 10_000;
	};
	return { '24h': over(1), '7d': over(7), '30d': over(30), '90d': over(90) };
}

function inCluster(i: DemoIncident, cluster: number): number {
	const own = i.shardIds.filter((s) => Math.floor(s / PER_CLUSTER) === cluster).length;
	return i.shardIds.length === 0 ? 0 : (i.downMinutes / i.shardIds.length) * own;
}

function demoFleetHistory(now: number, timeZone: string): FleetHistory {
	const all = incidents(now, timeZone);
	const fleetBars = bars(now, timeZone, all, (i) => i.downMinutes, SHARDS);
	return {
		generatedAt: now,
		timeZone,
		uptime: figures(fleetBars),
		bars: fleetBars,
		clusters: range(0, CLUSTERS - 1).map((id) => ({ id, uptime: figures(bars(now, timeZone, all, (i) => inCluster(i, id), PER_CLUSTER)) })),
		incidents: all.map(({ downMinutes: _, ...incident }) => incident),
		maintenance: maintenance(now)
	};
}

function demoClusterHistory(id: number, now: number, timeZone: string): ClusterHistory | null {
	if (!Number.isInteger(id) || id < 0 || id >= CLUSTERS) return null;
	const all = incidents(now, timeZone);
	const clusterBars = bars(now, timeZone, all, (i) => inCluster(i, id), PER_CLUSTER);
	const bucketMs = 15 * MINUTE;
	const pingFrom = now - (now % bucketMs) - 95 * bucketMs;
	// The demo fleet's pings for this cluster's shards, averaged, with a slow daily swell.
	const base = shardsOf(id).reduce((sum, sid) => sum + 40 + ((sid * 37) % 110), 0) / PER_CLUSTER;
	const ping = Array.from({ length: 96 }, (_, k) => {
		if (id === 4 && k >= 94) return null; // stopped: no pings since
		if (id === 1 && k >= 36 && k < 42) return null; // a restart left a gap
		return Math.round(base + 18 * Math.sin(k / 9) + ((k * 7919 + id * 104729) % 13) - 6);
	});
	return { id, generatedAt: now, timeZone, uptime: figures(clusterBars), bars: clusterBars, ping, pingFrom, pingBucketMs: bucketMs };
}

export const demoHistory: DemoHistory = { fleet: demoFleetHistory, cluster: demoClusterHistory };

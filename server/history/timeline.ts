import { intersect, normalise, subtract, type Interval, type Outage, type ShardHistory } from '#shared';

/** A recorded shard state (`missing`: assigned but not reported). */
export interface ShardRow {
	at: number;
	cluster_id: number;
	shard_id: number;
	state: string;
}

/**
 * A recorded cluster change: its lifecycle (`removed`: the fleet forgot it, superseded by a
 * re-shard or retired by an operator) and the shards it runs from that instant on. `shard_ids` is
 * null on a removal and on rows recorded before layouts were (migration 004).
 */
export interface ClusterRow {
	at: number;
	cluster_id: number;
	lifecycle: string;
	shard_ids?: readonly number[] | null;
}

/** A shard's history in one cluster as recorded; `stillDown` when its last down interval runs to the window's end. */
export interface RecordedShard extends ShardHistory {
	stillDown: boolean;
	/** When this cluster stopped running the shard inside the window: a layout without it, or the cluster removed. */
	departures: number[];
	/** Up in this cluster at `window.end` itself (an interval cannot say so for a shard back that instant). */
	upAtEnd: boolean;
}

/** A shard down, whichever clusters ran it meanwhile (`clusterIds`: those whose reports said so). */
export interface ShardOutage extends Outage {
	clusterIds: number[];
}

type Cursor = { history: RecordedShard; trackedSince: number | null; downSince: number | null };
/** What one instant says about one cluster: its last membership row, and each shard's last state. */
type Instant = { membership: 'removed' | ReadonlySet<number> | undefined; states: Map<number, string> };

/**
 * Turns recorded transitions into per-cluster shard histories over `window`, the input of
 * `uptime`, `dailyBars` and `outagesOf`. Rows must include, per (cluster, shard), the last one
 * before the window, and per cluster its last row before the window (the state each started in),
 * each table in the order it was written.
 *
 * A shard is tracked in a cluster from its first row until the cluster's layout no longer lists
 * it or the cluster is removed (both departures, recorded explicitly), and down whenever its
 * state is anything but `ready` (a stopped cluster records its shards as `disconnected`). The
 * last state holds until `window.end`. Several commits can share one millisecond: what an instant
 * says is its last word (its last membership row, each shard's last state), so a removal ends
 * the shards recorded at that very instant, and a new layout keeps the ones it lists. A shard is
 * the same shard whichever cluster runs it: while another cluster has it up, a cluster that still
 * lists it down (stopped, not yet superseded) neither counts that time nor shows it as down, so a
 * re-shard leaves no phantom downtime.
 */
export function buildShardHistories(shardRows: readonly ShardRow[], clusterRows: readonly ClusterRow[], window: Interval): Map<number, RecordedShard[]> {
	const cursors = new Map<number, Map<number, Cursor>>();
	const byCluster = new Map<number, RecordedShard[]>();
	// Per instant, per cluster, its last word. Rows after the window are ignored; a row at the very
	// end still counts (a shard back at `now` is not still out).
	const instants = new Map<number, Map<number, Instant>>();
	const at = (time: number, cluster: number): Instant => {
		let clusters = instants.get(time);
		if (!clusters) instants.set(time, (clusters = new Map()));
		let instant = clusters.get(cluster);
		if (!instant) clusters.set(cluster, (instant = { membership: undefined, states: new Map() }));
		return instant;
	};
	for (const r of clusterRows) {
		if (r.at > window.end) continue;
		if (r.lifecycle === 'removed') at(r.at, r.cluster_id).membership = 'removed';
		else if (r.shard_ids) at(r.at, r.cluster_id).membership = new Set(r.shard_ids);
	}
	for (const r of shardRows) if (r.at <= window.end) at(r.at, r.cluster_id).states.set(r.shard_id, r.state);

	const close = (c: Cursor, at: number, departed: boolean) => {
		const end = Math.max(window.start, at);
		if (departed && c.trackedSince !== null) c.history.departures.push(end);
		if (c.trackedSince !== null && end > c.trackedSince) c.history.tracked.push({ start: c.trackedSince, end });
		if (c.downSince !== null && end > c.downSince) c.history.down.push({ start: c.downSince, end });
		c.trackedSince = null;
		c.downSince = null;
	};

	for (const time of [...instants.keys()].sort((a, b) => a - b)) {
		const t = Math.max(window.start, time);
		// Departures before the window only set where it starts; they are not events inside it.
		const inside = time >= window.start;
		for (const [cluster, { membership, states }] of instants.get(time)!) {
			let own = cursors.get(cluster);
			if (membership !== undefined) {
				for (const [shardId, c] of own ?? []) if (membership === 'removed' || !membership.has(shardId)) close(c, t, inside);
				if (membership === 'removed') continue;
			}
			for (const [shardId, state] of states) {
				// A state recorded before the layout that dropped it, in the same millisecond, lasted no time.
				if (membership !== undefined && !membership.has(shardId)) continue;
				let c = own?.get(shardId);
				if (!c) {
					const history: RecordedShard = { shardId, tracked: [], down: [], stillDown: false, departures: [], upAtEnd: false };
					c = { history, trackedSince: null, downSince: null };
					if (!own) cursors.set(cluster, (own = new Map()));
					own.set(shardId, c);
					const list = byCluster.get(cluster) ?? [];
					list.push(history);
					byCluster.set(cluster, list);
				}
				c.trackedSince ??= t;
				const down = state !== 'ready';
				if (down) c.downSince ??= t;
				else if (c.downSince !== null) {
					if (t > c.downSince) c.history.down.push({ start: c.downSince, end: t });
					c.downSince = null;
				}
			}
		}
	}
	for (const own of cursors.values()) {
		for (const c of own.values()) {
			c.history.upAtEnd = c.trackedSince !== null && c.downSince === null;
			if (c.downSince !== null) {
				// Kept even when it began this very instant: it is the outage in progress.
				c.history.stillDown = true;
				c.history.down.push({ start: c.downSince, end: Math.max(c.downSince, window.end) });
				c.downSince = null;
			}
			close(c, window.end, false);
		}
	}
	for (const list of byCluster.values()) list.sort((a, b) => a.shardId - b.shardId);
	withoutPhantoms(byCluster, window);
	return byCluster;
}

/**
 * Where a shard is listed by more than one cluster (the old one stopped and not yet superseded,
 * the new one running it), the time another cluster had it up is neither down nor counted in the
 * others: the shard was served. Most shards have one cluster, and are left alone.
 */
function withoutPhantoms(byCluster: Map<number, RecordedShard[]>, window: Interval): void {
	const byShard = new Map<number, RecordedShard[]>();
	for (const list of byCluster.values()) {
		for (const h of list) {
			const same = byShard.get(h.shardId);
			if (same) same.push(h);
			else byShard.set(h.shardId, [h]);
		}
	}
	for (const same of byShard.values()) {
		if (same.length < 2) continue;
		const up = same.map((h) => subtract(normalise(h.tracked), normalise(h.down)));
		const upAtEnd = same.map((h) => h.upAtEnd);
		same.forEach((h, i) => {
			// Served at the very end by another cluster (even one that took the shard over this instant): not still out.
			if (upAtEnd.some((u, j) => u && j !== i)) h.stillDown = false;
			const others = normalise(up.filter((_, j) => j !== i).flat());
			const down = normalise(h.down);
			const served = intersect(down, others);
			if (served.length === 0) return;
			// An outage that began this very instant is an empty interval: nothing can serve it yet.
			const now = h.down.filter((d) => d.start === d.end && d.start === window.end);
			h.tracked = subtract(normalise(h.tracked), served);
			h.down = [...subtract(down, others), ...now];
			h.stillDown &&= h.down.at(-1)?.end === window.end;
		});
	}
}

/**
 * Outages for `deriveIncidents`, one per shard however many clusters ran it: a shard is down
 * while some cluster lists it down (outside that cluster's maintenance) and none has it up
 * (`buildShardHistories` already cut such time out), so shard 11 down in cluster 5 is back when
 * cluster 2 runs it. A shard still down at the end of the window is still out (`end` null); one
 * whose outage ended because no cluster runs it any more left the fleet (`left`).
 */
export function outagesOf(histories: Map<number, RecordedShard[]>, maintenanceFor: (clusterId: number) => Interval[] = () => []): ShardOutage[] {
	type Part = { start: number; end: number; clusterId: number; ongoing: boolean };
	const parts = new Map<number, Part[]>();
	const presence = new Map<number, { tracked: Interval[]; departures: Set<number> }>();
	for (const [clusterId, shards] of histories) {
		const holes = normalise(maintenanceFor(clusterId));
		for (const shard of shards) {
			let seen = presence.get(shard.shardId);
			if (!seen) presence.set(shard.shardId, (seen = { tracked: [], departures: new Set() }));
			seen.tracked.push(...shard.tracked);
			for (const at of shard.departures) seen.departures.add(at);
			shard.down.forEach((d, i) => {
				const ongoing = shard.stillDown && i === shard.down.length - 1;
				for (const part of holes.length ? subtract([d], holes) : [d]) {
					let list = parts.get(shard.shardId);
					if (!list) parts.set(shard.shardId, (list = []));
					list.push({ start: part.start, end: part.end, clusterId, ongoing: ongoing && part.end === d.end });
				}
			});
		}
	}
	const out: ShardOutage[] = [];
	for (const [shardId, list] of parts) {
		list.sort((a, b) => a.start - b.start);
		const { tracked, departures } = presence.get(shardId)!;
		const emit = (start: number, end: number, ongoing: boolean, clusters: Set<number>) => {
			const stillThere = tracked.some((t) => t.start <= end && end < t.end);
			const left = !ongoing && !stillThere && departures.has(end);
			out.push({ shardId, start, end: ongoing ? null : end, clusterIds: [...clusters].sort((a, b) => a - b), ...(left ? { left } : {}) });
		};
		let current = { start: list[0]!.start, end: list[0]!.end, ongoing: list[0]!.ongoing, clusters: new Set([list[0]!.clusterId]) };
		for (const p of list.slice(1)) {
			// Touching parts are one outage: the shard moved from one cluster's list to another's, still down.
			if (p.start <= current.end) {
				if (p.end > current.end) current.ongoing = p.ongoing;
				else if (p.end === current.end) current.ongoing ||= p.ongoing;
				current.end = Math.max(current.end, p.end);
				current.clusters.add(p.clusterId);
				continue;
			}
			emit(current.start, current.end, current.ongoing, current.clusters);
			current = { start: p.start, end: p.end, ongoing: p.ongoing, clusters: new Set([p.clusterId]) };
		}
		emit(current.start, current.end, current.ongoing, current.clusters);
	}
	return out.sort((a, b) => a.start - b.start || a.shardId - b.shardId);
}

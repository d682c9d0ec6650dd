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
}

/** A shard down, whichever clusters ran it meanwhile (`clusterIds`: those whose reports said so). */
export interface ShardOutage extends Outage {
	clusterIds: number[];
}

type Cursor = { history: RecordedShard; trackedSince: number | null; downSince: number | null };
type Event = { at: number; cluster: number } & ({ kind: 'shard'; shard: number; state: string } | { kind: 'removed' } | { kind: 'layout'; shardIds: ReadonlySet<number> });

/**
 * Turns recorded transitions into per-cluster shard histories over `window`, the input of
 * `uptime`, `dailyBars` and `outagesOf`. Rows must include, per (cluster, shard), the last one
 * before the window, and per cluster its last row before the window (the state each started in).
 *
 * A shard is tracked in a cluster from its first row until the cluster's layout no longer lists
 * it or the cluster is removed (both departures, recorded explicitly), and down whenever its
 * state is anything but `ready` (a stopped cluster records its shards as `disconnected`). The
 * last state holds until `window.end`. A shard is the same shard whichever cluster runs it: while
 * another cluster has it up, a cluster that still lists it down (stopped, not yet superseded)
 * neither counts that time nor shows it as down, so a re-shard leaves no phantom downtime.
 */
export function buildShardHistories(shardRows: readonly ShardRow[], clusterRows: readonly ClusterRow[], window: Interval): Map<number, RecordedShard[]> {
	const cursors = new Map<number, Map<number, Cursor>>();
	const byCluster = new Map<number, RecordedShard[]>();
	const events: Event[] = shardRows.map((r) => ({ kind: 'shard', at: r.at, cluster: r.cluster_id, shard: r.shard_id, state: r.state }));
	for (const r of clusterRows) {
		if (r.lifecycle === 'removed') events.push({ kind: 'removed', at: r.at, cluster: r.cluster_id });
		else if (r.shard_ids) events.push({ kind: 'layout', at: r.at, cluster: r.cluster_id, shardIds: new Set(r.shard_ids) });
	}
	// A cluster row at the same instant as shard rows ends what came before it; its shards' rows follow.
	const order = (e: Event) => (e.kind === 'shard' ? 1 : 0);
	events.sort((a, b) => a.at - b.at || order(a) - order(b));

	const close = (c: Cursor, at: number, departed: boolean) => {
		const end = Math.max(window.start, at);
		if (departed && c.trackedSince !== null) c.history.departures.push(end);
		if (c.trackedSince !== null && end > c.trackedSince) c.history.tracked.push({ start: c.trackedSince, end });
		if (c.downSince !== null && end > c.downSince) c.history.down.push({ start: c.downSince, end });
		c.trackedSince = null;
		c.downSince = null;
	};

	for (const e of events) {
		// A row at the very end still counts: a shard back at `now` is not still out.
		if (e.at > window.end) break;
		const at = Math.max(window.start, e.at);
		const own = cursors.get(e.cluster);
		// Departures before the window only set where it starts; they are not events inside it.
		const inside = e.at >= window.start;
		if (e.kind === 'removed') {
			for (const c of own?.values() ?? []) close(c, at, inside);
			continue;
		}
		if (e.kind === 'layout') {
			for (const [shardId, c] of own ?? []) if (!e.shardIds.has(shardId)) close(c, at, inside);
			continue;
		}
		let c = own?.get(e.shard);
		if (!c) {
			const history: RecordedShard = { shardId: e.shard, tracked: [], down: [], stillDown: false, departures: [] };
			c = { history, trackedSince: null, downSince: null };
			if (own) own.set(e.shard, c);
			else cursors.set(e.cluster, new Map([[e.shard, c]]));
			const list = byCluster.get(e.cluster) ?? [];
			list.push(history);
			byCluster.set(e.cluster, list);
		}
		c.trackedSince ??= at;
		const down = e.state !== 'ready';
		if (down) c.downSince ??= at;
		else if (c.downSince !== null) {
			if (at > c.downSince) c.history.down.push({ start: c.downSince, end: at });
			c.downSince = null;
		}
	}
	for (const own of cursors.values()) {
		for (const c of own.values()) {
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
		same.forEach((h, i) => {
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

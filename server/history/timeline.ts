import { normalise, subtract, type Interval, type Outage, type ShardHistory } from '#shared';

/** A recorded shard state (`missing`: assigned but not reported). */
export interface ShardRow {
	at: number;
	cluster_id: number;
	shard_id: number;
	state: string;
}

/** A recorded cluster lifecycle; only `removed` matters here (the fleet forgot the cluster). */
export interface ClusterRow {
	at: number;
	cluster_id: number;
	lifecycle: string;
}

/** A shard's history as recorded; `stillDown` when its last down interval runs to the window's end. */
export interface RecordedShard extends ShardHistory {
	stillDown: boolean;
}

/**
 * Turns recorded transitions into per-cluster shard histories over `window`, the input of
 * `uptime`, `dailyBars` and `deriveIncidents`. Rows must include, per shard, the last one before
 * the window (the state it started in). A shard is tracked from its first row until its cluster
 * is removed, and down whenever its state is anything but `ready` (a stopped cluster records its
 * shards as `disconnected`). The last state holds until `window.end`.
 */
export function buildShardHistories(shardRows: readonly ShardRow[], clusterRows: readonly ClusterRow[], window: Interval): Map<number, RecordedShard[]> {
	type Cursor = { history: RecordedShard; trackedSince: number | null; downSince: number | null };
	const cursors = new Map<string, Cursor>();
	const byCluster = new Map<number, RecordedShard[]>();
	const events = [
		...shardRows.map((r) => ({ at: r.at, order: 1, cluster: r.cluster_id, shard: r.shard_id, state: r.state })),
		// A removal at the same instant as a shard row ends what came before it.
		...clusterRows.filter((r) => r.lifecycle === 'removed').map((r) => ({ at: r.at, order: 0, cluster: r.cluster_id, shard: -1, state: 'removed' }))
	].sort((a, b) => a.at - b.at || a.order - b.order);

	const close = (c: Cursor, at: number) => {
		const end = Math.max(window.start, at);
		if (c.trackedSince !== null && end > c.trackedSince) c.history.tracked.push({ start: c.trackedSince, end });
		if (c.downSince !== null && end > c.downSince) c.history.down.push({ start: c.downSince, end });
		c.trackedSince = null;
		c.downSince = null;
	};

	for (const e of events) {
		// A row at the very end still counts: a shard back at `now` is not still out.
		if (e.at > window.end) break;
		const at = Math.max(window.start, e.at);
		if (e.state === 'removed') {
			for (const [key, c] of cursors) if (key.startsWith(`${e.cluster}:`)) close(c, at);
			continue;
		}
		const key = `${e.cluster}:${e.shard}`;
		let c = cursors.get(key);
		if (!c) {
			const history: RecordedShard = { shardId: e.shard, tracked: [], down: [], stillDown: false };
			c = { history, trackedSince: null, downSince: null };
			cursors.set(key, c);
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
	for (const c of cursors.values()) {
		if (c.downSince !== null) {
			// Kept even when it began this very instant: it is the outage in progress.
			c.history.stillDown = true;
			c.history.down.push({ start: c.downSince, end: Math.max(c.downSince, window.end) });
			c.downSince = null;
		}
		close(c, window.end);
	}
	for (const list of byCluster.values()) list.sort((a, b) => a.shardId - b.shardId);
	return byCluster;
}

/**
 * Outages for `deriveIncidents`: every down interval of every shard, minus the maintenance
 * windows that cover its cluster. A shard still down at the end of the window is still out.
 */
export function outagesOf(histories: Map<number, RecordedShard[]>, maintenanceFor: (clusterId: number) => Interval[] = () => []): (Outage & { clusterId: number })[] {
	const out: (Outage & { clusterId: number })[] = [];
	for (const [clusterId, shards] of histories) {
		const holes = normalise(maintenanceFor(clusterId));
		for (const shard of shards) {
			shard.down.forEach((d, i) => {
				const ongoing = shard.stillDown && i === shard.down.length - 1;
				for (const part of holes.length ? subtract([d], holes) : [d]) {
					out.push({ clusterId, shardId: shard.shardId, start: part.start, end: ongoing && part.end === d.end ? null : part.end });
				}
			});
		}
	}
	return out;
}

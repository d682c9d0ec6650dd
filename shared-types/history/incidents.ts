import { normalise, subtract, type Interval } from './intervals.ts';

/** One shard down from `start` until `end` (null: still down at `now`). */
export interface Outage {
	shardId: number;
	start: number;
	end: number | null;
	/** It ended because the shard left the fleet (a re-shard dropped it, its cluster was retired), not because it came back. */
	left?: boolean;
}

/**
 * `retired`: the last shards still down left the fleet (none came back at that instant), so the
 * incident resolves with nothing down; otherwise the last event is `resolved`.
 */
export type IncidentEventKind = 'opened' | 'worsened' | 'improved' | 'resolved' | 'retired';

export interface IncidentEvent {
	at: number;
	kind: IncidentEventKind;
	/** Shards down right after this event, ascending. */
	shardsDown: number[];
	/** Shards that left the fleet at this instant while down, ascending; absent when none did. */
	shardsLeft?: number[];
}

/** An incident derived from outages: no one typed it; the heartbeats tell it. */
export interface DerivedIncident {
	/** When the first shard went down. */
	start: number;
	/** When it could first be told apart from a brief reconnect: `start` + threshold. */
	detectedAt: number;
	/** When the last affected shard recovered; null while any is still down. */
	end: number | null;
	/** Every shard affected at some point, ascending. */
	shardIds: number[];
	/** The most shards down at once. */
	peak: number;
	timeline: IncidentEvent[];
}

export interface IncidentOptions {
	/** An outage shorter than this is a reconnect, not an incident. Default 2 minutes. */
	thresholdMs?: number;
	now: number;
	/** Planned work: outages inside it are expected and open nothing. */
	maintenance?: readonly Interval[];
}

/**
 * Incidents from shard outages. An outage counts once it has lasted `thresholdMs` (so brief
 * reconnects never open one); counting outages that overlap or touch form one incident, which
 * opens when the first shard went down, worsens and improves as others fail and recover, and
 * resolves when the last one is back, or `retired` when the last ones left the fleet instead.
 * Time inside maintenance windows is cut out first.
 */
export function deriveIncidents(outages: readonly Outage[], options: IncidentOptions): DerivedIncident[] {
	const threshold = options.thresholdMs ?? 120_000;
	const holes = normalise(options.maintenance ?? []);
	const ONGOING = Number.POSITIVE_INFINITY;

	// Cut maintenance out; what remains of each outage must still be long enough on its own.
	const counting: { shardId: number; start: number; end: number; left: boolean }[] = [];
	for (const o of outages) {
		const end = o.end ?? ONGOING;
		for (const part of subtract([{ start: o.start, end }], holes)) {
			const lasted = Math.min(part.end, options.now) - part.start;
			// Only the part that ends where the outage did ends by leaving; earlier parts end at a window.
			if (lasted >= threshold) counting.push({ shardId: o.shardId, start: part.start, end: part.end, left: o.left === true && part.end === end });
		}
	}
	counting.sort((a, b) => a.start - b.start);

	const groups: (typeof counting)[] = [];
	let groupEnd = -Infinity;
	for (const o of counting) {
		if (groups.length > 0 && o.start <= groupEnd) groups.at(-1)!.push(o);
		else groups.push([o]);
		groupEnd = groups.at(-1)!.length === 1 ? o.end : Math.max(groupEnd, o.end);
	}

	return groups.map((group) => {
		const events = group
			.flatMap((o) => [
				{ at: o.start, up: false, left: false, shardId: o.shardId },
				...(o.end === ONGOING ? [] : [{ at: o.end, up: true, left: o.left, shardId: o.shardId }])
			])
			.sort((a, b) => a.at - b.at);
		const down = new Map<number, number>(); // shard → its outages in progress (a shard can repeat)
		const timeline: IncidentEvent[] = [];
		let peak = 0;
		// Everything that happens at one instant is one event.
		for (let k = 0; k < events.length; ) {
			const at = events[k]!.at;
			const before = new Set(down.keys());
			const left: number[] = [];
			let back = false;
			for (; k < events.length && events[k]!.at === at; k++) {
				const e = events[k]!;
				const n = (down.get(e.shardId) ?? 0) + (e.up ? -1 : 1);
				if (n <= 0) {
					down.delete(e.shardId);
					if (e.left) left.push(e.shardId);
					else back = true;
				} else down.set(e.shardId, n);
			}
			const joined = [...down.keys()].some((id) => !before.has(id));
			if (!joined && down.size === before.size) continue;
			const over: IncidentEventKind = left.length > 0 && !back ? 'retired' : 'resolved';
			const kind: IncidentEventKind = timeline.length === 0 ? 'opened' : down.size === 0 ? over : joined ? 'worsened' : 'improved';
			const gone = [...new Set(left)].filter((id) => !down.has(id)).sort((a, b) => a - b);
			timeline.push({ at, kind, shardsDown: [...down.keys()].sort((a, b) => a - b), ...(gone.length > 0 ? { shardsLeft: gone } : {}) });
			peak = Math.max(peak, down.size);
		}
		const start = group[0]!.start;
		const ends = group.map((o) => o.end);
		const end = ends.includes(ONGOING) ? null : Math.max(...ends);
		return {
			start,
			detectedAt: start + threshold,
			end,
			shardIds: [...new Set(group.map((o) => o.shardId))].sort((a, b) => a - b),
			peak,
			timeline
		};
	});
}

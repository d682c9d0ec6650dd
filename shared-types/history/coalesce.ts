import type { IncidentEvent } from './incidents.ts';

/** What an incident's readers were last told: when, what happened, and which shards were down. */
export type Told = Pick<IncidentEvent, 'at' | 'kind' | 'shardsDown'>;

export interface CoalesceOptions {
	/** Only minutes over by now are told (but the opening and the resolving, at once). */
	now: number;
	/** At most one update per window, windows aligned on the epoch (clock minutes). Default 1 minute. */
	windowMs?: number;
}

/**
 * The public updates of one incident still to tell, given its derived timeline
 * (`deriveIncidents`) and the last update told (none yet: `undefined`). A burst is told as at most
 * one update per clock minute, the state at the end of that minute (the latest state wins; a
 * minute whose changes cancel out tells nothing), once the minute is over; so nothing is lost and
 * nothing is said twice. The opening is told at once, with the state at the end of its own
 * minute; the resolving at once too, and a minute it falls in tells nothing else. A change that
 * surfaces late (a shard is counted only once it has been down for the threshold, by when its
 * minute may have been told) is told in the first minute after the last update that is over.
 *
 * Each update is stamped inside the minute it tells (at its last event, or the minute's start
 * when the change happened earlier), and its kind is relative to what was told before
 * (`worsened` when a shard is newly down, else `improved`), so instances sharing a database
 * derive the same updates and store each once. Pure: `told` is all it remembers.
 */
export function updatesToTell(timeline: readonly IncidentEvent[], told: Told | undefined, options: CoalesceOptions): IncidentEvent[] {
	const window = options.windowMs ?? 60_000;
	const minute = (t: number) => Math.floor(t / window);
	// The end is the event that leaves nothing down, whatever its kind says about why.
	if (timeline.length === 0 || (told && told.shardsDown.length === 0)) return [];
	const resolve = timeline.at(-1)!.shardsDown.length === 0 ? timeline.at(-1)! : undefined;
	const changes = resolve ? timeline.slice(0, -1) : timeline;
	/** The shards down just before `t` (every incident is down something until it resolves). */
	const downBefore = (t: number) => changes.findLast((e) => e.at < t)?.shardsDown ?? changes[0]?.shardsDown ?? [];

	const out: IncidentEvent[] = [];
	let last = told;
	if (!last) {
		const opening = timeline[0]!;
		last = { at: opening.at, kind: 'opened', shardsDown: downBefore((minute(opening.at) + 1) * window) };
		out.push(last);
	}

	// Minutes after the last update's that can tell something: the next one (a late change), and every one with an event.
	const candidates = new Set([minute(last.at) + 1, ...changes.map((e) => minute(e.at)).filter((m) => m > minute(last!.at))]);
	for (const m of [...candidates].sort((a, b) => a - b)) {
		const end = (m + 1) * window;
		if ((resolve && m >= minute(resolve.at)) || end > options.now) break;
		const down = downBefore(end);
		if (sameShards(down, last.shardsDown)) continue;
		const inside = changes.findLast((e) => minute(e.at) === m);
		const previous = new Set(last.shardsDown);
		last = { at: inside?.at ?? m * window, kind: down.some((s) => !previous.has(s)) ? 'worsened' : 'improved', shardsDown: down };
		out.push(last);
	}
	if (resolve) out.push({ at: Math.max(resolve.at, last.at), kind: resolve.kind, shardsDown: [] });
	return out;
}

/** Shard lists are ascending (as `deriveIncidents` and the store keep them). */
function sameShards(a: readonly number[], b: readonly number[]): boolean {
	return a.length === b.length && a.every((s, i) => s === b[i]);
}

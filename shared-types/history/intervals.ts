/*
 * Half-open time intervals [start, end) in Unix epoch ms (UTC), the unit every history
 * derivation works in. Lists are sorted by start and never overlap once normalised.
 */
export interface Interval {
	start: number;
	end: number;
}

/** Sorts and merges overlapping or touching intervals; drops empty ones. */
export function normalise(intervals: readonly Interval[]): Interval[] {
	const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
	const out: Interval[] = [];
	for (const i of sorted) {
		const last = out.at(-1);
		if (last && i.start <= last.end) last.end = Math.max(last.end, i.end);
		else out.push({ start: i.start, end: i.end });
	}
	return out;
}

/** The parts of `intervals` inside `window`. */
export function clip(intervals: readonly Interval[], window: Interval): Interval[] {
	const out: Interval[] = [];
	for (const i of intervals) {
		const start = Math.max(i.start, window.start);
		const end = Math.min(i.end, window.end);
		if (end > start) out.push({ start, end });
	}
	return out;
}

/** `intervals` minus `holes` (both normalised): what is left outside every hole. */
export function subtract(intervals: readonly Interval[], holes: readonly Interval[]): Interval[] {
	const out: Interval[] = [];
	for (const i of intervals) {
		let cursor = i.start;
		for (const h of holes) {
			if (h.end <= cursor || h.start >= i.end) continue;
			if (h.start > cursor) out.push({ start: cursor, end: h.start });
			cursor = Math.max(cursor, h.end);
			if (cursor >= i.end) break;
		}
		if (cursor < i.end) out.push({ start: cursor, end: i.end });
	}
	return out;
}

/** The parts of `intervals` that lie inside `other` (both normalised). */
export function intersect(intervals: readonly Interval[], other: readonly Interval[]): Interval[] {
	const out: Interval[] = [];
	let first = 0;
	for (const i of intervals) {
		// Both lists are sorted: what ended before this interval cannot meet a later one either.
		while (first < other.length && other[first]!.end <= i.start) first++;
		for (let k = first; k < other.length && other[k]!.start < i.end; k++) {
			const start = Math.max(i.start, other[k]!.start);
			const end = Math.min(i.end, other[k]!.end);
			if (end > start) out.push({ start, end });
		}
	}
	return out;
}

/** Total length of normalised intervals, ms. */
export function total(intervals: readonly Interval[]): number {
	let sum = 0;
	for (const i of intervals) sum += i.end - i.start;
	return sum;
}

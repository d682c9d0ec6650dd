import { clip, normalise, subtract, total, type Interval } from './intervals.ts';

/** One shard's history for uptime: when it was tracked at all, and when it was down. */
export interface ShardHistory {
	shardId: number;
	/** When the shard existed in the fleet (from first report; a re-shard ends it). */
	tracked: Interval[];
	/** When it was not ready (including while its cluster was stopped). */
	down: Interval[];
}

export interface Uptime {
	/** Share of tracked shard-time that was up, 0–1; null when nothing was tracked in the window. */
	ratio: number | null;
	/** Shard-milliseconds down, maintenance excluded. */
	downMs: number;
	/** Shard-milliseconds counted, maintenance excluded. */
	countedMs: number;
}

/**
 * Uptime over `window`, time-weighted by shard: a 10-minute outage of 1 shard in 16 costs as much
 * as 10 minutes of 1/16th of the bot. Time inside `maintenance` counts neither way, so planned
 * work never lowers uptime; time a shard was not tracked (before the bot first reported it, or
 * after a re-shard removed it) is not counted at all.
 */
export function uptime(shards: readonly ShardHistory[], window: Interval, maintenance: readonly Interval[] = []): Uptime {
	const holes = normalise(clip(maintenance, window));
	let downMs = 0;
	let countedMs = 0;
	for (const shard of shards) {
		const tracked = subtract(normalise(clip(shard.tracked, window)), holes);
		countedMs += total(tracked);
		// Down only counts while tracked: a shard cannot be down before it exists.
		const down = normalise(clip(shard.down, window));
		for (const t of tracked) downMs += total(clip(down, t));
	}
	return { ratio: countedMs === 0 ? null : 1 - downMs / countedMs, downMs, countedMs };
}

export interface DailyBar {
	/** `YYYY-MM-DD`, local to the zone the days were cut in. */
	day: string;
	/** Null for a day with nothing tracked (before the bot first reported). */
	ratio: number | null;
	/** Minutes of the whole bot down, time-weighted: 16 shards down 1 minute of 16 is 1 minute. */
	downMinutes: number;
}

/** Shard-milliseconds down and counted per day (maintenance excluded): what bars are made of. */
export interface DayTotals {
	downMs: number[];
	countedMs: number[];
}

/**
 * `uptime` for every day at once, in one pass per shard: each interval is added to the days it
 * overlaps (found by binary search), so 90 days of a 16,000-shard fleet costs one walk, not 90.
 */
export function dayTotals(shards: readonly ShardHistory[], days: readonly Interval[], maintenance: readonly Interval[] = []): DayTotals {
	const downMs = new Array<number>(days.length).fill(0);
	const countedMs = new Array<number>(days.length).fill(0);
	if (days.length === 0) return { downMs, countedMs };
	const span = { start: days[0]!.start, end: days.at(-1)!.end };
	const holes = normalise(clip(maintenance, span));
	const add = (intervals: readonly Interval[], into: number[]) => {
		for (const i of intervals) {
			// First day ending after the interval starts.
			let lo = 0;
			let hi = days.length - 1;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (days[mid]!.end <= i.start) lo = mid + 1;
				else hi = mid;
			}
			for (let d = lo; d < days.length && days[d]!.start < i.end; d++) {
				const overlap = Math.min(i.end, days[d]!.end) - Math.max(i.start, days[d]!.start);
				if (overlap > 0) into[d]! += overlap;
			}
		}
	};
	for (const shard of shards) {
		const tracked = subtract(normalise(clip(shard.tracked, span)), holes);
		if (tracked.length === 0) continue;
		add(tracked, countedMs);
		const down = normalise(clip(shard.down, span));
		const downTracked: Interval[] = [];
		for (const t of tracked) downTracked.push(...clip(down, t));
		add(downTracked, downMs);
	}
	return { downMs, countedMs };
}

/** One bar per day (see `lastLocalDays`), for the 90-day strip. */
export function dailyBars(shards: readonly ShardHistory[], days: readonly (Interval & { day: string })[], maintenance: readonly Interval[] = []): DailyBar[] {
	const count = Math.max(1, shards.length);
	const totals = dayTotals(shards, days, maintenance);
	return days.map((d, i) => {
		const counted = totals.countedMs[i]!;
		return { day: d.day, ratio: counted === 0 ? null : 1 - totals.downMs[i]! / counted, downMinutes: totals.downMs[i]! / count / 60_000 };
	});
}

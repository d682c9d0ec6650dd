import type { Interval } from './intervals.ts';

/*
 * Days as the viewer lives them: history is stored in UTC, but "yesterday" and the 90 daily bars
 * start at local midnight in the viewer's time zone, DST included.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsAt(ts: number, timeZone: string) {
	let f = formatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
		formatters.set(timeZone, f);
	}
	const p: Record<string, number> = {};
	for (const { type, value } of f.formatToParts(ts)) if (type !== 'literal') p[type] = Number(value);
	return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, mi: p.minute!, s: p.second! };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `ts`, ms. */
function offsetAt(ts: number, timeZone: string): number {
	const p = partsAt(ts, timeZone);
	return Date.UTC(p.y, p.m - 1, p.d, p.h, p.mi, p.s) - (ts - (((ts % 1000) + 1000) % 1000));
}

/** The instant the local day containing `ts` began in `timeZone`. */
export function startOfLocalDay(ts: number, timeZone: string): number {
	const p = partsAt(ts, timeZone);
	const midnightAsUtc = Date.UTC(p.y, p.m - 1, p.d);
	let start = midnightAsUtc - offsetAt(midnightAsUtc, timeZone);
	// Once more with the offset in force at the first guess: right on DST-change days too.
	start = midnightAsUtc - offsetAt(start, timeZone);
	return start;
}

/** `YYYY-MM-DD` of the local day containing `ts`. */
export function localDay(ts: number, timeZone: string): string {
	const p = partsAt(ts, timeZone);
	return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

export interface LocalDay extends Interval {
	day: string;
}

/** The last `count` local days up to `now`, oldest first; today ends at `now`. */
export function lastLocalDays(now: number, count: number, timeZone: string): LocalDay[] {
	const days: LocalDay[] = [];
	let end = now;
	let start = startOfLocalDay(now, timeZone);
	for (let i = 0; i < count; i++) {
		days.push({ day: localDay(start, timeZone), start, end });
		end = start;
		start = startOfLocalDay(start - 1, timeZone);
	}
	return days.reverse();
}

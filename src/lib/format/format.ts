/*
 * Every number, duration and time on the page goes through Intl with the active locale, so
 * "1,234" reads "1.234" in German and "1 234" in French without a message per case.
 */

const cache = new Map<string, Intl.NumberFormat | Intl.RelativeTimeFormat | Intl.DateTimeFormat>();
function memo<T extends Intl.NumberFormat | Intl.RelativeTimeFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
	let f = cache.get(key) as T | undefined;
	if (!f) cache.set(key, (f = make()));
	return f;
}

export function formatNumber(n: number, locale: string): string {
	return memo(`n:${locale}`, () => new Intl.NumberFormat(locale)).format(n);
}

/** A compact count for tight spaces: 12.3K, 1.2M (localized). */
export function formatCompact(n: number, locale: string): string {
	return memo(`c:${locale}`, () => new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 })).format(n);
}

export function formatPing(ms: number, locale: string): string {
	return memo(`p:${locale}`, () => new Intl.NumberFormat(locale, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 })).format(ms);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
	['day', 86_400_000],
	['hour', 3_600_000],
	['minute', 60_000],
	['second', 1_000]
];

/** "5 seconds ago", "vor 3 Minuten", "il y a 2 heures"; "now" under a second. */
export function formatAgo(ms: number, locale: string): string {
	const rtf = memo(`r:${locale}`, () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
	const age = Math.max(0, ms);
	for (const [unit, size] of UNITS) {
		if (age >= size) return rtf.format(-Math.floor(age / size), unit);
	}
	return rtf.format(0, 'second');
}

/** A duration as its two largest units: "3d 4h", "3d 0h", "12m 5s" (narrow, localized). */
export function formatDuration(ms: number, locale: string): string {
	const parts: string[] = [];
	let rest = Math.max(0, ms);
	for (const [unit, size] of UNITS) {
		const value = Math.floor(rest / size);
		// Once the largest unit is found, the next one is shown even when zero: "3d 0h", not "3d 5m".
		if (value > 0 || parts.length > 0 || unit === 'second') {
			parts.push(memo(`d:${locale}:${unit}`, () => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'narrow' })).format(value));
			rest -= value * size;
		}
		if (parts.length === 2) break;
	}
	return parts.join(' ');
}

export function formatTime(timestamp: number, locale: string): string {
	return memo(`t:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' })).format(timestamp);
}

/** Date and time to the minute, for incident timelines and maintenance windows: "Jun 2, 2025, 2:03 PM". */
export function formatDateTime(timestamp: number, locale: string): string {
	return memo(`dt:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })).format(timestamp);
}

/**
 * A local day (`YYYY-MM-DD`, already cut in the viewer's zone) as words: `short` "Mon, Jun 2, 2025"
 * for tooltips, `full` "Monday, June 2, 2025" for headings. Formatted as UTC midnight, so no zone
 * can shift it to the day before.
 */
export function formatDay(day: string, locale: string, style: 'short' | 'full' = 'short'): string {
	const [y, m, d] = day.split('-').map(Number);
	const options: Intl.DateTimeFormatOptions =
		style === 'full' ? { dateStyle: 'full', timeZone: 'UTC' } : { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' };
	return memo(`day:${locale}:${style}`, () => new Intl.DateTimeFormat(locale, options)).format(Date.UTC(y!, m! - 1, d!));
}

/**
 * An uptime ratio as a percentage with up to two decimals, rounded down: 99.996 % up shows
 * "99.99%", never "100%", which would claim no downtime at all.
 */
export function formatUptime(ratio: number | null, locale: string): string {
	if (ratio === null) return '—';
	const floored = Math.floor(Math.min(1, Math.max(0, ratio)) * 10_000) / 10_000;
	return memo(`pc:${locale}`, () => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 })).format(floored);
}

/**
 * Minutes of downtime: "23 min", "2 hr 5 min" (localized short units). Any measured downtime
 * shows as at least a minute, so a day coloured as having some never reads "0 min".
 */
export function formatDowntime(minutes: number, locale: string): string {
	const total = minutes > 0 ? Math.max(1, Math.round(minutes)) : 0;
	const unit = (u: 'hour' | 'minute', n: number) =>
		memo(`du:${locale}:${u}`, () => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' })).format(n);
	if (total < 60) return unit('minute', total);
	const rest = total % 60;
	return rest === 0 ? unit('hour', total / 60) : `${unit('hour', Math.floor(total / 60))} ${unit('minute', rest)}`;
}

/** A span of time, each part once: "Jun 2, 2025, 2:00 – 3:00 PM", "2. Juni 2025, 14:00–15:00". */
export function formatDateRange(start: number, end: number, locale: string): string {
	const f = memo(`dt:${locale}`, () => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }));
	return f.formatRange(start, Math.max(start, end));
}

/** A day as a heading: the full date with its first letter capitalised ("Dimanche 22 novembre 2026"; French and Spanish write weekdays in lower case mid-sentence). */
export function formatDayHeading(day: string, locale: string): string {
	const text = formatDay(day, locale, 'full');
	return text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
}

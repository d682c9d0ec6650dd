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

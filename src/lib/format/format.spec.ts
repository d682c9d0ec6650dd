import { describe, expect, it } from 'vitest';
import { formatAgo, formatDay, formatDayHeading, formatDowntime, formatDuration, formatNumber, formatPing, formatUptime } from './format.ts';

/** U+202F NARROW NO-BREAK SPACE: French groups digits and separates units with it. */
const NNBSP = '\u202f';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type Locale = 'en' | 'de' | 'fr' | 'es';
const LOCALES: Locale[] = ['en', 'de', 'fr', 'es'];

describe('formatNumber', () => {
	it.each([
		{ locale: 'en', big: '1,234,567.5', negative: '-42', zero: '0' },
		{ locale: 'de', big: '1.234.567,5', negative: '-42', zero: '0' },
		{ locale: 'fr', big: `1${NNBSP}234${NNBSP}567,5`, negative: '-42', zero: '0' },
		{ locale: 'es', big: '1.234.567,5', negative: '-42', zero: '0' }
	])('$locale: 1234567.5 → $big', ({ locale, big, negative, zero }) => {
		expect(formatNumber(1_234_567.5, locale)).toBe(big);
		expect(formatNumber(-42, locale)).toBe(negative);
		expect(formatNumber(0, locale)).toBe(zero);
	});

	it('keeps formatters per locale apart when calls interleave (memo cache)', () => {
		const seq = ['de', 'en', 'fr', 'de', 'en'].map((l) => formatNumber(1_234.5, l));
		expect(seq).toEqual(['1.234,5', '1,234.5', `1${NNBSP}234,5`, '1.234,5', '1,234.5']);
	});
});

describe('formatAgo', () => {
	const table: Record<Locale, { now: string; s5: string; s90: string; h2: string; d1: string; d3: string }> = {
		en: { now: 'now', s5: '5 seconds ago', s90: '1 minute ago', h2: '2 hours ago', d1: 'yesterday', d3: '3 days ago' },
		de: { now: 'jetzt', s5: 'vor 5 Sekunden', s90: 'vor 1 Minute', h2: 'vor 2 Stunden', d1: 'gestern', d3: 'vor 3 Tagen' },
		fr: {
			now: 'maintenant',
			s5: 'il y a 5 secondes',
			s90: 'il y a 1 minute',
			h2: 'il y a 2 heures',
			d1: 'hier',
			d3: 'il y a 3 jours'
		},
		es: { now: 'ahora', s5: 'hace 5 segundos', s90: 'hace 1 minuto', h2: 'hace 2 horas', d1: 'ayer', d3: 'hace 3 d\u00edas' }
	};

	describe.each(LOCALES)('%s', (locale) => {
		const t = table[locale];
		it.each([
			{ ms: 0, key: 'now' },
			{ ms: 999, key: 'now' },
			{ ms: 5 * SECOND, key: 's5' },
			{ ms: 5 * SECOND + 999, key: 's5' },
			{ ms: 90 * SECOND, key: 's90' },
			{ ms: 2 * HOUR, key: 'h2' },
			{ ms: 2 * HOUR + 59 * MINUTE, key: 'h2' },
			{ ms: DAY, key: 'd1' },
			{ ms: 3 * DAY, key: 'd3' }
		] as const)('$ms ms → table.$key', ({ ms, key }) => {
			expect(formatAgo(ms, locale)).toBe(t[key]);
		});

		it('clamps negative ages (clock skew) to "now"', () => {
			expect(formatAgo(-5 * SECOND, locale)).toBe(t.now);
		});
	});
});

describe('formatDuration', () => {
	const cases: { ms: number; expected: Record<Locale, string> }[] = [
		{ ms: 0, expected: { en: '0s', de: '0 Sek.', fr: '0s', es: '0s' } },
		{ ms: 999, expected: { en: '0s', de: '0 Sek.', fr: '0s', es: '0s' } },
		{ ms: -5 * SECOND, expected: { en: '0s', de: '0 Sek.', fr: '0s', es: '0s' } },
		{ ms: 5 * SECOND, expected: { en: '5s', de: '5 Sek.', fr: '5s', es: '5s' } },
		{ ms: MINUTE + 5 * SECOND, expected: { en: '1m 5s', de: '1 Min. 5 Sek.', fr: '1min 5s', es: '1min 5s' } },
		{ ms: HOUR, expected: { en: '1h 0m', de: '1h 0 Min.', fr: '1h 0min', es: '1h 0min' } },
		{ ms: 2 * HOUR + 2 * MINUTE + 5 * SECOND, expected: { en: '2h 2m', de: '2h 2 Min.', fr: '2h 2min', es: '2h 2min' } },
		{ ms: 3 * DAY + 4 * HOUR + 5 * MINUTE, expected: { en: '3d 4h', de: '3 T 4h', fr: '3j 4h', es: '3d 4h' } }
	];

	describe.each(LOCALES)('%s', (locale) => {
		it.each(cases)('$ms ms', ({ ms, expected }) => {
			expect(formatDuration(ms, locale)).toBe(expected[locale]);
		});
	});

	it.each(LOCALES)('%s: never shows more than two units', (locale) => {
		const full = formatDuration(3 * DAY + 4 * HOUR + 5 * MINUTE + 6 * SECOND, locale);
		expect(full).toBe(formatDuration(3 * DAY + 4 * HOUR, locale));
	});
});

describe('formatPing', () => {
	it.each([
		{ locale: 'en', zero: '0 ms', p42: '42 ms', rounded: '43 ms', big: '1,234 ms' },
		{ locale: 'de', zero: '0 ms', p42: '42 ms', rounded: '43 ms', big: '1.234 ms' },
		{ locale: 'fr', zero: `0${NNBSP}ms`, p42: `42${NNBSP}ms`, rounded: `43${NNBSP}ms`, big: `1${NNBSP}234${NNBSP}ms` },
		// Spanish does not group four-digit numbers (minimum grouping digits 2).
		{ locale: 'es', zero: '0 ms', p42: '42 ms', rounded: '43 ms', big: '1234 ms' }
	])('$locale', ({ locale, zero, p42, rounded, big }) => {
		expect(formatPing(0, locale)).toBe(zero);
		expect(formatPing(42, locale)).toBe(p42);
		expect(formatPing(42.6, locale)).toBe(rounded);
		expect(formatPing(1_234, locale)).toBe(big);
	});
});

describe('formatDuration keeps adjacent units', () => {
	it.each([
		[3 * 86_400_000 + 5 * 60_000, '3d 0h'],
		[2 * 3_600_000 + 7_000, '2h 0m'],
		[61_000, '1m 1s']
	])('%i ms → %s', (ms, expected) => {
		expect(formatDuration(ms, 'en')).toBe(expected);
	});
});

describe('formatUptime', () => {
	it.each([
		{ locale: 'en', ratio: 0.99876, out: '99.87%' },
		{ locale: 'en', ratio: 0.99996, out: '99.99%' }, // never rounds up to a clean 100 %
		{ locale: 'en', ratio: 1, out: '100%' },
		{ locale: 'en', ratio: 0.5, out: '50%' },
		{ locale: 'de', ratio: 0.99876, out: '99,87 %' },
		{ locale: 'fr', ratio: 0.99876, out: '99,87 %' },
		{ locale: 'en', ratio: null, out: '—' }
	])('$locale: $ratio → $out', ({ locale, ratio, out }) => {
		// ICU picks between no-break spaces by version; any of them is right here.
		expect(formatUptime(ratio, locale).replace(/[\u00a0\u202f]/g, ' ')).toBe(out);
	});
});

describe('formatDowntime', () => {
	it.each([
		{ locale: 'en', minutes: 23, out: '23 min' },
		{ locale: 'en', minutes: 0.2, out: '1 min' }, // measured downtime is never "0 min"
		{ locale: 'en', minutes: 125, out: '2 hr 5 min' },
		{ locale: 'en', minutes: 120, out: '2 hr' },
		{ locale: 'de', minutes: 125, out: '2 Std. 5 Min.' },
		{ locale: 'fr', minutes: 125, out: '2 h 5 min' }
	])('$locale: $minutes → $out', ({ locale, minutes, out }) => {
		expect(formatDowntime(minutes, locale).replace(/[\u00a0\u202f]/g, ' ')).toBe(out);
	});
});

describe('formatDay', () => {
	it('formats the calendar day as given, whatever the zone (no shift to the day before)', () => {
		expect(formatDay('2025-06-02', 'en')).toBe('Mon, Jun 2, 2025');
		expect(formatDay('2025-06-02', 'en', 'full')).toBe('Monday, June 2, 2025');
		expect(formatDay('2025-06-02', 'de', 'full')).toBe('Montag, 2. Juni 2025');
	});

	it('capitalises headings, which French and Spanish would start in lower case', () => {
		expect(formatDayHeading('2025-06-01', 'fr')).toBe('Dimanche 1 juin 2025');
		expect(formatDayHeading('2025-06-01', 'es')).toBe('Domingo, 1 de junio de 2025');
		expect(formatDayHeading('2025-06-01', 'en')).toBe('Sunday, June 1, 2025');
	});
});

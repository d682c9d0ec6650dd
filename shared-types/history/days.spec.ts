import { describe, expect, it } from 'vitest';
import { lastLocalDays, localDay, startOfLocalDay } from './days.ts';

/* Stored in UTC, shown in the viewer's zone: local midnights, DST days of 23 and 25 hours. */
describe('startOfLocalDay and localDay', () => {
	it.each([
		['UTC', 'UTC', Date.UTC(2026, 10, 21, 15, 30), Date.UTC(2026, 10, 21), '2026-11-21'],
		['Berlin, winter (UTC+1)', 'Europe/Berlin', Date.UTC(2026, 10, 21, 0, 30), Date.UTC(2026, 10, 20, 23), '2026-11-21'],
		['Berlin, late evening is still the same local day', 'Europe/Berlin', Date.UTC(2026, 10, 21, 22, 30), Date.UTC(2026, 10, 20, 23), '2026-11-21'],
		['New York (UTC−5), early UTC morning is the previous local day', 'America/New_York', Date.UTC(2026, 10, 21, 3), Date.UTC(2026, 10, 20, 5), '2026-11-20'],
		['Kolkata (UTC+5:30)', 'Asia/Kolkata', Date.UTC(2026, 10, 21, 20), Date.UTC(2026, 10, 21, 18, 30), '2026-11-22'],
		['Berlin, the day clocks go forward', 'Europe/Berlin', Date.UTC(2026, 2, 29, 12), Date.UTC(2026, 2, 28, 23), '2026-03-29'],
		['Berlin, the day clocks go back', 'Europe/Berlin', Date.UTC(2026, 9, 25, 12), Date.UTC(2026, 9, 24, 22), '2026-10-25']
	])('%s', (_, tz, ts, start, day) => {
		expect(startOfLocalDay(ts, tz)).toBe(start);
		expect(localDay(ts, tz)).toBe(day);
	});
});

describe('lastLocalDays', () => {
	it('covers the last N local days back to back, oldest first, today ending now', () => {
		const now = Date.UTC(2026, 10, 21, 15);
		const days = lastLocalDays(now, 90, 'Europe/Berlin');
		expect(days).toHaveLength(90);
		expect(days.at(-1)).toEqual({ day: '2026-11-21', start: Date.UTC(2026, 10, 20, 23), end: now });
		for (let i = 1; i < days.length; i++) expect(days[i]!.start).toBe(days[i - 1]!.end);
		expect(new Set(days.map((d) => d.day)).size).toBe(90);
	});

	it('has a 23-hour and a 25-hour day across DST changes', () => {
		const days = lastLocalDays(Date.UTC(2026, 9, 26, 12), 220, 'Europe/Berlin');
		const length = (day: string) => days.find((d) => d.day === day)!;
		const hours = (d: { start: number; end: number }) => (d.end - d.start) / 3_600_000;
		expect(hours(length('2026-03-29'))).toBe(23);
		expect(hours(length('2026-10-25'))).toBe(25);
		expect(hours(length('2026-06-01'))).toBe(24);
	});
});

import { describe, expect, it } from 'vitest';
import { barLevel, type BarLevel } from './bar-level.ts';

describe('barLevel', () => {
	it.each([
		// ratio, downMinutes, level
		[null, 0, 'none'],
		[null, 500, 'none'], // nothing tracked beats any minutes
		[1, 0, 'up'],
		[0.9999, 0, 'up'],
		[0.9999, 0.1, 'minor'], // the smallest measurable downtime is shown
		[0.995, 7.2, 'minor'],
		[0.98, 29.9, 'minor'],
		[0.979, 30, 'partial'],
		[0.9, 144, 'partial'],
		[0.834, 239.9, 'partial'],
		[0.833, 240, 'major'],
		[0.5, 720, 'major'],
		[0, 1440, 'major'],
		// A short day (today, 01:00): few minutes, but most of it down.
		[0.6, 20, 'minor'],
		[0.49, 20, 'major'],
		[0.5, 20, 'minor']
	] satisfies [number | null, number, BarLevel][])('ratio %s, %s min down → %s', (ratio, minutes, level) => {
		expect(barLevel(ratio, minutes)).toBe(level);
	});
});

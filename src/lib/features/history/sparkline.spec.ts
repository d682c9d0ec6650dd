import { describe, expect, it } from 'vitest';
import { seriesStats, sparkRuns } from './sparkline.ts';

describe('seriesStats', () => {
	it('ignores gaps', () => {
		expect(seriesStats([null, 40, null, 60, 110, null])).toEqual({ min: 40, max: 110, avg: 70 });
	});
	it('is null with nothing to measure', () => {
		expect(seriesStats([])).toBeNull();
		expect(seriesStats([null, null])).toBeNull();
	});
});

describe('sparkRuns', () => {
	it('spreads the values over the width and min..max over the padded height (higher ping higher up)', () => {
		const [run, ...rest] = sparkRuns([10, 20, 30], 100, 24, 2);
		expect(rest).toEqual([]);
		expect(run!.points).toBe('0,22 50,12 100,2');
		expect(run!.single).toBeNull();
	});

	it('breaks the line at every gap', () => {
		const runs = sparkRuns([10, 20, null, null, 30, 40, null], 60, 24, 2);
		expect(runs.map((r) => r.points)).toEqual(['0,22 10,15.33', '40,8.67 50,2']);
	});

	it('marks a lone value between gaps as a single point', () => {
		const runs = sparkRuns([10, null, 20, null, 30], 40, 24, 2);
		expect(runs).toHaveLength(3);
		expect(runs[1]).toEqual({ points: '20,12', single: { x: 20, y: 12 } });
	});

	it('draws a flat series across the middle', () => {
		expect(sparkRuns([50, 50, 50], 20, 24)[0]!.points).toBe('0,12 10,12 20,12');
	});

	it('draws nothing without data', () => {
		expect(sparkRuns([null, null], 20, 24)).toEqual([]);
	});
});

import { describe, expect, it } from 'vitest';
import { clip, intersect, normalise, subtract, total, type Interval } from './intervals.ts';

const iv = (start: number, end: number): Interval => ({ start, end });

describe('normalise', () => {
	it.each<[string, Interval[], Interval[]]>([
		['empty', [], []],
		['drops empty intervals', [iv(5, 5), iv(7, 6)], []],
		['sorts', [iv(20, 30), iv(0, 10)], [iv(0, 10), iv(20, 30)]],
		['merges overlaps', [iv(0, 10), iv(5, 15)], [iv(0, 15)]],
		['merges touching', [iv(0, 10), iv(10, 20)], [iv(0, 20)]],
		['swallows contained', [iv(0, 100), iv(10, 20), iv(30, 40)], [iv(0, 100)]]
	])('%s', (_, input, expected) => {
		expect(normalise(input)).toEqual(expected);
	});
});

describe('clip, subtract, total', () => {
	it.each<[string, Interval[], Interval, Interval[]]>([
		['inside', [iv(10, 20)], iv(0, 100), [iv(10, 20)]],
		['cut at both ends', [iv(-10, 20), iv(90, 200)], iv(0, 100), [iv(0, 20), iv(90, 100)]],
		['outside', [iv(100, 200)], iv(0, 100), []]
	])('clip: %s', (_, input, window, expected) => {
		expect(clip(input, window)).toEqual(expected);
	});

	it.each<[string, Interval[], Interval[], Interval[]]>([
		['no holes', [iv(0, 10)], [], [iv(0, 10)]],
		['hole in the middle', [iv(0, 10)], [iv(3, 5)], [iv(0, 3), iv(5, 10)]],
		['hole covering the start', [iv(0, 10)], [iv(-5, 2)], [iv(2, 10)]],
		['hole covering everything', [iv(0, 10)], [iv(-5, 20)], []],
		['two holes, two intervals', [iv(0, 10), iv(20, 30)], [iv(5, 22), iv(25, 26)], [iv(0, 5), iv(22, 25), iv(26, 30)]]
	])('subtract: %s', (_, input, holes, expected) => {
		expect(subtract(input, holes)).toEqual(expected);
	});

	it.each<[string, Interval[], Interval[], Interval[]]>([
		['nothing in common', [iv(0, 10)], [iv(10, 20)], []],
		['one inside the other', [iv(0, 10)], [iv(3, 5)], [iv(3, 5)]],
		['overlapping ends', [iv(0, 10), iv(20, 30)], [iv(5, 25)], [iv(5, 10), iv(20, 25)]],
		['one interval across several', [iv(0, 100)], [iv(10, 20), iv(30, 40)], [iv(10, 20), iv(30, 40)]],
		['either side empty', [], [iv(0, 10)], []]
	])('intersect: %s', (_, input, other, expected) => {
		expect(intersect(input, other)).toEqual(expected);
	});

	it('total adds lengths', () => {
		expect(total([iv(0, 10), iv(20, 25)])).toBe(15);
	});
});

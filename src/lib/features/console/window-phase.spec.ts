import { describe, expect, it } from 'vitest';
import { groupWindows, windowPhase, type WindowPhase } from './window-phase.ts';

const W = { startsAt: 1_000, endsAt: 2_000 };

describe('windowPhase', () => {
	it.each<[string, number, WindowPhase]>([
		['long before', 0, 'upcoming'],
		['a millisecond before the start', 999, 'upcoming'],
		['at the start (inclusive)', 1_000, 'in-progress'],
		['in the middle', 1_500, 'in-progress'],
		['a millisecond before the end', 1_999, 'in-progress'],
		['at the end (exclusive)', 2_000, 'ended'],
		['long after', 9_000, 'ended']
	])('%s → %s', (_, now, phase) => {
		expect(windowPhase(W, now)).toBe(phase);
	});
});

describe('groupWindows', () => {
	const windows = [
		{ id: 1, startsAt: 5_000, endsAt: 6_000 },
		{ id: 2, startsAt: 0, endsAt: 4_000 },
		{ id: 3, startsAt: 500, endsAt: 3_000 },
		{ id: 4, startsAt: 0, endsAt: 1_000 },
		{ id: 5, startsAt: 2_500, endsAt: 9_000 }
	];

	it.each<[number, number[], number[]]>([
		[1_500, [3, 2], [5, 1]],
		[2_600, [3, 2, 5], [1]],
		[5_500, [1, 5], []],
		[10_000, [], []]
	])('at %i: in progress %j (ending soonest first), upcoming %j (starting soonest first), ended dropped', (now, inProgress, upcoming) => {
		const grouped = groupWindows(windows, now);
		expect(grouped.inProgress.map((w) => w.id)).toEqual(inProgress);
		expect(grouped.upcoming.map((w) => w.id)).toEqual(upcoming);
	});
});

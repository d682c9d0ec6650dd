import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMoveKey, MOVE_KEYS, moveIndex, type MoveKey } from './keys.ts';

// 10 clusters, 4 a row:  0 1 2 3 / 4 5 6 7 / 8 9
describe('moveIndex', () => {
	it.each([
		{ key: 'ArrowRight', from: 0, to: 1 },
		{ key: 'ArrowRight', from: 3, to: 4 },
		{ key: 'ArrowRight', from: 9, to: 9 },
		{ key: 'ArrowLeft', from: 4, to: 3 },
		{ key: 'ArrowLeft', from: 0, to: 0 },
		{ key: 'ArrowDown', from: 1, to: 5 },
		{ key: 'ArrowDown', from: 6, to: 9 },
		{ key: 'ArrowDown', from: 9, to: 9 },
		{ key: 'ArrowDown', from: 8, to: 8 },
		{ key: 'ArrowUp', from: 5, to: 1 },
		{ key: 'ArrowUp', from: 2, to: 2 },
		{ key: 'Home', from: 7, to: 0 },
		{ key: 'End', from: 2, to: 9 },
		{ key: 'PageDown', from: 1, to: 9 },
		{ key: 'PageUp', from: 9, to: 1 },
		{ key: 'PageUp', from: 3, to: 3 }
	] as { key: MoveKey; from: number; to: number }[])('$key from $from → $to', ({ key, from, to }) => {
		expect(moveIndex(key, from, 10, 4)).toBe(to);
	});

	it('knows its keys and nothing else', () => {
		expect(MOVE_KEYS.every(isMoveKey)).toBe(true);
		expect(isMoveKey('Enter')).toBe(false);
		expect(isMoveKey('a')).toBe(false);
	});

	it('always lands on a cluster, and arrows undo each other away from the edges', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 200 }), fc.nat(), fc.constantFrom(...MOVE_KEYS), (count, perRow, at, key) => {
				const index = at % count;
				const next = moveIndex(key, index, count, perRow);
				expect(next).toBeGreaterThanOrEqual(0);
				expect(next).toBeLessThan(count);
				if (key === 'ArrowRight' && index < count - 1) expect(moveIndex('ArrowLeft', next, count, perRow)).toBe(index);
				if (key === 'ArrowUp' && index >= perRow) expect(moveIndex('ArrowDown', next, count, perRow)).toBe(index);
			})
		);
	});

	it('does nothing for an empty overview', () => {
		expect(moveIndex('ArrowRight', 0, 0, 4)).toBe(0);
	});
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rowOffset, rowWindow, type RowWindow, type WindowInput } from './row-window.ts';

const base = { count: 1_000, rowHeight: 40, height: 400, overscan: 2 };

describe('rowWindow', () => {
	it.each<{ name: string; input: WindowInput; window: RowWindow }>([
		{ name: 'at the top: the screenful and the overscan below', input: { ...base, top: 0 }, window: { start: 0, end: 12, before: 0, after: 988 * 40 } },
		{ name: 'list below the viewport’s top', input: { ...base, top: -200 }, window: { start: 0, end: 7, before: 0, after: 993 * 40 } },
		{ name: 'list entirely below the viewport', input: { ...base, top: -1_000 }, window: { start: 0, end: 2, before: 0, after: 998 * 40 } },
		{ name: 'scrolled into the middle', input: { ...base, top: 4_000 }, window: { start: 98, end: 112, before: 98 * 40, after: 888 * 40 } },
		{ name: 'half a row scrolled', input: { ...base, top: 4_020 }, window: { start: 98, end: 113, before: 98 * 40, after: 887 * 40 } },
		{ name: 'at the bottom', input: { ...base, top: 39_600 }, window: { start: 988, end: 1_000, before: 988 * 40, after: 0 } },
		{ name: 'scrolled past the end', input: { ...base, top: 80_000 }, window: { start: 998, end: 1_000, before: 998 * 40, after: 0 } },
		{ name: 'no rows', input: { ...base, count: 0, top: 0 }, window: { start: 0, end: 0, before: 0, after: 0 } },
		{ name: 'fewer rows than a screenful', input: { ...base, count: 3, top: -50 }, window: { start: 0, end: 3, before: 0, after: 0 } },
		{
			name: 'an expanded row above the viewport pushes the rest down',
			input: { ...base, top: 4_000, extra: { index: 10, height: 300 } },
			window: { start: 90, end: 105, before: 90 * 40 + 300, after: 895 * 40 }
		},
		{
			name: 'the expanded row’s card fills the viewport: that row stays drawn',
			input: { ...base, top: 420, extra: { index: 10, height: 600 } },
			window: { start: 8, end: 13, before: 8 * 40, after: 987 * 40 }
		},
		{ name: 'an expanded index out of range is ignored', input: { ...base, top: 0, extra: { index: 5_000, height: 300 } }, window: { start: 0, end: 12, before: 0, after: 988 * 40 } }
	])('$name', ({ input, window }) => {
		expect(rowWindow(input)).toEqual(window);
	});

	it('keeps the list its full height, and draws every row the viewport touches', () => {
		const input = fc
			.record({
				count: fc.integer({ min: 0, max: 3_000 }),
				rowHeight: fc.integer({ min: 1, max: 80 }),
				top: fc.integer({ min: -5_000, max: 250_000 }),
				height: fc.integer({ min: 0, max: 3_000 }),
				overscan: fc.integer({ min: 0, max: 20 }),
				extra: fc.option(fc.record({ index: fc.integer({ min: 0, max: 3_000 }), height: fc.integer({ min: 0, max: 2_000 }) }))
			})
			.map((i) => ({ ...i, extra: i.extra && i.extra.index < i.count ? i.extra : null }));
		fc.assert(
			fc.property(input, (i) => {
				const w = rowWindow(i);
				const offset = (n: number) => rowOffset(n, i.rowHeight, i.extra);
				expect(0 <= w.start && w.start <= w.end && w.end <= i.count).toBe(true);
				expect(w.before + (offset(w.end) - offset(w.start)) + w.after).toBe(offset(i.count));
				for (let r = 0; r < i.count; r++) {
					const visible = offset(r + 1) > i.top && offset(r) < i.top + i.height;
					if (visible) expect(r >= w.start && r < w.end, `row ${r} is on screen`).toBe(true);
				}
				// Nothing far off screen: at most a screenful plus the overscan on each side (and the expanded card's row).
				expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(i.height / i.rowHeight) + 2 * i.overscan + 2);
			})
		);
	});
});

/*
 * Windowing for the compact list: only rows near the viewport are in the DOM, and two spacers
 * (`before`, `after`) keep the table as tall as if every row were, so the scrollbar, page
 * length and scroll position stay true. Rows are one fixed height; the one expanded row shows
 * its cluster's card below it, `extra.height` tall.
 */

export interface WindowInput {
	/** Rows in the list. */
	count: number;
	/** Height of one row, px. */
	rowHeight: number;
	/** The viewport's top relative to the first row's top, px (negative: the list starts below it). */
	top: number;
	/** The viewport's height, px. */
	height: number;
	/** Rows drawn beyond each edge of the viewport, so a quick scroll shows no blank. */
	overscan: number;
	/** The expanded row (its card follows it), and how tall that card is. */
	extra?: { index: number; height: number } | null;
}

export interface RowWindow {
	/** First row drawn. */
	start: number;
	/** One past the last row drawn. */
	end: number;
	/** Height of the rows above `start` (the top spacer), px. */
	before: number;
	/** Height of the rows from `end` on (the bottom spacer), px. */
	after: number;
}

/** Where row `index` starts, px below the first row's top; `index === count` gives the list's height. */
export function rowOffset(index: number, rowHeight: number, extra?: WindowInput['extra']): number {
	return index * rowHeight + (extra && index > extra.index ? extra.height : 0);
}

/** The smallest index in [0, count] for which `test` holds (it must hold for every larger index too). */
function firstWhere(count: number, test: (i: number) => boolean): number {
	let lo = 0;
	let hi = count;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (test(mid)) hi = mid;
		else lo = mid + 1;
	}
	return lo;
}

/** The rows to draw for the viewport, and the spacers around them. */
export function rowWindow(input: WindowInput): RowWindow {
	const { count, rowHeight, top, height, overscan } = input;
	const extra = input.extra && input.extra.index >= 0 && input.extra.index < count ? input.extra : null;
	const offset = (i: number) => rowOffset(i, rowHeight, extra);
	// First row whose bottom (its card included) is below the viewport's top; first row starting at or past its bottom.
	const first = firstWhere(count, (i) => offset(i + 1) > top);
	const last = firstWhere(count, (i) => offset(i) >= top + height);
	const start = Math.max(0, Math.min(first, last) - overscan);
	const end = Math.min(count, Math.max(last, first) + overscan);
	return { start, end, before: offset(start), after: offset(count) - offset(end) };
}

import { rowOffset, rowWindow, type RowWindow } from './row-window.ts';

/** Height of a compact row, px: the table's rows are fixed to it (`.compact-row` in app.css). */
export const ROW_HEIGHT = 40;
/** Rows drawn beyond each edge of the viewport. */
export const OVERSCAN = 10;

/**
 * Which of the compact list's rows are in the DOM: those near the viewport, as the page scrolls
 * (the list scrolls with the page, not in a box of its own, so the page keeps one scrollbar).
 */
export class CompactWindow {
	/** The viewport's top relative to the first row's top, px. */
	top = $state(0);
	/** The viewport's height, px. */
	height = $state(typeof innerHeight === 'number' ? innerHeight : 1_000);
	/** Height of the expanded row's card, px (measured once drawn). */
	extraHeight = $state(0);

	readonly #extra: { index: number; height: number } | null;
	/** The rows to draw and the spacers around them. */
	readonly range: RowWindow;

	/** `count`: rows in the list; `expanded`: index of the expanded row, -1 for none (both read reactively). */
	constructor(count: () => number, expanded: () => number) {
		this.#extra = $derived.by(() => {
			const index = expanded();
			return index < 0 ? null : { index, height: this.extraHeight };
		});
		this.range = $derived(rowWindow({ count: count(), rowHeight: ROW_HEIGHT, top: this.top, height: this.height, overscan: OVERSCAN, extra: this.#extra }));
	}

	/** Reads where the list's first row is against the viewport. */
	measure(body: HTMLElement): void {
		this.top = -body.getBoundingClientRect().top;
		this.height = innerHeight;
	}

	/**
	 * Keeps the window in step with scrolling and resizing, once per frame at most. Call during a
	 * component's initialisation (it sets up an `$effect`); `body` is the table body.
	 */
	track(body: () => HTMLElement | undefined): void {
		$effect(() => {
			const el = body();
			if (!el) return;
			let frame = 0;
			const schedule = () => {
				if (!frame) frame = requestAnimationFrame(() => ((frame = 0), this.measure(el)));
			};
			this.measure(el);
			addEventListener('scroll', schedule, { passive: true });
			addEventListener('resize', schedule, { passive: true });
			return () => {
				cancelAnimationFrame(frame);
				removeEventListener('scroll', schedule);
				removeEventListener('resize', schedule);
			};
		});
	}

	/**
	 * Scrolls the page so row `index` is in view (a third of the way down, leaving room for its
	 * card), unless it already is, and moves the window there at once so the row is drawn. The
	 * jump is instant: during a smooth scroll the window would follow the way there, and the
	 * row to focus would leave the DOM on the way.
	 */
	scrollToRow(body: HTMLElement, index: number): void {
		this.measure(body);
		const top = rowOffset(index, ROW_HEIGHT, this.#extra);
		if (top >= this.top && top + ROW_HEIGHT <= this.top + this.height) return;
		const y = scrollY - this.top + top - Math.round(this.height / 3);
		scrollTo({ top: Math.max(0, y), behavior: 'instant' });
		this.measure(body);
	}
}

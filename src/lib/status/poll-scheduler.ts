/** The parts of `document` and `window` the scheduler listens to; stubbed in tests. */
export interface VisibilitySource {
	readonly visibilityState: DocumentVisibilityState;
	addEventListener(type: 'visibilitychange', listener: () => void): void;
	removeEventListener(type: 'visibilitychange', listener: () => void): void;
}
export interface FocusSource {
	addEventListener(type: 'focus', listener: () => void): void;
	removeEventListener(type: 'focus', listener: () => void): void;
}

export interface PollSchedulerOptions {
	poll: () => void;
	document: VisibilitySource;
	window: FocusSource;
	/** Default 15 s. */
	intervalMs?: number;
	/** Focus/visibility refreshes closer together than this are dropped. Default 2 s. */
	minGapMs?: number;
}

/**
 * When to ask for status: every `intervalMs` while the tab is visible, never while it is hidden,
 * and at once when it becomes visible or regains focus (at most once per `minGapMs`), after
 * which the interval starts over so the next poll is a full interval away.
 */
export class PollScheduler {
	readonly #o: Required<PollSchedulerOptions>;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#lastPollAt = -Infinity;
	#running = false;

	constructor(options: PollSchedulerOptions) {
		this.#o = { intervalMs: 15_000, minGapMs: 2_000, ...options };
	}

	start(): void {
		if (this.#running) return;
		this.#running = true;
		this.#o.document.addEventListener('visibilitychange', this.#onVisibility);
		this.#o.window.addEventListener('focus', this.#onFocus);
		if (this.#o.document.visibilityState === 'visible') this.#pollNow();
	}

	stop(): void {
		this.#running = false;
		clearTimeout(this.#timer);
		this.#timer = undefined;
		this.#o.document.removeEventListener('visibilitychange', this.#onVisibility);
		this.#o.window.removeEventListener('focus', this.#onFocus);
	}

	/**
	 * Polls now unless one ran within `minGapMs` (focus, visibility). `force` skips the gap, for
	 * a fresh connection: polls sent while disconnected never reached the server.
	 */
	refresh(options: { force?: boolean } = {}): void {
		if (!this.#running || this.#o.document.visibilityState !== 'visible') return;
		if (!options.force && Date.now() - this.#lastPollAt < this.#o.minGapMs) {
			// Too soon to ask again, but a hide/show flicker cleared the cycle: resume it.
			if (this.#timer === undefined) this.#schedule();
			return;
		}
		this.#pollNow();
	}

	#pollNow(): void {
		this.#lastPollAt = Date.now();
		this.#o.poll();
		this.#schedule();
	}

	#schedule(): void {
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => {
			if (this.#running && this.#o.document.visibilityState === 'visible') this.#pollNow();
		}, this.#o.intervalMs);
	}

	#onVisibility = (): void => {
		if (this.#o.document.visibilityState === 'hidden') {
			clearTimeout(this.#timer);
			this.#timer = undefined;
		} else this.refresh();
	};

	#onFocus = (): void => this.refresh();
}

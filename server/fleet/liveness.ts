import { monotonicNow } from '../clock.ts';

export interface LivenessOptions {
	/** A key not seen for longer than this is expired. */
	timeoutMs: number;
	/** How often to sweep. Default: `min(1000, timeoutMs)`, so expiry is noticed within a second. */
	sweepIntervalMs?: number;
	/** `lastSeen` is on the liveness clock: compare it with `now()`, not with `Date.now()`. */
	onExpired: (key: number, lastSeen: number) => void;
	/**
	 * Start-up grace: nothing expires until this long after `start()`. Default `timeoutMs`, so a
	 * restarted server never calls a cluster silent before a cluster could have reported to it:
	 * silence only counts once a whole timeout has passed since start. Clusters the new process
	 * does not know yet (fresh memory) simply appear when they report.
	 */
	graceMs?: number;
	/**
	 * The clock last-seen times, the grace and the sweep are read on. Default `monotonicNow`
	 * (`performance.now()`): a step of the wall clock (NTP, a VM resumed from pause) must neither
	 * make every live cluster look silent nor keep a dead one alive. Tests pass their own.
	 */
	clock?: () => number;
}

/**
 * Liveness as a map of last-seen times swept on a timer (the shape of socket.io-adapter's
 * heartbeat adapter): touching is O(1) on the hot path, and expiry costs one pass per sweep
 * instead of one timer per cluster. Call `close()` to clear the timer.
 */
export class Liveness {
	readonly #lastSeen = new Map<number, number>();
	readonly #options: Required<LivenessOptions>;
	#timer: ReturnType<typeof setInterval> | undefined;
	#startedAt: number | undefined;

	constructor(options: LivenessOptions) {
		this.#options = { sweepIntervalMs: Math.min(1000, options.timeoutMs), graceMs: options.timeoutMs, clock: monotonicNow, ...options };
	}

	/** Now on this liveness's clock (monotonic unless a test gave another). */
	now(): number {
		return this.#options.clock();
	}

	/** True while the start-up grace lasts (nothing expires). */
	inGrace(now = this.now()): boolean {
		return this.#startedAt !== undefined && now - this.#startedAt < this.#options.graceMs;
	}

	start(now = this.now()): void {
		this.#startedAt ??= now;
		if (this.#timer) return;
		this.#timer = setInterval(() => this.sweep(), this.#options.sweepIntervalMs);
		// The sweep must never keep a process alive on its own (tests, graceful shutdown).
		this.#timer.unref?.();
	}

	/** Marks `key` heard from now (on this liveness's clock, never the wall clock). */
	touch(key: number, now = this.now()): void {
		this.#lastSeen.set(key, now);
	}

	forget(key: number): void {
		this.#lastSeen.delete(key);
	}

	/** Expires every key silent for longer than the timeout and returns them. */
	sweep(now = this.now()): number[] {
		const expired: number[] = [];
		if (this.inGrace(now)) return expired;
		for (const [key, seen] of this.#lastSeen) {
			if (now - seen > this.#options.timeoutMs) {
				this.#lastSeen.delete(key);
				expired.push(key);
				this.#options.onExpired(key, seen);
			}
		}
		return expired;
	}

	close(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
		this.#lastSeen.clear();
	}
}

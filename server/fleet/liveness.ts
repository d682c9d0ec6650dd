export interface LivenessOptions {
	/** A key not seen for longer than this is expired. */
	timeoutMs: number;
	/** How often to sweep. Default: `min(1000, timeoutMs)`, so expiry is noticed within a second. */
	sweepIntervalMs?: number;
	onExpired: (key: number, lastSeen: number) => void;
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

	constructor(options: LivenessOptions) {
		this.#options = { sweepIntervalMs: Math.min(1000, options.timeoutMs), ...options };
	}

	start(): void {
		if (this.#timer) return;
		this.#timer = setInterval(() => this.sweep(Date.now()), this.#options.sweepIntervalMs);
		// The sweep must never keep a process alive on its own (tests, graceful shutdown).
		this.#timer.unref?.();
	}

	touch(key: number, now: number): void {
		this.#lastSeen.set(key, now);
	}

	forget(key: number): void {
		this.#lastSeen.delete(key);
	}

	/** Expires every key silent for longer than the timeout and returns them. */
	sweep(now: number): number[] {
		const expired: number[] = [];
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

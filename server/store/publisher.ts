import type { Fleet } from '../fleet/fleet.ts';
import type { Logger } from '../log.ts';
import type { CommittedUpdate, FleetLog } from './fleet-log.ts';

export interface PublisherOptions {
	fleet: Fleet;
	log: FleetLog;
	/** Sends a committed change to every viewer. */
	push: (update: CommittedUpdate) => void;
	/**
	 * Changes are gathered for this long and committed as one version and one push. Default 500:
	 * at most two pushes a second however many heartbeats arrive, each within a second of its cause.
	 */
	intervalMs?: number;
	logger: Logger;
	now?: () => number;
}

/**
 * Turns the fleet's pending changes into versions on a timer. One tick at a time: a slow commit
 * (Redis under load) delays the next batch instead of racing it, and a failed commit hands its
 * changes back to the fleet so the next tick carries them.
 */
export class Publisher {
	readonly #o: Required<PublisherOptions>;
	#timer: ReturnType<typeof setInterval> | undefined;
	#running: Promise<void> | undefined;

	constructor(options: PublisherOptions) {
		this.#o = { intervalMs: 500, now: Date.now, ...options };
	}

	start(): void {
		if (this.#timer) return;
		this.#timer = setInterval(() => void this.flush(), this.#o.intervalMs);
		this.#timer.unref?.();
	}

	/** Commits and pushes whatever is pending now (tests and shutdown use it; so does the timer). */
	flush(): Promise<void> {
		this.#running ??= this.#publish().finally(() => (this.#running = undefined));
		return this.#running;
	}

	async #publish(): Promise<void> {
		const { fleet, log, logger } = this.#o;
		const touched = fleet.takeTouched();
		const changes = fleet.takeChanges();
		let update: CommittedUpdate | null = null;
		try {
			if (touched.size > 0) await log.touch(touched);
			if (changes.size > 0) update = await log.commit(changes, (id) => fleet.get(id), this.#o.now());
		} catch (error) {
			fleet.restoreChanges(changes);
			logger.error({ err: error, clusters: changes.size }, 'could not commit fleet changes; retrying on the next tick');
			return;
		}
		// Scaled out, a commit can come back empty: every change lost to a fresher report elsewhere.
		if (update) this.#o.push(update);
	}

	async close(): Promise<void> {
		clearInterval(this.#timer);
		this.#timer = undefined;
		await this.#running;
	}
}

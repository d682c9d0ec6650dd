/**
 * What every part of the server hands back to `app.ts`: what it adds to `/healthz`, and how it
 * shuts down. The other fields of each subsystem are what the later ones depend on.
 */
export interface Subsystem {
	/** This part's fields of `GET /healthz`; cheap, read on every probe. */
	health?(): Record<string, unknown>;
	/** Stops timers and connections. Safe to call twice. */
	close(): void | Promise<void>;
}

/**
 * One producer, any number of listeners, each isolated: a listener that throws is logged by
 * `onError` and the others still hear the value. Used where a subsystem announces something
 * (a committed fleet version, an incident notice) that later subsystems subscribe to, so the
 * producer never needs to know who listens and nothing is bound late.
 */
export class Broadcast<T> {
	readonly #listeners: ((value: T) => void)[] = [];

	constructor(private readonly onError: (err: unknown) => void) {}

	listen(listener: (value: T) => void): void {
		this.#listeners.push(listener);
	}

	emit(value: T): void {
		for (const listener of this.#listeners) {
			try {
				listener(value);
			} catch (err) {
				this.onError(err);
			}
		}
	}
}

import { encodeDelta, type ChangeSet, type ClusterStatus } from '#shared';
import type { CommittedUpdate, FleetFeed } from '../feed/fleet-feed.ts';

export type { CommittedUpdate };

/**
 * Where versions come from. In memory (one instance) the next version is simply ours to take;
 * scaled out, Redis hands them out so every instance agrees (see `redis/redis-fleet-log.ts`).
 */
export interface FleetLog {
	/** Assigns the next version to `changes`, read from `get` at time `at`, and applies it. */
	commit(changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, at: number): Promise<CommittedUpdate | null>;
	/** Records when clusters were last heard from (every batch, changed or not). */
	touch(seen: Map<number, number>): Promise<void>;
	/** Ready to serve (scaled out: subscribed and caught up). */
	start(): Promise<void>;
	/** `ok`, or what is wrong, for `/healthz`. */
	health(): { store: 'memory' | 'redis'; storeOk: boolean; storeDetail?: string };
	close(): Promise<void>;
}

/** The single-instance log: versions count up in this process. */
export class MemoryFleetLog implements FleetLog {
	/** The latest `at` committed: history's timestamps never run backwards when the wall clock steps back. */
	#lastAt = 0;

	constructor(
		private readonly feed: FleetFeed,
		/** Told what each commit changed (history records it). */
		private readonly record?: (changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, at: number) => void
	) {}

	async commit(changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, wallAt: number): Promise<CommittedUpdate> {
		const at = (this.#lastAt = Math.max(this.#lastAt, wallAt));
		const version = this.feed.version;
		const update: CommittedUpdate = { kind: 'delta', from: version, version: version + 1, at, data: encodeDelta(changes, get, at) };
		this.feed.apply(update);
		this.record?.(changes, get, at);
		return update;
	}

	async touch(): Promise<void> {}

	async start(): Promise<void> {}

	health() {
		return { store: 'memory' as const, storeOk: true };
	}

	async close(): Promise<void> {}
}

import type { ClusterStatus, FleetStatus } from '../cluster.ts';
import { deriveConflicts, deriveTotalShards } from '../fleet-derive.ts';
import { WireFormatError } from './bytes.ts';
import { decodeDelta, decodeFull, type ChangeSet, type FleetUpdate } from './fleet-update.ts';

/**
 * - `applied`: the state moved to the update's version.
 * - `current`: nothing to apply (already at or past that version); the server is still heard.
 * - `gap`: the update starts after this copy's version; ask for a full snapshot or a delta.
 */
export type ApplyOutcome = 'applied' | 'current' | 'gap';

/**
 * A copy of the fleet at one version, kept current by applying `FleetUpdate`s. The page holds
 * one, and so does every server instance. Applying a delta replaces only the clusters it names:
 * every other `ClusterStatus` keeps its identity, so a UI keyed by cluster redraws what changed.
 */
export class FleetReplica {
	#version = 0;
	#status: FleetStatus = { clusters: [], totalShards: 0, conflicts: [], generatedAt: 0 };
	/** cluster id → index in `status.clusters`, rebuilt only when clusters come or go. */
	#index = new Map<number, number>();
	#lastChanges: ChangeSet | null = null;

	/** Starts over: no clusters, at `version` (a server's starting point; see `FleetFeed`). */
	reset(version: number): void {
		this.#version = version;
		this.#status = { clusters: [], totalShards: 0, conflicts: [], generatedAt: 0 };
		this.#index = new Map();
		this.#lastChanges = null;
	}

	/** 0 until the first update. */
	get version(): number {
		return this.#version;
	}

	get status(): FleetStatus {
		return this.#status;
	}

	/** What the last applied update changed; null after a full snapshot (everything may have). */
	get lastChanges(): ChangeSet | null {
		return this.#lastChanges;
	}

	get(id: number): ClusterStatus | undefined {
		const i = this.#index.get(id);
		return i === undefined ? undefined : this.#status.clusters[i];
	}

	/** Applies an update; throws `WireFormatError` on bytes it cannot decode (treat as a gap). */
	apply(update: FleetUpdate): ApplyOutcome {
		if (update.kind === 'unchanged') {
			if (update.version > this.#version) return 'gap';
			if (update.version === this.#version) this.#status = { ...this.#status, generatedAt: Math.max(this.#status.generatedAt, update.at) };
			return 'current';
		}
		if (update.kind === 'full') {
			// A lagging instance must never move a client back in time.
			if (update.version < this.#version) return 'current';
			this.#set(update.version, decodeFull(update.data, update.at), update.at, true);
			this.#lastChanges = null;
			return 'applied';
		}
		if (this.#version < update.from) return 'gap';
		if (this.#version >= update.version) return 'current';

		const entries = decodeDelta(update.data, update.at, (id) => this.get(id));
		const clusters = this.#status.clusters.slice();
		let structural = false;
		let claimsChanged = false;
		const removed = new Set<number>();
		const changes: ChangeSet = new Map();
		for (const entry of entries) {
			if (entry.kind === 'removed') {
				if (this.#index.has(entry.id)) removed.add(entry.id);
				structural = claimsChanged = true;
				changes.set(entry.id, 'removed');
				continue;
			}
			changes.set(entry.cluster.id, entry.change);
			const i = this.#index.get(entry.cluster.id);
			if (i === undefined) {
				clusters.push(entry.cluster);
				structural = true;
			} else clusters[i] = entry.cluster;
			removed.delete(entry.cluster.id);
			if (entry.change === 'full') claimsChanged = true;
		}
		const next = structural ? clusters.filter((c) => !removed.has(c.id)).sort((a, b) => a.id - b.id) : clusters;
		this.#set(update.version, next, update.at, claimsChanged, structural);
		this.#lastChanges = changes;
		return 'applied';
	}

	#set(version: number, clusters: ClusterStatus[], at: number, rederive: boolean, reindex = true): void {
		const index = reindex ? new Map(clusters.map((c, i) => [c.id, i])) : this.#index;
		// Refuse before touching anything, so a bad update leaves the copy as it was.
		if (index.size !== clusters.length) throw new WireFormatError('an update listed a cluster twice');
		this.#index = index;
		// Patches never touch shard lists or lifecycles, so conflicts and the shard count stand.
		const derived = rederive
			? { totalShards: deriveTotalShards(clusters), conflicts: deriveConflicts(clusters) }
			: { totalShards: this.#status.totalShards, conflicts: this.#status.conflicts };
		this.#version = version;
		this.#status = { clusters, ...derived, generatedAt: at };
	}
}

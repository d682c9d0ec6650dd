import type { ClusterStatus, FleetStatus, ShardConflict } from '#shared';
import type { FoundShard } from '$lib/status/shard-view';
import { isUnhealthy, sortClusters, type ClusterSort } from './cluster-view.ts';

/** Cards drawn at once: a screenful and then some. */
export const FIRST_CARDS = 36;
/** Cards added per frame after the first screenful. */
export const CARDS_PER_FRAME = 60;

/**
 * The cluster cards the page shows: filtered (only unhealthy ones, plus the cluster of the shard
 * find-my-shard located), sorted, and drawn a chunk at a time. A big fleet is drawn a screenful
 * first and the rest a chunk per frame, so the first screen never waits for the thousandth card
 * (off-screen cards skip layout and paint anyway: `content-visibility` in app.css).
 */
export class ClusterList {
	onlyUnhealthy = $state(false);
	sort = $state<ClusterSort>('id');
	/** What find-my-shard located last (null: nothing, or the last search failed). */
	found = $state<FoundShard | null>(null);
	/** How many cards are in the DOM (Infinity: all of them). */
	shown = $state(FIRST_CARDS);

	readonly #status: () => FleetStatus | null;

	/** `status`: the fleet as it stands now (read reactively). */
	constructor(status: () => FleetStatus | null) {
		this.#status = status;
	}

	/** The clusters that pass the filter, in the chosen order. */
	readonly clusters: ClusterStatus[] = $derived.by(() => {
		const all = this.#status()?.clusters ?? [];
		const shown = this.onlyUnhealthy ? all.filter((c) => isUnhealthy(c) || c.id === this.found?.clusterId) : all;
		return sortClusters(shown, this.sort);
	});

	/** The cards drawn so far: the first `shown` of `clusters`. */
	readonly visible: ClusterStatus[] = $derived(this.shown >= this.clusters.length ? this.clusters : this.clusters.slice(0, this.shown));

	/** Every cluster's conflicts, by cluster id (a conflict names each cluster that claims the shard). */
	readonly conflictsByCluster: Map<number, ShardConflict[]> = $derived.by(() => {
		const map = new Map<number, ShardConflict[]>();
		for (const c of this.#status()?.conflicts ?? []) for (const id of c.clusterIds) map.set(id, [...(map.get(id) ?? []), c]);
		return map;
	});

	/**
	 * Draws the cards not drawn yet a chunk per frame, whenever some are missing. Each time every
	 * card of a fleet bigger than the first screenful is drawn, calls `onComplete`. Call during a
	 * component's initialisation (it sets up an `$effect`).
	 */
	drawInChunks(onComplete: () => void): void {
		$effect(() => {
			const total = this.clusters.length;
			if (this.shown >= total) {
				if (total > FIRST_CARDS) onComplete();
				return;
			}
			const frame = requestAnimationFrame(() => (this.shown = Math.min(total, this.shown + CARDS_PER_FRAME)));
			return () => cancelAnimationFrame(frame);
		});
	}
}

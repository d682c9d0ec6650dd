import { tick } from 'svelte';
import type { FleetStatus } from '#shared';
import { clusterOfShard, type FoundShard } from '$lib/status/shard-view';
import type { ClusterList } from './cluster-list.svelte.ts';

/** What is highlighted: a cluster, and one of its shards when `shardId` is not null. */
export interface FocusTarget {
	clusterId: number;
	shardId: number | null;
}

/** Why a focus request did nothing (`focused`: it did something). */
export type FocusOutcome = 'focused' | 'no_data' | 'unknown_cluster' | 'unknown_shard';

/**
 * How the view on screen (cards, compact list) puts a cluster's element into the DOM and scrolls
 * it into view. `index` is the cluster's place in `ClusterList.clusters`. Resolves to the element
 * to move keyboard focus to, or null when there is none to focus.
 */
export type ClusterRevealer = (target: FocusTarget, index: number) => Promise<HTMLElement | null>;

const smooth = (): ScrollBehavior => (matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth');

/**
 * The cards' way: draw cards up to the target (a big fleet's cards arrive a chunk per frame, the
 * wanted one may not be drawn yet), then scroll to its shard tile or the card.
 */
export function cardRevealer(list: ClusterList): ClusterRevealer {
	return async ({ clusterId, shardId }, index) => {
		list.shown = Math.max(list.shown, index + 1);
		await tick();
		const card = document.getElementById(`cluster-${clusterId}`);
		const tile = shardId === null ? null : card?.querySelector<HTMLElement>(`.tile[data-shard="${shardId}"]`);
		(tile ?? card)?.scrollIntoView({ block: tile ? 'center' : 'start', behavior: smooth() });
		return tile ?? card;
	};
}

/**
 * Which cluster (and shard) the page points at, for the fleet overview, deep links and
 * find-my-shard alike: focusing one makes it visible whatever the list shows (a filter that hides
 * it is cleared, a card or row not drawn yet is drawn), scrolls to it, highlights it until the
 * next focus, and moves keyboard focus there so a screen reader reads what was opened.
 */
export class ClusterFocus {
	/** The highlighted cluster and shard; null: nothing. */
	target = $state<FocusTarget | null>(null);
	/** Counts focus requests, so a view can replay its highlight when the same cluster is focused again. */
	count = $state(0);

	readonly #list: ClusterList;
	readonly #status: () => FleetStatus | null;
	#revealer: ClusterRevealer;

	/** `list`: the clusters on show; `status`: the fleet as it stands now (read reactively). */
	constructor(list: ClusterList, status: () => FleetStatus | null) {
		this.#list = list;
		this.#status = status;
		this.#revealer = cardRevealer(list);
	}

	/**
	 * Lets the view on screen reveal clusters its own way (the compact list scrolls its window).
	 * Returns the function that puts the previous revealer back: call it from an `$effect` cleanup.
	 */
	useRevealer(revealer: ClusterRevealer): () => void {
		const previous = this.#revealer;
		this.#revealer = revealer;
		return () => {
			if (this.#revealer === revealer) this.#revealer = previous;
		};
	}

	/** The highlighted shard of `clusterId`: null when that cluster is not the target or no shard is. */
	shardOf(clusterId: number): number | null {
		return this.target?.clusterId === clusterId ? this.target.shardId : null;
	}

	/** True when `clusterId` is the highlighted cluster. */
	isTarget(clusterId: number): boolean {
		return this.target?.clusterId === clusterId;
	}

	/**
	 * Scrolls to cluster `clusterId` (and its shard `shardId`, when given and the cluster runs it)
	 * and highlights it. Does nothing for a cluster the fleet does not have. `moveFocus: false`
	 * leaves keyboard focus where it is (find-my-shard keeps it in its input for the next search).
	 */
	focusCluster = async (clusterId: number, shardId?: number | null, { moveFocus = true }: { moveFocus?: boolean } = {}): Promise<FocusOutcome> => {
		const status = this.#status();
		if (!status) return 'no_data';
		const cluster = status.clusters.find((c) => c.id === clusterId);
		if (!cluster) return 'unknown_cluster';
		const shard = shardId != null && cluster.shardIds.includes(shardId) ? shardId : null;
		const list = this.#list;
		if (!list.clusters.some((c) => c.id === clusterId)) list.onlyUnhealthy = false;
		const target = (this.target = { clusterId, shardId: shard });
		this.count++;
		// Let the page catch up first: the cleared filter, and the view that shows the fleet's first
		// data (it registers its revealer when it mounts, in the same update as a deep link fires).
		await tick();
		const index = list.clusters.findIndex((c) => c.id === clusterId);
		const element = await this.#revealer(target, index);
		if (moveFocus) element?.focus({ preventScroll: true });
		return 'focused';
	};

	/**
	 * Find-my-shard's answer: the located cluster stays in the unhealthy-only list while it is the
	 * answer, and is scrolled to and highlighted; a failed search removes the highlight.
	 */
	reveal = async (found: FoundShard | null): Promise<void> => {
		this.#list.found = found;
		if (found?.clusterId == null) this.clear();
		else await this.focusCluster(found.clusterId, found.shardId, { moveFocus: false });
	};

	/** Scrolls to the cluster running shard `shardId` and highlights the shard. */
	focusShard = async (shardId: number): Promise<FocusOutcome> => {
		const status = this.#status();
		if (!status) return 'no_data';
		const owner = clusterOfShard(status.clusters, shardId);
		return owner ? this.focusCluster(owner.id, shardId) : 'unknown_shard';
	};

	/** Removes the highlight. */
	clear(): void {
		this.target = null;
	}
}

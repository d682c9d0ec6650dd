import { untrack } from 'svelte';
import type { FleetStatus } from '#shared';
import type { ClusterFocus } from '$lib/features/clusters/cluster-focus.svelte';
import { deepLinkTarget, type DeepLink } from './deep-link.ts';

/**
 * Follows the link the page was opened with (`?cluster=`, `?shard=`) once the fleet arrives:
 * scrolls to the cluster or shard and highlights it. A `?guild=` link is find-my-shard's to
 * answer (it shows where the server lives and focuses it in turn), so it is left alone here.
 */
export class DeepLinkLanding {
	/** The link could not be followed: the fleet has no such cluster, or no cluster runs the shard. */
	missed = $state<DeepLink | null>(null);
	#done = false;

	readonly link: DeepLink | null;
	readonly #status: () => FleetStatus | null;
	readonly #focus: ClusterFocus;

	constructor(link: DeepLink | null, status: () => FleetStatus | null, focus: ClusterFocus) {
		this.link = link;
		this.#status = status;
		this.#focus = focus;
	}

	/** The server ID of a `?guild=` link, for find-my-shard; null for any other link. */
	get guild(): string | null {
		return this.link?.kind === 'guild' ? this.link.guildId : null;
	}

	/**
	 * Follows the link once, when the first fleet with clusters arrives (later updates never
	 * scroll the page again). Call during a component's initialisation (it sets up an `$effect`).
	 */
	follow(): void {
		$effect(() => {
			if (this.#done || !this.link || this.link.kind === 'guild') return;
			const status = this.#status();
			if (!status || status.clusters.length === 0) return;
			this.#done = true;
			const link = this.link;
			untrack(() => {
				const target = deepLinkTarget(link, status);
				if (target) void this.#focus.focusCluster(target.clusterId, target.shardId);
				else this.missed = link;
			});
		});
	}
}

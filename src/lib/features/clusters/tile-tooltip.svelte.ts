import type { ClusterStatus, FleetStatus } from '#shared';

const tileOf = (e: Event) => (e.target as HTMLElement | null)?.closest?.<HTMLElement>('.tile') ?? null;

/**
 * One tooltip for every shard tile: follows the pointer and keyboard focus by delegation. Put
 * `show` on `pointerover`/`focusin` and `hide` on `pointerout`/`focusout` of an element that holds
 * the grids; the tiles themselves carry no listener.
 */
export class TileTooltip {
	/** The tile the tooltip points at (null: closed). */
	anchor = $state<HTMLElement | null>(null);

	readonly #status: () => FleetStatus | null;

	/** `status`: the fleet as it stands now (read reactively), where the anchor's cluster is looked up. */
	constructor(status: () => FleetStatus | null) {
		this.#status = status;
	}

	/** The cluster of the tile pointed at, as it stands now. */
	readonly cluster: ClusterStatus | undefined = $derived.by(() => {
		const anchor = this.anchor;
		return anchor ? this.#status()?.clusters.find((c) => c.id === Number(anchor.closest<HTMLElement>('[data-cluster]')?.dataset.cluster)) : undefined;
	});

	/** An event's tile, if it happened on one, becomes the anchor. */
	show = (e: Event): void => {
		const tile = tileOf(e);
		if (tile) this.anchor = tile;
	};

	/** Leaving (or blurring) the anchored tile closes the tooltip; leaving another tile does not. */
	hide = (e: Event): void => {
		if (tileOf(e) === this.anchor) this.anchor = null;
	};

	close = (): void => {
		this.anchor = null;
	};
}

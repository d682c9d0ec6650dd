import { DEFAULT_LATENCY_BANDS, latencyBand, type ClusterStatus, type LatencyBands, type ShardState, type ShardStatus } from '#shared';
import { TILE_GLYPH, tileKind } from '$lib/status/shard-view';

export interface TileText {
	/** "Shard 12", in the page's language. */
	name: (id: number) => string;
	/** The state's label, in the page's language. */
	state: (state: ShardState | 'missing') => string;
}

export interface TileFocus {
	/** Index of the one tile in the tab order (roving tabindex). */
	focusIndex: number;
	/** The shard find-my-shard located, marked `aria-current`. */
	found: number | null;
}

/** A tile's ping band for the latency view (CSS colours ready tiles by it); `none` without a ping. */
const bandOf = (shard: ShardStatus | undefined, bands: LatencyBands) => latencyBand(shard?.ping, bands) ?? 'none';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/*
 * The tiles of one cluster's grid, kept in step with the cluster by hand rather than by one
 * Svelte effect per attribute per tile: 16,000 tiles would be 100,000 effects. The first render
 * writes the grid as one HTML string; later renders touch only attributes that changed, on the
 * same elements, so a focused tile keeps its focus when its cluster updates.
 */
export function syncTiles(
	grid: HTMLElement,
	cluster: Pick<ClusterStatus, 'shardIds' | 'shards'>,
	focus: TileFocus,
	text: TileText,
	bands: LatencyBands = DEFAULT_LATENCY_BANDS
): void {
	const byId = new Map(cluster.shards.map((s) => [s.id, s]));
	const tiles = grid.children;
	const sameTiles = tiles.length === cluster.shardIds.length && cluster.shardIds.every((id, i) => (tiles[i] as HTMLElement).dataset.shard === String(id));
	if (!sameTiles) {
		grid.innerHTML = cluster.shardIds
			.map((id, i) => {
				const shard = byId.get(id);
				const state = shard?.state;
				const kind = tileKind(state);
				const label = `${text.name(id)}: ${text.state(state ?? 'missing')}`;
				const current = focus.found === id ? ' aria-current="true"' : '';
				return `<button type="button" class="tile" data-kind="${kind}" data-shard="${id}" data-state="${state ?? 'missing'}" data-band="${bandOf(shard, bands)}" tabindex="${i === focus.focusIndex ? 0 : -1}"${current} aria-label="${escape(label)}">${TILE_GLYPH[kind]}</button>`;
			})
			.join('');
		return;
	}
	cluster.shardIds.forEach((id, i) => {
		const tile = tiles[i] as HTMLElement;
		const state = byId.get(id)?.state ?? 'missing';
		if (tile.dataset.state !== state) {
			const kind = tileKind(byId.get(id)?.state);
			tile.dataset.state = state;
			tile.dataset.kind = kind;
			tile.textContent = TILE_GLYPH[kind];
			tile.setAttribute('aria-label', `${text.name(id)}: ${text.state(state)}`);
		}
		const band = bandOf(byId.get(id), bands);
		if (tile.dataset.band !== band) tile.dataset.band = band;
		const tabindex = i === focus.focusIndex ? 0 : -1;
		if (tile.tabIndex !== tabindex) tile.tabIndex = tabindex;
		if (focus.found === id) tile.setAttribute('aria-current', 'true');
		else if (tile.hasAttribute('aria-current')) tile.removeAttribute('aria-current');
	});
}

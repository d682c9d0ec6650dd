import { shardStateKind, type ClusterStatus, type ShardState, type ShardStateKind } from '#shared';

/** How a tile is drawn: the state's kind, or `missing` for an assigned shard nobody reported. */
export type TileKind = ShardStateKind | 'missing';

/**
 * A symbol per kind, so the grid reads without colour (WCAG 1.4.1): healthy tiles stay plain,
 * so the eye lands on the ones that are not.
 */
export const TILE_GLYPH: Record<TileKind, string> = { up: '', transitional: '↻', down: '✕', missing: '?' };

export function tileKind(state: ShardState | undefined): TileKind {
	return state === undefined ? 'missing' : shardStateKind(state);
}

/** What find-my-shard located: the shard serving a guild and the cluster running it, if any. */
export interface FoundShard {
	guildId: string;
	shardId: number;
	clusterId: number | null;
}

/**
 * The cluster running `shardId`: a live one when a stopped cluster still lists the same shard
 * (it has not been forgotten yet), else any that lists it; undefined when none does.
 */
export function clusterOfShard<C extends ClusterStatus>(clusters: readonly C[], shardId: number): C | undefined {
	let stopped: C | undefined;
	for (const c of clusters) {
		if (!c.shardIds.includes(shardId)) continue;
		if (c.lifecycle !== 'stopped') return c;
		stopped ??= c;
	}
	return stopped;
}

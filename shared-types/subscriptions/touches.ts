import { shardForGuild } from '../guild-shard.ts';
import type { SubscriptionScope } from './scope.ts';

/*
 * Does a notice concern a subscriber? The notice says what it touches (clusters and shards, or
 * the whole bot); a "my server" subscriber is matched through the fleet as it was when the notice
 * was made: its guild → shard by the shard count then → the cluster that ran that shard then.
 */

/** What a notice is about. */
export interface NoticeReach {
	/** Clusters the notice names; null: the whole bot (a maintenance window without clusters). */
	clusterIds: readonly number[] | null;
	/** Shards it names (an automatic incident's), ascending; empty when it names clusters only. */
	shardIds: readonly number[];
}

/** The fleet when the notice was made: the shard count and which cluster ran each shard. */
export interface FleetLayout {
	totalShards: number;
	/** Clusters with the shards they ran. */
	clusters: readonly { id: number; shardIds: readonly number[] }[];
}

/** The shard and cluster serving `guildId` in `layout`; the cluster is null when no cluster ran the shard. */
export function guildPlacement(guildId: string, layout: FleetLayout): { shardId: number; clusterId: number | null } | null {
	if (layout.totalShards < 1) return null;
	const shardId = shardForGuild(guildId, layout.totalShards);
	const cluster = layout.clusters.find((c) => c.shardIds.includes(shardId));
	return { shardId, clusterId: cluster?.id ?? null };
}

/**
 * True when a subscriber with `scope` should hear of a notice with `reach`. A whole-bot notice
 * reaches everyone; a cluster subscriber hears of its clusters; a guild subscriber hears when
 * its shard (at `layout`) is named, or its cluster is when the notice names no shards. With no
 * layout known (no cluster ever reported), a guild subscriber hears everything rather than miss
 * an outage.
 */
export function noticeTouches(reach: NoticeReach, scope: SubscriptionScope, layout: FleetLayout | null): boolean {
	if (scope.kind === 'bot' || reach.clusterIds === null) return true;
	if (scope.kind === 'clusters') return reach.clusterIds.some((id) => scope.clusterIds.includes(id));
	const placed = layout ? guildPlacement(scope.guildId, layout) : null;
	if (!placed) return true;
	if (reach.shardIds.length > 0) return reach.shardIds.includes(placed.shardId);
	return placed.clusterId !== null && reach.clusterIds.includes(placed.clusterId);
}

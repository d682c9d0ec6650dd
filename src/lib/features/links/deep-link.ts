import { isSnowflake, shardForGuild, type FleetStatus } from '#shared';
import { clusterOfShard, type FoundShard } from '$lib/status/shard-view';

/**
 * What a link to the status page points at: `?cluster=12`, `?shard=345` or `?guild=<server id>`.
 * Parsed from the query string in exactly one place (`parseDeepLink`), so the page, the link
 * preview and the share link all agree on what a URL means.
 */
export type DeepLink = { kind: 'cluster'; clusterId: number } | { kind: 'shard'; shardId: number } | { kind: 'guild'; guildId: string };

/** Cluster and shard ids in a link: plain decimal, no sign, at most nine digits. */
const ID = /^\d{1,9}$/;

/**
 * The deep link in `params`, or null when it names nothing usable. Each parameter is checked on
 * its own and a malformed one is ignored, never guessed at; when several are valid the most
 * specific wins (a guild names a shard, a shard names a cluster). Only the first value of a
 * repeated parameter counts.
 */
export function parseDeepLink(params: URLSearchParams): DeepLink | null {
	const guild = params.get('guild');
	if (guild !== null && isSnowflake(guild)) return { kind: 'guild', guildId: guild };
	const shard = params.get('shard');
	if (shard !== null && ID.test(shard)) return { kind: 'shard', shardId: Number(shard) };
	const cluster = params.get('cluster');
	if (cluster !== null && ID.test(cluster)) return { kind: 'cluster', clusterId: Number(cluster) };
	return null;
}

/** The query string (without `?`) that says `link`: what `parseDeepLink` reads back. */
export function deepLinkQuery(link: DeepLink): string {
	if (link.kind === 'guild') return `guild=${link.guildId}`;
	return link.kind === 'shard' ? `shard=${link.shardId}` : `cluster=${link.clusterId}`;
}

/**
 * The address of this page (its path, so its language) pointing at `link` and nothing else: any
 * other query parameter and the fragment of `page` are dropped.
 */
export function deepLinkUrl(page: URL, link: DeepLink | null): string {
	const url = new URL(page.pathname, page.origin);
	if (link) url.search = deepLinkQuery(link);
	return url.href;
}

/** Where a deep link lands in the fleet as it stands: a cluster, and a shard when the link names one. */
export type DeepLinkTarget = { clusterId: number; shardId: number | null };

/**
 * Where a cluster or shard link lands in `status`; null when the fleet has no such cluster or no
 * cluster runs the shard. (A guild link is find-my-shard's to answer: see `findGuild`.)
 */
export function deepLinkTarget(link: DeepLink, status: FleetStatus): DeepLinkTarget | null {
	if (link.kind === 'cluster') return status.clusters.some((c) => c.id === link.clusterId) ? { clusterId: link.clusterId, shardId: null } : null;
	if (link.kind === 'shard') {
		const owner = clusterOfShard(status.clusters, link.shardId);
		return owner ? { clusterId: owner.id, shardId: link.shardId } : null;
	}
	const found = findGuild(link.guildId, status);
	return found?.clusterId == null ? null : { clusterId: found.clusterId, shardId: found.shardId };
}

/**
 * The shard that serves `guildId` and the cluster running it (a live one over a stopped one),
 * or null while the fleet's shard count is unknown.
 */
export function findGuild(guildId: string, status: FleetStatus): FoundShard | null {
	if (status.totalShards < 1 || !isSnowflake(guildId)) return null;
	const shardId = shardForGuild(guildId, status.totalShards);
	return { guildId, shardId, clusterId: clusterOfShard(status.clusters, shardId)?.id ?? null };
}

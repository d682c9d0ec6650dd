import type { ShardOutage } from './timeline.ts';

/**
 * The clusters `shardsDown` were down in between `from` and `until` (what an update or a title
 * tells): a shard is the same shard whichever cluster ran it, so it counts where its outage was
 * then. A shard with no outage in that span counts in every cluster it was down in. Ascending.
 */
export function clustersDown(outages: readonly ShardOutage[], shardsDown: readonly number[], from: number, until: number): number[] {
	const clusters = new Set<number>();
	for (const shard of new Set(shardsDown)) {
		const own = outages.filter((o) => o.shardId === shard);
		const during = own.filter((o) => o.start < until && (o.end === null || o.end > from));
		for (const o of during.length > 0 ? during : own) for (const c of o.clusterIds) clusters.add(c);
	}
	return [...clusters].sort((a, b) => a - b);
}

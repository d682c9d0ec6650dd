import type { ClusterStatus } from '#shared';

/** The whole fleet in full detail, for the console's summary row. */
export interface FleetTotals {
	guilds: number;
	members: number;
	/** Guilds Discord reports unavailable (only reporters that send it). */
	unavailableGuilds: number;
	/** Mean ping over every shard that reported one; null when none did. */
	averagePing: number | null;
	/** Clusters reported stopped: only these can be retired. */
	stopped: number[];
}

/** Sums the clusters' counts (pings averaged per shard, so a big cluster weighs more). */
export function fleetTotals(clusters: readonly ClusterStatus[]): FleetTotals {
	let guilds = 0;
	let members = 0;
	let unavailableGuilds = 0;
	let pingSum = 0;
	let pings = 0;
	const stopped: number[] = [];
	for (const c of clusters) {
		guilds += c.guilds;
		members += c.members;
		if (c.lifecycle === 'stopped') stopped.push(c.id);
		for (const s of c.shards) {
			unavailableGuilds += s.unavailableGuilds ?? 0;
			if (s.ping !== null) {
				pingSum += s.ping;
				pings++;
			}
		}
	}
	return { guilds, members, unavailableGuilds, averagePing: pings === 0 ? null : pingSum / pings, stopped: stopped.sort((a, b) => a - b) };
}

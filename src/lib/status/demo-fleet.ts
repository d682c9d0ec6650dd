import type { ClusterStatus, FleetStatus, ShardState } from '#shared';

/*
 * Made-up clusters for `npm run dev` without a status server. Imported only behind `dev`, so a
 * production build cannot contain it; the page labels it "demo data" wherever it is shown.
 */
export function demoFleet(now = Date.now()): FleetStatus {
	const clusters: ClusterStatus[] = [];
	const perCluster = 8;
	for (let id = 0; id < 6; id++) {
		const shardIds = Array.from({ length: perCluster }, (_, i) => id * perCluster + i);
		const stopped = id === 4;
		const shards = shardIds.map((sid) => {
			let state: ShardState = 'ready';
			if (stopped) state = 'disconnected';
			else if (id === 2 && sid % 8 === 3) state = 'reconnecting';
			else if (id === 2 && sid % 8 === 5) state = 'resuming';
			const ping = state === 'ready' ? 40 + ((sid * 37) % 110) : null;
			const guilds = 900 + ((sid * 131) % 600);
			// Cluster 1 is in a Discord outage: some guilds unavailable while its shards stay ready.
			if (id === 1 && sid % 3 === 0) return { id: sid, state, ping, guilds, unavailableGuilds: 1 + ((sid * 17) % 40) };
			return { id: sid, state, ping, guilds, ...(stopped ? {} : { unavailableGuilds: 0 }) };
		});
		const guilds = shards.reduce((n, s) => n + s.guilds, 0);
		clusters.push({
			id,
			lifecycle: stopped ? 'stopped' : 'running',
			shardIds,
			shards,
			guilds,
			members: guilds * 140,
			totalShards: 6 * perCluster,
			startedAt: now - (id + 1) * 9_000_000,
			lastHeartbeatAt: stopped ? now - 95_000 : now - 2_000
		});
	}
	return { clusters, totalShards: 6 * perCluster, conflicts: [], generatedAt: now };
}

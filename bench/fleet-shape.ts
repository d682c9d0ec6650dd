import { PROTOCOL_VERSION, type Heartbeat } from '#shared';

/*
 * The synthetic fleet every bench process agrees on: cluster c owns shards c·k … c·k+k−1, with
 * pings and guild counts that look like a real bot's. `variant` moves one or two pings, the way
 * gateway pings drift between two heartbeats; variant 0 is the baseline.
 */
export function benchHeartbeat(clusterId: number, shardsPerCluster: number, totalShards: number, variant = 0, uptimeMs = 3_600_000): Heartbeat {
	const shardIds = Array.from({ length: shardsPerCluster }, (_, i) => clusterId * shardsPerCluster + i);
	const shards = shardIds.map((id, i) => {
		let ping = 40 + ((id * 37) % 110);
		if (variant > 0 && (i === variant % shardsPerCluster || i === (variant * 7) % shardsPerCluster)) ping += 1 + (variant % 5);
		return { id, state: 'ready' as const, ping, guilds: 600 + ((id * 131) % 900) };
	});
	const guilds = shards.reduce((n, s) => n + s.guilds, 0);
	return { v: PROTOCOL_VERSION, clusterId, totalShards, shardIds, shards, guilds, members: guilds * 110, uptimeMs };
}

export const BENCH_BOT_SECRET = 'bench-bot-secret-0123456789';
export const BENCH_TOKEN_SECRET = 'bench-token-secret-0123456789abcdef0123456789';

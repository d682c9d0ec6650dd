import type { ClusterStatus, ShardState, ShardStatus } from '../../shared-types/index.ts';
import type { StandInGateway } from './gateway.ts';

/*
 * What `GET /api/status` should show for a bot on the stand-in Discord, derived from what the
 * stand-in serves, so a spec compares the server's answer with the gateway's own figures instead
 * of numbers copied by hand.
 */

/** A cluster as `GET /api/status` shows it, without pings and times (each checked on its own). */
export function clusterView(c: ClusterStatus) {
	return {
		id: c.id,
		lifecycle: c.lifecycle,
		totalShards: c.totalShards,
		shardIds: c.shardIds,
		shards: c.shards.map((s) => ({ id: s.id, state: s.state, guilds: s.guilds, ...(s.unavailableGuilds === undefined ? {} : { unavailableGuilds: s.unavailableGuilds }) })),
		guilds: c.guilds,
		members: c.members
	};
}

/**
 * The `clusterView` of a running cluster `id` that runs `shardIds` of the stand-in, every shard in
 * `state`, as the stand-in serves them now: every guild of a shard (unavailable ones are among its
 * guilds, as the protocol counts them), how many are unavailable, and the members of the available
 * ones (the only guilds a library knows the members of).
 */
export function servedCluster(gateway: Pick<StandInGateway, 'guilds' | 'totalShards'>, id: number, shardIds: readonly number[], state: ShardState = 'ready'): ReturnType<typeof clusterView> {
	const served = shardIds.map((s) => gateway.guilds(s));
	return {
		id,
		lifecycle: 'running',
		totalShards: gateway.totalShards,
		shardIds: [...shardIds],
		shards: shardIds.map((s, i) => ({ id: s, state, guilds: served[i]!.length, unavailableGuilds: served[i]!.filter((g) => !g.available).length })),
		guilds: served.flat().length,
		members: served.flat().filter((g) => g.available).reduce((sum, g) => sum + g.memberCount, 0)
	};
}

/**
 * How `shards`' pings fail to follow the stand-in's heartbeat ACK delays (`ackDelayMs[shardId]`),
 * one sentence each; empty when every shard has a ping of at least its delay and under delay +
 * `slackMs`, and the pings rank as the delays do. A ping can never be below its ACK delay, so the
 * lower bound is exact; the upper one is only a sanity check and should be generous.
 */
export function pingMismatches(shards: readonly ShardStatus[], ackDelayMs: readonly number[], slackMs: number): string[] {
	const problems: string[] = [];
	for (const { id, ping } of shards) {
		const delay = ackDelayMs[id];
		if (delay === undefined) problems.push(`shard ${id}: no ACK delay given`);
		else if (ping === null) problems.push(`shard ${id}: no ping`);
		else if (ping < delay) problems.push(`shard ${id}: ping ${ping} ms is below its ACK delay of ${delay} ms`);
		else if (ping >= delay + slackMs) problems.push(`shard ${id}: ping ${ping} ms is not under ${delay} + ${slackMs} ms`);
	}
	if (problems.length > 0) return problems;
	const byPing = [...shards].sort((a, b) => a.ping! - b.ping!).map((s) => s.id);
	const byDelay = [...shards].sort((a, b) => ackDelayMs[a.id]! - ackDelayMs[b.id]!).map((s) => s.id);
	if (byPing.join() !== byDelay.join()) problems.push(`shards rank ${byPing.join(', ')} by ping but ${byDelay.join(', ')} by ACK delay`);
	return problems;
}

import type { ChangeSet, ClusterStatus } from '#shared';
import type { Redis } from 'ioredis';
import type { Logger } from '../log.ts';
import { RedisFleetLog } from './redis-fleet-log.ts';
import type { Subsystem } from '../subsystem.ts';
import type { FleetFeeds } from '../feed/fleet-feeds.ts';
import { MemoryFleetLog, type FleetLog } from './fleet-log.ts';

export interface FleetStore extends Subsystem {
	/** Where versions come from: this process alone, or Redis shared by every instance. */
	readonly log: FleetLog;
	/** Scaled out, the Redis command connection, shared by rate limits, the viewer cap and the Socket.io adapter. */
	readonly redis: Redis | undefined;
	/** Scaled out: connected and caught up. Resolves at once in memory. */
	start(): Promise<void>;
}

/**
 * The scale-out store. Alone, versions count up in memory and start at our start time; with
 * `redisUrl`, Redis holds the fleet and hands out versions so every instance agrees, and clusters
 * nobody hears from are stopped by whichever instance sweeps first (those commits are announced
 * on `feeds.committed` like the publisher's). Each instance records what it committed itself, so
 * history gets every transition once however many instances there are.
 */
export function createFleetStore(deps: {
	redisUrl: string | undefined;
	feeds: FleetFeeds;
	silenceTimeoutMs: number;
	record: (changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, at: number) => void;
	logger: Logger;
}): FleetStore {
	const redisLog = deps.redisUrl
		? new RedisFleetLog({
				url: deps.redisUrl,
				feed: deps.feeds.full,
				logger: deps.logger,
				timeoutMs: deps.silenceTimeoutMs,
				push: (update) => deps.feeds.committed.emit(update),
				record: deps.record
			})
		: undefined;
	const log: FleetLog = redisLog ?? new MemoryFleetLog(deps.feeds.full, deps.record);
	return {
		log,
		redis: redisLog?.client,
		start: () => log.start(),
		health: () => log.health(),
		close: () => log.close()
	};
}

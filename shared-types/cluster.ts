import type { ShardState } from './shard-state.ts';

/** Where a cluster process is in its life, as the server sees it. */
export type ClusterLifecycle = 'starting' | 'running' | 'stopped';

/** One shard as its cluster last reported it. */
export interface ShardStatus {
	id: number;
	state: ShardState;
	/** Gateway heartbeat round trip in ms; `null` until the first gateway heartbeat completes. */
	ping: number | null;
	/** Every guild of the shard, unavailable ones included. */
	guilds: number;
	/**
	 * How many of `guilds` Discord marks unavailable, as last reported; absent when the cluster's
	 * reporter does not send the count (older reporters) and once the cluster is stopped.
	 */
	unavailableGuilds?: number;
}

/** One cluster (one bot process) as the server last knew it. Times are Unix epoch milliseconds. */
export interface ClusterStatus {
	id: number;
	lifecycle: ClusterLifecycle;
	/** The shards this cluster is responsible for, ascending. */
	shardIds: number[];
	/** Per-shard status, ascending by id; an id in `shardIds` with no entry has not been reported yet. */
	shards: ShardStatus[];
	guilds: number;
	members: number;
	/** The bot's total shard count as this cluster last reported it. */
	totalShards: number;
	/** When the cluster process started (derived from its reported uptime). */
	startedAt: number;
	/**
	 * When the server last heard from the cluster. Live updates refresh it only along with some
	 * other change, so for a live cluster it can lag; the server's silence check vouches for a
	 * live cluster instead. For a stopped cluster it is exact: when it was last heard.
	 */
	lastHeartbeatAt: number;
}

/** Two or more live clusters claiming one shard: reported, never silently merged. */
export interface ShardConflict {
	shardId: number;
	clusterIds: number[];
}

/** The whole fleet at one moment: what `get-cluster-status` and `GET /api/status` answer. */
export interface FleetStatus {
	clusters: ClusterStatus[];
	/** The bot's total shard count (see `deriveTotalShards`); 0 when nothing has reported yet. */
	totalShards: number;
	conflicts: ShardConflict[];
	generatedAt: number;
}

import type { Generated } from 'kysely';

/*
 * The history tables, one schema for SQLite and PostgreSQL. Times are Unix epoch ms (UTC) in
 * 64-bit integers; transitions are recorded, not heartbeats.
 */
export interface ShardTransitionTable {
	id: Generated<number>;
	at: number;
	cluster_id: number;
	shard_id: number;
	/** A Shardbeat shard state (`ready`, `reconnecting`, …). */
	state: string;
}

export interface ClusterTransitionTable {
	id: Generated<number>;
	at: number;
	cluster_id: number;
	/** `starting`, `running` or `stopped`; `removed` when the fleet forgot it (re-shard). */
	lifecycle: string;
}

/** Gateway ping per cluster per minute: enough for a 24-hour sparkline and trends. */
export interface PingMinuteTable {
	cluster_id: number;
	/** Start of the minute, ms. */
	minute: number;
	samples: number;
	sum_ms: number;
	min_ms: number;
	max_ms: number;
}

export interface HistoryDatabase {
	shard_transitions: ShardTransitionTable;
	cluster_transitions: ClusterTransitionTable;
	ping_minutes: PingMinuteTable;
}

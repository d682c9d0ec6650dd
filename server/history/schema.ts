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
	/** A Shardbeat shard state (`ready`, `reconnecting`, …), or `missing`: assigned, not reported. */
	state: string;
}

/**
 * The fleet's membership over time: a row whenever a cluster's lifecycle or shard list changes.
 * A shard belongs to a cluster from its first shard row until a row here no longer lists it or
 * removes the cluster; no cluster listing it any more means it left the fleet.
 */
export interface ClusterTransitionTable {
	id: Generated<number>;
	at: number;
	cluster_id: number;
	/** `starting`, `running` or `stopped`; `removed` when it left the fleet (superseded by a re-shard, or retired by an operator). */
	lifecycle: string;
	/** JSON array of the shard ids it runs from `at` on; null for `removed`, and on rows from before migration 004. */
	shard_ids: string | null;
	/** The bot's shard count as the cluster reported it; null as `shard_ids`. */
	total_shards: number | null;
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

/** Automatic and operator incidents; id lists are JSON arrays in text (portable). */
export interface IncidentTable {
	id: Generated<number>;
	source: string;
	auto_key: number | null;
	/** Operator text; empty for an automatic incident stored as facts (`title_facts`). */
	title: string;
	/** Automatic incidents: `IncidentTitleFacts` as JSON; null before facts were stored, and for operator incidents. */
	title_facts: string | null;
	status: string;
	impact: string;
	started_at: number;
	resolved_at: number | null;
	cluster_ids: string;
	shard_ids: string;
	/** An operator's title for an automatic incident (the console); null: the facts' title. */
	title_override: Generated<string | null>;
	/** An operator's note under the title. */
	note: Generated<string | null>;
	postmortem: Generated<string | null>;
	postmortem_at: Generated<number | null>;
	/** Edits in place so far (renames, notes, edited updates, the postmortem). */
	revision: Generated<number>;
}

export interface IncidentUpdateTable {
	id: Generated<number>;
	incident_id: number;
	at: number;
	status: string;
	/** Operator text; empty for an automatic update stored as facts (`kind`, `shards_down`, `clusters_down`). */
	message: string;
	/** `operator`, or the automatic event: `opened`, `worsened`, `improved`, `resolved`. */
	kind: Generated<string>;
	shards_down: string | null;
	/** Automatic updates stored as facts: the clusters of `shards_down` (JSON); null before facts were stored. */
	clusters_down: string | null;
	/** An operator's corrected text (the console); shown instead of `message` or the facts. */
	edited_message: Generated<string | null>;
	edited_at: Generated<number | null>;
}

export interface MaintenanceTable {
	id: Generated<number>;
	title: string;
	message: string;
	starts_at: number;
	ends_at: number;
	/** JSON array of cluster ids; null for the whole bot. */
	cluster_ids: string | null;
}

/**
 * One cluster's uptime in one whole UTC hour (maintenance excluded). `cluster_id` -1 marks an
 * hour as rolled up even when nothing was tracked in it.
 */
export interface UptimeHourTable {
	cluster_id: number;
	/** Start of the hour, ms. */
	hour: number;
	down_ms: number;
	counted_ms: number;
	/** Shards tracked in the hour. */
	shards: number;
}

/** A console session (migration 006). Only the SHA-256 of the cookie's token is stored. */
export interface ConsoleSessionTable {
	/** Public id (random, not the token). */
	id: string;
	token_hash: string;
	csrf_token: string;
	/** `discord` or `key`. */
	method: string;
	discord_id: string | null;
	name: string;
	avatar_url: string | null;
	/** `viewer`, `editor` or `owner`. */
	role: string;
	created_at: number;
	last_seen_at: number;
	/** Absolute expiry. */
	expires_at: number;
	ip: string;
	user_agent: string;
}

/** Who did what, when, from which session (migration 006); `actor` and `detail` are JSON. */
export interface AuditLogTable {
	id: Generated<number>;
	at: number;
	action: string;
	actor: string;
	target: string | null;
	ip: string;
	detail: string;
}

export interface MessageTemplateTable {
	id: Generated<number>;
	name: string;
	title: string | null;
	message: string;
	status: string | null;
	impact: string | null;
	updated_at: number;
}

export interface HistoryDatabase {
	console_sessions: ConsoleSessionTable;
	audit_log: AuditLogTable;
	message_templates: MessageTemplateTable;
	shard_transitions: ShardTransitionTable;
	cluster_transitions: ClusterTransitionTable;
	ping_minutes: PingMinuteTable;
	incidents: IncidentTable;
	incident_updates: IncidentUpdateTable;
	maintenance_windows: MaintenanceTable;
	uptime_hours: UptimeHourTable;
}

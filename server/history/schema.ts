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

/**
 * Someone who asked to hear about incidents (migration 007). `target` (an email address or a
 * Discord webhook URL) is a secret: read only to send, found by `target_hash`, shown as `target_hint`.
 */
export interface SubscriberTable {
	id: Generated<number>;
	/** `email` or `discord` (`SubscriberKind`). */
	kind: string;
	target: string;
	/** sha256 hex of the normalised target (`targetHash`): lookups and "one subscription per address". */
	target_hash: string;
	/** What may be shown back: `a…@example.com`, `discord webhook …1234`. */
	target_hint: string;
	/** `bot`, `clusters` or `guild` (`SubscriberScope`). */
	scope_kind: string;
	/** `clusters`: JSON array of cluster ids; else null. */
	cluster_ids: string | null;
	/** `guild`: the server's snowflake; else null. */
	guild_id: string | null;
	locale: string;
	created_at: number;
	/** Null until the double opt-in is confirmed; only confirmed subscribers hear about incidents. */
	confirmed_at: number | null;
	/** sha256 hex of the manage/unsubscribe token (the token itself is only ever in the subscriber's mail or URL). */
	token_hash: string;
	/** sha256 hex of the confirmation token; null once confirmed. */
	confirm_token_hash: string | null;
}

/** A notice stored once (by `key`) and fanned out to recipients page by page (`fanout_cursor`). */
export interface OutboxNoticeTable {
	id: Generated<number>;
	/** Idempotency: the same event enqueued twice (two instances, a retry) is one row. */
	key: string;
	/** `NoticeType`. */
	type: string;
	/** The notice as JSON (`Notice`). */
	payload: string;
	/** What it touches, as JSON (`NoticeScope`): who among the subscribers hears it. */
	scope: string;
	/** A notice for one subscriber (confirmation, test message); null: operators and every subscriber in scope. */
	subscriber_id: number | null;
	created_at: number;
	/** The last subscriber id fanned out; the next page starts after it. */
	fanout_cursor: Generated<number>;
	/** An instance fanning out holds this lease (epoch ms). */
	fanout_lease_until: Generated<number>;
	/** Set once every recipient has its delivery row. */
	fanout_done_at: number | null;
}

/** One send of one notice to one recipient; `(notice_id, recipient)` is unique. */
export interface OutboxDeliveryTable {
	id: Generated<number>;
	notice_id: number;
	/** `s:<subscriber id>`, or `op:discord:<hash>` / `op:json:<hash>` for the operator's webhooks. */
	recipient: string;
	subscriber_id: number | null;
	/** `email`, `discord` or `json` (`DeliveryChannel`). */
	channel: string;
	/** Discord: the message it edits in place (`incident:<id>`); null: a message of its own. */
	thread: string | null;
	/** `pending`, `sent`, `failed` or `dropped` (`DeliveryState`); in flight is `pending` with a live lease. */
	state: string;
	attempts: Generated<number>;
	/** Not before (epoch ms): backoff and rate limits. */
	next_at: number;
	lease_owner: string | null;
	lease_until: number | null;
	sent_at: number | null;
	/** Why it failed last (status, code); never a URL or an address. */
	error: string | null;
	created_at: number;
}

/** The Discord message a recipient's thread (an incident) is edited in. */
export interface OutboxThreadTable {
	recipient: string;
	thread: string;
	message_id: string | null;
	/** The newest notice shown in it: an older one arriving late does not edit it back. */
	last_notice_id: Generated<number>;
	/** One instance at a time creates or edits the message (epoch ms). */
	lock_until: Generated<number>;
}

/** A confirmation mail or Discord test message sent to an address (migration 008): at most 3 slots per 24 h. */
export interface SubscriptionSendTable {
	/** sha256 hex of the normalised address or webhook URL, as `subscribers.target_hash`. */
	target_hash: string;
	/** 0, 1 or 2. */
	slot: number;
	sent_at: number;
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
	subscribers: SubscriberTable;
	outbox_notices: OutboxNoticeTable;
	outbox_deliveries: OutboxDeliveryTable;
	outbox_threads: OutboxThreadTable;
	subscription_sends: SubscriptionSendTable;
}

import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/*
 * Migrations in code, not files, so the bundle and the tests carry them. Portable types only:
 * bigint for ms timestamps, integer ids; autoincrement spelled per dialect by `autoId`.
 */
function autoId(db: Kysely<unknown>) {
	return (col: ColumnDefinitionBuilder) =>
		isPostgres(db) ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
}

function isPostgres(db: Kysely<unknown>): boolean {
	return db.getExecutor().adapter instanceof PostgresAdapter;
}

const migrations: Record<string, Migration> = {
	'001_history': {
		async up(db: Kysely<unknown>) {
			await db.schema
				.createTable('shard_transitions')
				.addColumn('id', isPostgres(db) ? 'bigint' : 'integer', autoId(db))
				.addColumn('at', 'bigint', (c) => c.notNull())
				.addColumn('cluster_id', 'integer', (c) => c.notNull())
				.addColumn('shard_id', 'integer', (c) => c.notNull())
				.addColumn('state', 'varchar(32)', (c) => c.notNull())
				.execute();
			await db.schema.createIndex('shard_transitions_at').on('shard_transitions').columns(['at']).execute();
			await db.schema.createIndex('shard_transitions_shard_at').on('shard_transitions').columns(['shard_id', 'at']).execute();
			await db.schema
				.createTable('cluster_transitions')
				.addColumn('id', isPostgres(db) ? 'bigint' : 'integer', autoId(db))
				.addColumn('at', 'bigint', (c) => c.notNull())
				.addColumn('cluster_id', 'integer', (c) => c.notNull())
				.addColumn('lifecycle', 'varchar(16)', (c) => c.notNull())
				.execute();
			await db.schema.createIndex('cluster_transitions_at').on('cluster_transitions').columns(['at']).execute();
			await db.schema
				.createTable('ping_minutes')
				.addColumn('cluster_id', 'integer', (c) => c.notNull())
				.addColumn('minute', 'bigint', (c) => c.notNull())
				.addColumn('samples', 'integer', (c) => c.notNull())
				.addColumn('sum_ms', 'bigint', (c) => c.notNull())
				.addColumn('min_ms', 'integer', (c) => c.notNull())
				.addColumn('max_ms', 'integer', (c) => c.notNull())
				.addPrimaryKeyConstraint('ping_minutes_pk', ['cluster_id', 'minute'])
				.execute();
		},
		async down(db: Kysely<unknown>) {
			for (const table of ['ping_minutes', 'cluster_transitions', 'shard_transitions']) await db.schema.dropTable(table).execute();
		}
	},
	'002_incidents_maintenance': {
		async up(db: Kysely<unknown>) {
			const id = isPostgres(db) ? 'bigint' : 'integer';
			await db.schema
				.createTable('incidents')
				.addColumn('id', id, autoId(db))
				.addColumn('source', 'varchar(16)', (c) => c.notNull())
				// Automatic incidents are keyed by when they began, so instances sharing a database
				// open each one once: the second insert of the same key does nothing.
				.addColumn('auto_key', 'bigint', (c) => c.unique())
				.addColumn('title', 'varchar(300)', (c) => c.notNull())
				.addColumn('status', 'varchar(16)', (c) => c.notNull())
				.addColumn('impact', 'varchar(16)', (c) => c.notNull())
				.addColumn('started_at', 'bigint', (c) => c.notNull())
				.addColumn('resolved_at', 'bigint')
				.addColumn('cluster_ids', 'text', (c) => c.notNull())
				.addColumn('shard_ids', 'text', (c) => c.notNull())
				.execute();
			await db.schema.createIndex('incidents_started_at').on('incidents').columns(['started_at']).execute();
			await db.schema
				.createTable('incident_updates')
				.addColumn('id', id, autoId(db))
				.addColumn('incident_id', id, (c) => c.notNull())
				.addColumn('at', 'bigint', (c) => c.notNull())
				.addColumn('status', 'varchar(16)', (c) => c.notNull())
				.addColumn('message', 'text', (c) => c.notNull())
				// Automatic updates: one per incident, instant and kind, however many instances saw it.
				.addColumn('kind', 'varchar(16)', (c) => c.notNull().defaultTo('operator'))
				.addColumn('shards_down', 'text')
				.addUniqueConstraint('incident_updates_once', ['incident_id', 'at', 'kind'])
				.execute();
			await db.schema
				.createTable('maintenance_windows')
				.addColumn('id', id, autoId(db))
				.addColumn('title', 'varchar(300)', (c) => c.notNull())
				.addColumn('message', 'text', (c) => c.notNull())
				.addColumn('starts_at', 'bigint', (c) => c.notNull())
				.addColumn('ends_at', 'bigint', (c) => c.notNull())
				.addColumn('cluster_ids', 'text')
				.execute();
		},
		async down(db: Kysely<unknown>) {
			for (const table of ['maintenance_windows', 'incident_updates', 'incidents']) await db.schema.dropTable(table).execute();
		}
	},
	'003_uptime_hours': {
		async up(db: Kysely<unknown>) {
			// Hourly uptime per cluster, rolled up from transitions once an hour is over, so 90 days
			// of history is 2,160 rows per cluster to read instead of every transition since.
			await db.schema
				.createTable('uptime_hours')
				.addColumn('cluster_id', 'integer', (c) => c.notNull())
				.addColumn('hour', 'bigint', (c) => c.notNull())
				.addColumn('down_ms', 'bigint', (c) => c.notNull())
				.addColumn('counted_ms', 'bigint', (c) => c.notNull())
				.addColumn('shards', 'integer', (c) => c.notNull())
				.addPrimaryKeyConstraint('uptime_hours_pk', ['cluster_id', 'hour'])
				.execute();
			await db.schema.createIndex('uptime_hours_hour').on('uptime_hours').columns(['hour']).execute();
		},
		async down(db: Kysely<unknown>) {
			await db.schema.dropTable('uptime_hours').execute();
		}
	},
	'004_fleet_membership': {
		async up(db: Kysely<unknown>) {
			// Which shards each cluster runs, recorded with every lifecycle change, so a shard a
			// re-shard moved elsewhere (or beyond a lowered total) leaves at that instant, whichever
			// instance recorded what before, and a restarted server knows which clusters to expect.
			await db.schema.alterTable('cluster_transitions').addColumn('shard_ids', 'text').execute();
			await db.schema.alterTable('cluster_transitions').addColumn('total_shards', 'integer').execute();
			// Each cluster's latest row (its membership now), without reading the whole table.
			await db.schema.createIndex('cluster_transitions_cluster_at').on('cluster_transitions').columns(['cluster_id', 'at']).execute();
		},
		async down(db: Kysely<unknown>) {
			await db.schema.dropIndex('cluster_transitions_cluster_at').execute();
			await db.schema.alterTable('cluster_transitions').dropColumn('total_shards').execute();
			await db.schema.alterTable('cluster_transitions').dropColumn('shard_ids').execute();
		}
	},
	'005_incident_facts': {
		async up(db: Kysely<unknown>) {
			// Automatic incidents are stored as facts (JSON), each reader gets them in their language;
			// rows from before keep their English title and messages, shown as they are.
			await db.schema.alterTable('incidents').addColumn('title_facts', 'text').execute();
			await db.schema.alterTable('incident_updates').addColumn('clusters_down', 'text').execute();
		},
		async down(db: Kysely<unknown>) {
			await db.schema.alterTable('incident_updates').dropColumn('clusters_down').execute();
			await db.schema.alterTable('incidents').dropColumn('title_facts').execute();
		}
	},
	'006_console': {
		async up(db: Kysely<unknown>) {
			const id = isPostgres(db) ? 'bigint' : 'integer';
			// Console sessions: the cookie's token is never stored, only its SHA-256, so a copy of the
			// database opens no session. `id` is the public handle the sessions list and audit log use.
			await db.schema
				.createTable('console_sessions')
				.addColumn('id', 'varchar(32)', (c) => c.primaryKey())
				.addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
				.addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
				.addColumn('method', 'varchar(16)', (c) => c.notNull())
				.addColumn('discord_id', 'varchar(24)')
				.addColumn('name', 'varchar(100)', (c) => c.notNull())
				.addColumn('avatar_url', 'varchar(300)')
				.addColumn('role', 'varchar(16)', (c) => c.notNull())
				.addColumn('created_at', 'bigint', (c) => c.notNull())
				.addColumn('last_seen_at', 'bigint', (c) => c.notNull())
				.addColumn('expires_at', 'bigint', (c) => c.notNull())
				.addColumn('ip', 'varchar(64)', (c) => c.notNull())
				.addColumn('user_agent', 'varchar(200)', (c) => c.notNull())
				.execute();
			await db.schema
				.createTable('audit_log')
				.addColumn('id', id, autoId(db))
				.addColumn('at', 'bigint', (c) => c.notNull())
				.addColumn('action', 'varchar(32)', (c) => c.notNull())
				.addColumn('actor', 'text', (c) => c.notNull())
				.addColumn('target', 'varchar(64)')
				.addColumn('ip', 'varchar(64)', (c) => c.notNull())
				.addColumn('detail', 'text', (c) => c.notNull())
				.execute();
			await db.schema
				.createTable('message_templates')
				.addColumn('id', id, autoId(db))
				.addColumn('name', 'varchar(100)', (c) => c.notNull().unique())
				.addColumn('title', 'varchar(300)')
				.addColumn('message', 'text', (c) => c.notNull())
				.addColumn('status', 'varchar(16)')
				.addColumn('impact', 'varchar(16)')
				.addColumn('updated_at', 'bigint', (c) => c.notNull())
				.execute();
			// What operators change in place: an automatic incident's title (its facts stay, for the
			// record), a note, the postmortem, and an update's text (the original stays beside it).
			await db.schema.alterTable('incidents').addColumn('title_override', 'varchar(300)').execute();
			await db.schema.alterTable('incidents').addColumn('note', 'text').execute();
			await db.schema.alterTable('incidents').addColumn('postmortem', 'text').execute();
			await db.schema.alterTable('incidents').addColumn('postmortem_at', 'bigint').execute();
			await db.schema.alterTable('incidents').addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0)).execute();
			await db.schema.alterTable('incident_updates').addColumn('edited_message', 'text').execute();
			await db.schema.alterTable('incident_updates').addColumn('edited_at', 'bigint').execute();
		},
		async down(db: Kysely<unknown>) {
			for (const column of ['edited_at', 'edited_message']) await db.schema.alterTable('incident_updates').dropColumn(column).execute();
			for (const column of ['revision', 'postmortem_at', 'postmortem', 'note', 'title_override']) await db.schema.alterTable('incidents').dropColumn(column).execute();
			for (const table of ['message_templates', 'audit_log', 'console_sessions']) await db.schema.dropTable(table).execute();
		}
	},
	'007_subscribers_outbox': {
		async up(db: Kysely<unknown>) {
			const id = isPostgres(db) ? 'bigint' : 'integer';
			// People who asked to hear about incidents. The address or webhook URL is a secret: read
			// only to send, looked up by its hash, shown as its hint; the manage token only as a hash.
			await db.schema
				.createTable('subscribers')
				.addColumn('id', id, autoId(db))
				.addColumn('kind', 'varchar(16)', (c) => c.notNull())
				.addColumn('target', 'text', (c) => c.notNull())
				.addColumn('target_hash', 'varchar(64)', (c) => c.notNull())
				.addColumn('target_hint', 'varchar(120)', (c) => c.notNull())
				.addColumn('scope_kind', 'varchar(16)', (c) => c.notNull())
				.addColumn('cluster_ids', 'text')
				.addColumn('guild_id', 'varchar(20)')
				.addColumn('locale', 'varchar(8)', (c) => c.notNull())
				.addColumn('created_at', 'bigint', (c) => c.notNull())
				.addColumn('confirmed_at', 'bigint')
				.addColumn('token_hash', 'varchar(64)', (c) => c.notNull().unique())
				.addColumn('confirm_token_hash', 'varchar(64)', (c) => c.unique())
				// One subscription per address (or webhook): subscribing again finds the row.
				.addUniqueConstraint('subscribers_target_once', ['kind', 'target_hash'])
				.execute();
			await db.schema.createIndex('subscribers_unconfirmed').on('subscribers').columns(['confirmed_at', 'created_at']).execute();
			// A notice is stored once (its key), then fanned out to recipients page by page: the
			// cursor is the last subscriber id done, so a restart resumes where it was.
			await db.schema
				.createTable('outbox_notices')
				.addColumn('id', id, autoId(db))
				.addColumn('key', 'varchar(200)', (c) => c.notNull().unique())
				.addColumn('type', 'varchar(40)', (c) => c.notNull())
				.addColumn('payload', 'text', (c) => c.notNull())
				.addColumn('scope', 'text', (c) => c.notNull())
				.addColumn('subscriber_id', id)
				.addColumn('created_at', 'bigint', (c) => c.notNull())
				.addColumn('fanout_cursor', id, (c) => c.notNull().defaultTo(0))
				.addColumn('fanout_lease_until', 'bigint', (c) => c.notNull().defaultTo(0))
				.addColumn('fanout_done_at', 'bigint')
				.execute();
			await db.schema.createIndex('outbox_notices_fanout').on('outbox_notices').columns(['fanout_done_at', 'id']).execute();
			// One row per (notice, recipient): the unique key makes every fan-out idempotent.
			await db.schema
				.createTable('outbox_deliveries')
				.addColumn('id', id, autoId(db))
				.addColumn('notice_id', id, (c) => c.notNull())
				.addColumn('recipient', 'varchar(80)', (c) => c.notNull())
				.addColumn('subscriber_id', id)
				.addColumn('channel', 'varchar(16)', (c) => c.notNull())
				.addColumn('thread', 'varchar(80)')
				.addColumn('state', 'varchar(16)', (c) => c.notNull())
				.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
				.addColumn('next_at', 'bigint', (c) => c.notNull())
				.addColumn('lease_owner', 'varchar(64)')
				.addColumn('lease_until', 'bigint')
				.addColumn('sent_at', 'bigint')
				.addColumn('error', 'varchar(300)')
				.addColumn('created_at', 'bigint', (c) => c.notNull())
				.addUniqueConstraint('outbox_deliveries_once', ['notice_id', 'recipient'])
				.execute();
			await db.schema.createIndex('outbox_deliveries_due').on('outbox_deliveries').columns(['state', 'next_at']).execute();
			await db.schema.createIndex('outbox_deliveries_subscriber').on('outbox_deliveries').columns(['subscriber_id']).execute();
			// A Discord message edited in place as its incident moves: one per (recipient, thread).
			await db.schema
				.createTable('outbox_threads')
				.addColumn('recipient', 'varchar(80)', (c) => c.notNull())
				.addColumn('thread', 'varchar(80)', (c) => c.notNull())
				.addColumn('message_id', 'varchar(32)')
				.addColumn('last_notice_id', id, (c) => c.notNull().defaultTo(0))
				.addColumn('lock_until', 'bigint', (c) => c.notNull().defaultTo(0))
				.addPrimaryKeyConstraint('outbox_threads_pk', ['recipient', 'thread'])
				.execute();
		},
		async down(db: Kysely<unknown>) {
			for (const table of ['outbox_threads', 'outbox_deliveries', 'outbox_notices', 'subscribers']) await db.schema.dropTable(table).execute();
		}
	},
	'008_subscription_sends': {
		async up(db: Kysely<unknown>) {
			// Confirmation mails and Discord test messages per address in the last 24 hours: at most
			// 3, kept here (not in a subscriber row, which unsubscribing deletes) under the address's
			// hash. A send takes a free slot; the primary key refuses a second taker of the same slot,
			// so instances racing for the last one cannot both send.
			await db.schema
				.createTable('subscription_sends')
				.addColumn('target_hash', 'varchar(64)', (c) => c.notNull())
				.addColumn('slot', 'integer', (c) => c.notNull())
				.addColumn('sent_at', 'bigint', (c) => c.notNull())
				.addPrimaryKeyConstraint('subscription_sends_pk', ['target_hash', 'slot'])
				.execute();
			await db.schema.createIndex('subscription_sends_sent_at').on('subscription_sends').columns(['sent_at']).execute();
		},
		async down(db: Kysely<unknown>) {
			await db.schema.dropTable('subscription_sends').execute();
		}
	}
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };

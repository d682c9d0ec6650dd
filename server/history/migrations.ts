import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/*
 * Migrations in code, not files, so the bundle and the tests carry them. Portable types only:
 * bigint for ms timestamps, integer ids; autoincrement spelled per dialect by `autoId`.
 */
function autoId(db: Kysely<unknown>) {
	return (col: ColumnDefinitionBuilder) =>
		isPostgres(db) ? col.primaryKey().generatedByDefaultAsIdentity() : col.primaryKey().autoIncrement();
}

export function isPostgres(db: Kysely<unknown>): boolean {
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
	}
};

export const migrationProvider: MigrationProvider = { getMigrations: async () => migrations };

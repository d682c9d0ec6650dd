import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.ts';
import type { HistoryDatabase } from './schema.ts';

/**
 * The history database at `location` without touching it yet: PostgreSQL for a `postgres://`
 * URL, otherwise an SQLite file (`:memory:` for tests). Pair with `migrateHistoryDatabase`.
 */
export function createHistoryDatabase(location: string): Kysely<HistoryDatabase> {
	if (/^postgres(ql)?:\/\//.test(location)) {
		// bigint columns come back as strings by default; our values are ms timestamps, safe as numbers.
		pg.types.setTypeParser(20, (v: string) => Number(v));
		const pool = new pg.Pool({ connectionString: location, max: 4, connectionTimeoutMillis: 5_000 });
		// An idle client losing its server (database restart) must not crash the process.
		pool.on('error', () => {});
		// Nor a checked-out one (connection reset mid-query): pg emits 'error' on the client, which the
		// pool only listens to while idle. The query itself rejects, and the pool drops the dead client.
		pool.on('connect', (client) => client.on('error', () => {}));
		return new Kysely({ dialect: new PostgresDialect({ pool }) });
	}
	if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
	const sqlite = new Database(location);
	// WAL lets readers (the API) go on while the recorder writes.
	if (location !== ':memory:') sqlite.exec('PRAGMA journal_mode = WAL');
	// A second connection (a restarted instance while the old one drains, a test's second
	// instance) waits for the writer instead of failing at once with "database is locked".
	sqlite.exec('PRAGMA busy_timeout = 5000');
	return new Kysely({ dialect: new SqliteDialect({ database: sqlite as never }) });
}

/** Brings the schema up to date; throws with the migration's own error if it cannot. */
export async function migrateHistoryDatabase(db: Kysely<HistoryDatabase>): Promise<void> {
	const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
	if (error) throw error instanceof Error ? error : new Error(String(error));
}

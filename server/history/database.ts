import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'libsql';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrationProvider } from './migrations.ts';
import type { HistoryDatabase } from './schema.ts';

/**
 * Opens the history database and brings its schema up to date: PostgreSQL for a
 * `postgres://` URL (several instances share it), otherwise an SQLite file at `location`
 * (`:memory:` for tests). Throws with the migration's own error if the schema cannot be applied.
 */
export async function openHistoryDatabase(location: string): Promise<Kysely<HistoryDatabase>> {
	let db: Kysely<HistoryDatabase>;
	if (/^postgres(ql)?:\/\//.test(location)) {
		// bigint columns come back as strings by default; our values are ms timestamps, safe as numbers.
		pg.types.setTypeParser(20, (v: string) => Number(v));
		db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: location, max: 4 }) }) });
	} else {
		if (location !== ':memory:') mkdirSync(dirname(location), { recursive: true });
		const sqlite = new Database(location);
		// WAL lets readers (the API) go on while the recorder writes.
		if (location !== ':memory:') sqlite.exec('PRAGMA journal_mode = WAL');
		db = new Kysely({ dialect: new SqliteDialect({ database: sqlite as never }) });
	}
	const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
	if (error) {
		await db.destroy();
		throw error instanceof Error ? error : new Error(String(error));
	}
	return db;
}

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { createHistoryDatabase, migrateHistoryDatabase } from '../server/history/database.ts';
import type { HistoryDatabase } from '../server/history/schema.ts';
import { freePort } from '../scripts/stack.ts';

/*
 * Real databases for the history tests. SQLite is a temp file; PostgreSQL is the server `.ci/run`
 * started (SHARDBEAT_TEST_DATABASE_URL) or else a throwaway cluster of our own from Debian's
 * package. Either way every caller gets a database of its own, so test files never see each
 * other's rows. PostgreSQL is never skipped: without it the tests fail, saying how to get it.
 */

/**
 * Opens a history database for a test or the storage bench and brings its schema up to date: PostgreSQL for a
 * `postgres://` URL (several instances share it), otherwise an SQLite file at `location`
 * (`:memory:` for tests). Throws with the migration's own error if the schema cannot be applied.
 */
export async function openHistoryDatabase(location: string): Promise<Kysely<HistoryDatabase>> {
	const db = createHistoryDatabase(location);
	try {
		await migrateHistoryDatabase(db);
	} catch (error) {
		await db.destroy();
		throw error;
	}
	return db;
}

export interface PostgresDatabase {
	/** `postgres://…` of a fresh, empty database. */
	url: string;
	/** Drops the database (and stops the cluster if this call started one). */
	stop(): Promise<void>;
}

export interface HistoryDatabaseTarget {
	name: 'sqlite' | 'postgres';
	/** A fresh, empty database: `location` for `openHistoryDatabase`; `cleanup` deletes it (close it first). */
	open(): Promise<{ location: string; cleanup(): Promise<void> }>;
}

const PG_LIB = '/usr/lib/postgresql';
const USER = 'shardbeat';

/** A fresh database on the CI server, or in a throwaway cluster started for this call. */
export async function startPostgres(): Promise<PostgresDatabase> {
	const server = process.env.SHARDBEAT_TEST_DATABASE_URL ? { adminUrl: process.env.SHARDBEAT_TEST_DATABASE_URL, stop: async () => {} } : await startCluster();
	try {
		const db = await createDatabase(server.adminUrl);
		return {
			url: db.url,
			async stop() {
				try {
					await db.drop();
				} finally {
					await server.stop();
				}
			}
		};
	} catch (error) {
		await server.stop();
		throw error;
	}
}

/** One server per test process for `historyDatabases` (a cluster costs seconds; a database, milliseconds). */
let shared: Promise<{ adminUrl: string }> | undefined;
function sharedServer(): Promise<{ adminUrl: string }> {
	const given = process.env.SHARDBEAT_TEST_DATABASE_URL;
	if (given) return Promise.resolve({ adminUrl: given });
	// Our own cluster lives as long as this process (its watchdog stops it when we go away).
	shared ??= startCluster().catch((error: unknown) => {
		shared = undefined;
		throw error;
	});
	return shared;
}

/** For `describe.each(historyDatabases)`: every history spec runs on SQLite and on PostgreSQL. */
export const historyDatabases: HistoryDatabaseTarget[] = [
	{
		name: 'sqlite',
		async open() {
			const dir = mkdtempSync(join(tmpdir(), 'shardbeat-history-'));
			return { location: join(dir, 'history.sqlite'), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
		}
	},
	{
		name: 'postgres',
		async open() {
			const db = await createDatabase((await sharedServer()).adminUrl);
			return { location: db.url, cleanup: db.drop };
		}
	}
];

/**
 * A fresh database of `target` for each test of a `describe.each(historyDatabases)` block:
 * `open()` makes one (its schema up to date, unless `{ migrate: false }`), `close()` (an
 * `afterEach`) closes and deletes it.
 */
export function freshHistoryDatabase(target: HistoryDatabaseTarget): {
	open(options?: { migrate?: boolean }): Promise<Kysely<HistoryDatabase>>;
	/** Another connection to the database `open` made: a second server instance on it, or the same one restarted. */
	another(): Promise<Kysely<HistoryDatabase>>;
	close(): Promise<void>;
} {
	let db: Kysely<HistoryDatabase> | undefined;
	let location: string | undefined;
	let others: Kysely<HistoryDatabase>[] = [];
	let cleanup: (() => Promise<void>) | undefined;
	return {
		async open({ migrate = true } = {}) {
			const place = await target.open();
			cleanup = place.cleanup;
			location = place.location;
			db = migrate ? await openHistoryDatabase(place.location) : createHistoryDatabase(place.location);
			return db;
		},
		async another() {
			if (!location) throw new Error('another(): open() the database first');
			const other = await openHistoryDatabase(location);
			others.push(other);
			return other;
		},
		async close() {
			for (const other of others) await other.destroy();
			await db?.destroy();
			await cleanup?.();
			db = cleanup = location = undefined;
			others = [];
		}
	};
}

/** Runs `sql` on its own short-lived connection to `url` (admin statements in tests). */
export async function runSql(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await client.query(sql, params);
	} finally {
		await client.end();
	}
}

async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
	const name = `shardbeat_t_${randomBytes(6).toString('hex')}`;
	await runSql(adminUrl, `create database ${name}`);
	const url = new URL(adminUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		// WITH (FORCE) ends any session a test left open rather than failing.
		drop: async () => void (await runSql(adminUrl, `drop database if exists ${name} with (force)`))
	};
}

/** The newest PostgreSQL major Debian's packages installed, e.g. /usr/lib/postgresql/15/bin. */
export function postgresBin(): string | undefined {
	if (!existsSync(PG_LIB)) return undefined;
	const majors = readdirSync(PG_LIB)
		.filter((v) => existsSync(join(PG_LIB, v, 'bin', 'initdb')) && existsSync(join(PG_LIB, v, 'bin', 'postgres')))
		.sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
	return majors[0] ? join(PG_LIB, majors[0], 'bin') : undefined;
}

/*
 * A throwaway cluster like .ci/run's: initdb into a temp dir (trust auth, superuser `shardbeat`,
 * no fsync), postgres on a free loopback port with its socket in that dir. initdb and postgres
 * refuse to run as root, so as root they run as the package's `postgres` user. postgres runs
 * under a small shell that waits on our pipe: when stop() closes it, or this process dies however
 * it dies, the shell shuts postgres down, so no cluster outlives its test run.
 */
async function startCluster(): Promise<{ adminUrl: string; stop(): Promise<void> }> {
	const bin = postgresBin();
	if (!bin) {
		throw new Error(
			`PostgreSQL is needed for the history tests and none was found under ${PG_LIB}/*/bin. ` +
				'Install Debian\'s package (apt-get install postgresql; .ci/run does this) or point SHARDBEAT_TEST_DATABASE_URL ' +
				'at a server where the user may create databases (e.g. postgres://shardbeat@127.0.0.1:5432/shardbeat_test).'
		);
	}
	const root = process.getuid?.() === 0;
	const dir = mkdtempSync(join('/tmp', 'shardbeat-pg-'));
	if (root) {
		let ids: number[];
		try {
			ids = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: 'pipe' }).trim()));
		} catch {
			rmSync(dir, { recursive: true, force: true });
			throw new Error('Running as root, but there is no `postgres` user to run PostgreSQL as (initdb refuses root): apt-get install postgresql, or set SHARDBEAT_TEST_DATABASE_URL.');
		}
		chownSync(dir, ids[0]!, ids[1]!);
	}
	const asPostgres = (cmd: string, args: string[]) => (root ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args });
	const data = join(dir, 'data');
	try {
		const initdb = asPostgres(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', USER, '-E', 'UTF8', '--locale=C', '--no-sync']);
		execFileSync(initdb.cmd, initdb.args, { stdio: 'pipe' });
	} catch (error) {
		rmSync(dir, { recursive: true, force: true });
		const e = error as Error & { stderr?: Buffer };
		throw new Error(`initdb failed: ${e.stderr?.toString().trim() || e.message}`);
	}
	const port = await freePort();
	const watchdog = [
		`"$0" -D "$1" -k "$2" -p "$3" -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off >"$2/postgres.log" 2>&1 &`,
		'pid=$!',
		'read -r _ || true', // EOF: stop() closed the pipe, or our process is gone
		'kill -INT "$pid" 2>/dev/null', // fast shutdown
		'wait "$pid"',
		'rm -rf "$2"' // stop() removes it too; this covers a process that never called stop()
	].join('\n');
	const sh = asPostgres('/bin/sh', ['-c', watchdog, join(bin, 'postgres'), data, dir, String(port)]);
	const child: ChildProcess = spawn(sh.cmd, sh.args, { stdio: ['pipe', 'ignore', 'ignore'] });
	child.unref();
	(child.stdin as unknown as { unref?: () => void }).unref?.();
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		child.stdin?.end();
		let timer: ReturnType<typeof setTimeout> | undefined;
		await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
		clearTimeout(timer);
		rmSync(dir, { recursive: true, force: true });
	};

	const adminUrl = `postgres://${USER}@127.0.0.1:${port}/postgres`;
	const deadline = Date.now() + 30_000;
	for (;;) {
		try {
			await runSql(adminUrl, 'select 1');
			break;
		} catch (error) {
			if (child.exitCode !== null || Date.now() > deadline) {
				let log = '';
				try {
					log = readFileSync(join(dir, 'postgres.log'), 'utf8').trim();
				} catch {}
				await stop();
				throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${log || (error as Error).message}`);
			}
			await new Promise((r) => setTimeout(r, 50));
		}
	}
	return { adminUrl, stop };
}

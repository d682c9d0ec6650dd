import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Fleet } from '../fleet/fleet.ts';
import { createLogger } from '../log.ts';
import { historyDatabases, openHistoryDatabase, runSql } from '#testing/databases';
import { heartbeat } from '#testing/server/harness';
import { HistoryRecorder } from './recorder.ts';
import type { HistoryDatabase } from './schema.ts';

/*
 * The recorder against real databases, a fresh one per test: an SQLite file and a PostgreSQL
 * database (the server .ci/run started, or a throwaway cluster). What it writes, what survives a
 * restart, what a database outage costs.
 */
const T0 = Date.UTC(2026, 10, 21, 12);
let location: string;
let cleanup: () => Promise<void>;
let db: Kysely<HistoryDatabase>;
let logs: Record<string, unknown>[];

const TABLES = ['shard_transitions', 'cluster_transitions', 'ping_minutes'];

/**
 * Every write fails while reads go on, as on a full disk. SQLite: `PRAGMA query_only` on the
 * recorder's one connection. PostgreSQL: from a separate connection, statement triggers that raise
 * the server's own disk-full error (SQLSTATE 53100) on every write to the history tables; the
 * recorder's pooled connections stay up, as they would when the server's disk fills.
 */
const outage: Record<'sqlite' | 'postgres', { begin(): Promise<void>; end(): Promise<void> }> = {
	sqlite: {
		begin: async () => void (await sql`PRAGMA query_only = 1`.execute(db)),
		end: async () => void (await sql`PRAGMA query_only = 0`.execute(db))
	},
	postgres: {
		begin: () =>
			runSql(
				location,
				`create or replace function shardbeat_test_disk_full() returns trigger language plpgsql as $$
				begin raise exception 'could not extend file: No space left on device' using errcode = 'disk_full'; end $$;
				${TABLES.map((t) => `create trigger shardbeat_test_outage before insert or update or delete on ${t} for each statement execute function shardbeat_test_disk_full();`).join('\n')}`
			).then(() => undefined),
		end: () => runSql(location, TABLES.map((t) => `drop trigger shardbeat_test_outage on ${t};`).join('\n')).then(() => undefined)
	}
};

function setup(options: { maxQueued?: number; now?: () => number } = {}) {
	const fleet = new Fleet();
	const logger = createLogger('debug', { write: (line: string) => void logs.push(JSON.parse(line)) });
	const recorder = new HistoryRecorder({ db, logger, ...options });
	/** A heartbeat applied and committed at `at`, as the publisher would. */
	const beat = (at: number, ...args: Parameters<typeof heartbeat>) => {
		fleet.apply(heartbeat(...args), 'socket', at);
		recorder.observe(fleet.takeChanges(), (id) => fleet.get(id), at);
	};
	return { fleet, recorder, beat };
}

const states = () => db.selectFrom('shard_transitions').select(['at', 'shard_id', 'state']).orderBy('id').execute();

describe.each(historyDatabases)('HistoryRecorder on $name', ({ name, open }) => {
	beforeEach(async () => {
		({ location, cleanup } = await open());
		db = await openHistoryDatabase(location);
		logs = [];
	}, 60_000); // the first PostgreSQL test may start a cluster
	afterEach(async () => {
		await db.destroy();
		await cleanup();
	});

	it('records shard states and lifecycles when they change, not every heartbeat, and pings per minute', async () => {
		const { fleet, recorder, beat } = setup();
		beat(T0, 1, [0, 1], 2);
		// Same states, new pings: no transition, one more ping sample.
		const drift = heartbeat(1, [0, 1], 2, { uptimeMs: 61_000 });
		drift.shards[0]!.ping = 90;
		fleet.apply(drift, 'socket', T0 + 5_000);
		recorder.observe(fleet.takeChanges(), (id) => fleet.get(id), T0 + 5_000);
		// Shard 1 reconnects.
		const reconnecting = heartbeat(1, [0, 1], 2, { uptimeMs: 62_000 });
		reconnecting.shards[1]!.state = 'reconnecting';
		fleet.apply(reconnecting, 'socket', T0 + 10_000);
		recorder.observe(fleet.takeChanges(), (id) => fleet.get(id), T0 + 10_000);
		await recorder.flush();

		expect(await states()).toEqual([
			{ at: T0, shard_id: 0, state: 'ready' },
			{ at: T0, shard_id: 1, state: 'ready' },
			{ at: T0 + 10_000, shard_id: 1, state: 'reconnecting' }
		]);
		expect(await db.selectFrom('cluster_transitions').select(['at', 'lifecycle']).orderBy('id').execute()).toEqual([{ at: T0, lifecycle: 'running' }]);
		const [minute] = await db.selectFrom('ping_minutes').selectAll().execute();
		// The cluster's average ping per commit: (40+41)/2 → 41, (90+41)/2 → 66, then 41 again.
		expect(minute).toEqual({ cluster_id: 1, minute: T0, samples: 3, sum_ms: 41 + 66 + 41, min_ms: 41, max_ms: 66 });
	});

	it('records a stop as every shard disconnected and the cluster stopped', async () => {
		const { fleet, recorder, beat } = setup();
		beat(T0, 1, [0, 1], 2);
		fleet.stop(1);
		recorder.observe(fleet.takeChanges(), (id) => fleet.get(id), T0 + 1_000);
		await recorder.flush();
		expect((await states()).slice(2)).toEqual([
			{ at: T0 + 1_000, shard_id: 0, state: 'disconnected' },
			{ at: T0 + 1_000, shard_id: 1, state: 'disconnected' }
		]);
		expect((await db.selectFrom('cluster_transitions').select('lifecycle').orderBy('id').execute()).map((r) => r.lifecycle)).toEqual(['running', 'stopped']);
	});

	it("records each cluster's membership: its shards with every lifecycle or layout change, and its removal", async () => {
		const { fleet, recorder, beat } = setup();
		beat(T0, 1, [4, 5], 8);
		// Re-sharded: the same cluster now runs 0 and 1 of 4 shards.
		fleet.apply(heartbeat(1, [0, 1], 4, { uptimeMs: 1_000 }), 'socket', T0 + 1_000);
		recorder.observe(fleet.takeChanges(), (id) => fleet.get(id), T0 + 1_000);
		// Superseded after a stop: removed.
		fleet.stop(1);
		fleet.apply(heartbeat(2, [0, 1, 2, 3], 4), 'other', T0 + 2_000);
		recorder.observe(fleet.takeChanges(), (id) => fleet.get(id), T0 + 2_000);
		await recorder.flush();
		const rows = await db.selectFrom('cluster_transitions').select(['at', 'cluster_id', 'lifecycle', 'shard_ids', 'total_shards']).orderBy('id').execute();
		expect(rows).toEqual([
			{ at: T0, cluster_id: 1, lifecycle: 'running', shard_ids: '[4,5]', total_shards: 8 },
			{ at: T0 + 1_000, cluster_id: 1, lifecycle: 'running', shard_ids: '[0,1]', total_shards: 4 },
			{ at: T0 + 2_000, cluster_id: 1, lifecycle: 'removed', shard_ids: null, total_shards: null },
			{ at: T0 + 2_000, cluster_id: 2, lifecycle: 'running', shard_ids: '[0,1,2,3]', total_shards: 4 }
		]);
	});

	it('records shards afresh when they come back to a cluster that let them go, or to one that was removed', async () => {
		const { fleet, recorder, beat } = setup();
		beat(T0, 1, [0, 1], 2);
		beat(T0 + 1_000, 1, [0], 2);
		beat(T0 + 2_000, 1, [0, 1], 2);
		fleet.stop(1);
		fleet.retire(1);
		recorder.observe(fleet.takeChanges(), (id) => fleet.get(id), T0 + 3_000);
		beat(T0 + 4_000, 1, [0, 1], 2);
		await recorder.flush();
		const rows = await db.selectFrom('shard_transitions').select(['at', 'shard_id', 'state']).orderBy('id').execute();
		expect(rows.map((r) => `${r.at - T0}:${r.shard_id}:${r.state}`)).toEqual(['0:0:ready', '0:1:ready', '2000:1:ready', '4000:0:ready', '4000:1:ready']);
		// The stop and the retirement were committed together: the cluster simply left.
		expect((await db.selectFrom('cluster_transitions').select(['at', 'lifecycle']).orderBy('id').execute()).map((r) => `${r.at - T0}:${r.lifecycle}`)).toEqual([
			'0:running',
			'1000:running',
			'2000:running',
			'3000:removed',
			'4000:running'
		]);
	});

	it('keeps history across a restart (closed and reopened)', async () => {
		const { recorder, beat } = setup();
		beat(T0, 1, [0, 1], 2);
		await recorder.close();
		await db.destroy();
		db = await openHistoryDatabase(location);
		expect(await states()).toHaveLength(2);
	});

	it('queues through a database outage, logs it once, and writes everything when it is back', async () => {
		const { recorder, beat } = setup();
		await outage[name].begin(); // every write now fails, as on a full disk
		beat(T0, 1, [0, 1], 2);
		await recorder.flush();
		beat(T0 + 1_000, 2, [2, 3], 4);
		await recorder.flush();
		expect(recorder.healthy).toBe(false);
		expect(recorder.queued).toBeGreaterThanOrEqual(4);
		expect(logs.filter((l) => l.msg === 'history write failed; live status goes on, retrying with backoff')).toHaveLength(1);

		await outage[name].end();
		await recorder.flush();
		expect(recorder.healthy).toBe(true);
		expect(recorder.queued).toBe(0);
		expect((await states()).map((r) => r.shard_id)).toEqual([0, 1, 2, 3]);
		expect(logs.some((l) => l.msg === 'history database is back; queued transitions written')).toBe(true);
	});

	it('bounds the queue: past the limit the oldest transitions are dropped, counted and logged', async () => {
		const { recorder, beat } = setup({ maxQueued: 5 });
		await outage[name].begin();
		for (let c = 0; c < 4; c++) beat(T0 + c, c, [c * 2, c * 2 + 1], 8);
		await recorder.flush();
		// 4 clusters × (2 shards + 1 lifecycle) = 12 transitions; 5 kept.
		expect(recorder.dropped).toBe(7);
		expect(logs.some((l) => String(l.msg).startsWith('history queue full'))).toBe(true);
		await outage[name].end();
		await recorder.flush();
		const written = (await states()).length + (await db.selectFrom('cluster_transitions').selectAll().execute()).length;
		expect(written).toBe(5);
	});

	it('prunes rows older than the retention', async () => {
		let now = T0;
		const { recorder, beat } = setup({ now: () => now });
		beat(T0, 1, [0], 1);
		await recorder.flush();
		now = T0 + 91 * 86_400_000;
		beat(now, 2, [0], 1);
		await recorder.flush();
		await recorder.prune();
		expect((await states()).map((r) => r.at)).toEqual([now]);
		expect(await db.selectFrom('ping_minutes').select('minute').execute()).toEqual([{ minute: now - (now % 60_000) }]);
	});
});

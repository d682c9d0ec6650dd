import { Migrator, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { historyDatabases } from '#testing/databases';
import { createHistoryDatabase, migrateHistoryDatabase } from './database.ts';
import { migrationProvider } from './migrations.ts';
import { HistoryRepository } from './repository.ts';
import type { HistoryDatabase } from './schema.ts';

/*
 * Upgrading a history that already holds rows, on both databases: `004_fleet_membership` adds
 * each cluster's shard list to its rows. Rows written before it have none, and must read as
 * they did (a cluster's shards are the ones it reported), and the migration must go down again.
 */
const T0 = Date.UTC(2026, 10, 21, 12);

describe.each(historyDatabases)('history migrations on $name', ({ open }) => {
	let db: Kysely<HistoryDatabase> | undefined;
	let cleanup: (() => Promise<void>) | undefined;
	afterEach(async () => {
		await db?.destroy();
		await cleanup?.();
	});

	it('004 keeps a history written before it readable, and what a restart expects from it', async () => {
		const target = await open();
		cleanup = target.cleanup;
		db = createHistoryDatabase(target.location);
		const migrator = new Migrator({ db, provider: migrationProvider });
		expect((await migrator.migrateTo('003_uptime_hours')).error).toBeUndefined();
		// What a server before 004 wrote: cluster 0 running shards 0–1, cluster 1 superseded.
		const old = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
		await old
			.insertInto('shard_transitions')
			.values([
				{ at: T0, cluster_id: 0, shard_id: 0, state: 'ready' },
				{ at: T0, cluster_id: 0, shard_id: 1, state: 'ready' },
				{ at: T0, cluster_id: 1, shard_id: 2, state: 'ready' }
			])
			.execute();
		await old
			.insertInto('cluster_transitions')
			.values([
				{ at: T0, cluster_id: 0, lifecycle: 'running' },
				{ at: T0, cluster_id: 1, lifecycle: 'running' },
				{ at: T0 + 60_000, cluster_id: 1, lifecycle: 'removed' }
			])
			.execute();

		await migrateHistoryDatabase(db);
		const store = new HistoryRepository(db);
		expect(await store.members()).toEqual([{ id: 0, lifecycle: 'running', shardIds: [0, 1], totalShards: 2, lastHeartbeatAt: T0 }]);
		const histories = await store.histories({ start: T0 + 30_000, end: T0 + 120_000 });
		expect([...histories].map(([id, shards]) => [id, shards.map((s) => [s.shardId, s.tracked])])).toEqual([
			[0, [[0, [{ start: T0 + 30_000, end: T0 + 120_000 }]], [1, [{ start: T0 + 30_000, end: T0 + 120_000 }]]]],
			[1, [[2, [{ start: T0 + 30_000, end: T0 + 60_000 }]]]]
		]);

		// From 004 on, a row says which shards the cluster runs, and that is what a restart expects.
		await db.insertInto('cluster_transitions').values({ at: T0 + 120_000, cluster_id: 0, lifecycle: 'stopped', shard_ids: '[0]', total_shards: 1 }).execute();
		expect(await store.members()).toEqual([{ id: 0, lifecycle: 'stopped', shardIds: [0], totalShards: 1, lastHeartbeatAt: T0 + 120_000 }]);

		// And it goes down again (dropping what it added) and back up.
		expect((await migrator.migrateDown()).error).toBeUndefined();
		expect(Object.keys((await db.selectFrom('cluster_transitions').selectAll().executeTakeFirstOrThrow()) as object).sort()).toEqual(['at', 'cluster_id', 'id', 'lifecycle']);
		await migrateHistoryDatabase(db);
		expect(await db.selectFrom('cluster_transitions').select('shard_ids').where('at', '=', T0 + 120_000).executeTakeFirst()).toEqual({ shard_ids: null });
	});
});

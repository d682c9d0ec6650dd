import { Migrator, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { localizeIncident } from '#shared/i18n/incident-text';
import { freshHistoryDatabase, historyDatabases } from '#testing/databases';
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
		expect((await migrator.migrateTo('003_uptime_hours')).error).toBeUndefined();
		expect(Object.keys((await db.selectFrom('cluster_transitions').selectAll().executeTakeFirstOrThrow()) as object).sort()).toEqual(['at', 'cluster_id', 'id', 'lifecycle']);
		await migrateHistoryDatabase(db);
		expect(await db.selectFrom('cluster_transitions').select('shard_ids').where('at', '=', T0 + 120_000).executeTakeFirst()).toEqual({ shard_ids: null });
	});
});

/*
 * 005_incident_facts on both databases: automatic incidents written before it (English title and
 * sentences) read back exactly as written after it, next to new ones stored as facts.
 */
describe.each(historyDatabases)('migration 005_incident_facts on $name', (target) => {
	const database = freshHistoryDatabase(target);
	afterEach(database.close);

	it('keeps rows written before it readable as they were, and stores new ones as facts', async () => {
		const db = await database.open({ migrate: false });
		const migrator = new Migrator({ db, provider: migrationProvider });
		expect((await migrator.migrateTo('003_uptime_hours')).error).toBeUndefined();

		// As the monitor wrote them before 005 (no title_facts, no clusters_down columns yet).
		const old = await db
			.insertInto('incidents')
			.values({ source: 'auto', auto_key: 1_000, title: 'Shards down in clusters 2, 5', status: 'resolved', impact: 'minor', started_at: 1_000, resolved_at: 9_000, cluster_ids: '[2,5]', shard_ids: '[11,40]' } as never)
			.returning('id')
			.executeTakeFirstOrThrow();
		await db
			.insertInto('incident_updates')
			.values([
				{ incident_id: Number(old.id), at: 1_000, status: 'investigating', message: 'Shardbeat detected 2 shards down (11, 40).', kind: 'opened', shards_down: '[11,40]' },
				{ incident_id: Number(old.id), at: 9_000, status: 'resolved', message: 'All affected shards are back.', kind: 'resolved', shards_down: '[]' }
			] as never)
			.execute();

		await migrateHistoryDatabase(db);
		const store = new HistoryRepository(db);
		const id = await store.insertAutoIncident({ autoKey: 20_000, titleFacts: { shardCount: 1, clusterIds: [3] }, impact: 'minor', startedAt: 20_000, clusterIds: [3], shardIds: [7] });
		await store.addUpdate(id!, { at: 20_000, status: 'investigating', message: 'ignored: facts are stored', kind: 'opened', shardsDown: [7], clusterIdsDown: [3] });

		const [fresh, before] = await store.incidents(0);
		expect(before).toMatchObject({ title: 'Shards down in clusters 2, 5', clusterIds: [2, 5], shardIds: [11, 40] });
		expect(before!.titleFacts).toBeUndefined();
		expect(before!.updates.map((u) => [u.message, u.kind, u.shardsDown, u.clusterIdsDown])).toEqual([
			['Shardbeat detected 2 shards down (11, 40).', 'opened', [11, 40], undefined],
			['All affected shards are back.', 'resolved', [], undefined]
		]);
		// Rendered in German, an old row still shows the text it was stored with; a new one is German.
		const de = [before, fresh].map((i) => localizeIncident(i!, 'de'));
		expect(de.map((i) => [i.title, i.updates[0]!.message])).toEqual([
			['Shards down in clusters 2, 5', 'Shardbeat detected 2 shards down (11, 40).'],
			['1 Shard in Cluster 3 ausgefallen', '1 Shard ist in Cluster 3 ausgefallen (Shard 7).']
		]);
		expect(fresh).toMatchObject({ title: '1 shard down in cluster 3', titleFacts: { shardCount: 1, clusterIds: [3] } });
		expect(fresh!.updates[0]).toMatchObject({ message: '1 shard went down in cluster 3 (shard 7).', clusterIdsDown: [3] });

		// And back down: the facts columns go, the old rows stay.
		expect((await migrator.migrateTo('003_uptime_hours')).error).toBeUndefined();
		const titles = await db.selectFrom('incidents').select('title').orderBy('started_at').execute();
		expect(titles.map((t) => t.title)).toEqual(['Shards down in clusters 2, 5', '']);
	});
});

/*
 * 007_subscribers_outbox on both databases: its unique keys are what make delivery idempotent
 * (one subscription per address, one delivery per notice and recipient, one notice per key), and
 * it goes down and up again.
 */
describe.each(historyDatabases)('migration 007_subscribers_outbox on $name', (target) => {
	const database = freshHistoryDatabase(target);
	afterEach(database.close);

	it('refuses a second delivery of a notice to one recipient, a second notice under one key, a second row for one address; and goes down and up', async () => {
		const db = await database.open();
		const subscriber = { kind: 'email', target: 'a@example.com', target_hash: 'h1', target_hint: 'a…@example.com', scope_kind: 'bot', cluster_ids: null, guild_id: null, locale: 'en', created_at: 1, confirmed_at: 1, token_hash: 't1', confirm_token_hash: null };
		await db.insertInto('subscribers').values(subscriber).execute();
		await expect(db.insertInto('subscribers').values({ ...subscriber, token_hash: 't2' }).execute()).rejects.toThrow();
		const notice = { key: 'incident:1:incident.opened:-', type: 'incident.opened', payload: '{}', scope: '{}', subscriber_id: null, created_at: 1, fanout_done_at: null };
		const { id } = await db.insertInto('outbox_notices').values(notice).returning('id').executeTakeFirstOrThrow();
		await expect(db.insertInto('outbox_notices').values(notice).execute()).rejects.toThrow();
		const delivery = { notice_id: Number(id), recipient: 's:1', subscriber_id: 1, channel: 'email', thread: null, state: 'pending', next_at: 1, created_at: 1 };
		await db.insertInto('outbox_deliveries').values(delivery).execute();
		await expect(db.insertInto('outbox_deliveries').values(delivery).execute()).rejects.toThrow();
		await db.insertInto('outbox_threads').values({ recipient: 's:1', thread: 'incident:1' }).execute();
		await expect(db.insertInto('outbox_threads').values({ recipient: 's:1', thread: 'incident:1' }).execute()).rejects.toThrow();

		const migrator = new Migrator({ db, provider: migrationProvider });
		expect((await migrator.migrateTo('005_incident_facts')).error).toBeUndefined();
		await expect(db.selectFrom('outbox_deliveries').selectAll().execute()).rejects.toThrow();
		await migrateHistoryDatabase(db);
		expect(await db.selectFrom('subscribers').selectAll().execute()).toEqual([]);
		expect(await db.selectFrom('outbox_notices').select('fanout_cursor').execute()).toEqual([]);
	});
});

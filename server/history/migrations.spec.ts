import { Migrator } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { localizeIncident } from '#shared/i18n/incident-text';
import { freshHistoryDatabase, historyDatabases } from '#testing/databases';
import { migrateHistoryDatabase } from './database.ts';
import { migrationProvider } from './migrations.ts';
import { HistoryRepository } from './repository.ts';

/*
 * 004_incident_facts on both databases: automatic incidents written before it (English title and
 * sentences) read back exactly as written after it, next to new ones stored as facts.
 */
describe.each(historyDatabases)('migration 004_incident_facts on $name', (target) => {
	const database = freshHistoryDatabase(target);
	afterEach(database.close);

	it('keeps rows written before it readable as they were, and stores new ones as facts', async () => {
		const db = await database.open({ migrate: false });
		const migrator = new Migrator({ db, provider: migrationProvider });
		expect((await migrator.migrateTo('003_uptime_hours')).error).toBeUndefined();

		// As the monitor wrote them before 004 (no title_facts, no clusters_down columns yet).
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

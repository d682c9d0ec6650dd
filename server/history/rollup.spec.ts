import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { openHistoryDatabase } from '#testing/databases';
import { createLogger } from '../log.ts';
import { HistoryService } from './history-service.ts';
import { HOUR, UptimeRollup } from './rollup.ts';
import type { HistoryDatabase } from './schema.ts';
import { HistoryRepository } from './repository.ts';

/*
 * Rollups are an optimisation, so the answer must not change: the same transitions give the
 * same uptime and bars whether the past is read from hourly rollups or derived from every row.
 */
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 21, 15); // on an hour, so periods align with rolled hours
const logger = createLogger('silent');
let db: Kysely<HistoryDatabase> | undefined;
afterEach(async () => {
	await db?.destroy();
	db = undefined;
});

/** Three clusters over ten days: restarts, reconnects, a re-shard, an outage across midnight. */
async function seed(database: Kysely<HistoryDatabase>) {
	const shardRows: { at: number; cluster_id: number; shard_id: number; state: string }[] = [];
	const clusterRows: { at: number; cluster_id: number; lifecycle: string }[] = [];
	const start = NOW - 10 * DAY;
	for (let c = 0; c < 3; c++) {
		clusterRows.push({ at: start + c * HOUR, cluster_id: c, lifecycle: 'running' });
		for (let s = 0; s < 4; s++) shardRows.push({ at: start + c * HOUR, cluster_id: c, shard_id: c * 4 + s, state: 'ready' });
	}
	let seed = 7;
	const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
	for (let t = start + DAY; t < NOW - HOUR; t += Math.floor(rand() * 6 * HOUR)) {
		const shard = Math.floor(rand() * 12);
		const cluster = Math.floor(shard / 4);
		const length = Math.floor(rand() * 90 * 60_000);
		shardRows.push({ at: t, cluster_id: cluster, shard_id: shard, state: 'reconnecting' });
		shardRows.push({ at: t + length, cluster_id: cluster, shard_id: shard, state: 'ready' });
	}
	// Cluster 2 down 23:00–01:30 two days ago, and removed for good (re-shard) yesterday noon.
	const midnight = Date.UTC(2026, 10, 19);
	for (let s = 8; s < 12; s++) {
		shardRows.push({ at: midnight - HOUR, cluster_id: 2, shard_id: s, state: 'disconnected' });
		shardRows.push({ at: midnight + 1.5 * HOUR, cluster_id: 2, shard_id: s, state: 'ready' });
	}
	clusterRows.push({ at: Date.UTC(2026, 10, 20, 12), cluster_id: 2, lifecycle: 'removed' });
	// Cluster 0 is down right now.
	for (let s = 0; s < 4; s++) shardRows.push({ at: NOW - 20 * 60_000, cluster_id: 0, shard_id: s, state: 'disconnected' });
	shardRows.sort((a, b) => a.at - b.at);
	for (let i = 0; i < shardRows.length; i += 300) await database.insertInto('shard_transitions').values(shardRows.slice(i, i + 300)).execute();
	await database.insertInto('cluster_transitions').values(clusterRows).execute();
	await database.insertInto('maintenance_windows').values({ title: 'm', message: '', starts_at: NOW - 3 * DAY, ends_at: NOW - 3 * DAY + 2 * HOUR, cluster_ids: '[1]' }).execute();
}

describe('UptimeRollup', () => {
	it.each(['UTC', 'Europe/Berlin', 'America/New_York'])('gives the same history as deriving every transition (%s)', async (tz) => {
		db = await openHistoryDatabase(':memory:');
		await seed(db);
		const store = new HistoryRepository(db);
		const rollup = new UptimeRollup({ store, logger, now: () => NOW, batchHours: 50 });
		const plain = await new HistoryService({ store, rollup, now: () => NOW }).fleet(tz);
		const plainCluster = await new HistoryService({ store, rollup, now: () => NOW }).cluster(1, tz);

		const rolled = await rollup.run();
		expect(rolled).toBe(10 * 24);
		expect(await rollup.rolledUntil()).toBe(NOW);
		expect(await rollup.run(), 'nothing left to roll').toBe(0);
		const fast = await new HistoryService({ store, rollup, now: () => NOW }).fleet(tz);
		const fastCluster = await new HistoryService({ store, rollup, now: () => NOW }).cluster(1, tz);

		expect(fast.uptime).toEqual(plain.uptime);
		expect(fast.clusters).toEqual(plain.clusters);
		expect(fast.bars.ratio).toEqual(plain.bars.ratio);
		expect(fast.bars.downMinutes).toEqual(plain.bars.downMinutes);
		expect(fastCluster!.bars).toEqual(plainCluster!.bars);
		expect(fastCluster!.uptime).toEqual(plainCluster!.uptime);
		// Not vacuous: there was downtime to get right, and the rolled path read no old transitions.
		expect(plain.uptime['7d']).toBeLessThan(1);
		expect(plain.bars.downMinutes.filter((m) => m > 0).length).toBeGreaterThan(3);
	});

	it('is idempotent: two instances rolling the same hours store each once', async () => {
		db = await openHistoryDatabase(':memory:');
		await seed(db);
		const store = new HistoryRepository(db);
		const a = new UptimeRollup({ store, logger, now: () => NOW });
		const b = new UptimeRollup({ store, logger, now: () => NOW });
		await Promise.all([a.run(), b.run()]);
		const rows = await db.selectFrom('uptime_hours').select((eb) => eb.fn.countAll().as('n')).where('cluster_id', '=', -1).executeTakeFirstOrThrow();
		expect(Number(rows.n)).toBe(240);
	});
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Kysely } from 'kysely';
import { openHistoryDatabase } from '#testing/databases';
import { createLogger } from '../log.ts';
import { canonicalTimeZone, HistoryService } from './history-service.ts';
import { HOUR, UptimeRollup } from './rollup.ts';
import type { HistoryDatabase } from './schema.ts';
import { HistoryRepository } from './repository.ts';

/*
 * The work a flood of history requests can cause is bounded: zone spellings and zones with the
 * same days share answers, unknown clusters cost no query and no cache entry, and a cluster's rows
 * are read once per load whatever zone it is asked in. Sharing must not change any answer.
 */
const NOW = Date.UTC(2026, 10, 21, 15);
const logger = createLogger('silent');
let db: Kysely<HistoryDatabase> | undefined;
afterEach(async () => {
	await db?.destroy();
	db = undefined;
});

async function service() {
	db = await openHistoryDatabase(':memory:');
	const shardRows: { at: number; cluster_id: number; shard_id: number; state: string }[] = [];
	for (let c = 0; c < 2; c++) for (let s = 0; s < 4; s++) shardRows.push({ at: NOW - 5 * 24 * HOUR, cluster_id: c, shard_id: c * 4 + s, state: 'ready' });
	// Cluster 1 down across a UTC midnight and a Berlin one, so zones cut different bars.
	shardRows.push({ at: Date.UTC(2026, 10, 19, 22, 30), cluster_id: 1, shard_id: 4, state: 'disconnected' });
	shardRows.push({ at: Date.UTC(2026, 10, 20, 1, 30), cluster_id: 1, shard_id: 4, state: 'ready' });
	await db.insertInto('shard_transitions').values(shardRows).execute();
	await db.insertInto('cluster_transitions').values([0, 1].map((c) => ({ at: NOW - 5 * 24 * HOUR, cluster_id: c, lifecycle: 'running' }))).execute();
	const store = new HistoryRepository(db);
	const rollup = new UptimeRollup({ store, logger, now: () => NOW });
	const fresh = () => new HistoryService({ store, rollup, now: () => NOW });
	return { store, fresh, svc: fresh() };
}

describe('canonicalTimeZone', () => {
	it.each([
		['UTC', 'UTC'],
		['utc', 'UTC'],
		['europe/BERLIN', 'Europe/Berlin'],
		['Europe/Berlin', 'Europe/Berlin'],
		['Mars/Olympus', undefined],
		['', undefined],
		['Europe/Berlin; DROP', undefined],
		['A'.repeat(65), undefined]
	])('%j → %j', (given, expected) => expect(canonicalTimeZone(given)).toBe(expected));
});

describe('HistoryService under a flood of distinct questions', () => {
	it('reads a cluster\'s rows once per load whatever zones it is asked in, and answers each zone as a fresh service would', async () => {
		const { store, fresh, svc } = await service();
		const pings = vi.spyOn(store, 'pingBuckets');
		const hours = vi.spyOn(store, 'hourTotals');
		const zones = ['UTC', 'Europe/Berlin', 'Europe/Paris', 'Europe/Rome', 'America/New_York', 'Asia/Tokyo', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Pacific/Pago_Pago'];
		const answers = [];
		for (const tz of zones) answers.push(await svc.cluster(1, tz));
		expect(pings).toHaveBeenCalledTimes(1);
		expect(hours.mock.calls.filter((c) => c[2] === 1)).toHaveLength(1);
		for (const [i, tz] of zones.entries()) {
			expect(answers[i]!.timeZone).toBe(tz);
			expect(answers[i]).toEqual(await fresh().cluster(1, tz));
		}
		// Not vacuous: zones cut the outage into different days.
		expect(answers[0]!.bars.downMinutes).not.toEqual(answers[8]!.bars.downMinutes);
	});

	it('derives the fleet once for zones whose days begin at the same instants', async () => {
		const { fresh, svc } = await service();
		const berlin = await svc.fleet('Europe/Berlin');
		const paris = await svc.fleet('Europe/Paris');
		expect(paris.timeZone).toBe('Europe/Paris');
		expect(paris.bars).toBe(berlin.bars);
		expect(paris).toEqual(await fresh().fleet('Europe/Paris'));
		expect((await svc.fleet('America/New_York')).bars).not.toBe(berlin.bars);
	});

	it('answers unknown clusters from the load, without a query or a cache entry that could push out a hot answer', async () => {
		const { store, svc } = await service();
		const hot = await svc.fleet('UTC');
		const pings = vi.spyOn(store, 'pingBuckets');
		const hours = vi.spyOn(store, 'hourTotals');
		for (let id = 2; id < 5_000; id++) expect(await svc.cluster(id, 'UTC')).toBeUndefined();
		expect(pings).not.toHaveBeenCalled();
		expect(hours).not.toHaveBeenCalled();
		expect(await svc.fleet('UTC')).toBe(hot);
	});
});

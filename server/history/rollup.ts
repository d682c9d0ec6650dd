import { uptime } from '#shared';
import type { Logger } from '../log.ts';
import { maintenanceFor, type HistoryRepository } from './repository.ts';

export const HOUR = 3_600_000;

export interface UptimeRollupOptions {
	store: HistoryRepository;
	logger: Logger;
	/** Hours rolled per database read; a fresh upgrade with months of transitions catches up in batches. Default 168. */
	batchHours?: number;
	/** How far back to roll at most (retention). Default 91 days. */
	maxAgeMs?: number;
	now?: () => number;
}

/**
 * Rolls transitions up into hourly uptime per cluster once each UTC hour is over, so the history
 * endpoints read at most 2,184 rows per cluster (or one per hour for the whole bot, summed in
 * SQL) instead of every transition of 90 days. Inserts are idempotent: instances sharing a
 * database may all run it. Maintenance scheduled after an hour was rolled does not change it.
 */
export class UptimeRollup {
	readonly #o: Required<UptimeRollupOptions>;
	#running: Promise<number> | undefined;

	constructor(options: UptimeRollupOptions) {
		this.#o = { batchHours: 168, maxAgeMs: 91 * 24 * HOUR, now: Date.now, ...options };
	}

	/** The first hour not rolled up yet; undefined when nothing has been. */
	async rolledUntil(): Promise<number | undefined> {
		const row = await this.#o.store.db
			.selectFrom('uptime_hours')
			.select((eb) => eb.fn.max('hour').as('last'))
			.executeTakeFirst();
		return row?.last === null || row?.last === undefined ? undefined : Number(row.last) + HOUR;
	}

	/** Rolls every complete hour not rolled yet. Returns how many hours it rolled. */
	run(): Promise<number> {
		this.#running ??= this.#run().finally(() => (this.#running = undefined));
		return this.#running;
	}

	async #run(): Promise<number> {
		const { store } = this.#o;
		const now = this.#o.now();
		const until = Math.floor(now / HOUR) * HOUR;
		let from = await this.rolledUntil();
		if (from === undefined) {
			const first = await store.db
				.selectFrom('shard_transitions')
				.select((eb) => eb.fn.min('at').as('first'))
				.executeTakeFirst();
			if (first?.first === null || first?.first === undefined) return 0;
			from = Math.floor(Number(first.first) / HOUR) * HOUR;
		}
		from = Math.max(from, Math.floor((now - this.#o.maxAgeMs) / HOUR) * HOUR);
		let rolled = 0;
		while (from < until) {
			const end = Math.min(until, from + this.#o.batchHours * HOUR);
			const window = { start: from, end };
			const [histories, maintenance] = await Promise.all([store.histories(window), store.maintenanceOverlapping(window)]);
			const rows: { cluster_id: number; hour: number; down_ms: number; counted_ms: number; shards: number }[] = [];
			for (let hour = from; hour < end; hour += HOUR) {
				const slot = { start: hour, end: hour + HOUR };
				for (const [clusterId, shards] of histories) {
					const u = uptime(shards, slot, maintenanceFor(maintenance, clusterId));
					if (u.countedMs === 0 && u.downMs === 0) continue;
					const tracked = shards.filter((s) => s.tracked.some((t) => t.start < slot.end && t.end > slot.start)).length;
					rows.push({ cluster_id: clusterId, hour, down_ms: u.downMs, counted_ms: u.countedMs, shards: tracked });
				}
				// The marker says "this hour is done", even when nothing was tracked in it.
				rows.push({ cluster_id: -1, hour, down_ms: 0, counted_ms: 0, shards: 0 });
			}
			for (let i = 0; i < rows.length; i += 500) {
				await store.db
					.insertInto('uptime_hours')
					.values(rows.slice(i, i + 500))
					.onConflict((oc) => oc.columns(['cluster_id', 'hour']).doNothing())
					.execute();
			}
			rolled += (end - from) / HOUR;
			from = end;
		}
		if (rolled > 24) this.#o.logger.info({ hours: rolled }, 'uptime rolled up');
		return rolled;
	}
}

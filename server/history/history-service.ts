import {
	dayTotals,
	lastLocalDays,
	uptime,
	type ClusterHistory,
	type DailyBars,
	type FleetHistory,
	type Incident,
	type Interval,
	type LocalDay,
	type MaintenanceWindow,
	type ShardHistory,
	type UptimeFigures
} from '#shared';
import { HOUR, type UptimeRollup } from './rollup.ts';
import { maintenanceFor, type HistoryRepository } from './repository.ts';

const DAY = 24 * HOUR;
const PERIODS: [keyof UptimeFigures, number][] = [
	['24h', DAY],
	['7d', 7 * DAY],
	['30d', 30 * DAY],
	['90d', 90 * DAY]
];
const BAR_DAYS = 90;
const SPAN = (BAR_DAYS + 1) * DAY;
const PING_BUCKETS = 96;
const PING_BUCKET_MS = 15 * 60_000;

/** Is `timeZone` an IANA zone this runtime knows? (`?tz=` comes from the network.) */
export function isTimeZone(timeZone: string): boolean {
	if (timeZone.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(timeZone)) return false;
	try {
		new Intl.DateTimeFormat('en-US', { timeZone });
		return true;
	} catch {
		return false;
	}
}

interface Loaded {
	at: number;
	/** Hours before this are rolled up; the live tail from here to `at` comes from transitions. */
	liveFrom: number;
	live: Map<number, ShardHistory[]>;
	/** Whole-bot rolled-up hours, ascending. */
	hours: { hour: number; down: number; counted: number; shards: number }[];
	/** Per cluster, rolled-up totals since the start of each period (PERIODS order). */
	clusterTotals: Map<number, { down: number[]; counted: number[] }>;
	maintenance: MaintenanceWindow[];
	incidents: Incident[];
}

/** A rolled-up hour counts for a period when most of it lies inside (periods are hour-aligned). */
const periodStart = (now: number, length: number) => now - length - HOUR / 2;

/**
 * Answers the history endpoints from two sources: hourly rollups for everything before the last
 * whole hour (`UptimeRollup`), summed in SQL, and the transitions since, derived live. One load
 * per `cacheMs` is shared by every time zone and cluster asked for meanwhile, and each answer is
 * cached too, so a page-load storm costs one database read and one derivation per zone.
 */
export class HistoryService {
	readonly #store: HistoryRepository;
	readonly #rollup: UptimeRollup;
	readonly #now: () => number;
	readonly #cacheMs: number;
	#loaded: Promise<Loaded> | undefined;
	readonly #answers = new Map<string, { at: number; value: Promise<unknown> }>();

	constructor(options: { store: HistoryRepository; rollup: UptimeRollup; now?: () => number; cacheMs?: number }) {
		this.#store = options.store;
		this.#rollup = options.rollup;
		this.#now = options.now ?? Date.now;
		this.#cacheMs = options.cacheMs ?? 30_000;
	}

	/** Forget cached answers (after an operator posts something, so they see it at once). */
	invalidate(): void {
		this.#loaded = undefined;
		this.#answers.clear();
	}

	#load(): Promise<Loaded> {
		const now = this.#now();
		const cached = this.#loaded;
		if (cached) return cached.then((l) => (now - l.at < this.#cacheMs ? l : this.#reload(now)));
		return this.#reload(now);
	}

	#reload(now: number): Promise<Loaded> {
		const loading = (async (): Promise<Loaded> => {
			const from = now - SPAN;
			const liveFrom = Math.min(now, Math.max(from, (await this.#rollup.rolledUntil()) ?? from));
			const [live, hours, clusterTotals, maintenance, incidents] = await Promise.all([
				this.#store.histories({ start: liveFrom, end: now }),
				this.#store.hourTotals(from, liveFrom),
				this.#store.clusterTotals(
					PERIODS.map(([, length]) => periodStart(now, length)),
					liveFrom
				),
				this.#store.maintenanceOverlapping({ start: from, end: Number.MAX_SAFE_INTEGER }),
				this.#store.incidents(now - 90 * DAY)
			]);
			return { at: now, liveFrom, live, hours, clusterTotals, maintenance, incidents };
		})();
		this.#loaded = loading;
		// A failed load must not be cached: the next request tries the database again.
		loading.catch(() => {
			if (this.#loaded === loading) this.#loaded = undefined;
		});
		return loading;
	}

	#cached<T>(key: string, make: () => Promise<T>): Promise<T> {
		const now = this.#now();
		const hit = this.#answers.get(key);
		if (hit && now - hit.at < this.#cacheMs) return hit.value as Promise<T>;
		const value = make();
		this.#answers.set(key, { at: now, value });
		value.catch(() => this.#answers.delete(key));
		// Bounded: zones are validated, but there are a few hundred of them and clusters are many.
		if (this.#answers.size > 2_000) this.#answers.delete(this.#answers.keys().next().value!);
		return value;
	}

	/** The bot as a whole in `timeZone` (validated by the caller with `isTimeZone`). */
	fleet(timeZone: string): Promise<FleetHistory> {
		return this.#cached(`fleet:${timeZone}`, async () => {
			const l = await this.#load();
			const now = l.at;
			const days = lastLocalDays(now, BAR_DAYS, timeZone);
			const bars = new Bars(days);
			for (const h of l.hours) bars.addHour(h);
			const overall = PERIODS.map(() => ({ down: 0, counted: 0 }));
			for (const [, totals] of l.clusterTotals) {
				totals.down.forEach((d, i) => (overall[i]!.down += d));
				totals.counted.forEach((c, i) => (overall[i]!.counted += c));
			}
			const ids = new Set([...l.clusterTotals.keys(), ...l.live.keys()]);
			const clusters: FleetHistory['clusters'] = [];
			for (const id of [...ids].sort((a, b) => a - b)) {
				const shards = l.live.get(id) ?? [];
				const holes = maintenanceFor(l.maintenance, id);
				const rolled = l.clusterTotals.get(id);
				const figures = PERIODS.map(([, length], i) => {
					const u = uptime(shards, { start: Math.max(l.liveFrom, now - length), end: now }, holes);
					overall[i]!.down += u.downMs;
					overall[i]!.counted += u.countedMs;
					return { down: (rolled?.down[i] ?? 0) + u.downMs, counted: (rolled?.counted[i] ?? 0) + u.countedMs };
				});
				clusters.push({ id, uptime: toFigures(figures) });
				bars.addLive(shards, liveDays(days, l.liveFrom), holes);
			}
			return {
				generatedAt: now,
				timeZone,
				uptime: toFigures(overall),
				bars: bars.finish(),
				clusters,
				incidents: l.incidents,
				maintenance: l.maintenance.filter((m) => m.endsAt > now)
			};
		});
	}

	/** One cluster's bars, uptime and 24-hour ping; undefined when it has no history. */
	cluster(id: number, timeZone: string): Promise<ClusterHistory | undefined> {
		return this.#cached(`cluster:${id}:${timeZone}`, async () => {
			const l = await this.#load();
			const shards = l.live.get(id) ?? [];
			const rolled = l.clusterTotals.get(id);
			if (shards.length === 0 && !rolled) return undefined;
			const now = l.at;
			const holes = maintenanceFor(l.maintenance, id);
			const days = lastLocalDays(now, BAR_DAYS, timeZone);
			const bars = new Bars(days);
			for (const h of await this.#store.hourTotals(now - SPAN, l.liveFrom, id)) bars.addHour(h);
			bars.addLive(shards, liveDays(days, l.liveFrom), holes);
			const figures = PERIODS.map(([, length], i) => {
				const u = uptime(shards, { start: Math.max(l.liveFrom, now - length), end: now }, holes);
				return { down: (rolled?.down[i] ?? 0) + u.downMs, counted: (rolled?.counted[i] ?? 0) + u.countedMs };
			});
			const pingFrom = Math.floor((now - DAY) / PING_BUCKET_MS) * PING_BUCKET_MS + PING_BUCKET_MS;
			return {
				id,
				generatedAt: now,
				timeZone,
				uptime: toFigures(figures),
				bars: bars.finish(),
				ping: await this.#store.pingBuckets(id, pingFrom, PING_BUCKET_MS, PING_BUCKETS),
				pingFrom,
				pingBucketMs: PING_BUCKET_MS
			};
		});
	}

	/** Incidents of the last 90 days and maintenance not yet over (the summary and feeds). */
	async current(): Promise<{ incidents: Incident[]; maintenance: MaintenanceWindow[] }> {
		const l = await this.#load();
		return { incidents: l.incidents, maintenance: l.maintenance.filter((m) => m.endsAt > l.at) };
	}
}

/** The days clipped to the live tail (rolled-up hours cover the rest). */
function liveDays(days: LocalDay[], liveFrom: number): LocalDay[] {
	return days.map((d) => ({ ...d, start: Math.max(d.start, liveFrom), end: Math.max(d.end, liveFrom) }));
}

/** Per-day sums from rolled-up hours and the live tail. */
class Bars {
	readonly #days: LocalDay[];
	readonly #down: number[];
	readonly #counted: number[];
	/** Most shards tracked at once in the day, to turn shard-time into whole-bot minutes. */
	readonly #shards: number[];
	/** Shards of the live tail in each day it covers. */
	readonly #liveShards: number[];

	constructor(days: LocalDay[]) {
		this.#days = days;
		this.#down = days.map(() => 0);
		this.#counted = days.map(() => 0);
		this.#shards = days.map(() => 0);
		this.#liveShards = days.map(() => 0);
	}

	/** An hour belongs to the day it starts in (for zones offset by half hours, a half-hour approximation). */
	addHour(h: { hour: number; down: number; counted: number; shards: number }): void {
		const i = this.#index(h.hour);
		if (i < 0) return;
		this.#down[i]! += h.down;
		this.#counted[i]! += h.counted;
		this.#shards[i] = Math.max(this.#shards[i]!, h.shards);
	}

	/** The live tail of one cluster (its days clipped to the tail, as `liveDays` gives them). */
	addLive(shards: readonly ShardHistory[], days: readonly LocalDay[], holes: Interval[]): void {
		const totals = dayTotals(shards, days, holes);
		totals.downMs.forEach((d, i) => (this.#down[i]! += d));
		totals.countedMs.forEach((c, i) => (this.#counted[i]! += c));
		// Shards tracked in each day, counted once per day however often they came and went.
		for (const shard of shards) {
			let last = -1;
			for (const t of shard.tracked) {
				for (let i = Math.max(0, last + 1); i < days.length; i++) {
					if (days[i]!.start >= t.end) break;
					if (days[i]!.end > t.start && days[i]!.end > days[i]!.start) {
						this.#liveShards[i]! += 1;
						last = i;
					}
				}
			}
		}
	}

	finish(): DailyBars {
		return {
			days: this.#days.map((d) => d.day),
			ratio: this.#days.map((_, i) => (this.#counted[i] === 0 ? null : round(1 - this.#down[i]! / this.#counted[i]!, 4))),
			downMinutes: this.#days.map((_, i) => round(this.#down[i]! / Math.max(1, this.#shards[i]!, this.#liveShards[i]!) / 60_000, 1))
		};
	}

	#index(at: number): number {
		let lo = 0;
		let hi = this.#days.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			const d = this.#days[mid]!;
			if (at < d.start) hi = mid - 1;
			else if (at >= d.end) lo = mid + 1;
			else return mid;
		}
		return -1;
	}
}

function toFigures(totals: { down: number; counted: number }[]): UptimeFigures {
	const out = {} as Record<keyof UptimeFigures, number | null>;
	PERIODS.forEach(([key], i) => (out[key] = totals[i]!.counted === 0 ? null : round(1 - totals[i]!.down / totals[i]!.counted, 6)));
	return out;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

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
	return canonicalTimeZone(timeZone) !== undefined;
}

/**
 * The runtime's own name for `timeZone` (`europe/BERLIN` → `Europe/Berlin`, `US/Pacific` →
 * `America/Los_Angeles`), or undefined when it is not a zone. Zone names are case-insensitive, so
 * without this one zone would have thousands of spellings, each a cache key of its own.
 */
export function canonicalTimeZone(timeZone: string): string | undefined {
	if (timeZone.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(timeZone)) return undefined;
	try {
		return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
	} catch {
		return undefined;
	}
}

/** Most answers kept (least recently used dropped first); fleet answers are few, cluster answers one per cluster and day layout. */
const MAX_ANSWERS = 2_000;

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
 * cached with it, so a page-load storm costs one database read and one derivation per zone.
 *
 * The work a flood can ask for is bounded: an answer depends on the zone only through where its
 * days begin, so zones whose days begin at the same instants (most of them, at any moment) share
 * one answer; a cluster with no history is refused from the load without a query or a cache
 * entry; a cluster's own rows are read once per load whatever zones it is asked in; and at most
 * `MAX_ANSWERS` answers are kept, least recently used dropped first.
 */
export class HistoryService {
	readonly #store: HistoryRepository;
	readonly #rollup: UptimeRollup;
	readonly #now: () => number;
	readonly #cacheMs: number;
	#loaded: Promise<Loaded> | undefined;
	/** Answers of one load (a newer load starts afresh), in least-recently-used order. */
	readonly #answers = new Map<string, { loaded: Loaded; value: Promise<unknown> }>();
	/** Derivations run one at a time, each after the loop has had a turn: see `#derive`. */
	#derivations: Promise<unknown> = Promise.resolve();
	/** Each zone's days for one load. */
	#days: { loaded: Loaded | undefined; byZone: Map<string, LocalDay[]> } = { loaded: undefined, byZone: new Map() };

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

	#cached<T>(key: string, loaded: Loaded, make: () => Promise<T>): Promise<T> {
		const hit = this.#answers.get(key);
		if (hit && hit.loaded === loaded) {
			this.#answers.delete(key);
			this.#answers.set(key, hit);
			return hit.value as Promise<T>;
		}
		const value = make();
		this.#answers.delete(key);
		this.#answers.set(key, { loaded, value });
		value.catch(() => {
			if (this.#answers.get(key)?.value === value) this.#answers.delete(key);
		});
		while (this.#answers.size > MAX_ANSWERS) this.#answers.delete(this.#answers.keys().next().value!);
		return value;
	}

	/**
	 * Runs a derivation (tens of milliseconds for the whole fleet at 1,000 clusters, all of it on
	 * the event loop) after every one queued before it, and only once the loop has served what
	 * waited meanwhile: a burst of new questions then delays a heartbeat or a poll by one
	 * derivation at most, not by all of them back to back.
	 */
	#derive<T>(make: () => T | Promise<T>): Promise<T> {
		const run = this.#derivations.then(() => new Promise<void>((r) => setImmediate(r))).then(make);
		this.#derivations = run.catch(() => undefined);
		return run;
	}

	/** The last 90 days in `timeZone` as of the load; the same array for every request of that load. */
	#daysOf(loaded: Loaded, timeZone: string): LocalDay[] {
		if (this.#days.loaded !== loaded) this.#days = { loaded, byZone: new Map() };
		let days = this.#days.byZone.get(timeZone);
		if (!days) {
			days = lastLocalDays(loaded.at, BAR_DAYS, timeZone);
			// Canonical zones number a few hundred; anything else a caller passed still cannot grow this for ever.
			if (this.#days.byZone.size >= 1_000) this.#days.byZone.clear();
			this.#days.byZone.set(timeZone, days);
		}
		return days;
	}

	/** The bot as a whole in `timeZone` (validated by the caller with `isTimeZone`). */
	async fleet(timeZone: string): Promise<FleetHistory> {
		const l = await this.#load();
		const days = this.#daysOf(l, timeZone);
		// One object per zone and load, so that what is made of it (its JSON) can be kept too.
		return this.#cached(`fleet-zone:${timeZone}`, l, async () => {
			const answer = await this.#cached(`fleet:${dayLayout(days)}`, l, () => this.#derive(() => this.#fleet(l, days, timeZone)));
			return answer.timeZone === timeZone ? answer : { ...answer, timeZone };
		});
	}

	/** The bot as a whole, derived from one load, with days cut as `days`. */
	#fleet(l: Loaded, days: LocalDay[], timeZone: string): FleetHistory {
		const now = l.at;
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
	}

	/** One cluster's bars, uptime and 24-hour ping; undefined when it has no history. */
	async cluster(id: number, timeZone: string): Promise<ClusterHistory | undefined> {
		const l = await this.#load();
		const shards = l.live.get(id) ?? [];
		const rolled = l.clusterTotals.get(id);
		// Unknown: answered from the load, no query and nothing cached (cluster ids are 7 digits).
		if (shards.length === 0 && !rolled) return undefined;
		const now = l.at;
		const pingFrom = Math.floor((now - DAY) / PING_BUCKET_MS) * PING_BUCKET_MS + PING_BUCKET_MS;
		// The cluster's rows, read once per load whatever zones it is asked in.
		const rows = this.#cached(`cluster-rows:${id}`, l, async () => ({
			hours: await this.#store.hourTotals(now - SPAN, l.liveFrom, id),
			ping: await this.#store.pingBuckets(id, pingFrom, PING_BUCKET_MS, PING_BUCKETS)
		}));
		const days = this.#daysOf(l, timeZone);
		const answer = await this.#cached(`cluster:${id}:${dayLayout(days)}`, l, async () => {
			const { hours, ping } = await rows;
			return this.#derive(() => {
				const holes = maintenanceFor(l.maintenance, id);
				const bars = new Bars(days);
				for (const h of hours) bars.addHour(h);
				bars.addLive(shards, liveDays(days, l.liveFrom), holes);
				const figures = PERIODS.map(([, length], i) => {
					const u = uptime(shards, { start: Math.max(l.liveFrom, now - length), end: now }, holes);
					return { down: (rolled?.down[i] ?? 0) + u.downMs, counted: (rolled?.counted[i] ?? 0) + u.countedMs };
				});
				return {
					id,
					generatedAt: now,
					timeZone,
					uptime: toFigures(figures),
					bars: bars.finish(),
					ping,
					pingFrom,
					pingBucketMs: PING_BUCKET_MS
				};
			});
		});
		return answer.timeZone === timeZone ? answer : { ...answer, timeZone };
	}

	/** Incidents of the last 90 days and maintenance not yet over (the summary and feeds). */
	async current(): Promise<{ incidents: Incident[]; maintenance: MaintenanceWindow[] }> {
		const l = await this.#load();
		return { incidents: l.incidents, maintenance: l.maintenance.filter((m) => m.endsAt > l.at) };
	}
}

/** Where each day begins: zones that agree on it get the same bars, so they share one answer. */
function dayLayout(days: readonly LocalDay[]): string {
	return days.map((d) => d.start).join(',');
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

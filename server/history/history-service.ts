import {
	dayTotals,
	lastLocalDays,
	uptime,
	type ClusterHistory,
	type DailyBars,
	type FleetHistory,
	type Incident,
	type Interval,
	type MaintenanceWindow,
	type ShardHistory,
	type UptimeFigures
} from '#shared';
import { maintenanceFor, type HistoryStore } from './store.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PERIODS = { '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY } as const;
const BAR_DAYS = 90;
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
	histories: Map<number, ShardHistory[]>;
	maintenance: MaintenanceWindow[];
	incidents: Incident[];
}

/**
 * Answers the history endpoints. The 91 days of transitions are loaded once per `cacheMs` and
 * shared by every time zone and cluster asked for meanwhile; each answer is cached too, so a
 * page load storm costs one database read and one derivation per zone.
 */
export class HistoryService {
	readonly #store: HistoryStore;
	readonly #now: () => number;
	readonly #cacheMs: number;
	#loaded: Promise<Loaded> | undefined;
	readonly #answers = new Map<string, { at: number; value: Promise<unknown> }>();

	constructor(options: { store: HistoryStore; now?: () => number; cacheMs?: number }) {
		this.#store = options.store;
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
		const window = { start: now - (BAR_DAYS + 1) * DAY, end: now };
		const loading = Promise.all([this.#store.histories(window), this.#store.maintenanceOverlapping({ start: window.start, end: Number.MAX_SAFE_INTEGER }), this.#store.incidents(now - 90 * DAY)]).then(
			([histories, maintenance, incidents]) => ({ at: now, histories, maintenance, incidents })
		);
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
			const sumDown = new Array<number>(days.length).fill(0);
			const sumCounted = new Array<number>(days.length).fill(0);
			const periods = Object.fromEntries(Object.keys(PERIODS).map((k) => [k, { down: 0, counted: 0 }])) as Record<keyof UptimeFigures, { down: number; counted: number }>;
			let shardCount = 0;
			const clusters: FleetHistory['clusters'] = [];
			for (const [id, shards] of [...l.histories].sort((a, b) => a[0] - b[0])) {
				const holes = maintenanceFor(l.maintenance, id);
				const figures = uptimeFigures(shards, now, holes, periods);
				clusters.push({ id, uptime: figures });
				const totals = dayTotals(shards, days, holes);
				for (let i = 0; i < days.length; i++) {
					sumDown[i]! += totals.downMs[i]!;
					sumCounted[i]! += totals.countedMs[i]!;
				}
				shardCount += shards.length;
			}
			return {
				generatedAt: now,
				timeZone,
				uptime: Object.fromEntries(Object.entries(periods).map(([k, p]) => [k, ratio(p.down, p.counted)])) as unknown as UptimeFigures,
				bars: toBars(days, sumDown, sumCounted, shardCount),
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
			const shards = l.histories.get(id);
			if (!shards) return undefined;
			const now = l.at;
			const holes = maintenanceFor(l.maintenance, id);
			const days = lastLocalDays(now, BAR_DAYS, timeZone);
			const totals = dayTotals(shards, days, holes);
			const pingFrom = Math.floor((now - DAY) / PING_BUCKET_MS) * PING_BUCKET_MS + PING_BUCKET_MS;
			return {
				id,
				generatedAt: now,
				timeZone,
				uptime: uptimeFigures(shards, now, holes),
				bars: toBars(days, totals.downMs, totals.countedMs, shards.length),
				ping: await this.#store.pingBuckets(id, pingFrom, PING_BUCKET_MS, PING_BUCKETS),
				pingFrom,
				pingBucketMs: PING_BUCKET_MS
			};
		});
	}

	/** Open incidents and maintenance not yet over, for the summary (cached like the rest). */
	async current(): Promise<{ incidents: Incident[]; maintenance: MaintenanceWindow[] }> {
		const l = await this.#load();
		return { incidents: l.incidents, maintenance: l.maintenance.filter((m) => m.endsAt > l.at) };
	}
}

function uptimeFigures(shards: ShardHistory[], now: number, holes: Interval[], into?: Record<keyof UptimeFigures, { down: number; counted: number }>): UptimeFigures {
	const out = {} as Record<keyof UptimeFigures, number | null>;
	for (const [key, length] of Object.entries(PERIODS) as [keyof UptimeFigures, number][]) {
		const u = uptime(shards, { start: now - length, end: now }, holes);
		out[key] = u.ratio === null ? null : round(u.ratio, 6);
		if (into) {
			into[key].down += u.downMs;
			into[key].counted += u.countedMs;
		}
	}
	return out;
}

function toBars(days: { day: string }[], downMs: number[], countedMs: number[], shardCount: number): DailyBars {
	const count = Math.max(1, shardCount);
	return {
		days: days.map((d) => d.day),
		ratio: days.map((_, i) => (countedMs[i] === 0 ? null : round(1 - downMs[i]! / countedMs[i]!, 4))),
		downMinutes: days.map((_, i) => round(downMs[i]! / count / 60_000, 1))
	};
}

const ratio = (down: number, counted: number) => (counted === 0 ? null : round(1 - down / counted, 6));
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

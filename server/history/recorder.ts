import { sql, type Kysely } from 'kysely';
import { backoffDelay, type BackoffPolicy, type ChangeSet, type ClusterStatus } from '#shared';
import type { Logger } from '../log.ts';
import type { HistoryDatabase } from './schema.ts';

export interface HistoryRecorderOptions {
	db: Kysely<HistoryDatabase>;
	logger: Logger;
	/** Rows older than this are pruned. Default 90 days. */
	retentionDays?: number;
	/**
	 * Transitions held in memory while the database is unavailable. Past this the oldest are
	 * dropped (and counted, and logged): memory stays bounded however long the outage. Default 200,000.
	 */
	maxQueued?: number;
	flushIntervalMs?: number;
	now?: () => number;
	/** Also pruned with the transitions (incidents, maintenance): everything older than `before`. */
	onPrune?: (before: number) => Promise<void>;
}

type ShardRow = { at: number; cluster_id: number; shard_id: number; state: string };
type ClusterRow = { at: number; cluster_id: number; lifecycle: string; shard_ids: string | null; total_shards: number | null };
type PingRow = { cluster_id: number; minute: number; samples: number; sum_ms: number; min_ms: number; max_ms: number };

const MINUTE = 60_000;
const CHUNK = 400;
/** The longest wait between write attempts while the database is away. */
export const MAX_BACKOFF_MS = 15_000;
/**
 * Retrying a failed write: the flush interval (`baseMs`, set per recorder) doubled per failure in a
 * row (the first failure waits 2 intervals) up to `MAX_BACKOFF_MS`, so a database that is down is
 * not hammered while the cap bounds how long history lags once it is back. At most 2^6 intervals,
 * so a short interval stays short. No jitter: one recorder per server process, no crowd to spread.
 */
const WRITE_RETRY: Omit<BackoffPolicy, 'baseMs'> = { maxMs: MAX_BACKOFF_MS, factor: 2, jitter: 0, maxExponent: 6 };

/**
 * Turns committed fleet changes into history rows: a shard's state when it changes, a cluster's
 * lifecycle and shard list (its membership) when either changes, a cluster's removal (the
 * fleet's membership over time, see `ClusterTransitionTable`), and its average ping folded into
 * per-minute aggregates. Recording
 * never waits on the database: rows queue in memory and are written once a second in one
 * transaction; a failed write keeps them and retries with backoff, so live status goes on without
 * history and nothing is lost once the database is back (up to `maxQueued`).
 */
export class HistoryRecorder {
	readonly #o: Required<Omit<HistoryRecorderOptions, 'onPrune'>> & Pick<HistoryRecorderOptions, 'onPrune'>;
	/** Per cluster, the state last recorded for each shard it runs. */
	readonly #shardState = new Map<number, Map<number, string>>();
	/** Per cluster, its last recorded row as `lifecycle shard,ids total` (or `removed`). */
	readonly #membership = new Map<number, string>();
	#shards: ShardRow[] = [];
	#clusters: ClusterRow[] = [];
	#pings = new Map<string, PingRow>();
	#timer: ReturnType<typeof setTimeout> | undefined;
	#failures = 0;
	#dropped = 0;
	#lastPrune = 0;
	#closed = false;
	#writing: Promise<void> = Promise.resolve();

	constructor(options: HistoryRecorderOptions) {
		this.#o = { retentionDays: 90, maxQueued: 200_000, flushIntervalMs: 1_000, now: Date.now, ...options };
	}

	/** Rows waiting to be written. */
	get queued(): number {
		return this.#shards.length + this.#clusters.length + this.#pings.size;
	}

	/** Transitions dropped because the queue was full while the database was away. */
	get dropped(): number {
		return this.#dropped;
	}

	get healthy(): boolean {
		return this.#failures === 0;
	}

	/** Records what a committed batch changed. `get` reads the clusters as committed. */
	observe(changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, at: number): void {
		for (const [id, change] of changes) {
			const cluster = get(id);
			if (change === 'removed' || !cluster) {
				if (this.#membership.get(id) !== 'removed') this.#clusters.push({ at, cluster_id: id, lifecycle: 'removed', shard_ids: null, total_shards: null });
				this.#membership.set(id, 'removed');
				// Should it come back, its shards are recorded afresh: they rejoin the fleet then.
				this.#shardState.delete(id);
				continue;
			}
			let states = this.#shardState.get(id);
			if (!states) this.#shardState.set(id, (states = new Map()));
			// A patch never moves a lifecycle or a shard list: only whole changes are compared.
			const shardIds = change === 'full' || !this.#membership.has(id) ? JSON.stringify(cluster.shardIds) : undefined;
			const membership = shardIds && `${cluster.lifecycle} ${shardIds} ${cluster.totalShards}`;
			if (shardIds && membership && this.#membership.get(id) !== membership) {
				this.#clusters.push({ at, cluster_id: id, lifecycle: cluster.lifecycle, shard_ids: shardIds, total_shards: cluster.totalShards });
				this.#membership.set(id, membership);
				// Shards this row no longer lists have left this cluster; recorded afresh if they return.
				const assigned = new Set(cluster.shardIds);
				for (const shardId of states.keys()) if (!assigned.has(shardId)) states.delete(shardId);
			}
			const reported = new Map(cluster.shards.map((s) => [s.id, s.state as string]));
			for (const shardId of cluster.shardIds) {
				const state = reported.get(shardId) ?? 'missing';
				if (states.get(shardId) === state) continue;
				states.set(shardId, state);
				this.#shards.push({ at, cluster_id: id, shard_id: shardId, state });
			}
			this.#samplePing(cluster, at);
		}
		this.#bound();
	}

	#samplePing(cluster: ClusterStatus, at: number): void {
		let sum = 0;
		let n = 0;
		for (const s of cluster.shards) if (s.ping !== null) (sum += s.ping), n++;
		if (n === 0) return;
		const ping = Math.round(sum / n);
		const minute = at - (at % MINUTE);
		const key = `${cluster.id}:${minute}`;
		const row = this.#pings.get(key);
		if (row) {
			row.samples++;
			row.sum_ms += ping;
			row.min_ms = Math.min(row.min_ms, ping);
			row.max_ms = Math.max(row.max_ms, ping);
		} else this.#pings.set(key, { cluster_id: cluster.id, minute, samples: 1, sum_ms: ping, min_ms: ping, max_ms: ping });
	}

	#bound(): void {
		const over = this.#shards.length + this.#clusters.length - this.#o.maxQueued;
		if (over <= 0) return;
		const fromShards = Math.min(over, this.#shards.length);
		this.#shards.splice(0, fromShards);
		this.#clusters.splice(0, over - fromShards);
		if (this.#dropped === 0) this.#o.logger.error({ limit: this.#o.maxQueued }, 'history queue full: dropping the oldest shard transitions until the database is back');
		this.#dropped += over;
	}

	start(): void {
		this.#schedule(this.#o.flushIntervalMs);
	}

	#schedule(ms: number): void {
		if (this.#closed) return;
		clearTimeout(this.#timer);
		this.#timer = setTimeout(() => void this.flush().finally(() => this.#schedule(this.#nextDelay())), ms);
		this.#timer.unref?.();
	}

	#nextDelay(): number {
		// Back off while the database is down (with the default 1 s interval: 2, 4, 8, then 15 s), so it
		// is not hammered; the cap bounds how long history lags once it is back, whatever the outage.
		return this.#failures === 0 ? this.#o.flushIntervalMs : backoffDelay(this.#failures, { ...WRITE_RETRY, baseMs: this.#o.flushIntervalMs });
	}

	/**
	 * Writes everything queued so far (one transaction); keeps it queued if the write fails.
	 * Writes run one after another, so when this resolves every row observed before the call has
	 * been attempted, even if a timer's write was already under way.
	 */
	flush(): Promise<void> {
		const next = this.#writing.then(() => this.#write());
		this.#writing = next.catch(() => undefined);
		return next;
	}

	async #write(): Promise<void> {
		const shards = this.#shards;
		const clusters = this.#clusters;
		const pings = this.#pings;
		if (shards.length + clusters.length + pings.size === 0) return this.#maybePrune();
		this.#shards = [];
		this.#clusters = [];
		this.#pings = new Map();
		try {
			await this.#o.db.transaction().execute(async (tx) => {
				for (let i = 0; i < shards.length; i += CHUNK) await tx.insertInto('shard_transitions').values(shards.slice(i, i + CHUNK)).execute();
				for (let i = 0; i < clusters.length; i += CHUNK) await tx.insertInto('cluster_transitions').values(clusters.slice(i, i + CHUNK)).execute();
				const rows = [...pings.values()];
				for (let i = 0; i < rows.length; i += CHUNK) {
					await tx
						.insertInto('ping_minutes')
						.values(rows.slice(i, i + CHUNK))
						.onConflict((oc) =>
							oc.columns(['cluster_id', 'minute']).doUpdateSet({
								samples: sql`ping_minutes.samples + excluded.samples`,
								sum_ms: sql`ping_minutes.sum_ms + excluded.sum_ms`,
								min_ms: sql`case when excluded.min_ms < ping_minutes.min_ms then excluded.min_ms else ping_minutes.min_ms end`,
								max_ms: sql`case when excluded.max_ms > ping_minutes.max_ms then excluded.max_ms else ping_minutes.max_ms end`
							})
						)
						.execute();
				}
			});
			if (this.#failures > 0) this.#o.logger.info({ rows: shards.length + clusters.length, dropped: this.#dropped }, 'history database is back; queued transitions written');
			this.#failures = 0;
			await this.#maybePrune();
		} catch (err) {
			// Put them back in front of anything recorded meanwhile, in order.
			this.#shards = shards.concat(this.#shards);
			this.#clusters = clusters.concat(this.#clusters);
			for (const [key, row] of this.#pings) {
				const old = pings.get(key);
				if (old) pings.set(key, { ...row, samples: row.samples + old.samples, sum_ms: row.sum_ms + old.sum_ms, min_ms: Math.min(row.min_ms, old.min_ms), max_ms: Math.max(row.max_ms, old.max_ms) });
				else pings.set(key, row);
			}
			this.#pings = pings;
			this.#bound();
			if (this.#failures++ === 0) this.#o.logger.error({ err: (err as Error).message, queued: this.queued }, 'history write failed; live status goes on, retrying with backoff');
		}
	}

	async #maybePrune(): Promise<void> {
		const now = this.#o.now();
		if (now - this.#lastPrune < 3_600_000) return;
		this.#lastPrune = now;
		const before = now - this.#o.retentionDays * 86_400_000;
		try {
			await this.#o.db.deleteFrom('shard_transitions').where('at', '<', before).execute();
			await this.#o.db.deleteFrom('cluster_transitions').where('at', '<', before).execute();
			await this.#o.db.deleteFrom('ping_minutes').where('minute', '<', before).execute();
			await this.#o.onPrune?.(before);
		} catch (err) {
			this.#o.logger.warn({ err: (err as Error).message }, 'history prune failed; will retry');
			this.#lastPrune = 0;
		}
	}

	/** Prunes now (tests; otherwise hourly when idle). */
	async prune(): Promise<void> {
		this.#lastPrune = 0;
		await this.#maybePrune();
	}

	/** Writes what is queued, stops the timer. The database is the caller's to close. */
	async close(): Promise<void> {
		this.#closed = true;
		clearTimeout(this.#timer);
		await this.flush().catch(() => undefined);
	}
}

import type { Kysely } from 'kysely';
import { backoffDelay, type BackoffPolicy, type ChangeSet, type ClusterStatus } from '#shared';
import type { Logger } from '../log.ts';
import type { Subsystem } from '../subsystem.ts';
import { createHistoryDatabase, migrateHistoryDatabase } from './database.ts';
import { HistoryService } from './history-service.ts';
import { IncidentMonitor } from './incident-monitor.ts';
import type { IncidentNotice } from './incident-notice.ts';
import { HistoryRecorder } from './recorder.ts';
import type { HistoryDatabase } from './schema.ts';
import { UptimeRollup } from './rollup.ts';
import { HistoryRepository, type RecordedMember } from './repository.ts';

export interface HistoryRuntimeOptions {
	/** `postgres://…` or an SQLite path (see `ServerConfig.database`). */
	database: string;
	retentionDays: number;
	incidentThresholdMs: number;
	logger: Logger;
	/** The bot's shard count now (incident impact). */
	totalShards: () => number;
	/** Automatic incidents opened, updated, resolved. */
	notify: (notice: IncidentNotice) => void;
	/** How often automatic incidents are checked. Default 5 s. */
	checkIntervalMs?: number;
	now?: () => number;
}

/**
 * Applying the schema while the database does not answer: 1 s doubling per failed attempt up to a
 * minute (the exponent stops at 6, past the cap anyway), so a database that is starting is found
 * soon and one that is down for hours is asked once a minute. No jitter: one runtime per server
 * process, no crowd to spread.
 */
const DATABASE_RETRY: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0, maxExponent: 6 };

/**
 * History as one part of the server: the database, the recorder that feeds it, the monitor that
 * derives incidents from it and the service that answers the API. The database may be down when
 * the server starts: live status starts anyway, the recorder queues, and the schema is applied
 * as soon as the database answers (retrying with backoff up to a minute).
 */
export class HistoryRuntime implements Subsystem {
	readonly db: Kysely<HistoryDatabase>;
	readonly store: HistoryRepository;
	readonly recorder: HistoryRecorder;
	readonly service: HistoryService;
	readonly monitor: IncidentMonitor;
	readonly rollup: UptimeRollup;
	readonly #o: HistoryRuntimeOptions;
	#ready = false;
	#closed = false;
	#retry: ReturnType<typeof setTimeout> | undefined;
	#rollupTimer: ReturnType<typeof setInterval> | undefined;
	#rolling: Promise<unknown> = Promise.resolve();
	#attempts = 0;
	#migrating: Promise<void> | undefined;

	constructor(options: HistoryRuntimeOptions) {
		this.#o = options;
		const now = options.now ?? Date.now;
		this.db = createHistoryDatabase(options.database);
		this.store = new HistoryRepository(this.db);
		this.recorder = new HistoryRecorder({ db: this.db, logger: options.logger, retentionDays: options.retentionDays, now, onPrune: (before) => this.store.prune(before) });
		this.rollup = new UptimeRollup({ store: this.store, logger: options.logger, now });
		this.service = new HistoryService({ store: this.store, rollup: this.rollup, now });
		this.monitor = new IncidentMonitor({
			store: this.store,
			logger: options.logger,
			notify: (notice) => {
				this.service.invalidate();
				options.notify(notice);
			},
			totalShards: options.totalShards,
			beforeCheck: () => this.recorder.flush(),
			thresholdMs: options.incidentThresholdMs,
			intervalMs: options.checkIntervalMs ?? 5_000,
			now
		});
	}

	/**
	 * Records what a fleet commit changed (queued, off the heartbeat path). Each instance records
	 * only its own commits, so every transition is written once however many instances there are.
	 */
	readonly record = (changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, at: number): void => this.recorder.observe(changes, get, at);

	/**
	 * The fleet as the history last recorded it (see `HistoryRepository.members`), once the
	 * database is open; empty if the runtime closes first.
	 */
	async members(): Promise<RecordedMember[]> {
		await this.whenReady();
		return this.#ready ? this.store.members() : [];
	}

	/** True once the schema is applied and the API can answer. */
	get ready(): boolean {
		return this.#ready;
	}

	/** Resolves once ready (tests); `start` does not wait for it. */
	whenReady(): Promise<void> {
		return this.#migrating ?? Promise.resolve();
	}

	/** Applies the schema in the background, then starts recording and watching. */
	start(): void {
		this.#migrating = new Promise((resolve) => {
			const attempt = () => {
				if (this.#closed) return resolve();
				migrateHistoryDatabase(this.db).then(
					() => {
						if (this.#closed) return resolve();
						this.#ready = true;
						if (this.#attempts > 0) this.#o.logger.info('history database reachable; history recording resumes');
						this.recorder.start();
						this.monitor.start();
						// Hours are rolled up once they are over; checking each minute is plenty.
						const roll = () => {
							this.#rolling = this.rollup.run().catch((err: Error) => this.#o.logger.warn({ err: err.message }, 'uptime rollup failed; retrying in a minute'));
						};
						roll();
						this.#rollupTimer = setInterval(roll, 60_000);
						this.#rollupTimer.unref?.();
						resolve();
					},
					(err: Error) => {
						const delay = backoffDelay(this.#attempts++, DATABASE_RETRY);
						this.#o.logger.error({ err: err.message, retryInMs: delay }, 'history database unavailable; live status goes on without history');
						this.#retry = setTimeout(attempt, delay);
						this.#retry.unref?.();
					}
				);
			};
			attempt();
		});
	}

	/** For `/healthz`. */
	health(): { history: 'sqlite' | 'postgres'; historyOk: boolean; historyQueued: number; historyDropped: number } {
		return {
			history: /^postgres/.test(this.#o.database) ? 'postgres' : 'sqlite',
			historyOk: this.#ready && this.recorder.healthy,
			historyQueued: this.recorder.queued,
			historyDropped: this.recorder.dropped
		};
	}

	/** Writes what is queued, stops every timer and closes the database. */
	async close(): Promise<void> {
		this.#closed = true;
		clearTimeout(this.#retry);
		clearInterval(this.#rollupTimer);
		await this.monitor.close();
		await this.#rolling;
		if (this.#ready) await this.recorder.close();
		else await this.recorder.close().catch(() => undefined);
		await this.db.destroy().catch(() => undefined);
	}
}

import { deriveIncidents, updatesToTell, type DerivedIncident, type Incident, type IncidentImpact, type IncidentUpdate } from '#shared';
import type { Logger } from '../log.ts';
import { clustersDown } from './incident-facts.ts';
import type { IncidentNotice, IncidentNoticeType } from './incident-notice.ts';
import { maintenanceFor, type HistoryRepository } from './repository.ts';
import { outagesOf, type ShardOutage } from './timeline.ts';


/** The notice each stored update is told as. */
const NOTICE: Record<NonNullable<IncidentUpdate['kind']>, IncidentNoticeType> = {
	opened: 'incident.opened',
	worsened: 'incident.updated',
	improved: 'incident.updated',
	resolved: 'incident.resolved',
	retired: 'incident.resolved'
};

export interface IncidentMonitorOptions {
	store: HistoryRepository;
	logger: Logger;
	notify: (notice: IncidentNotice) => void;
	/** The bot's shard count now, to grade impact. */
	totalShards: () => number;
	/** Written before each check, so the transitions it reads are the latest (the recorder's flush). */
	beforeCheck?: () => Promise<void>;
	/** Shards down at least this long open an incident. Default 2 minutes. */
	thresholdMs?: number;
	/** How often the heartbeats' history is checked. Default 5 s. */
	intervalMs?: number;
	/** How far back a new incident may have begun (older outages were a previous run's to report). Default 1 hour. */
	lookbackMs?: number;
	/** At most one public update per incident per this long (`updatesToTell`). Default 1 minute. */
	coalesceMs?: number;
	now?: () => number;
}

/**
 * Opens, updates and resolves automatic incidents from recorded transitions. Each check derives
 * incidents (`deriveIncidents`, the same pure function the history uses) from the outages of the
 * last hour, or since the oldest open incident began, and writes what is new as facts (how many
 * shards, which clusters and shards), coalesced by `updatesToTell` to at most one update per
 * incident per minute; readers get them worded in their language. Writes are idempotent, so
 * instances sharing a database each run a monitor and every incident, update and notice still
 * happens once: only the instance whose insert landed tells subscribers, one notice per update
 * stored, so webhooks hear exactly what the page and the feeds show.
 */
export class IncidentMonitor {
	readonly #o: Required<Omit<IncidentMonitorOptions, 'beforeCheck'>> & Pick<IncidentMonitorOptions, 'beforeCheck'>;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#closed = false;
	#failing = false;
	#running: Promise<void> | undefined;

	constructor(options: IncidentMonitorOptions) {
		this.#o = { thresholdMs: 120_000, intervalMs: 5_000, lookbackMs: 3_600_000, coalesceMs: 60_000, now: Date.now, ...options };
	}

	start(): void {
		this.#schedule();
	}

	#schedule(): void {
		if (this.#closed) return;
		this.#timer = setTimeout(() => void this.check().finally(() => this.#schedule()), this.#o.intervalMs);
		this.#timer.unref?.();
	}

	/** One check now (the timer calls it; tests call it after moving the clock). Never rejects. */
	check(): Promise<void> {
		this.#running ??= this.#check()
			.then(() => {
				if (this.#failing) this.#o.logger.info('incident monitor: history database is back');
				this.#failing = false;
			})
			.catch((err: unknown) => {
				// Live status does not need this; log once per outage and try again next tick.
				if (!this.#failing) this.#o.logger.error({ err: (err as Error).message }, 'incident monitor could not read history; retrying');
				this.#failing = true;
			})
			.finally(() => (this.#running = undefined));
		return this.#running;
	}

	async #check(): Promise<void> {
		const { store } = this.#o;
		await this.#o.beforeCheck?.();
		const now = this.#o.now();
		const open = await store.openAutoIncidents();
		const window = { start: Math.min(now - this.#o.lookbackMs, ...open.map((i) => i.startedAt)), end: now };
		const [histories, maintenance] = await Promise.all([store.histories(window), store.maintenanceOverlapping(window)]);
		const outages = outagesOf(histories, (id) => maintenanceFor(maintenance, id));
		const derived = deriveIncidents(outages, { now, thresholdMs: this.#o.thresholdMs });

		const seen = new Set<number>();
		for (const d of derived) {
			const clusterIds = clustersDown(outages, d.shardIds, d.start, d.end ?? now);
			const known = open.find((i) => i.startedAt === d.start);
			if (known) seen.add(known.id);
			// An incident resolved before this window was handled by an earlier check.
			if (!known && d.end !== null && d.end < window.start) continue;
			await this.#apply(d, clusterIds, known, outages, now);
		}
		// Open incidents no longer derived (maintenance now covers them, or their rows were pruned): close them.
		for (const incident of open) {
			if (seen.has(incident.id)) continue;
			if (await store.addUpdate(incident.id, { at: now, status: 'resolved', message: '', kind: 'resolved', shardsDown: [], clusterIdsDown: [] })) {
				await store.setIncident(incident.id, { status: 'resolved', resolvedAt: now });
				await this.#tell('incident.resolved', incident.id);
			}
		}
	}

	async #apply(d: DerivedIncident, clusterIds: number[], known: Incident | undefined, outages: readonly ShardOutage[], now: number): Promise<void> {
		const { store } = this.#o;
		let id = known?.id;
		if (id === undefined) {
			const impact = this.#impact(d.peak);
			id = await store.insertAutoIncident({ autoKey: d.start, titleFacts: { shardCount: d.shardIds.length, clusterIds }, impact, startedAt: d.start, clusterIds, shardIds: d.shardIds });
			// Another instance (or an earlier run) stored it; it is that one's to report.
			if (id === undefined) return;
		}
		const last = known?.updates.findLast((u) => u.kind && u.shardsDown);
		const told = last ? { at: last.at, kind: last.kind!, shardsDown: last.shardsDown! } : undefined;
		const stored: { type: IncidentNoticeType; update: IncidentUpdate }[] = [];
		const window = this.#o.coalesceMs;
		for (const event of updatesToTell(d.timeline, told, { now, windowMs: window })) {
			// Nothing down any more ends it, whichever way the shards went.
			const status = event.shardsDown.length === 0 ? 'resolved' : (known?.status ?? 'investigating');
			// The clusters of the minute the update tells, from its stamp to the minute's end.
			const clusterIdsDown = clustersDown(outages, event.shardsDown, event.at, (Math.floor(event.at / window) + 1) * window);
			const update = { id: 0, at: event.at, status, message: '', kind: event.kind, shardsDown: event.shardsDown, clusterIdsDown };
			if (await store.addUpdate(id, update)) stored.push({ type: NOTICE[event.kind], update });
		}
		if (!known || known.shardIds.length !== d.shardIds.length) {
			await store.setIncident(id, { shardIds: d.shardIds, clusterIds, impact: this.#impact(d.peak) });
		}
		if (d.end !== null) await store.setIncident(id, { status: 'resolved', resolvedAt: d.end });
		for (const { type, update } of stored) await this.#tell(type, id, update);
	}

	async #tell(type: IncidentNoticeType, id: number, update?: IncidentUpdate): Promise<void> {
		const incident = await this.#o.store.incident(id);
		if (!incident) return;
		this.#o.notify({ type, incident, update: update ? (incident.updates.findLast((u) => u.at === update.at && u.kind === update.kind) ?? update) : incident.updates.at(-1) });
	}

	#impact(peak: number): IncidentImpact {
		const total = Math.max(1, this.#o.totalShards());
		const share = peak / total;
		return share >= 0.5 ? 'critical' : share >= 0.1 ? 'major' : 'minor';
	}

	/** Stops the timer and waits for a check in progress. */
	async close(): Promise<void> {
		this.#closed = true;
		clearTimeout(this.#timer);
		await this.#running;
	}
}

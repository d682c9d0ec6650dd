import { compactRanges, deriveIncidents, type DerivedIncident, type Incident, type IncidentImpact, type IncidentUpdate } from '#shared';
import type { Logger } from '../log.ts';
import type { IncidentNotice, IncidentNoticeType } from './incident-notice.ts';
import { maintenanceFor, type HistoryRepository } from './repository.ts';
import { outagesOf } from './timeline.ts';


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
	now?: () => number;
}

/**
 * Opens, updates and resolves automatic incidents from recorded transitions. Each check derives
 * incidents (`deriveIncidents`, the same pure function the history uses) from the outages of the
 * last hour, or since the oldest open incident began, and writes what is new. Writes are
 * idempotent, so instances sharing a database each run a monitor and every incident, update and
 * notice still happens once: only the instance whose insert landed tells subscribers.
 */
export class IncidentMonitor {
	readonly #o: Required<Omit<IncidentMonitorOptions, 'beforeCheck'>> & Pick<IncidentMonitorOptions, 'beforeCheck'>;
	#timer: ReturnType<typeof setTimeout> | undefined;
	#closed = false;
	#failing = false;
	#running: Promise<void> | undefined;

	constructor(options: IncidentMonitorOptions) {
		this.#o = { thresholdMs: 120_000, intervalMs: 5_000, lookbackMs: 3_600_000, now: Date.now, ...options };
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
		const clustersOf = new Map<number, Set<number>>();
		for (const o of outages) for (const c of o.clusterIds) clustersOf.set(o.shardId, (clustersOf.get(o.shardId) ?? new Set()).add(c));
		const derived = deriveIncidents(outages, { now, thresholdMs: this.#o.thresholdMs });

		const seen = new Set<number>();
		for (const d of derived) {
			const clusterIds = [...new Set(d.shardIds.flatMap((s) => [...(clustersOf.get(s) ?? [])]))].sort((a, b) => a - b);
			const known = open.find((i) => i.startedAt === d.start);
			if (known) seen.add(known.id);
			// An incident resolved before this window was handled by an earlier check.
			if (!known && d.end !== null && d.end < window.start) continue;
			await this.#apply(d, clusterIds, known);
		}
		// Open incidents no longer derived (maintenance now covers them, or their rows were pruned): close them.
		for (const incident of open) {
			if (seen.has(incident.id)) continue;
			if (await store.addUpdate(incident.id, { at: now, status: 'resolved', message: 'The affected shards are no longer counted as down.', kind: 'resolved', shardsDown: [] })) {
				await store.setIncident(incident.id, { status: 'resolved', resolvedAt: now });
				await this.#tell('incident.resolved', incident.id);
			}
		}
	}

	async #apply(d: DerivedIncident, clusterIds: number[], known: Incident | undefined): Promise<void> {
		const { store } = this.#o;
		let id = known?.id;
		let created = false;
		if (id === undefined) {
			const impact = this.#impact(d.peak);
			id = await store.insertAutoIncident({ autoKey: d.start, title: titleFor(clusterIds, d.shardIds), impact, startedAt: d.start, clusterIds, shardIds: d.shardIds });
			// Another instance (or an earlier run) stored it; it is that one's to report.
			if (id === undefined) return;
			created = true;
		}
		const lastAt = known?.updates.filter((u) => u.kind).at(-1)?.at ?? -Infinity;
		let told = created ? 'incident.opened' : undefined;
		let lastNew: IncidentUpdate | undefined;
		for (const event of d.timeline) {
			if (event.at <= lastAt) continue;
			const over = event.kind === 'resolved' || event.kind === 'retired';
			const status = over ? 'resolved' : (known?.status ?? 'investigating');
			const update = { at: event.at, status, message: sentenceFor(event.kind, event.shardsDown, event.shardsLeft), kind: event.kind, shardsDown: event.shardsDown } as const;
			if (!(await store.addUpdate(id, update))) continue;
			lastNew = { id: 0, ...update };
			if (over) told = created ? 'incident.opened' : 'incident.resolved';
			else told ??= 'incident.updated';
		}
		if (!known || known.shardIds.length !== d.shardIds.length) {
			await store.setIncident(id, { shardIds: d.shardIds, clusterIds, impact: this.#impact(d.peak) });
		}
		if (d.end !== null) await store.setIncident(id, { status: 'resolved', resolvedAt: d.end });
		if (told) await this.#tell(told as IncidentNoticeType, id, lastNew);
		// An incident opened and resolved between two checks is still told both ways.
		if (created && d.end !== null) await this.#tell('incident.resolved', id, lastNew);
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

function titleFor(clusterIds: number[], shardIds: number[]): string {
	const where = clusterIds.length === 1 ? `cluster ${clusterIds[0]}` : clusterIds.length <= 4 ? `clusters ${clusterIds.join(', ')}` : `${clusterIds.length} clusters`;
	return `${shardIds.length === 1 ? 'Shard' : 'Shards'} down in ${where}`;
}

function sentenceFor(kind: string, down: number[], left: number[] = []): string {
	const list = down.length > 0 ? ` (${compactRanges(down)})` : '';
	switch (kind) {
		case 'retired':
			return `The ${left.length === 1 ? 'shard still down was' : `${left.length} shards still down were`} removed from the fleet (${compactRanges(left)}); none is down now.`;
		case 'opened':
			return `Shardbeat detected ${down.length} ${down.length === 1 ? 'shard' : 'shards'} down${list}.`;
		case 'worsened':
			return `More shards went down: ${down.length} down now${list}.`;
		case 'improved':
			return `Some shards recovered: ${down.length} still down${list}.`;
		default:
			return 'All affected shards are back.';
	}
}

import { sql, type Kysely, type Selectable, type Updateable } from 'kysely';
import type {
	Incident,
	IncidentImpact,
	IncidentStatus,
	IncidentTitleFacts,
	IncidentUpdate,
	Interval,
	MaintenanceWindow,
	NewIncident,
	NewIncidentUpdate,
	NewMaintenance
} from '#shared';
import { localizeIncident } from '#shared/i18n/incident-text';
import type { HistoryDatabase, IncidentTable, IncidentUpdateTable, MaintenanceTable } from './schema.ts';
import { buildShardHistories, type RecordedShard } from './timeline.ts';

/** What an automatic incident is made of when the monitor first sees it. */
export interface AutoIncidentDraft {
	autoKey: number;
	titleFacts: IncidentTitleFacts;
	impact: IncidentImpact;
	startedAt: number;
	clusterIds: number[];
	shardIds: number[];
}

/** A cluster of the fleet as the history last recorded it (see `HistoryRepository.members`). */
export interface RecordedMember {
	id: number;
	lifecycle: string;
	shardIds: number[];
	totalShards: number;
	/** When it was last heard from, to the minute (its last recorded row or ping sample). */
	lastHeartbeatAt: number;
}

const MINUTE = 60_000;
const ids = (text: string | null): number[] => (text ? (JSON.parse(text) as number[]) : []);

/**
 * Reads and writes history: transitions become shard histories, incidents and maintenance are
 * rows. Every write that instances sharing one database could race on is idempotent (unique keys,
 * insert-or-nothing), so each incident and automatic update is stored once.
 */
export class HistoryRepository {
	constructor(readonly db: Kysely<HistoryDatabase>) {}

	/** Per-cluster shard histories over `window`, starting from the state each shard was in. */
	async histories(window: Interval): Promise<Map<number, RecordedShard[]>> {
		const { db } = this;
		const before = db
			.selectFrom('shard_transitions')
			.select(['cluster_id', 'shard_id', (eb) => eb.fn.max('at').as('last')])
			.where('at', '<', window.start)
			.groupBy(['cluster_id', 'shard_id'])
			.as('p');
		const [inside, initial, clusters, clustersBefore] = await Promise.all([
			// In the order written: rows of one millisecond are read as that instant's last word.
			db.selectFrom('shard_transitions').select(['at', 'cluster_id', 'shard_id', 'state']).where('at', '>=', window.start).where('at', '<=', window.end).orderBy('id').execute(),
			db
				.selectFrom('shard_transitions as s')
				.innerJoin(before, (j) => j.onRef('s.cluster_id', '=', 'p.cluster_id').onRef('s.shard_id', '=', 'p.shard_id').onRef('s.at', '=', 'p.last'))
				.select(['s.at', 's.cluster_id', 's.shard_id', 's.state'])
				.orderBy('s.id')
				.execute(),
			db.selectFrom('cluster_transitions').select(['at', 'cluster_id', 'lifecycle', 'shard_ids']).where('at', '>=', window.start).where('at', '<=', window.end).orderBy('id').execute(),
			// Each cluster's membership when the window starts: one removed before it, or whose shard
			// list dropped a shard before it, must not have those shards tracked inside it.
			db
				.selectFrom('cluster_transitions as c')
				.innerJoin(
					db.selectFrom('cluster_transitions').select(['cluster_id', (eb) => eb.fn.max('at').as('last')]).where('at', '<', window.start).groupBy('cluster_id').as('q'),
					(j) => j.onRef('c.cluster_id', '=', 'q.cluster_id').onRef('c.at', '=', 'q.last')
				)
				.select(['c.at', 'c.cluster_id', 'c.lifecycle', 'c.shard_ids'])
				.orderBy('c.id')
				.execute()
		]);
		const layout = (r: { at: number; cluster_id: number; lifecycle: string; shard_ids: string | null }) => ({ ...r, shard_ids: r.shard_ids === null ? null : ids(r.shard_ids) });
		return buildShardHistories([...initial, ...inside], [...clustersBefore.map(layout), ...clusters.map(layout)], window);
	}

	/**
	 * The fleet as the history last recorded it: every cluster whose latest row does not remove it,
	 * with the shards it ran. A restarted server expects these clusters, and shows the ones that
	 * never report again as stopped. Rows from before shard lists were recorded (migration 004)
	 * fall back to every shard the cluster ever reported.
	 */
	async members(): Promise<RecordedMember[]> {
		const { db } = this;
		const latest = await db
			.selectFrom('cluster_transitions as c')
			.innerJoin(db.selectFrom('cluster_transitions').select(['cluster_id', (eb) => eb.fn.max('at').as('last')]).groupBy('cluster_id').as('q'), (j) =>
				j.onRef('c.cluster_id', '=', 'q.cluster_id').onRef('c.at', '=', 'q.last')
			)
			.select(['c.id', 'c.at', 'c.cluster_id', 'c.lifecycle', 'c.shard_ids', 'c.total_shards'])
			.execute();
		// Two rows at one instant: the one written last is the latest.
		const byCluster = new Map<number, (typeof latest)[number]>();
		for (const r of latest) if (Number(r.id) > Number(byCluster.get(r.cluster_id)?.id ?? -1)) byCluster.set(r.cluster_id, r);
		const rows = [...byCluster.values()].filter((r) => r.lifecycle !== 'removed').sort((a, b) => a.cluster_id - b.cluster_id);
		const legacy = rows.filter((r) => r.shard_ids === null).map((r) => r.cluster_id);
		const seen = new Map<number, number[]>();
		for (let i = 0; i < legacy.length; i += 500) {
			const pairs = await db.selectFrom('shard_transitions').select(['cluster_id', 'shard_id']).where('cluster_id', 'in', legacy.slice(i, i + 500)).groupBy(['cluster_id', 'shard_id']).execute();
			for (const p of pairs) seen.set(p.cluster_id, [...(seen.get(p.cluster_id) ?? []), p.shard_id]);
		}
		const members: RecordedMember[] = [];
		for (const r of rows) {
			// One indexed lookup per cluster (the ping table's key), not a scan of months of minutes.
			const ping = await db.selectFrom('ping_minutes').select((eb) => eb.fn.max('minute').as('last')).where('cluster_id', '=', r.cluster_id).where('minute', '>=', Number(r.at) - MINUTE).executeTakeFirst();
			const shardIds = r.shard_ids === null ? (seen.get(r.cluster_id) ?? []).sort((a, b) => a - b) : ids(r.shard_ids);
			members.push({
				id: r.cluster_id,
				lifecycle: r.lifecycle,
				shardIds,
				totalShards: r.total_shards ?? Math.max(0, ...shardIds.map((s) => s + 1)),
				lastHeartbeatAt: Math.max(Number(r.at), Number(ping?.last ?? 0))
			});
		}
		return members;
	}

	/**
	 * Rolled-up hours in [from, until), summed over clusters (or one cluster's), ascending:
	 * at most one row per hour whatever the fleet's size.
	 */
	async hourTotals(from: number, until: number, clusterId?: number): Promise<{ hour: number; down: number; counted: number; shards: number }[]> {
		let q = this.db
			.selectFrom('uptime_hours')
			.select(['hour', (eb) => eb.fn.sum<number>('down_ms').as('down'), (eb) => eb.fn.sum<number>('counted_ms').as('counted'), (eb) => eb.fn.sum<number>('shards').as('shards')])
			.where('hour', '>=', from)
			.where('hour', '<', until)
			.groupBy('hour')
			.orderBy('hour');
		q = clusterId === undefined ? q.where('cluster_id', '>=', 0) : q.where('cluster_id', '=', clusterId);
		const rows = await q.execute();
		// PostgreSQL sums bigints as numeric, which the driver hands back as strings.
		return rows.map((r) => ({ hour: Number(r.hour), down: Number(r.down), counted: Number(r.counted), shards: Number(r.shards) }));
	}

	/** Per cluster, rolled-up down and counted ms since each of `since` (and before `until`). */
	async clusterTotals(since: readonly number[], until: number): Promise<Map<number, { down: number[]; counted: number[] }>> {
		const earliest = Math.min(...since);
		const rows = await this.db
			.selectFrom('uptime_hours')
			.select('cluster_id')
			.select(since.flatMap((t, i) => [sql<number>`sum(case when hour >= ${t} then down_ms else 0 end)`.as(`d${i}`), sql<number>`sum(case when hour >= ${t} then counted_ms else 0 end)`.as(`c${i}`)]))
			.where('cluster_id', '>=', 0)
			.where('hour', '>=', earliest)
			.where('hour', '<', until)
			.groupBy('cluster_id')
			.execute();
		const out = new Map<number, { down: number[]; counted: number[] }>();
		for (const r of rows as Record<string, unknown>[]) {
			out.set(Number(r.cluster_id), { down: since.map((_, i) => Number(r[`d${i}`])), counted: since.map((_, i) => Number(r[`c${i}`])) });
		}
		return out;
	}

	/** Average ping per bucket for one cluster, `count` buckets from `from`; null where none was sampled. */
	async pingBuckets(clusterId: number, from: number, bucketMs: number, count: number): Promise<(number | null)[]> {
		const rows = await this.db
			.selectFrom('ping_minutes')
			.select(['minute', 'samples', 'sum_ms'])
			.where('cluster_id', '=', clusterId)
			.where('minute', '>=', from)
			.where('minute', '<', from + bucketMs * count)
			.execute();
		const sums = new Array<number>(count).fill(0);
		const samples = new Array<number>(count).fill(0);
		for (const r of rows) {
			const b = Math.floor((Number(r.minute) - from) / bucketMs);
			sums[b]! += Number(r.sum_ms);
			samples[b]! += Number(r.samples);
		}
		return sums.map((sum, b) => (samples[b] === 0 ? null : Math.round(sum / samples[b]!)));
	}

	// ── incidents ────────────────────────────────────────────────────────────────────────────

	/** Incidents that started, or were still open, at or after `since`; newest first, updates oldest first. */
	async incidents(since: number): Promise<Incident[]> {
		const rows = await this.db
			.selectFrom('incidents')
			.selectAll()
			.where((eb) => eb.or([eb('started_at', '>=', since), eb('resolved_at', 'is', null), eb('resolved_at', '>=', since)]))
			.orderBy('started_at', 'desc')
			.orderBy('id', 'desc')
			.execute();
		return this.#withUpdates(rows);
	}

	async incident(id: number): Promise<Incident | undefined> {
		const rows = await this.db.selectFrom('incidents').selectAll().where('id', '=', id).execute();
		return (await this.#withUpdates(rows))[0];
	}

	/** Automatic incidents not yet resolved. */
	async openAutoIncidents(): Promise<Incident[]> {
		const rows = await this.db.selectFrom('incidents').selectAll().where('source', '=', 'auto').where('resolved_at', 'is', null).execute();
		return this.#withUpdates(rows);
	}

	async #withUpdates(rows: Selectable<IncidentTable>[]): Promise<Incident[]> {
		if (rows.length === 0) return [];
		const updates = await this.db
			.selectFrom('incident_updates')
			.selectAll()
			.where(
				'incident_id',
				'in',
				rows.map((r) => Number(r.id))
			)
			.orderBy('at')
			.orderBy('id')
			.execute();
		const byIncident = new Map<number, IncidentUpdate[]>();
		for (const u of updates) {
			const list = byIncident.get(Number(u.incident_id)) ?? [];
			list.push(toUpdate(u));
			byIncident.set(Number(u.incident_id), list);
		}
		return rows.map((r) => toIncident(r, byIncident.get(Number(r.id)) ?? []));
	}

	/**
	 * Stores an automatic incident unless one with the same key exists (another instance, or an
	 * earlier run, got there first). Returns its id when this call created it, else undefined.
	 */
	async insertAutoIncident(draft: AutoIncidentDraft): Promise<number | undefined> {
		const row = await this.db
			.insertInto('incidents')
			.values({
				source: 'auto',
				auto_key: draft.autoKey,
				title: '',
				title_facts: JSON.stringify(draft.titleFacts),
				status: 'investigating',
				impact: draft.impact,
				started_at: draft.startedAt,
				resolved_at: null,
				cluster_ids: JSON.stringify(draft.clusterIds),
				shard_ids: JSON.stringify(draft.shardIds)
			})
			.onConflict((oc) => oc.column('auto_key').doNothing())
			.returning('id')
			.executeTakeFirst();
		return row ? Number(row.id) : undefined;
	}

	/**
	 * Adds an update once (per incident, instant and kind). Returns whether this call added it. An
	 * automatic update with `clusterIdsDown` is stored as its facts alone: its text is rendered per reader.
	 */
	async addUpdate(incidentId: number, update: Omit<IncidentUpdate, 'id'>): Promise<boolean> {
		const facts = update.kind !== undefined && update.clusterIdsDown !== undefined;
		const row = await this.db
			.insertInto('incident_updates')
			.values({
				incident_id: incidentId,
				at: update.at,
				status: update.status,
				message: facts ? '' : update.message,
				kind: update.kind ?? 'operator',
				shards_down: update.shardsDown ? JSON.stringify(update.shardsDown) : null,
				clusters_down: facts ? JSON.stringify(update.clusterIdsDown) : null
			})
			.onConflict((oc) => oc.columns(['incident_id', 'at', 'kind']).doNothing())
			.returning('id')
			.executeTakeFirst();
		return row !== undefined;
	}

	/** Moves an incident's status (and who it affects); `resolved` stamps `resolvedAt` once. */
	async setIncident(id: number, patch: { status?: IncidentStatus; resolvedAt?: number; impact?: IncidentImpact; clusterIds?: number[]; shardIds?: number[] }): Promise<void> {
		const set: Updateable<IncidentTable> = {};
		if (patch.status) set.status = patch.status;
		if (patch.impact) set.impact = patch.impact;
		if (patch.clusterIds) set.cluster_ids = JSON.stringify(patch.clusterIds);
		if (patch.shardIds) set.shard_ids = JSON.stringify(patch.shardIds);
		if (Object.keys(set).length > 0) await this.db.updateTable('incidents').set(set).where('id', '=', id).execute();
		// A title stored as facts says how many shards in which clusters: it follows them.
		if (patch.shardIds && patch.clusterIds) {
			const facts: IncidentTitleFacts = { shardCount: patch.shardIds.length, clusterIds: patch.clusterIds };
			await this.db.updateTable('incidents').set({ title_facts: JSON.stringify(facts) }).where('id', '=', id).where('title_facts', 'is not', null).execute();
		}
		if (patch.resolvedAt !== undefined) {
			await this.db.updateTable('incidents').set({ resolved_at: patch.resolvedAt }).where('id', '=', id).where('resolved_at', 'is', null).execute();
		}
	}

	/** An operator's incident, with its first update. */
	async createIncident(input: NewIncident, now: number): Promise<Incident> {
		const status = input.status ?? 'investigating';
		const id = await this.db.transaction().execute(async (tx) => {
			const row = await tx
				.insertInto('incidents')
				.values({
					source: 'operator',
					auto_key: null,
					title: input.title,
					status,
					impact: input.impact ?? 'minor',
					started_at: now,
					resolved_at: status === 'resolved' ? now : null,
					cluster_ids: JSON.stringify([...new Set(input.clusterIds ?? [])].sort((a, b) => a - b)),
					shard_ids: '[]'
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			await tx.insertInto('incident_updates').values({ incident_id: Number(row.id), at: now, status, message: input.message, kind: 'operator', shards_down: null }).execute();
			return Number(row.id);
		});
		return (await this.incident(id))!;
	}

	/** An operator's update: moves the incident to its status. Undefined when there is no such incident. */
	async postUpdate(id: number, input: NewIncidentUpdate, now: number): Promise<Incident | undefined> {
		if (!(await this.incident(id))) return undefined;
		await this.addUpdate(id, { at: now, status: input.status, message: input.message });
		await this.setIncident(id, { status: input.status, ...(input.status === 'resolved' ? { resolvedAt: now } : {}) });
		return this.incident(id);
	}

	// ── edits in place (the console) ─────────────────────────────────────────────────────────

	/**
	 * Renames and/or annotates an incident (`null` clears). Every edit in place bumps `revision`,
	 * so a page holding an older copy with the same updates takes the new one. Undefined when
	 * there is no such incident.
	 */
	async patchIncident(id: number, patch: { titleOverride?: string | null; title?: string; note?: string | null }): Promise<Incident | undefined> {
		const set: Updateable<IncidentTable> = {};
		if (patch.titleOverride !== undefined) set.title_override = patch.titleOverride;
		if (patch.title !== undefined) set.title = patch.title;
		if (patch.note !== undefined) set.note = patch.note;
		return this.#edit(id, set);
	}

	/** Writes (or rewrites) the postmortem. */
	async setPostmortem(id: number, message: string, now: number): Promise<Incident | undefined> {
		return this.#edit(id, { postmortem: message, postmortem_at: now });
	}

	/** Replaces an update's text (the original is kept in its row). Undefined when the incident has no such update. */
	async editUpdate(incidentId: number, updateId: number, message: string, now: number): Promise<Incident | undefined> {
		return this.db.transaction().execute(async (tx) => {
			const result = await tx.updateTable('incident_updates').set({ edited_message: message, edited_at: now }).where('id', '=', updateId).where('incident_id', '=', incidentId).executeTakeFirst();
			if (Number(result.numUpdatedRows) === 0) return undefined;
			await tx.updateTable('incidents').set((eb) => ({ revision: eb('revision', '+', 1) })).where('id', '=', incidentId).execute();
			return new HistoryRepository(tx).incident(incidentId);
		});
	}

	async #edit(id: number, set: Updateable<IncidentTable>): Promise<Incident | undefined> {
		const result = await this.db
			.updateTable('incidents')
			.set((eb) => ({ ...set, revision: eb('revision', '+', 1) }))
			.where('id', '=', id)
			.executeTakeFirst();
		return Number(result.numUpdatedRows) === 0 ? undefined : this.incident(id);
	}

	/** Deletes an incident and its updates for good. Returns whether there was one. */
	async deleteIncident(id: number): Promise<boolean> {
		return this.db.transaction().execute(async (tx) => {
			await tx.deleteFrom('incident_updates').where('incident_id', '=', id).execute();
			const result = await tx.deleteFrom('incidents').where('id', '=', id).executeTakeFirst();
			return Number(result.numDeletedRows) > 0;
		});
	}

	// ── maintenance ──────────────────────────────────────────────────────────────────────────

	/** Windows that end after `after`, soonest first. */
	async maintenance(after: number): Promise<MaintenanceWindow[]> {
		const rows = await this.db.selectFrom('maintenance_windows').selectAll().where('ends_at', '>', after).orderBy('starts_at').execute();
		return rows.map(toMaintenance);
	}

	/** Every window overlapping `window` (for uptime and incidents over the past). */
	async maintenanceOverlapping(window: Interval): Promise<MaintenanceWindow[]> {
		const rows = await this.db
			.selectFrom('maintenance_windows')
			.selectAll()
			.where('ends_at', '>', window.start)
			.where('starts_at', '<', window.end)
			.orderBy('starts_at')
			.execute();
		return rows.map(toMaintenance);
	}

	async createMaintenance(input: NewMaintenance): Promise<MaintenanceWindow> {
		const clusterIds = input.clusterIds ? [...new Set(input.clusterIds)].sort((a, b) => a - b) : null;
		const row = await this.db
			.insertInto('maintenance_windows')
			.values({
				title: input.title,
				message: input.message ?? '',
				starts_at: input.startsAt,
				ends_at: input.endsAt,
				cluster_ids: clusterIds ? JSON.stringify(clusterIds) : null
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		return toMaintenance(row);
	}

	async maintenanceWindow(id: number): Promise<MaintenanceWindow | undefined> {
		const row = await this.db.selectFrom('maintenance_windows').selectAll().where('id', '=', id).executeTakeFirst();
		return row ? toMaintenance(row) : undefined;
	}

	/** Rewrites a window (the caller has checked the result is a valid window). */
	async updateMaintenance(id: number, window: Omit<MaintenanceWindow, 'id'>): Promise<MaintenanceWindow | undefined> {
		const clusterIds = window.clusterIds ? [...new Set(window.clusterIds)].sort((a, b) => a - b) : null;
		const row = await this.db
			.updateTable('maintenance_windows')
			.set({ title: window.title, message: window.message, starts_at: window.startsAt, ends_at: window.endsAt, cluster_ids: clusterIds ? JSON.stringify(clusterIds) : null })
			.where('id', '=', id)
			.returningAll()
			.executeTakeFirst();
		return row ? toMaintenance(row) : undefined;
	}

	/** Returns whether a window was deleted. */
	async deleteMaintenance(id: number): Promise<boolean> {
		const result = await this.db.deleteFrom('maintenance_windows').where('id', '=', id).executeTakeFirst();
		return Number(result.numDeletedRows) > 0;
	}

	/** Deletes incidents resolved and maintenance ended before `before` (retention). */
	async prune(before: number): Promise<void> {
		const old = this.db.selectFrom('incidents').select('id').where('resolved_at', '<', before);
		await this.db.deleteFrom('incident_updates').where('incident_id', 'in', old).execute();
		await this.db.deleteFrom('incidents').where('resolved_at', '<', before).execute();
		await this.db.deleteFrom('maintenance_windows').where('ends_at', '<', before).execute();
		// Sessions past their absolute expiry are refused anyway; their rows go with the rest.
		await this.db.deleteFrom('console_sessions').where('expires_at', '<', before).execute();
	}

	/** A cheap query that fails when the database is unreachable. */
	async ping(): Promise<void> {
		await sql`select 1`.execute(this.db);
	}
}

/**
 * A row as the API answers it. Facts stay beside the text; automatic rows stored as facts get
 * their English wording in `title` and `message`, for clients that do not render facts themselves.
 */
function toIncident(r: Selectable<IncidentTable>, updates: IncidentUpdate[]): Incident {
	// An operator's title wins over the facts' (and is shown as written in every language).
	const facts = r.title_facts !== null && r.title_override == null ? { titleFacts: JSON.parse(r.title_facts) as IncidentTitleFacts } : {};
	return localizeIncident(
		{
			id: Number(r.id),
			source: r.source as Incident['source'],
			title: r.title_override ?? r.title,
			...facts,
			status: r.status as IncidentStatus,
			impact: r.impact as IncidentImpact,
			startedAt: Number(r.started_at),
			resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
			clusterIds: ids(r.cluster_ids),
			shardIds: ids(r.shard_ids),
			updates,
			// `!= null`: a row read before migration 006 has no such columns at all.
			...(r.note != null ? { note: r.note } : {}),
			...(r.postmortem != null ? { postmortem: { message: r.postmortem, at: Number(r.postmortem_at) } } : {}),
			...(Number(r.revision) > 0 ? { revision: Number(r.revision) } : {})
		},
		'en'
	);
}

function toUpdate(u: Selectable<IncidentUpdateTable>): IncidentUpdate {
	const edited = u.edited_message != null;
	return {
		id: Number(u.id),
		at: Number(u.at),
		status: u.status as IncidentStatus,
		message: u.edited_message ?? u.message,
		...(u.kind !== 'operator' ? { kind: u.kind as NonNullable<IncidentUpdate['kind']>, shardsDown: ids(u.shards_down) } : {}),
		// Without its clusters an update is text, not facts: an edited one is shown as the operator wrote it.
		...(u.clusters_down !== null && !edited ? { clusterIdsDown: ids(u.clusters_down) } : {}),
		...(edited ? { editedAt: Number(u.edited_at) } : {})
	};
}

function toMaintenance(r: Selectable<MaintenanceTable>): MaintenanceWindow {
	return {
		id: Number(r.id),
		title: r.title,
		message: r.message,
		startsAt: Number(r.starts_at),
		endsAt: Number(r.ends_at),
		clusterIds: r.cluster_ids === null ? null : ids(r.cluster_ids)
	};
}

/** The maintenance intervals that cover `clusterId`. */
export function maintenanceFor(windows: readonly MaintenanceWindow[], clusterId: number): Interval[] {
	return windows.filter((w) => w.clusterIds === null || w.clusterIds.includes(clusterId)).map((w) => ({ start: w.startsAt, end: w.endsAt }));
}

import type {
	AuditAction,
	AuditActor,
	AuditEntry,
	EditIncidentUpdate,
	Incident,
	IncidentPatch,
	MaintenancePatch,
	MaintenanceWindow,
	MessageTemplate,
	MessageTemplatePatch,
	NewIncident,
	NewIncidentUpdate,
	NewMaintenance,
	NewMessageTemplate,
	RetiredCluster
} from '#shared';
import type { RetireOutcome } from '../fleet/fleet.ts';
import type { IncidentNotice } from '../history/incident-notice.ts';
import type { HistoryRepository } from '../history/repository.ts';
import { HttpError } from '../http/respond.ts';
import type { ConsoleRepository } from './console-repository.ts';

/** Who asks, for the audit log. */
export interface Caller {
	actor: AuditActor;
	ip: string;
}

export interface ConsoleActionsDeps {
	/** The history database's repositories once open; undefined while it is not. */
	stores: () => { history: HistoryRepository; console: ConsoleRepository } | undefined;
	/** Opened, updated and resolved incidents: webhooks and viewers (`notifications.notify`). */
	notify: (notice: IncidentNotice) => void;
	/** Edits in place reach viewers, not webhooks (a typo fix is not news). */
	pushIncident: (incident: Incident) => void;
	pushIncidentDeleted: (id: number) => void;
	pushMaintenance: (windows: MaintenanceWindow[]) => void;
	/** Drops cached history answers. */
	invalidate: () => void;
	retireCluster: (clusterId: number) => Promise<Exclude<RetireOutcome, { outcome: 'retired' }> | { outcome: 'retired'; shardIds: number[]; at: number }>;
	now: () => number;
}

/** Longest a maintenance window may last, as the operator API's schema says. */
const MAX_WINDOW_MS = 30 * 86_400_000;

function unavailable(): never {
	throw new HttpError(503, 'history_unavailable', 'the history database is not reachable yet; live status still works — retry shortly');
}
const noIncident = (id: number) => new HttpError(404, 'unknown_incident', `there is no incident ${id}`);
const noWindow = (id: number) => new HttpError(404, 'unknown_maintenance', `there is no maintenance window ${id}`);
const noTemplate = (id: number) => new HttpError(404, 'unknown_template', `there is no template ${id}`);

/**
 * Everything operators change, whether through the console or the bearer operator API: each
 * action is done, audited (who, when, from which session and address), and told: incidents to
 * webhooks and open pages, maintenance and edits to open pages, all pushed at once.
 */
export function createConsoleActions(deps: ConsoleActionsDeps) {
	const stores = () => deps.stores() ?? unavailable();
	const audit = (caller: Caller, action: AuditAction, target: string | null, detail: AuditEntry['detail'] = {}) =>
		stores().console.audit({ at: deps.now(), action, actor: caller.actor, target, ip: caller.ip, detail });
	const pushMaintenance = async () => {
		deps.invalidate();
		deps.pushMaintenance(await stores().history.maintenance(deps.now()));
	};
	const edited = (incident: Incident | undefined, id: number): Incident => {
		if (!incident) throw noIncident(id);
		deps.invalidate();
		deps.pushIncident(incident);
		return incident;
	};
	/** A window as a patch leaves it, checked as a new one is. */
	const patched = (w: MaintenanceWindow, p: MaintenancePatch): Omit<MaintenanceWindow, 'id'> => {
		const next = { title: p.title ?? w.title, message: p.message ?? w.message, startsAt: p.startsAt ?? w.startsAt, endsAt: p.endsAt ?? w.endsAt, clusterIds: p.clusterIds === undefined ? w.clusterIds : p.clusterIds };
		if (next.endsAt <= next.startsAt) throw new HttpError(400, 'invalid_body', 'endsAt: must be after startsAt');
		if (next.endsAt - next.startsAt > MAX_WINDOW_MS) throw new HttpError(400, 'invalid_body', 'endsAt: a window may last at most 30 days');
		return next;
	};

	return {
		async incidents(since: number): Promise<Incident[]> {
			return stores().history.incidents(since);
		},

		async createIncident(caller: Caller, input: NewIncident): Promise<Incident> {
			const incident = await stores().history.createIncident(input, deps.now());
			await audit(caller, 'incident.create', `incident:${incident.id}`, { title: incident.title, status: incident.status, impact: incident.impact });
			deps.invalidate();
			deps.notify({ type: incident.status === 'resolved' ? 'incident.resolved' : 'incident.opened', incident, update: incident.updates.at(-1) });
			return incident;
		},

		async postUpdate(caller: Caller, id: number, input: NewIncidentUpdate): Promise<Incident> {
			const incident = await stores().history.postUpdate(id, input, deps.now());
			if (!incident) throw noIncident(id);
			await audit(caller, input.status === 'resolved' ? 'incident.resolve' : 'incident.update', `incident:${id}`, { status: input.status });
			deps.invalidate();
			deps.notify({ type: input.status === 'resolved' ? 'incident.resolved' : 'incident.updated', incident, update: incident.updates.at(-1) });
			return incident;
		},

		async editUpdate(caller: Caller, id: number, updateId: number, input: EditIncidentUpdate): Promise<Incident> {
			const incident = await stores().history.editUpdate(id, updateId, input.message, deps.now());
			if (!incident) {
				if (await stores().history.incident(id)) throw new HttpError(404, 'unknown_update', `incident ${id} has no update ${updateId}`);
				throw noIncident(id);
			}
			await audit(caller, 'incident.edit_update', `incident:${id}`, { updateId });
			return edited(incident, id);
		},

		async postmortem(caller: Caller, id: number, message: string): Promise<Incident> {
			const current = await stores().history.incident(id);
			if (!current) throw noIncident(id);
			if (current.status !== 'resolved') throw new HttpError(409, 'incident_open', `incident ${id} is ${current.status}: a postmortem follows its resolution; resolve it first`);
			const incident = await stores().history.setPostmortem(id, message, deps.now());
			await audit(caller, 'incident.postmortem', `incident:${id}`, { length: message.length });
			return edited(incident, id);
		},

		async patchIncident(caller: Caller, id: number, patch: IncidentPatch): Promise<Incident> {
			const current = await stores().history.incident(id);
			if (!current) throw noIncident(id);
			// An operator's incident has only its own title; an automatic one keeps its facts to fall back on.
			if (current.source === 'operator' && patch.title === null) throw new HttpError(400, 'invalid_body', 'title: an operator incident needs a title; send a new one instead of null');
			const change =
				patch.title === undefined
					? {}
					: current.source === 'operator'
						? { title: patch.title! }
						: { titleOverride: patch.title };
			const incident = await stores().history.patchIncident(id, { ...change, ...(patch.note !== undefined ? { note: patch.note } : {}) });
			await audit(caller, 'incident.rename', `incident:${id}`, {
				...(patch.title !== undefined ? { title: patch.title } : {}),
				...(patch.note !== undefined ? { note: patch.note === null ? null : patch.note.slice(0, 100) } : {})
			});
			return edited(incident, id);
		},

		async deleteIncident(caller: Caller, id: number): Promise<void> {
			const current = await stores().history.incident(id);
			if (!current || !(await stores().history.deleteIncident(id))) throw noIncident(id);
			await audit(caller, 'incident.delete', `incident:${id}`, { title: current.title, source: current.source });
			deps.invalidate();
			deps.pushIncidentDeleted(id);
		},

		async maintenance(): Promise<MaintenanceWindow[]> {
			return stores().history.maintenance(deps.now());
		},

		async scheduleMaintenance(caller: Caller, input: NewMaintenance): Promise<MaintenanceWindow> {
			const window = await stores().history.createMaintenance(input);
			await audit(caller, 'maintenance.schedule', `maintenance:${window.id}`, { title: window.title, startsAt: window.startsAt, endsAt: window.endsAt });
			await pushMaintenance();
			return window;
		},

		async editMaintenance(caller: Caller, id: number, patch: MaintenancePatch): Promise<MaintenanceWindow> {
			const current = await stores().history.maintenanceWindow(id);
			if (!current) throw noWindow(id);
			const now = deps.now();
			if (current.endsAt <= now) throw new HttpError(409, 'maintenance_ended', `maintenance ${id} is over; schedule a new window instead`);
			// Moving the start of a window in progress would rewrite which past minutes counted as maintenance.
			if (current.startsAt <= now && patch.startsAt !== undefined && patch.startsAt !== current.startsAt) {
				throw new HttpError(409, 'maintenance_started', `maintenance ${id} has started: its start is history; change its end instead`);
			}
			const window = await stores().history.updateMaintenance(id, patched(current, patch));
			if (!window) throw noWindow(id);
			await audit(caller, 'maintenance.edit', `maintenance:${id}`, { fields: Object.keys(patch).join(',') });
			await pushMaintenance();
			return window;
		},

		async endMaintenance(caller: Caller, id: number): Promise<MaintenanceWindow> {
			const current = await stores().history.maintenanceWindow(id);
			if (!current) throw noWindow(id);
			const now = deps.now();
			if (current.startsAt > now) throw new HttpError(409, 'maintenance_not_started', `maintenance ${id} has not started; cancel it instead`);
			if (current.endsAt <= now) throw new HttpError(409, 'maintenance_ended', `maintenance ${id} is already over`);
			const window = await stores().history.updateMaintenance(id, { ...current, endsAt: now });
			if (!window) throw noWindow(id);
			await audit(caller, 'maintenance.end', `maintenance:${id}`, { endsAt: now });
			await pushMaintenance();
			return window;
		},

		/** `started`: what the console may cancel (`'upcoming'`) or the operator API (`'any'`, as it always could). */
		async cancelMaintenance(caller: Caller, id: number, allowed: 'upcoming' | 'any'): Promise<void> {
			const current = await stores().history.maintenanceWindow(id);
			if (!current) throw noWindow(id);
			if (allowed === 'upcoming' && current.startsAt <= deps.now()) {
				throw new HttpError(409, 'maintenance_started', `maintenance ${id} has started: end it early instead (POST …/maintenance/${id}/end), so its past stays as it was`);
			}
			if (!(await stores().history.deleteMaintenance(id))) throw noWindow(id);
			await audit(caller, 'maintenance.cancel', `maintenance:${id}`, { title: current.title });
			await pushMaintenance();
		},

		async retireCluster(caller: Caller, id: number): Promise<RetiredCluster> {
			const result = await deps.retireCluster(id);
			if (result.outcome === 'unknown') throw new HttpError(404, 'unknown_cluster', `there is no cluster ${id} in the fleet (neither reporting nor stopped)`);
			if (result.outcome === 'live') {
				const ago = Math.max(0, Math.round((deps.now() - result.lastHeartbeatAt) / 1000));
				throw new HttpError(409, 'cluster_live', `cluster ${id} is ${result.lifecycle} (last heartbeat ${ago} s ago): only a stopped cluster can be retired; stop its process first, or it rejoins with its next heartbeat`);
			}
			await audit(caller, 'cluster.retire', `cluster:${id}`, { shards: result.shardIds.length });
			return { clusterId: id, retiredAt: result.at, shardIds: result.shardIds };
		},

		async templates(): Promise<MessageTemplate[]> {
			return stores().console.templates();
		},

		async createTemplate(caller: Caller, input: NewMessageTemplate): Promise<MessageTemplate> {
			if (await stores().console.templateByName(input.name)) throw new HttpError(409, 'template_name_taken', `a template is already named ${JSON.stringify(input.name)}; pick another name or edit that one`);
			const template = await stores().console.createTemplate(input, deps.now());
			await audit(caller, 'template.create', `template:${template.id}`, { name: template.name });
			return template;
		},

		async editTemplate(caller: Caller, id: number, patch: MessageTemplatePatch): Promise<MessageTemplate> {
			const current = await stores().console.template(id);
			if (!current) throw noTemplate(id);
			if (patch.name !== undefined && patch.name !== current.name && (await stores().console.templateByName(patch.name))) {
				throw new HttpError(409, 'template_name_taken', `a template is already named ${JSON.stringify(patch.name)}; pick another name`);
			}
			const next = {
				name: patch.name ?? current.name,
				title: patch.title === undefined ? current.title : patch.title,
				message: patch.message ?? current.message,
				status: patch.status === undefined ? current.status : patch.status,
				impact: patch.impact === undefined ? current.impact : patch.impact
			};
			const template = await stores().console.updateTemplate(id, next, deps.now());
			if (!template) throw noTemplate(id);
			await audit(caller, 'template.edit', `template:${id}`, { name: template.name });
			return template;
		},

		async deleteTemplate(caller: Caller, id: number): Promise<void> {
			const current = await stores().console.template(id);
			if (!current || !(await stores().console.deleteTemplate(id))) throw noTemplate(id);
			await audit(caller, 'template.delete', `template:${id}`, { name: current.name });
		},

		audit
	};
}

export type ConsoleActions = ReturnType<typeof createConsoleActions>;

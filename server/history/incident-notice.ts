import type { Incident, IncidentUpdate } from '#shared';

export type IncidentNoticeType = 'incident.opened' | 'incident.updated' | 'incident.resolved';

/**
 * Something subscribers (webhooks, feeds) hear about: an incident and the update that moved it.
 * History produces notices (automatic incidents, operator posts); notifications consume them.
 */
export interface IncidentNotice {
	type: IncidentNoticeType;
	incident: Incident;
	update?: IncidentUpdate;
}

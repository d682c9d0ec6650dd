import type { Incident, IncidentStatus, IncidentUpdate } from '#shared';

/** Which incident dialog is open (one at a time), and for what. */
export type IncidentDialog =
	| { kind: 'new' }
	| { kind: 'update'; incident: Incident; status: IncidentStatus }
	| { kind: 'edit-update'; incident: Incident; update: IncidentUpdate }
	| { kind: 'postmortem'; incident: Incident }
	| { kind: 'rename'; incident: Incident }
	| { kind: 'delete'; incident: Incident };

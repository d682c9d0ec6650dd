import { INCIDENT_STATUSES, type IncidentImpact, type IncidentStatus } from '#shared';
import { parseClusterIds } from './cluster-ids.ts';

/*
 * The console's forms, checked in the page the way the server checks them (server/http/
 * operator-schema.ts), so an operator hears about a problem beside the field before anything is
 * sent. The server stays the judge: whatever it refuses is shown as it words it.
 */

export const TITLE_MAX = 200;
export const MESSAGE_MAX = 5_000;
/** An incident's note (the console's "annotate"). */
export const NOTE_MAX = 2_000;
export const POSTMORTEM_MAX = 20_000;
export const TEMPLATE_NAME_MAX = 100;
/** The longest maintenance window the server accepts. */
export const WINDOW_MAX_MS = 30 * 86_400_000;

/** Why a field is refused; each has one message (`fieldErrorLabel` in labels.ts). */
export type FieldError = 'required' | 'too-long' | 'control-characters' | 'invalid-clusters' | 'too-many-clusters' | 'invalid-time' | 'ends-before-start' | 'window-too-long';

export const IMPACTS = ['none', 'minor', 'major', 'critical'] as const satisfies readonly IncidentImpact[];
export { INCIDENT_STATUSES };

/** Control characters break feeds and embeds; newlines and tabs are fine (as on the server). */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** `text` as a required field of at most `max` characters (after trimming, as the server counts). */
export function checkText(text: string, max: number): FieldError | undefined {
	const trimmed = text.trim();
	if (trimmed === '') return 'required';
	if (trimmed.length > max) return 'too-long';
	if (CONTROL.test(trimmed)) return 'control-characters';
	return undefined;
}

/** What the incident form holds: text as typed. */
export interface IncidentDraft {
	title: string;
	message: string;
	status: IncidentStatus;
	impact: IncidentImpact;
	/** "1, 4, 10-12" (see cluster-ids.ts). */
	clusters: string;
}

export type Checked<Draft, Body> = { ok: true; body: Body } | { ok: false; errors: Partial<Record<keyof Draft, FieldError>> };

/** Keeps only the fields that have an error. */
function errorsOf<K extends string>(all: Record<K, FieldError | undefined>): Partial<Record<K, FieldError>> {
	return Object.fromEntries(Object.entries(all).filter(([, e]) => e !== undefined)) as Partial<Record<K, FieldError>>;
}

function clusterError(text: string): FieldError | undefined {
	const parsed = parseClusterIds(text);
	return parsed.ok ? undefined : parsed.error === 'too-many' ? 'too-many-clusters' : 'invalid-clusters';
}

/** The incident form → the body of `POST /incidents`, or what is wrong with each field. */
export function checkIncident(draft: IncidentDraft): Checked<IncidentDraft, { title: string; message: string; status: IncidentStatus; impact: IncidentImpact; clusterIds: number[] }> {
	const errors = errorsOf({
		title: checkText(draft.title, TITLE_MAX),
		message: checkText(draft.message, MESSAGE_MAX),
		clusters: clusterError(draft.clusters),
		status: undefined,
		impact: undefined
	});
	if (Object.keys(errors).length > 0) return { ok: false, errors };
	const parsed = parseClusterIds(draft.clusters);
	return { ok: true, body: { title: draft.title.trim(), message: draft.message.trim(), status: draft.status, impact: draft.impact, clusterIds: parsed.ok ? parsed.ids : [] } };
}

/** What the maintenance form holds: times as `<input type="datetime-local">` values. */
export interface MaintenanceDraft {
	title: string;
	message: string;
	startsAt: string;
	endsAt: string;
	/** Empty: the whole bot. */
	clusters: string;
}

/** The maintenance form → the body of `POST /maintenance`, or what is wrong with each field. */
export function checkMaintenance(draft: MaintenanceDraft): Checked<MaintenanceDraft, { title: string; message?: string; startsAt: number; endsAt: number; clusterIds: number[] | null }> {
	const startsAt = fromLocalInput(draft.startsAt);
	const endsAt = fromLocalInput(draft.endsAt);
	const errors = errorsOf({
		title: checkText(draft.title, TITLE_MAX),
		message: draft.message.trim() === '' ? undefined : checkText(draft.message, MESSAGE_MAX),
		startsAt: startsAt === null ? 'invalid-time' : undefined,
		endsAt: endsAt === null ? 'invalid-time' : startsAt !== null && endsAt <= startsAt ? 'ends-before-start' : startsAt !== null && endsAt - startsAt > WINDOW_MAX_MS ? 'window-too-long' : undefined,
		clusters: clusterError(draft.clusters)
	});
	if (Object.keys(errors).length > 0 || startsAt === null || endsAt === null) return { ok: false, errors };
	const parsed = parseClusterIds(draft.clusters);
	const ids = parsed.ok ? parsed.ids : [];
	const message = draft.message.trim();
	return { ok: true, body: { title: draft.title.trim(), ...(message ? { message } : {}), startsAt, endsAt, clusterIds: ids.length > 0 ? ids : null } };
}

/** `<input type="datetime-local">`'s value ("2026-11-29T10:30", the browser's time zone) → epoch ms; null when empty or malformed. */
export function fromLocalInput(value: string): number | null {
	const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
	if (!match) return null;
	const [y, mo, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
	const date = new Date(y, mo - 1, d, h, mi, s);
	// new Date rolls over (Feb 30 → Mar 2): refuse what does not read back the same.
	if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== h || date.getMinutes() !== mi) return null;
	return date.getTime();
}

/** Epoch ms → an `<input type="datetime-local">` value in the browser's time zone, to the minute. */
export function toLocalInput(at: number): string {
	const date = new Date(at);
	const two = (n: number) => String(n).padStart(2, '0');
	return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}

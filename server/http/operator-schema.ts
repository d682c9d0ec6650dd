import { z } from 'zod';
import { INCIDENT_STATUSES, type NewIncident, type NewIncidentUpdate, type NewMaintenance } from '#shared';

/*
 * What the operator API accepts. Strict objects: an unknown field is a typo the operator should
 * hear about, not something silently ignored.
 */
/** Operator text: trimmed, 1–`max` characters, no control characters, valid UTF-8. */
export const text = (max: number) =>
	z
		.string()
		.trim()
		.min(1, 'must not be empty')
		.max(max, `must be at most ${max} characters`)
		// Control characters break feeds (XML) and embeds; newlines and tabs are fine.
		.refine((s) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(s), 'must not contain control characters')
		// A lone surrogate cannot be stored as UTF-8 (the database would keep U+FFFD instead), and
		// U+FFFD is what bytes that were not UTF-8 decode to: refuse both rather than store mojibake.
		.refine((s) => !/[\p{Cs}\uFFFD]/u.test(s), 'must be valid UTF-8 text (no lone surrogates, no U+FFFD from bytes that were not UTF-8)');
const status = z.enum(INCIDENT_STATUSES);
const clusterIds = z.array(z.number().int().min(0).max(1_000_000)).max(10_000);
/** A time as Unix epoch ms, within reason (2000–2200). */
const time = z.number().int().min(946_684_800_000).max(7_258_118_400_000);

export const NewIncidentSchema: z.ZodType<NewIncident> = z.strictObject({
	title: text(200),
	status: status.optional(),
	message: text(5_000),
	impact: z.enum(['none', 'minor', 'major', 'critical']).optional(),
	clusterIds: clusterIds.optional()
});

export const NewIncidentUpdateSchema: z.ZodType<NewIncidentUpdate> = z.strictObject({ status, message: text(5_000) });

export const NewMaintenanceSchema: z.ZodType<NewMaintenance> = z
	.strictObject({
		title: text(200),
		message: text(5_000).optional(),
		startsAt: time,
		endsAt: time,
		clusterIds: clusterIds.nullable().optional()
	})
	.refine((m) => m.endsAt > m.startsAt, { message: 'must be after startsAt', path: ['endsAt'] })
	.refine((m) => m.endsAt - m.startsAt <= 30 * 86_400_000, { message: 'a window may last at most 30 days', path: ['endsAt'] });

/** `title: must not be empty; endsAt: must be after startsAt` */
export function explain(error: z.ZodError): string {
	// Keys and messages quote what the client sent (an unknown key may be 16 KB): keep it short.
	const clip = (t: string, max: number) => (t.length <= max ? t : `${t.slice(0, max)}…`);
	const shown = error.issues.slice(0, 5).map((i) => `${i.path.length ? clip(i.path.join('.'), 64) : 'body'}: ${clip(i.message, 160)}`);
	const more = error.issues.length - shown.length;
	return shown.join('; ') + (more > 0 ? `; and ${more} more problem(s)` : '');
}

import { z } from 'zod';
import {
	INCIDENT_STATUSES,
	type EditIncidentUpdate,
	type IncidentPatch,
	type IncidentPostmortemRequest,
	type KeyLoginRequest,
	type MaintenancePatch,
	type MessageTemplatePatch,
	type NewMessageTemplate
} from '#shared';
import { text } from '../http/operator-schema.ts';

/*
 * What the console API accepts, one schema per body in `shared-types/console.ts` (incidents and
 * maintenance reuse the operator API's). Strict objects: an unknown field is refused, named.
 */

const impact = z.enum(['none', 'minor', 'major', 'critical']);
const status = z.enum(INCIDENT_STATUSES);
const atLeastOne = (o: object) => Object.keys(o).length > 0;
const oneField = { message: 'send at least one field to change' };

export const KeyLoginSchema: z.ZodType<KeyLoginRequest> = z.strictObject({ key: z.string().min(1, 'must not be empty').max(1_024, 'must be at most 1024 characters') });

export const EditIncidentUpdateSchema: z.ZodType<EditIncidentUpdate> = z.strictObject({ message: text(5_000) });

export const PostmortemSchema: z.ZodType<IncidentPostmortemRequest> = z.strictObject({ message: text(20_000) });

export const IncidentPatchSchema: z.ZodType<IncidentPatch> = z.strictObject({ title: text(200).nullable().optional(), note: text(2_000).nullable().optional() }).refine(atLeastOne, oneField);

const templateFields = {
	name: text(100),
	title: text(200).nullable().optional(),
	message: text(5_000),
	status: status.nullable().optional(),
	impact: impact.nullable().optional()
};
export const NewTemplateSchema: z.ZodType<NewMessageTemplate> = z.strictObject(templateFields);
export const TemplatePatchSchema: z.ZodType<MessageTemplatePatch> = z.strictObject(templateFields).partial().refine(atLeastOne, oneField);

const time = z.number().int().min(946_684_800_000).max(7_258_118_400_000);
const clusterIds = z.array(z.number().int().min(0).max(1_000_000)).max(10_000);
/** The window as a whole is checked once the patch is applied (see the console's maintenance routes). */
export const MaintenancePatchSchema: z.ZodType<MaintenancePatch> = z
	.strictObject({ title: text(200), message: text(5_000), startsAt: time, endsAt: time, clusterIds: clusterIds.nullable() })
	.partial()
	.refine(atLeastOne, oneField);

/** `?before=&limit=` of the audit log. */
export const AuditQuerySchema = z.strictObject({
	before: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
	limit: z.coerce.number().int().min(1).max(200).default(50)
});

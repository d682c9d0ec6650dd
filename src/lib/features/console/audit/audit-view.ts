import type { AuditActor, AuditEntry } from '#shared';

/** Who did it, as the log shows it: a person's name, the bearer API, or who tried to log in. */
export type ActorView = { kind: 'person'; name: string; sessionId: string } | { kind: 'bearer' } | { kind: 'anonymous'; name: string | null };

export function actorView(actor: AuditActor): ActorView {
	if (actor.kind === 'session') return { kind: 'person', name: actor.name, sessionId: actor.sessionId };
	if (actor.kind === 'bearer') return { kind: 'bearer' };
	return { kind: 'anonymous', name: actor.name ?? actor.discordId };
}

/** An entry's details as `key: value` pairs, in a stable order, nulls left out. */
export function detailPairs(detail: AuditEntry['detail']): [string, string][] {
	return Object.entries(detail)
		.filter(([, v]) => v !== null && v !== '')
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([k, v]) => [k, String(v)]);
}

/** A session id shortened for a table cell (the full id stays in the title). */
export function shortId(id: string): string {
	return id.length <= 10 ? id : `${id.slice(0, 8)}…`;
}

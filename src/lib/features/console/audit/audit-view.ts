import type { AuditActor, AuditEntry, ConsoleUser } from '#shared';

/** Who did it, as the log shows it: a person's name, the bearer API, or who tried to log in. */
export type ActorView = { kind: 'person'; name: string; sessionId: string } | { kind: 'key'; sessionId: string } | { kind: 'bearer' } | { kind: 'anonymous'; name: string | null };

/** `key` sessions have no person behind them: the page names them in the reader's language. */
export function actorView(actor: AuditActor): ActorView {
	if (actor.kind === 'session') return actor.method === 'key' ? { kind: 'key', sessionId: actor.sessionId } : { kind: 'person', name: actor.name, sessionId: actor.sessionId };
	if (actor.kind === 'bearer') return { kind: 'bearer' };
	return { kind: 'anonymous', name: actor.name ?? actor.discordId };
}

/**
 * An entry's details as `key: value` pairs, in a stable order, nulls left out; times (numbers
 * under a key ending in `At`, epoch ms) through `time`.
 */
export function detailPairs(detail: AuditEntry['detail'], time: (at: number) => string = String): [string, string][] {
	return Object.entries(detail)
		.filter(([, v]) => v !== null && v !== '')
		.sort(([a], [b]) => a.localeCompare(b))
		.map(([k, v]) => [k, typeof v === 'number' && k.endsWith('At') ? time(v) : String(v)]);
}

/** Whether `user` is the operator key rather than a person (the server names it in English). */
export function isKeyUser(user: Pick<ConsoleUser, 'discordId'>): boolean {
	return user.discordId === null;
}

/** A session id shortened for a table cell (the full id stays in the title). */
export function shortId(id: string): string {
	return id.length <= 10 ? id : `${id.slice(0, 8)}…`;
}

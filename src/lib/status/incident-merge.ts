import type { Incident } from '#shared';

/**
 * How far along a copy of an incident is. Incidents only move forward: updates are appended, and
 * resolving one (automatic or an operator's) is an update too, so the copy with more updates is
 * the newer; at equal updates a resolved copy is.
 */
function progress(incident: Incident): number {
	return incident.updates.length * 2 + (incident.status === 'resolved' ? 1 : 0);
}

/** Whether `a` is further along than `b`: by progress, then by in-place edits (console renames, notes, edited updates, postmortems). */
function newer(a: Incident, b: Incident): boolean {
	const by = progress(a) - progress(b);
	return by !== 0 ? by > 0 : (a.revision ?? 0) > (b.revision ?? 0);
}

/**
 * The incidents the page shows: those its last history fetch gave, each replaced by the copy the
 * server pushed since when that copy is further along, plus pushed ones the fetch did not know
 * (opened after it). So a fetch answered from a cache older than a push (another instance's,
 * scaled out) cannot bring a resolved incident back, and a push the fetch has overtaken is
 * ignored. At equal progress the copy an operator edited more often wins, then the fetched copy: it
 * may know more shards affected since. Incidents an owner deleted (`deleted`) are left out.
 */
export function currentIncidents(fetched: readonly Incident[], pushed: readonly Incident[], deleted: ReadonlySet<number> = new Set()): readonly Incident[] {
	if (pushed.length === 0 && deleted.size === 0) return fetched;
	const pushes = new Map(pushed.map((i) => [i.id, i]));
	const merged = fetched.map((i) => {
		const push = pushes.get(i.id);
		pushes.delete(i.id);
		return push && newer(push, i) ? push : i;
	});
	const all = [...merged, ...pushes.values()];
	return deleted.size === 0 ? all : all.filter((i) => !deleted.has(i.id));
}

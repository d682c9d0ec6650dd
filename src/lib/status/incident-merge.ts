import type { Incident } from '#shared';

/**
 * How far along a copy of an incident is. Incidents only move forward: updates are appended, and
 * resolving one (automatic or an operator's) is an update too, so the copy with more updates is
 * the newer; at equal updates a resolved copy is.
 */
function progress(incident: Incident): number {
	return incident.updates.length * 2 + (incident.status === 'resolved' ? 1 : 0);
}

/** Whether `a` is further along than `b`: more progress, or as much and more edits in place (renamed, reworded). */
function newer(a: Incident, b: Incident): boolean {
	const p = progress(a) - progress(b);
	return p > 0 || (p === 0 && (a.revision ?? 0) > (b.revision ?? 0));
}

/**
 * The incidents the page shows: those its last history fetch gave, each replaced by the copy the
 * server pushed since when that copy is further along, plus pushed ones the fetch did not know
 * (opened after it). So a fetch answered from a cache older than a push (another instance's,
 * scaled out) cannot bring a resolved incident back, and a push the fetch has overtaken is
 * ignored. At equal progress the copy with more edits in place wins (an operator renamed it or
 * reworded an update), and otherwise the fetched copy: it may know more shards affected since.
 * Incidents an owner deleted (`deleted`, pushed) are dropped from both: a cached fetch cannot
 * bring one back.
 */
export function currentIncidents(fetched: readonly Incident[], pushed: readonly Incident[], deleted: ReadonlySet<number> = NONE): readonly Incident[] {
	if (pushed.length === 0 && deleted.size === 0) return fetched;
	const latest = new Map(pushed.map((i) => [i.id, i]));
	const merged = fetched.map((i) => {
		const push = latest.get(i.id);
		latest.delete(i.id);
		return push && newer(push, i) ? push : i;
	});
	const all = [...merged, ...latest.values()];
	return deleted.size === 0 ? all : all.filter((i) => !deleted.has(i.id));
}

const NONE: ReadonlySet<number> = new Set();

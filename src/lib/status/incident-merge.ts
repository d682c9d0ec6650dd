import type { Incident } from '#shared';

/**
 * How far along a copy of an incident is. Incidents only move forward: updates are appended, and
 * resolving one (automatic or an operator's) is an update too, so the copy with more updates is
 * the newer; at equal updates a resolved copy is.
 */
function progress(incident: Incident): number {
	return incident.updates.length * 2 + (incident.status === 'resolved' ? 1 : 0);
}

/**
 * The incidents the page shows: those its last history fetch gave, each replaced by the copy the
 * server pushed since when that copy is further along, plus pushed ones the fetch did not know
 * (opened after it). So a fetch answered from a cache older than a push (another instance's,
 * scaled out) cannot bring a resolved incident back, and a push the fetch has overtaken is
 * ignored. At equal progress the fetched copy wins: it may know more shards affected since.
 */
export function currentIncidents(fetched: readonly Incident[], pushed: readonly Incident[]): readonly Incident[] {
	if (pushed.length === 0) return fetched;
	const newer = new Map(pushed.map((i) => [i.id, i]));
	const merged = fetched.map((i) => {
		const push = newer.get(i.id);
		newer.delete(i.id);
		return push && progress(push) > progress(i) ? push : i;
	});
	return [...merged, ...newer.values()];
}

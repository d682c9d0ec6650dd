import { lastLocalDays, localDay, type DailyBars, type Incident, type IncidentUpdate } from '#shared';
import { barLevel, type BarLevel } from './bar-level.ts';

/*
 * Views over FleetHistory for the page: which incidents fall on which local day, which are still
 * open. Days are always the viewer's (`timeZone`), the same zone the server cut the bars in.
 */

/** Incidents by the local day they started on, each day's newest first (the API's order kept). */
export function incidentsByDay(incidents: readonly Incident[], timeZone: string): Map<string, Incident[]> {
	const byDay = new Map<string, Incident[]>();
	for (const incident of incidents) {
		const day = localDay(incident.startedAt, timeZone);
		const list = byDay.get(day);
		if (list) list.push(incident);
		else byDay.set(day, [incident]);
	}
	for (const list of byDay.values()) list.sort((a, b) => b.startedAt - a.startedAt);
	return byDay;
}

/** The last `count` local days up to `now`, newest first, each with the incidents that started on it. */
export function incidentDays(incidents: readonly Incident[], now: number, count: number, timeZone: string): { day: string; incidents: Incident[] }[] {
	const byDay = incidentsByDay(incidents, timeZone);
	return lastLocalDays(now, count, timeZone)
		.reverse()
		.map(({ day }) => ({ day, incidents: byDay.get(day) ?? [] }));
}

/** Incidents not resolved yet, newest first. */
export function openIncidents(incidents: readonly Incident[]): Incident[] {
	return incidents.filter((i) => i.resolvedAt === null && i.status !== 'resolved').sort((a, b) => b.startedAt - a.startedAt);
}

/** The newest update of an incident (updates come oldest first). */
export function latestUpdate(incident: Incident): IncidentUpdate | undefined {
	return incident.updates.at(-1);
}

/** Updates newest first, as a status page's timeline reads. */
export function timeline(incident: Incident): IncidentUpdate[] {
	return [...incident.updates].sort((a, b) => b.at - a.at || b.id - a.id);
}

/** Incidents that touched cluster `id` (for a cluster's own strip). */
export function incidentsOfCluster(incidents: readonly Incident[], id: number): Incident[] {
	return incidents.filter((i) => i.clusterIds.includes(id));
}

/** One day of a 90-day strip, ready to draw. */
export interface BarView {
	day: string;
	ratio: number | null;
	downMinutes: number;
	level: BarLevel;
	/** Incidents that started that day, newest first. */
	incidents: Incident[];
}

/** The strip's days, oldest first, each with its colour level and incidents. */
export function barViews(bars: DailyBars, incidents: readonly Incident[], timeZone: string): BarView[] {
	const byDay = incidentsByDay(incidents, timeZone);
	return bars.days.map((day, i) => {
		const ratio = bars.ratio[i] ?? null;
		const downMinutes = bars.downMinutes[i] ?? 0;
		return { day, ratio, downMinutes, level: barLevel(ratio, downMinutes), incidents: byDay.get(day) ?? [] };
	});
}

/** Days with any downtime (every level but `up` and `none`). */
export function daysWithDowntime(views: readonly BarView[]): number {
	return views.filter((v) => v.level !== 'up' && v.level !== 'none').length;
}

// Named, not `m`: the server bundle then takes these messages, not every one the page has.
import { impact_critical, impact_major, impact_minor, impact_none, incident_status_identified, incident_status_investigating, incident_status_monitoring, incident_status_resolved, incident_title_auto, incident_update_improved, incident_update_opened, incident_update_resolved, incident_update_retired, incident_update_worsened, incident_where_counted, incident_where_listed, shard_ranges, shard_ranges_more } from '#i18n/messages';
import type { Locale } from '#i18n/runtime';
import type { Incident, IncidentImpact, IncidentStatus, IncidentTitleFacts, IncidentUpdate } from '../history/api.ts';
import { idRuns, runText } from '../history/ranges.ts';

/*
 * The one renderer of automatic incidents: facts (counts, cluster and shard ids) → text in a
 * locale, with each language's plural forms (Paraglide message variants). The status page, the
 * feeds and the webhooks all word incidents here, so one incident reads the same everywhere.
 * Operator text, and automatic text stored before facts were, is shown as written.
 */

/** Clusters are named one by one up to this many ("in clusters 2, 5 and 7"); more are counted. */
const LISTED_CLUSTERS = 4;
/** Runs of shards spelled out ("shards 0–15, 32, …") before the rest is counted. */
const LISTED_RUNS = 8;

type Label = (inputs?: Record<string, never>, options?: { locale?: Locale }) => string;

/** An incident status in words; call with `{}, { locale }`, or with nothing for the page's locale. */
export const incidentStatusLabel: Record<IncidentStatus, Label> = {
	investigating: incident_status_investigating,
	identified: incident_status_identified,
	monitoring: incident_status_monitoring,
	resolved: incident_status_resolved
};

/** An incident impact in words, called like {@link incidentStatusLabel}. */
export const impactLabel: Record<IncidentImpact, Label> = {
	none: impact_none,
	minor: impact_minor,
	major: impact_major,
	critical: impact_critical
};

/** Where shards were down: "in cluster 2", "in clusters 2 and 5", "in 29 clusters" (localized). */
export function clusterPhrase(clusterIds: readonly number[], locale: Locale): string {
	const count = clusterIds.length;
	if (count > LISTED_CLUSTERS) return incident_where_counted({ count }, { locale });
	const clusters = new Intl.ListFormat(locale, { type: 'conjunction' }).format([...clusterIds].sort((a, b) => a - b).map(String));
	return incident_where_listed({ count, clusters }, { locale });
}

/** Which shards: "shard 11", "shards 11, 40–41", "shards 0–7, 9, … and 120 more" (localized). */
export function shardPhrase(shardIds: readonly number[], locale: Locale): string {
	const runs = idRuns(shardIds);
	const count = runs.reduce((n, [first, last]) => n + last - first + 1, 0);
	const shown = runs.slice(0, LISTED_RUNS);
	let ranges = shown.map(runText).join(', ');
	if (shown.length < runs.length) {
		const more = runs.slice(LISTED_RUNS).reduce((n, [first, last]) => n + last - first + 1, 0);
		ranges = shard_ranges_more({ ranges, more }, { locale });
	}
	return shard_ranges({ count, ranges }, { locale });
}

/** An automatic incident's title from its facts: "3 shards down in clusters 2 and 5". */
export function titleText(facts: IncidentTitleFacts, locale: Locale): string {
	return incident_title_auto({ count: facts.shardCount, where: clusterPhrase(facts.clusterIds, locale) }, { locale });
}

/** The incident's title in `locale`: rendered from its facts, or as written. */
export function incidentTitle(incident: Pick<Incident, 'title' | 'titleFacts'>, locale: Locale): string {
	return incident.titleFacts ? titleText(incident.titleFacts, locale) : incident.title;
}

/** An automatic update stored as facts (updates stored before carry only their English sentence). */
export type FactUpdate = Required<Pick<IncidentUpdate, 'kind' | 'shardsDown' | 'clusterIdsDown'>>;

function hasFacts(update: Partial<IncidentUpdate>): update is FactUpdate {
	return update.kind !== undefined && update.shardsDown !== undefined && update.clusterIdsDown !== undefined;
}

type Facts = { count: number; where: string; shards: string };
/** One sentence per kind: a new kind fails the type check here until it has its words. */
const UPDATE_TEXT: Record<FactUpdate['kind'], (facts: Facts, locale: Locale) => string> = {
	opened: (facts, locale) => incident_update_opened(facts, { locale }),
	worsened: (facts, locale) => incident_update_worsened(facts, { locale }),
	improved: (facts, locale) => incident_update_improved(facts, { locale }),
	resolved: (_, locale) => incident_update_resolved({}, { locale }),
	// The last shards down left the fleet rather than came back: said so, since none returned.
	retired: (_, locale) => incident_update_retired({}, { locale })
};

/** The facts of an automatic update in words: "3 shards went down in clusters 2 and 5 (shards 11, 40–41)." */
export function factText(update: FactUpdate, locale: Locale): string {
	const facts = { count: update.shardsDown.length, where: clusterPhrase(update.clusterIdsDown, locale), shards: shardPhrase(update.shardsDown, locale) };
	// A change that leaves nothing down is the end: told as such, not as "0 shards still down".
	const ended = update.shardsDown.length === 0 && (update.kind === 'opened' || update.kind === 'worsened' || update.kind === 'improved');
	return UPDATE_TEXT[ended ? 'resolved' : update.kind](facts, locale);
}

/** The update's text in `locale`: rendered from its facts, or as written (operator text, old rows). */
export function updateText(update: IncidentUpdate, locale: Locale): string {
	return hasFacts(update) ? factText(update, locale) : update.message;
}

/** The status page's incident history in `locale`: `/incidents/`, `/de/incidents/`, … (English has no prefix). */
export function incidentsPath(locale: Locale): string {
	return `${locale === 'en' ? '' : `/${locale}`}/incidents/`;
}

/** The incident with its title and every update's message in `locale` (facts kept beside them). */
export function localizeIncident(incident: Incident, locale: Locale): Incident {
	return { ...incident, title: incidentTitle(incident, locale), updates: incident.updates.map((u) => ({ ...u, message: updateText(u, locale) })) };
}

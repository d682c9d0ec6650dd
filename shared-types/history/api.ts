import type { IncidentEventKind } from './incidents.ts';

/*
 * What the server's history endpoints answer (`GET /api/v1/history`, `/api/v1/history/clusters/:id`,
 * `/api/v1/incidents`, `/api/v1/summary`) and the operator API accepts. Times are Unix epoch ms
 * (UTC); days are `YYYY-MM-DD` in the time zone the request named (`?tz=`, default UTC).
 */

/** Statuspage's incident phases; `resolved` closes an incident. */
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** `auto`: opened by Shardbeat from the heartbeats; `operator`: posted through the operator API. */
export type IncidentSource = 'auto' | 'operator';

/** How much of the bot an incident hit: `minor` under a tenth of the shards, `critical` half or more. */
export type IncidentImpact = 'none' | 'minor' | 'major' | 'critical';

export interface IncidentUpdate {
	id: number;
	at: number;
	status: IncidentStatus;
	/**
	 * Operator text. For an automatic update, its facts rendered in English (`updateText` in
	 * `shared-types/i18n/incident-text.ts` renders them in any locale); for one stored before
	 * facts were (no `clusterIdsDown`), the English sentence it was stored with.
	 */
	message: string;
	/** Automatic updates: what happened (`opened` / `worsened` / `improved` / `resolved`, or `retired`: the last shards down left the fleet). */
	kind?: IncidentEventKind;
	/** Automatic updates: the shards down right after it, ascending. */
	shardsDown?: number[];
	/** Automatic updates stored as facts: the clusters those shards were down in, ascending. */
	clusterIdsDown?: number[];
	/** When an operator last edited its text (the console); the text is then shown as written in every language. */
	editedAt?: number;
}

/** What an automatic incident's title says, so each reader gets it in their own language. */
export interface IncidentTitleFacts {
	/** Shards affected at some point. */
	shardCount: number;
	/** The clusters they were down in, ascending. */
	clusterIds: number[];
}

export interface Incident {
	id: number;
	source: IncidentSource;
	/**
	 * Operator text. For an automatic incident, `titleFacts` rendered in English (`incidentTitle`
	 * renders them in any locale); for one stored before facts were, the English title it was stored with.
	 */
	title: string;
	/** Automatic incidents stored as facts: what the title says. */
	titleFacts?: IncidentTitleFacts;
	status: IncidentStatus;
	impact: IncidentImpact;
	/** When it began (for `auto`: when the first shard went down, not when it was detected). */
	startedAt: number;
	resolvedAt: number | null;
	/** Clusters and shards affected at some point, ascending. */
	clusterIds: number[];
	shardIds: number[];
	/** Oldest first. */
	updates: IncidentUpdate[];
	/** An operator's note shown under the title (the console's "annotate"). */
	note?: string;
	/** Written once the incident is resolved: what happened and what changes (the console). */
	postmortem?: { message: string; at: number };
	/**
	 * How many times an operator edited it in place (renamed, annotated, an update's text, the
	 * postmortem): copies with the same updates are ordered by it. Absent: never.
	 */
	revision?: number;
}

export interface MaintenanceWindow {
	id: number;
	title: string;
	message: string;
	startsAt: number;
	endsAt: number;
	/** Clusters under maintenance; null for the whole bot. */
	clusterIds: number[] | null;
}

/** Uptime ratio (0–1) over the last 24 h, 7 d, 30 d and 90 d; null where nothing was tracked. */
export interface UptimeFigures {
	'24h': number | null;
	'7d': number | null;
	'30d': number | null;
	'90d': number | null;
}

/**
 * 90 daily bars, oldest first, as parallel arrays (a fleet of a thousand clusters would otherwise
 * spell out 90,000 objects). `days[i]` is the local day of `ratio[i]` and `downMinutes[i]`.
 */
export interface DailyBars {
	days: string[];
	/** Share of the day up, 0–1, four decimals; null before anything was tracked. */
	ratio: (number | null)[];
	/** Minutes of the whole bot (or cluster) down, time-weighted by shard, one decimal. */
	downMinutes: number[];
}

/** `GET /api/v1/history?tz=Europe/Berlin`: the bot as a whole. */
export interface FleetHistory {
	generatedAt: number;
	timeZone: string;
	uptime: UptimeFigures;
	bars: DailyBars;
	/** Per cluster: uptime only (bars and pings come per cluster, on demand). */
	clusters: { id: number; uptime: UptimeFigures }[];
	/** Incidents that started or were open in the last 90 days, newest first. */
	incidents: Incident[];
	/** Maintenance in progress or scheduled, soonest first. */
	maintenance: MaintenanceWindow[];
}

/** `GET /api/v1/history/clusters/:id?tz=`: one cluster's bars and 24-hour ping. */
export interface ClusterHistory {
	id: number;
	generatedAt: number;
	timeZone: string;
	uptime: UptimeFigures;
	bars: DailyBars;
	/**
	 * Average gateway ping over the last 24 hours in 96 fifteen-minute buckets, oldest first;
	 * null where the cluster sent none. `pingFrom` is the start of the first bucket.
	 */
	ping: (number | null)[];
	pingFrom: number;
	pingBucketMs: number;
}

/** `GET /api/v1/summary`, in the spirit of Atlassian Statuspage's `summary.json`. */
export interface StatusSummary {
	generatedAt: number;
	status: { state: 'operational' | 'degraded' | 'outage' | 'maintenance' | 'unknown'; description: string; shardsUp: number; shardsTotal: number };
	clusters: { id: number; health: 'healthy' | 'degraded' | 'down' | 'maintenance'; shardsUp: number; shards: number; lifecycle: string }[];
	activeIncidents: Incident[];
	maintenance: { active: MaintenanceWindow[]; upcoming: MaintenanceWindow[] };
}

/** Operator API bodies (`Authorization: Bearer <SHARDBEAT_OPERATOR_SECRET>`). */
export interface NewIncident {
	title: string;
	status?: IncidentStatus;
	message: string;
	impact?: IncidentImpact;
	clusterIds?: number[];
}
export interface NewIncidentUpdate {
	status: IncidentStatus;
	message: string;
}
export interface NewMaintenance {
	title: string;
	message?: string;
	startsAt: number;
	endsAt: number;
	clusterIds?: number[] | null;
}

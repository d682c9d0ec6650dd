import type { FleetStatus } from './cluster.ts';
import type { ViewerTokenResponse } from './events.ts';
import type { SubscriptionScope } from './subscriptions/scope.ts';
import type { Incident, IncidentImpact, IncidentStatus, MaintenanceWindow, NewIncident, NewIncidentUpdate, NewMaintenance } from './history/api.ts';

/*
 * The operator console's contract: the HTTP API under `/api/v1/console/` that the `/admin/` pages
 * call, shared by the server (which validates every body with the zod schemas in
 * `server/console/console-schema.ts`, typed against these) and the page.
 *
 * ── Authentication ──
 * Every endpoint below except the login ones takes EITHER
 *   - the console session: an HttpOnly cookie the server sets at login (the page never sees the
 *     token; send requests with `credentials: 'include'`), OR
 *   - `Authorization: Bearer <SHARDBEAT_OPERATOR_SECRET>` (automation; acts as `owner`, audited
 *     as `{ kind: 'bearer' }`).
 * A request with neither gets `401 unauthorized`; a role too low gets `403 forbidden_role`.
 *
 * ── CSRF (cookie sessions only) ──
 * Every state-changing request (POST, PUT, PATCH, DELETE) made with the cookie must carry
 *   - `Origin`: exactly the console's origin (the page's), else `403 forbidden_origin`;
 *   - `X-Shardbeat-CSRF: <ConsoleMe.csrfToken>`, else `403 csrf_token_missing` / `csrf_token_invalid`.
 * (The login endpoints need the `Origin` only; bearer requests need neither.)
 *
 * ── Errors ──
 * Every error is `{ error: { code, message } }` (`ConsoleErrorBody`); `message` says what went
 * wrong and how to fix it; a refused body names the field (`400 invalid_body`).
 *
 * ── Live ──
 * The console's live fleet: `POST /api/v1/console/live-token` gives a viewer token with operator
 * scope; open the `/viewer` Socket.io namespace with it exactly like the public page does, and
 * every poll and push carries full detail (pings, guilds, unavailable guilds) whatever
 * `SHARDBEAT_PUBLIC_DETAIL` says. Renew it the same way (`renew-token`) with a fresh one from the
 * same endpoint. When the session ends (logout, revocation, expiry) the server disconnects the
 * sockets opened with its tokens, and refuses new tokens.
 */

/** Console roles, least to most. */
export const CONSOLE_ROLES = ['viewer', 'editor', 'owner'] as const;
/**
 * `viewer`: the private live view (full-detail fleet, incidents, maintenance, templates read);
 * `editor`: also incidents, maintenance, templates and searching subscribers; `owner`: also
 * retiring clusters, deleting incidents, removing subscribers, the audit log and revoking sessions.
 */
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** Whether `role` may do what `needed` may (roles are ordered: owner ⊃ editor ⊃ viewer). */
export function roleAllows(role: ConsoleRole, needed: ConsoleRole): boolean {
	return CONSOLE_ROLES.indexOf(role) >= CONSOLE_ROLES.indexOf(needed);
}

/** How a session was opened. */
export type LoginMethod = 'discord' | 'key';

/** Custom header carrying the session's CSRF token on state-changing requests. */
export const CSRF_HEADER = 'X-Shardbeat-CSRF';

/** Base path of the console API. */
export const CONSOLE_API = '/api/v1/console';

/** `GET /api/v1/console/login` (public): which logins this server offers. */
export interface ConsoleLoginOptions {
	/** Log in with Discord is configured (`SHARDBEAT_DISCORD_CLIENT_ID` and secret). */
	discord: boolean;
	/** Log in with the operator key is enabled (`SHARDBEAT_CONSOLE_KEY_LOGIN`). */
	key: boolean;
}

/** `POST /api/v1/console/login/key` body (Origin must be the console's). */
export interface KeyLoginRequest {
	key: string;
}

/** Who is logged in. */
export interface ConsoleUser {
	/** Discord user id (snowflake, as a string); `null` for the operator key. */
	discordId: string | null;
	/** Discord global name or username; `Operator key` for the key. */
	name: string;
	/** Discord avatar URL, when Discord gave one. */
	avatarUrl: string | null;
}

/**
 * `GET /api/v1/console/me` (any role), also the body of a successful key login: the session of
 * the cookie. `401 unauthorized` when there is none (or it expired or was revoked).
 */
export interface ConsoleMe {
	user: ConsoleUser;
	role: ConsoleRole;
	method: LoginMethod;
	/** This session's public id (not its secret token): what the sessions list and audit log name. */
	sessionId: string;
	/** Send as `X-Shardbeat-CSRF` on every state-changing request. */
	csrfToken: string;
	createdAt: number;
	/** The session ends here whatever happens (absolute expiry, `SHARDBEAT_CONSOLE_SESSION_TTL_S`). */
	expiresAt: number;
	/** …or here if nothing is done before (idle expiry, `SHARDBEAT_CONSOLE_IDLE_TIMEOUT_S`); each request moves it. */
	idleExpiresAt: number;
}

/** `GET /api/v1/console/sessions` (owner): every live session. */
export interface ConsoleSession {
	id: string;
	user: ConsoleUser;
	role: ConsoleRole;
	method: LoginMethod;
	createdAt: number;
	lastSeenAt: number;
	expiresAt: number;
	idleExpiresAt: number;
	/** The client IP it was opened from (as rate limits see it). */
	ip: string;
	/** The browser's `User-Agent` at login, cut to 200 characters. */
	userAgent: string;
	/** The session making this request. */
	current: boolean;
}

/** Everything the audit log records. */
export const AUDIT_ACTIONS = [
	'session.login',
	'session.login_refused',
	'session.logout',
	'session.revoke',
	'incident.create',
	'incident.update',
	'incident.resolve',
	'incident.edit_update',
	'incident.postmortem',
	'incident.rename',
	'incident.delete',
	'template.create',
	'template.edit',
	'template.delete',
	'maintenance.schedule',
	'maintenance.edit',
	'maintenance.end',
	'maintenance.cancel',
	'cluster.retire',
	'subscriber.search',
	'subscriber.remove'
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who did something: a console session, or the bearer operator API. */
export type AuditActor =
	| { kind: 'session'; sessionId: string; method: LoginMethod; discordId: string | null; name: string; role: ConsoleRole }
	/** The operator API (`Authorization: Bearer <SHARDBEAT_OPERATOR_SECRET>`), acting as owner. */
	| { kind: 'bearer' }
	/** No one got in (`session.login_refused`): who tried, as far as known. */
	| { kind: 'anonymous'; discordId: string | null; name: string | null };

export interface AuditEntry {
	id: number;
	at: number;
	action: AuditAction;
	actor: AuditActor;
	/** What it was done to, e.g. `incident:12`, `maintenance:3`, `cluster:7`, `session:<id>`, `template:2`; null for logins. */
	target: string | null;
	/** The client IP (as rate limits see it). */
	ip: string;
	/** A short, action-specific summary (the new title, the status moved to, a refusal's reason). */
	detail: Record<string, string | number | boolean | null>;
}

/**
 * `GET /api/v1/console/audit?before=<id>&limit=<1–200, default 50>` (owner), and the same at
 * `GET /api/v1/operator/audit` (bearer): newest first; pass `next` as `before` for older ones.
 */
export interface AuditPage {
	entries: AuditEntry[];
	/** `before` for the next (older) page; null at the end. */
	next: number | null;
}

/** A reusable incident text. */
export interface MessageTemplate {
	id: number;
	/** What the console lists it as, e.g. "Gateway degraded". Unique. */
	name: string;
	/** Pre-fills an incident's title; null when it is only an update's text. */
	title: string | null;
	message: string;
	status: IncidentStatus | null;
	impact: IncidentImpact | null;
	updatedAt: number;
}

/** `POST /api/v1/console/templates` body (editor). */
export interface NewMessageTemplate {
	name: string;
	title?: string | null;
	message: string;
	status?: IncidentStatus | null;
	impact?: IncidentImpact | null;
}
/** `PATCH /api/v1/console/templates/:id` body (editor): the fields to change, at least one. */
export type MessageTemplatePatch = Partial<NewMessageTemplate>;

/** `PATCH /api/v1/console/incidents/:id/updates/:updateId` body (editor): the update's new text. */
export interface EditIncidentUpdate {
	message: string;
}

/** `PUT /api/v1/console/incidents/:id/postmortem` body (editor; the incident must be resolved). */
export interface IncidentPostmortemRequest {
	message: string;
}

/**
 * `PATCH /api/v1/console/incidents/:id` body (editor): rename or annotate any incident, at least
 * one field. `title` on an automatic incident replaces the title rendered from its facts (shown
 * as written in every language); `null` goes back to the automatic title (refused on an
 * operator's incident, which has no other). `note` is shown under the title; `null` removes it.
 */
export interface IncidentPatch {
	title?: string | null;
	note?: string | null;
}

/**
 * `PATCH /api/v1/console/maintenance/:id` body (editor): the fields to change, at least one.
 * The window as patched must still end after it starts, last at most 30 days, and, once started,
 * may not move its start.
 */
export type MaintenancePatch = Partial<NewMaintenance>;

/** `DELETE /api/v1/console/clusters/:id` (owner) answer: the cluster retired. */
export interface RetiredCluster {
	clusterId: number;
	retiredAt: number;
	shardIds: number[];
}

/** How a subscriber is reached: an email address, or a Discord channel's webhook. */
export type SubscriberKind = 'email' | 'discord';

/** `GET /api/v1/console/subscribers/counts` (viewer), also `GET /api/v1/operator/subscribers/counts` (bearer). */
export type SubscriberCountsView = Record<SubscriberKind, { confirmed: number; unconfirmed: number }>;

/**
 * `POST /api/v1/console/subscribers/search` body (editor): one exact email address or Discord
 * webhook URL (exactly one field). In the body, never in a URL, where access logs would keep it.
 */
export type SubscriberSearch = { email: string; discordWebhookUrl?: undefined } | { discordWebhookUrl: string; email?: undefined };

/** A subscriber as operators see it: never the address or webhook URL, only its masked hint. */
export interface SubscriberView {
	id: number;
	kind: SubscriberKind;
	/** Masked, e.g. `a…@example.com` or `discord.com/…/1234…`: enough to tell two apart, not to write to. */
	target: string;
	scope: SubscriptionScope;
	locale: string;
	createdAt: number;
	/** Null until the confirmation link was followed (email; a webhook is confirmed at once). */
	confirmedAt: number | null;
}

/** The search's answer: the one subscriber with that address, or none. */
export interface SubscriberSearchResult {
	subscribers: SubscriberView[];
}

/** The one error shape. */
export interface ConsoleErrorBody {
	error: { code: string; message: string };
}

/**
 * Every console endpoint, method + path → role needed, request body and answer. Paths are
 * relative to `CONSOLE_API`; `:id` are positive integers (sessions: the session's public id).
 * State-changing ones need the CSRF header with a cookie session (see the top of this file).
 */
export interface ConsoleEndpoints {
	/** Public: which logins this server offers. */
	'GET /login': { role: null; body: never; answer: ConsoleLoginOptions };
	/**
	 * Public, rate-limited: `?redirect=<absolute URL on the console's origin>` (default
	 * `<SHARDBEAT_PAGE_URL>/admin/`) → `302` to Discord's authorize page (state and PKCE S256;
	 * the state and verifier ride in a short-lived HttpOnly cookie). A redirect elsewhere is
	 * refused with `400 invalid_redirect`. Navigate the browser to it (not fetch).
	 */
	'GET /login/discord': { role: null; body: never; answer: never };
	/**
	 * Where Discord sends the browser back. On success: sets the session cookie and `302`s to the
	 * redirect given at the start. On failure: `302`s to that redirect with `?login_error=<code>`
	 * (`state_mismatch`, `not_an_operator`, `discord_refused`, `discord_unavailable`,
	 * `login_expired`, `access_denied`, `rate_limited`), or `400` JSON when not even that is known.
	 */
	'GET /login/discord/callback': { role: null; body: never; answer: never };
	/** Public, rate-limited (per IP, and failed keys per IP): opens an owner session. `403 key_login_disabled` when off. */
	'POST /login/key': { role: null; body: KeyLoginRequest; answer: ConsoleMe };
	'GET /me': { role: 'viewer'; body: never; answer: ConsoleMe };
	/** Ends this session (its cookie is cleared); `204`. */
	'POST /logout': { role: 'viewer'; body: never; answer: null };
	'GET /sessions': { role: 'owner'; body: never; answer: ConsoleSession[] };
	/** Revokes any session at once (its live sockets are disconnected); `204`, `404 unknown_session`. */
	'DELETE /sessions/:id': { role: 'owner'; body: never; answer: null };
	/** A viewer token with operator scope for `/viewer` (see the top of this file). */
	'POST /live-token': { role: 'viewer'; body: never; answer: ViewerTokenResponse };
	/** The fleet now, in full detail (as `GET /api/status` at `full` detail). */
	'GET /fleet': { role: 'viewer'; body: never; answer: FleetStatus };
	/** Incidents of the last 90 days and every open one, newest first; uncached. */
	'GET /incidents': { role: 'viewer'; body: never; answer: Incident[] };
	'POST /incidents': { role: 'editor'; body: NewIncident; answer: Incident };
	/** Posts an update; `status: 'resolved'` resolves it. `404 unknown_incident`. */
	'POST /incidents/:id/updates': { role: 'editor'; body: NewIncidentUpdate; answer: Incident };
	'PATCH /incidents/:id/updates/:updateId': { role: 'editor'; body: EditIncidentUpdate; answer: Incident };
	/** `409 incident_open` unless resolved. */
	'PUT /incidents/:id/postmortem': { role: 'editor'; body: IncidentPostmortemRequest; answer: Incident };
	'PATCH /incidents/:id': { role: 'editor'; body: IncidentPatch; answer: Incident };
	/** Deletes it and its updates for good; pages drop it at once. `204`. */
	'DELETE /incidents/:id': { role: 'owner'; body: never; answer: null };
	'GET /templates': { role: 'viewer'; body: never; answer: MessageTemplate[] };
	/** `409 template_name_taken`. */
	'POST /templates': { role: 'editor'; body: NewMessageTemplate; answer: MessageTemplate };
	'PATCH /templates/:id': { role: 'editor'; body: MessageTemplatePatch; answer: MessageTemplate };
	'DELETE /templates/:id': { role: 'editor'; body: never; answer: null };
	/** Windows not yet ended, soonest first. */
	'GET /maintenance': { role: 'viewer'; body: never; answer: MaintenanceWindow[] };
	'POST /maintenance': { role: 'editor'; body: NewMaintenance; answer: MaintenanceWindow };
	/** `409 maintenance_ended` for a window already over. */
	'PATCH /maintenance/:id': { role: 'editor'; body: MaintenancePatch; answer: MaintenanceWindow };
	/** Ends a window in progress now. `409 maintenance_not_started` / `maintenance_ended`. */
	'POST /maintenance/:id/end': { role: 'editor'; body: never; answer: MaintenanceWindow };
	/** Cancels a window not yet started (`409 maintenance_started`: end it instead). `204`. */
	'DELETE /maintenance/:id': { role: 'editor'; body: never; answer: null };
	/** Retires a stopped cluster. `409 cluster_live`, `404 unknown_cluster`. */
	'DELETE /clusters/:id': { role: 'owner'; body: never; answer: RetiredCluster };
	'GET /audit': { role: 'owner'; body: never; answer: AuditPage };
	/** Subscribers by kind, confirmed or not. */
	'GET /subscribers/counts': { role: 'viewer'; body: never; answer: SubscriberCountsView };
	/** Finds one subscriber by exact address (masked answer); audited as `subscriber.search` (kind and whether found, never the address). */
	'POST /subscribers/search': { role: 'editor'; body: SubscriberSearch; answer: SubscriberSearchResult };
	/** Deletes the subscriber and its address at once; audited as `subscriber.remove`. `204`, `404 unknown_subscriber`. */
	'DELETE /subscribers/:id': { role: 'owner'; body: never; answer: null };
}

/** What `ConsoleEndpoints[E]` needs and answers, for typed fetch helpers. */
export type ConsoleEndpoint = keyof ConsoleEndpoints;

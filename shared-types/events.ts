import type { ShardConflict } from './cluster.ts';
import type { LatencyBands } from './latency.ts';
import type { Heartbeat } from './heartbeat.ts';
import type { HeartbeatDelta, SequencedHeartbeat } from './heartbeat-delta.ts';
import type { Incident, MaintenanceWindow } from './history/api.ts';
import type { FleetUpdate, StatusRequest } from './wire/fleet-update.ts';

/*
 * The Socket.io event contract, defined once and passed as generics to both
 * `Server<...>` / `Namespace<...>` on the server and `Socket<...>` on the clients.
 */

/** Namespaces the server opens; anything else is refused. */
export const NAMESPACES = { bot: '/bot', viewer: '/viewer' } as const;

export type ErrorCode =
	| 'invalid_payload'
	| 'unsupported_version'
	| 'unauthorized'
	| 'token_expired'
	| 'rate_limited'
	| 'unknown_event'
	/** A heartbeat delta whose `base` is not the last heartbeat this server accepted on the connection: send a full heartbeat. */
	| 'unknown_base'
	| 'internal';

export interface ProtocolError {
	code: ErrorCode;
	/** Human-readable: what went wrong and how to fix it. */
	message: string;
	/** With `rate_limited`: how long to wait before asking again. */
	retryAfterMs?: number;
}

/** Every acknowledgement: `{ ok: true, ...payload }` or `{ ok: false, error }`. */
export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: ProtocolError };

export interface HeartbeatAccepted {
	receivedAt: number;
	/** Shards this cluster claims that another live cluster claims too; empty when all is well. */
	conflicts: ShardConflict[];
	/**
	 * The server answers a heartbeat sent without an acknowledgement only when there is something
	 * to say (a refusal, conflicts), with `heartbeat-result`. A reporter that sees this in an ack
	 * sends its interval heartbeats without one: no answer to wait for, decode and time out, which
	 * is a third of what a heartbeat costs a bot. Servers older than it leave it out, and a
	 * reporter then keeps asking for an ack every time.
	 */
	answersOnlyProblems?: true;
	/**
	 * This server takes numbered heartbeats (`seq`) and deltas against them on this connection
	 * (`HeartbeatDelta`). Servers older than it leave it out, and a reporter then sends every
	 * heartbeat full and unnumbered, as before.
	 */
	acceptsDeltas?: true;
}

/** What `/bot` takes as a heartbeat: plain, numbered, or a delta (the last two only once an ack said `acceptsDeltas`). */
export type BotHeartbeat = Heartbeat | SequencedHeartbeat | HeartbeatDelta;

/** Events a bot (reporter) emits on `/bot`. */
export interface BotClientToServerEvents {
	/**
	 * With an ack: answered every time. Without (allowed once an ack said `answersOnlyProblems`):
	 * applied all the same, and answered by `heartbeat-result` only when refused or in conflict.
	 */
	heartbeat: (...args: [heartbeat: BotHeartbeat, ack: (result: Ack<HeartbeatAccepted>) => void] | [heartbeat: BotHeartbeat]) => void;
}
/** What the server sends a bot unprompted. */
export interface BotServerToClientEvents {
	/** The answer to a heartbeat sent without an ack, when it was refused or its shards are also claimed elsewhere. */
	'heartbeat-result': (result: Ack<HeartbeatAccepted>) => void;
}

/** Handshake `auth` a bot sends on `/bot`. */
export interface BotAuth {
	secret: string;
}

/** Events a status page emits on `/viewer`. */
export interface ViewerClientToServerEvents {
	/**
	 * Polls for the fleet. Send the version you hold (`{ since }`) and the answer is tiny when
	 * nothing changed, a delta when the server still remembers your version, else a snapshot.
	 */
	'get-cluster-status': (request: StatusRequest, ack: (result: Ack<{ update: FleetUpdate }>) => void) => void;
	/**
	 * Swaps the token a live socket holds for a fresh one, so a page open for hours never has to
	 * reconnect just because its token aged out.
	 */
	'renew-token': (token: string, ack: (result: Ack<{ expiresAt: number }>) => void) => void;
}
/** What the server pushes to viewers. */
export interface ViewerServerToClientEvents {
	/** Each committed change, batched (a few a second at most); always a `delta`. */
	'fleet-update': (update: FleetUpdate) => void;
	/**
	 * An incident was opened, updated or resolved (automatic or an operator's): the incident as it
	 * stands now, whole. A page shows it at once rather than at its next history fetch, so its
	 * incident notices keep up with the fleet its banner shows.
	 */
	incident: (incident: Incident) => void;
	/** An owner deleted incident `id` (the console): the page drops it at once. */
	'incident-deleted': (id: number) => void;
	/**
	 * Maintenance changed (scheduled, edited, ended early, cancelled; console or operator API):
	 * every window in progress or scheduled now, soonest first, as `GET /api/v1/history` gives
	 * `maintenance`. The page replaces its list with it.
	 */
	maintenance: (windows: MaintenanceWindow[]) => void;
}

/** Handshake `auth` a viewer sends on `/viewer`: a token from `POST /api/token`. */
export interface ViewerAuth {
	token: string;
}

/** `POST /api/token` response body. */
export interface ViewerTokenResponse {
	token: string;
	/** Unix epoch ms after which the server refuses the token. */
	expiresAt: number;
	/** The operator's ping bands for the page's latency view (`SHARDBEAT_LATENCY_BANDS`); absent from older servers. */
	latencyBands?: LatencyBands;
}

/**
 * The `data` attached to a refused connection (`connect_error`), so a client can tell
 * "fetch a new token" (`token_expired`) from "stop trying" (`unauthorized`).
 */
export interface ConnectErrorData {
	code: ErrorCode;
	/** With `rate_limited`: how long to wait before connecting again. */
	retryAfterMs?: number;
}

import { io, type Socket } from 'socket.io-client';
import {
	NAMESPACES,
	backoffDelay,
	parseRetryAfter,
	type BackoffPolicy,
	type ConnectErrorData,
	type FleetUpdate,
	type Incident,
	type MaintenanceWindow,
	type ViewerClientToServerEvents,
	type ViewerServerToClientEvents,
	type ViewerTokenResponse
} from '#shared';

export type ViewerSocket = Socket<ViewerServerToClientEvents, ViewerClientToServerEvents>;

/** `live`: connected; `reconnecting`: lost and retrying; `offline`: the server cannot be reached at all. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface ViewerConnectionOptions {
	serverUrl: string;
	/** A token fetched by `+layout.ts`, if it got one. */
	initialToken: ViewerTokenResponse | null;
	/**
	 * A poll answer or a push. Return false when it cannot be applied (a push after a gap in
	 * versions, or bytes that would not decode): the connection then asks for what is missing.
	 */
	onUpdate: (update: FleetUpdate) => boolean;
	/** The version the page holds, sent with every poll so an unchanged fleet costs a few bytes. */
	version: () => number;
	/** An incident the server pushed as it changed (opened, updated, resolved), whole. */
	onIncident?: (incident: Incident) => void;
	/** An incident an owner deleted. */
	onIncidentDeleted?: (id: number) => void;
	/** Maintenance changed: every window in progress or scheduled, soonest first. */
	onMaintenance?: (windows: MaintenanceWindow[]) => void;
	onState: (state: ConnectionState) => void;
	fetch?: typeof fetch;
	/**
	 * Where tokens come from; default `POST /api/token` (public scope). The operator console
	 * passes its own, which asks for operator scope with its session.
	 */
	fetchToken?: () => Promise<ViewerTokenResponse>;
	/** Refresh the token this long before it expires. Default 60 s. */
	refreshAheadMs?: number;
}

/**
 * Reconnects and token renewals: 1 s doubling to 30 s, each delay ±50 % (so a crowd of pages that
 * lost the server at the same moment do not all come back in the same second), in whole ms.
 */
const VIEWER_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.5, round: true };

/** Failed attempts in a row (about 7 s with `VIEWER_BACKOFF`) before the page says "offline". */
export const OFFLINE_AFTER_FAILURES = 3;

/** A refused `POST /api/token`; `retryAfterMs` comes from the server's `Retry-After`, when it sent one. */
export class TokenRequestError extends Error {
	constructor(
		readonly status: number,
		readonly retryAfterMs: number | undefined
	) {
		super(`POST /api/token answered ${status}${retryAfterMs === undefined ? '' : `; retry in ${Math.ceil(retryAfterMs / 1000)} s`}`);
	}
}

/**
 * `Retry-After` in seconds (the form our server sends), as ms; anything else is ignored: no HTTP
 * dates (the page's clock is not the server's), and 0 or less is no hint beyond the backoff.
 */
function retryAfterOf(res: Response): number | undefined {
	return parseRetryAfter(res.headers.get('retry-after')) || undefined;
}

/** `POST /api/token` on the status server. */
export async function fetchViewerToken(serverUrl: string, fetcher: typeof fetch = fetch): Promise<ViewerTokenResponse> {
	const res = await fetcher(new URL('/api/token', serverUrl), { method: 'POST' });
	if (!res.ok) throw new TokenRequestError(res.status, retryAfterOf(res));
	const body = (await res.json()) as ViewerTokenResponse;
	if (typeof body.token !== 'string' || typeof body.expiresAt !== 'number') throw new Error('POST /api/token returned no token');
	return body;
}

/**
 * The page's link to the status server: holds a viewer token and keeps it fresh, keeps one
 * Socket.io connection open (WebSocket first), and turns every failure into a retry with
 * backoff and jitter. It knows nothing about rendering; `StatusStore` owns the state.
 */
export class ViewerConnection {
	readonly #o: ViewerConnectionOptions & { fetch: typeof fetch; refreshAheadMs: number };
	#token: ViewerTokenResponse | null;
	#socket: ViewerSocket | undefined;
	#refreshTimer: ReturnType<typeof setTimeout> | undefined;
	#retryTimer: ReturnType<typeof setTimeout> | undefined;
	#attempt = 0;
	/** Consecutive failed connection attempts; after a few, the server counts as unreachable. */
	#failures = 0;
	#closed = false;
	#state: ConnectionState = 'connecting';
	/** The server said "too many requests": no poll leaves before this time. */
	#holdUntil = 0;
	#holdTimer: ReturnType<typeof setTimeout> | undefined;

	constructor(options: ViewerConnectionOptions) {
		this.#o = { fetch: (...a) => fetch(...a), refreshAheadMs: 60_000, ...options };
		this.#token = options.initialToken;
	}

	start(): void {
		if (this.#token) this.#open();
		else void this.#renewAndOpen();
	}

	/**
	 * Asks for what changed since the page's version; resolves false when not connected, refused,
	 * or the answer would not apply (then the copy is dropped and the next poll gets a snapshot).
	 */
	async poll(): Promise<boolean> {
		const socket = this.#socket;
		// While held back, asking again would only spend the budget the server is refilling.
		if (!socket?.connected || Date.now() < this.#holdUntil) return false;
		try {
			const version = this.#o.version();
			const ack = await socket.timeout(10_000).emitWithAck('get-cluster-status', version > 0 ? { since: version } : {});
			if (ack.ok) return this.#o.onUpdate(ack.update);
			if (ack.error.code === 'token_expired') await this.#renewToken().catch(() => undefined);
			if (ack.error.code === 'rate_limited') this.#holdPolls(ack.error.retryAfterMs ?? backoffDelay(this.#attempt, VIEWER_BACKOFF));
			return false;
		} catch {
			return false; // timed out; the next poll or the reconnect logic repairs it
		}
	}

	/** Holds polls for `ms`, then asks once, so the page catches up as soon as it may. */
	#holdPolls(ms: number): void {
		if (this.#closed) return;
		this.#holdUntil = Date.now() + ms;
		clearTimeout(this.#holdTimer);
		this.#holdTimer = setTimeout(() => {
			// Timers may fire a millisecond before Date.now() reaches the mark.
			this.#holdUntil = 0;
			void this.poll();
		}, ms);
	}

	close(): void {
		this.#closed = true;
		clearTimeout(this.#refreshTimer);
		clearTimeout(this.#retryTimer);
		clearTimeout(this.#holdTimer);
		this.#socket?.disconnect();
		this.#socket = undefined;
	}

	/** Counts a failed attempt: a blip is "reconnecting", a server that keeps failing is "offline". */
	#failed(): void {
		this.#failures++;
		this.#setState(this.#failures >= OFFLINE_AFTER_FAILURES || this.#state === 'connecting' || this.#state === 'offline' ? 'offline' : 'reconnecting');
	}

	#setState(state: ConnectionState): void {
		if (this.#state === state) return;
		this.#state = state;
		this.#o.onState(state);
	}

	#open(): void {
		if (this.#closed) return;
		if (this.#socket) {
			this.#socket.auth = { token: this.#token!.token };
			this.#socket.connect();
			return;
		}
		const socket: ViewerSocket = io(new URL(NAMESPACES.viewer, this.#o.serverUrl).href, {
			auth: { token: this.#token!.token },
			transports: ['websocket', 'polling'],
			reconnectionDelay: 1_000,
			reconnectionDelayMax: 30_000,
			randomizationFactor: 0.5
		});
		this.#socket = socket;
		socket.on('connect', () => {
			this.#attempt = 0;
			this.#failures = 0;
			// No poll here: the store's scheduler asks on `live`, and only while the tab is visible.
			this.#setState('live');
		});
		// Pushes arrive between polls; one that leaves a gap in versions is repaired by a poll now.
		socket.on('fleet-update', (update) => {
			if (!this.#o.onUpdate(update)) void this.poll();
		});
		socket.on('incident', (incident) => this.#o.onIncident?.(incident));
		socket.on('incident-deleted', (id) => this.#o.onIncidentDeleted?.(id));
		socket.on('maintenance', (windows) => this.#o.onMaintenance?.(windows));
		socket.on('disconnect', (reason) => {
			if (this.#closed) return;
			this.#setState('reconnecting');
			// socket.io retries transport losses itself, but not a disconnect the server chose.
			if (reason === 'io server disconnect') this.#retry();
		});
		socket.on('connect_error', (error: Error & { data?: ConnectErrorData }) => {
			if (this.#closed) return;
			// A blip is "reconnecting"; a server that keeps refusing or not answering is "offline",
			// which the page states plainly alongside the age of the data it still shows.
			this.#failed();
			// A refusal by the server's middleware is final for socket.io: a token that expired,
			// or one signed by a server that restarted with a new key. Fetch a new one and retry.
			if (error.data?.code === 'token_expired' || error.data?.code === 'unauthorized') this.#retry();
			// Too many tabs from this address: come back no sooner than the server asked.
			if (error.data?.code === 'rate_limited') this.#retry(error.data.retryAfterMs);
		});
		socket.io.on('reconnect_attempt', () => this.#setState('reconnecting'));
		this.#scheduleRefresh();
	}

	/** Fetches a token and connects again after the backoff, or after `atLeastMs` if longer. */
	#retry(atLeastMs = 0): void {
		clearTimeout(this.#retryTimer);
		// A request that was in flight when the page closed the connection must not start a new cycle.
		if (this.#closed) return;
		const delay = Math.max(atLeastMs, backoffDelay(this.#attempt++, VIEWER_BACKOFF));
		this.#retryTimer = setTimeout(() => void this.#renewAndOpen(), delay);
	}

	async #renewAndOpen(): Promise<void> {
		if (this.#closed) return;
		try {
			await this.#renewToken();
			this.#open();
		} catch (error) {
			if (this.#closed) return;
			// The HTTP API is unreachable or refusing: one failure after a drop is still "reconnecting"
			// (a restart takes a moment); a first visit, or several in a row, is "offline", said plainly.
			this.#failed();
			this.#retry(error instanceof TokenRequestError ? error.retryAfterMs : undefined);
		}
	}

	async #renewToken(): Promise<void> {
		this.#token = await (this.#o.fetchToken?.() ?? fetchViewerToken(this.#o.serverUrl, this.#o.fetch));
		const socket = this.#socket;
		if (socket) {
			socket.auth = { token: this.#token.token };
			if (socket.connected) await socket.timeout(10_000).emitWithAck('renew-token', this.#token.token).catch(() => undefined);
		}
		this.#scheduleRefresh();
	}

	/**
	 * Renews the token `inMs` from now: by default a minute before it expires (never sooner than
	 * 5 s, so a short-lived token cannot spin); after a failed renewal, with backoff.
	 */
	#scheduleRefresh(inMs?: number): void {
		clearTimeout(this.#refreshTimer);
		if (!this.#token || this.#closed) return;
		const delay = inMs ?? Math.max(5_000, this.#token.expiresAt - Date.now() - this.#o.refreshAheadMs);
		this.#refreshTimer = setTimeout(
			() =>
				void this.#renewToken().catch((error: unknown) =>
					this.#scheduleRefresh(Math.max(error instanceof TokenRequestError ? (error.retryAfterMs ?? 0) : 0, backoffDelay(this.#attempt++, VIEWER_BACKOFF)))
				),
			delay
		);
	}
}

import { deriveConflicts, deriveTotalShards, FleetReplica, overallHealth, type ClusterStatus, type FleetStatus, type FleetUpdate, type Incident, type MaintenanceWindow, type OverallHealth, type ViewerTokenResponse } from '#shared';
import { PollScheduler, type FocusSource, type VisibilitySource } from './poll-scheduler.ts';
import { ViewerConnection, type ConnectionState } from './viewer-connection.ts';

/** Data older than two missed polls is stale even while the socket looks connected. */
export const STALE_AFTER_MS = 40_000;
export const POLL_INTERVAL_MS = 15_000;
/**
 * After the connection drops, a snapshot that lacks clusters the page was showing is most likely a
 * restarted server (its memory starts empty) that has not heard from every bot yet: they come back
 * with backoff, in any order with the pages. Those clusters stay on screen as last seen for this
 * long, the server's own start-up grace (silence counts after 3 missed 5-s heartbeats), unless the
 * server reports them first; one that never returns then leaves the page as the server says.
 */
export const RESTART_GRACE_MS = 15_000;

/** The subset of `ViewerConnection` the store drives; swapped for a fake in tests. */
export interface StatusConnection {
	start(): void;
	poll(): Promise<boolean>;
	close(): void;
}

export interface StatusStoreOptions {
	serverUrl: string;
	token: ViewerTokenResponse | null;
	/** Dev builds only: made-up clusters to show, clearly labelled, when no server answers. */
	loadDemo?: () => Promise<FleetStatus>;
	/** Where viewer tokens come from (default `POST /api/token`); the console asks for operator scope. */
	fetchToken?: () => Promise<ViewerTokenResponse>;
	connect?: (handlers: {
		onUpdate: (u: FleetUpdate) => boolean;
		version: () => number;
		onState: (s: ConnectionState) => void;
		onIncident: (incident: Incident) => void;
		onIncidentDeleted?: (id: number) => void;
		onMaintenance?: (windows: MaintenanceWindow[]) => void;
	}) => StatusConnection;
}

/**
 * Everything the status page knows: the last fleet status and when it arrived, the connection
 * state, and what follows from them (overall health, staleness). Components only read it.
 */
export class StatusStore {
	/** Raw, not deeply reactive: a 16,000-shard snapshot is replaced whole, never mutated. */
	status = $state.raw<FleetStatus | null>(null);
	receivedAt = $state<number | null>(null);
	connection = $state<ConnectionState>('connecting');
	demo = $state(false);
	/**
	 * Clusters on screen as last seen before the connection dropped, which the server has not
	 * reported since (see `RESTART_GRACE_MS`): their cards say so, so nothing looks current that is not.
	 */
	awaiting = $state.raw<ReadonlySet<number>>(new Set());
	/**
	 * Incidents the server pushed since the page opened, the latest copy of each (the history's
	 * fetch has the rest; `currentIncidents` puts the two together).
	 */
	incidents = $state.raw<readonly Incident[]>([]);
	/** Incidents an owner deleted since the page opened (pushed): the page drops them wherever they come from. */
	deletedIncidents = $state.raw<ReadonlySet<number>>(new Set());
	/**
	 * Maintenance windows as last pushed (every change is), or null when none was pushed since the
	 * connection was last live: then the history's fetch is what the page has.
	 */
	maintenance = $state.raw<readonly MaintenanceWindow[] | null>(null);
	/** Ticks every second so "updated 5 s ago" and staleness move on their own. */
	now = $state(Date.now());

	readonly health: OverallHealth = $derived(overallHealth(this.status ?? { clusters: [], totalShards: 0 }));
	readonly ageMs: number | null = $derived(this.receivedAt === null ? null : Math.max(0, this.now - this.receivedAt));
	/** True when the data on screen cannot be vouched for as current. Demo data is never "live". */
	readonly stale: boolean = $derived(
		!this.demo && this.receivedAt !== null && (this.connection !== 'live' || (this.ageMs ?? 0) > STALE_AFTER_MS)
	);

	readonly #options: StatusStoreOptions;
	/** The versioned copy updates apply to; `status` is its latest state, published. */
	#replica = new FleetReplica();
	/** `performance.now()` when the last applied update arrived, for the render measure. */
	updateArrivedAt = 0;
	/** The connection was lost since the last applied update (a snapshot after it may be a restarted server's). */
	#lostSinceUpdate = false;
	/** Clusters kept on screen after a reconnect until the server reports them (see `RESTART_GRACE_MS`). */
	#carried = new Map<number, ClusterStatus>();
	#carriedUntil = 0;

	constructor(options: StatusStoreOptions) {
		this.#options = options;
	}

	/** Records a status that just arrived. */
	apply(status: FleetStatus, at = Date.now()): void {
		this.status = status;
		this.receivedAt = at;
		this.now = at;
		this.demo = false;
	}

	/** The version of the data on screen (0: none yet). */
	get version(): number {
		return this.#replica.version;
	}

	/**
	 * Applies a poll answer or push. Only the clusters a delta names get new objects, so the page
	 * redraws those cards and leaves the rest of the grid alone. Returns false when the update
	 * cannot apply (a gap in versions, or bytes that would not decode); the caller then polls.
	 */
	applyUpdate(update: FleetUpdate, at = Date.now()): boolean {
		const arrived = performance.now();
		let outcome;
		try {
			outcome = this.#replica.apply(update);
		} catch {
			// Undecodable: start over from a snapshot rather than show a copy we cannot trust.
			this.#replica = new FleetReplica();
			return false;
		}
		if (outcome === 'gap') return false;
		if (outcome === 'applied') {
			this.updateArrivedAt = arrived;
			if (update.kind === 'full' && this.#lostSinceUpdate && this.status && !this.demo) this.#carry(this.status.clusters, at);
			this.#lostSinceUpdate = false;
			this.apply(this.#withCarried(at), at);
		} else if (!this.demo && this.status) {
			// "Unchanged" is news too: the server vouches that what is on screen is current.
			this.receivedAt = at;
			this.now = at;
		}
		return true;
	}

	/** Records an incident the server pushed, in place of any earlier copy of it. */
	applyIncident(incident: Incident): void {
		// Pushes are the server's, but a page must not break on one it cannot read.
		if (typeof incident?.id !== 'number' || !Array.isArray(incident.updates)) return;
		this.incidents = [...this.incidents.filter((i) => i.id !== incident.id), incident];
	}

	/** Records an incident the server says was deleted. */
	applyIncidentDeleted(id: number): void {
		if (!Number.isSafeInteger(id) || this.deletedIncidents.has(id)) return;
		this.deletedIncidents = new Set([...this.deletedIncidents, id]);
	}

	/** Takes the maintenance windows the server pushed as the page's list. */
	applyMaintenance(windows: MaintenanceWindow[]): void {
		if (!Array.isArray(windows) || !windows.every((w) => typeof w?.id === 'number' && typeof w.startsAt === 'number' && typeof w.endsAt === 'number')) return;
		this.maintenance = windows;
	}

	#carry(shown: readonly ClusterStatus[], at: number): void {
		const missing = shown.filter((c) => !this.#replica.get(c.id));
		if (missing.length === 0) return;
		this.#carried = new Map(missing.map((c) => [c.id, c]));
		this.#carriedUntil = at + RESTART_GRACE_MS;
	}

	/** The replica's fleet, plus the clusters still carried over a restart. */
	#withCarried(now: number): FleetStatus {
		const status = this.#replica.status;
		for (const id of this.#carried.keys()) if (now >= this.#carriedUntil || this.#replica.get(id)) this.#carried.delete(id);
		// A new set only when it changed, so cards re-render only then.
		if (this.#carried.size !== this.awaiting.size || [...this.#carried.keys()].some((id) => !this.awaiting.has(id))) this.awaiting = new Set(this.#carried.keys());
		if (this.#carried.size === 0) return status;
		const clusters = [...status.clusters, ...this.#carried.values()].sort((a, b) => a.id - b.id);
		return { ...status, clusters, totalShards: deriveTotalShards(clusters), conflicts: deriveConflicts(clusters) };
	}

	/** Ends the grace: clusters the server never reported leave the page; the data's age is unchanged. */
	#expireCarried(now: number): void {
		if (this.#carried.size === 0 || now < this.#carriedUntil) return;
		this.status = this.#withCarried(now);
	}

	/** Connects, polls and ticks until the returned cleanup runs (call it from `onMount`). */
	start(env: { document: VisibilitySource; window: FocusSource } = { document, window }): () => void {
		let closed = false;
		// The scheduler exists before the connection, which may report its state while being built.
		const scheduler = new PollScheduler({
			poll: () => void connection.poll(),
			document: env.document,
			window: env.window,
			intervalMs: POLL_INTERVAL_MS
		});
		const handlers = {
			onUpdate: (u: FleetUpdate) => this.applyUpdate(u),
			version: () => this.version,
			onState: (s: ConnectionState) => {
				this.connection = s;
				if (s !== 'live' && this.status) this.#lostSinceUpdate = true;
				// Pushes missed while away are not replayed: the history's next fetch is the truth again.
				if (s !== 'live') this.maintenance = null;
				if (s === 'live') scheduler.refresh({ force: true });
			},
			onIncident: (incident: Incident) => this.applyIncident(incident),
			onIncidentDeleted: (id: number) => this.applyIncidentDeleted(id),
			onMaintenance: (windows: MaintenanceWindow[]) => this.applyMaintenance(windows)
		};
		const connection: StatusConnection =
			this.#options.connect?.(handlers) ??
			new ViewerConnection({ serverUrl: this.#options.serverUrl, initialToken: this.#options.token, fetchToken: this.#options.fetchToken, ...handlers });

		if (!this.#options.token && this.#options.loadDemo) {
			this.#options
				.loadDemo()
				.then((demo) => {
					if (closed || this.receivedAt !== null) return; // the real server answered first
					this.status = demo;
					this.demo = true;
				})
				.catch(() => undefined); // no demo is no worse than no data; the banner says so
		}
		connection.start();
		scheduler.start();
		const ticker = setInterval(() => {
			this.now = Date.now();
			this.#expireCarried(this.now);
		}, 1_000);
		return () => {
			closed = true;
			clearInterval(ticker);
			scheduler.stop();
			connection.close();
		};
	}
}

import { untrack } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import type { ClusterHistory, FleetHistory } from '#shared';
import { PollScheduler, type FocusSource, type VisibilitySource } from './poll-scheduler.ts';

/** History moves by the minute at most; once a minute while the tab is visible is plenty. */
export const HISTORY_INTERVAL_MS = 60_000;
/** A cluster's bars and ping, once fetched, are reused this long (reopening details is free). */
export const CLUSTER_TTL_MS = 60_000;
/** A request that has not answered by then counts as failed, so "loading" never hangs. */
const REQUEST_TIMEOUT_MS = 10_000;

/** Dev builds only: made-up history, consistent with the demo fleet, for when no server answers. */
export interface DemoHistory {
	fleet(now: number, timeZone: string): FleetHistory;
	cluster(id: number, now: number, timeZone: string): ClusterHistory | null;
}

export interface HistoryStateOptions {
	serverUrl: string;
	/** IANA zone the days are cut in; default: the browser's. */
	timeZone?: string;
	loadDemo?: () => Promise<DemoHistory>;
	fetch?: typeof fetch;
	intervalMs?: number;
	clusterTtlMs?: number;
	now?: () => number;
}

/** `loading`: nothing yet; `error`: the last attempt failed (data already shown is kept). */
export type LoadState = 'loading' | 'ready' | 'error';

export interface ClusterEntry {
	data: ClusterHistory | null;
	state: LoadState;
	/** When `data` arrived (0: never). */
	fetchedAt: number;
}

/**
 * Uptime history for the page: the whole bot's (`GET /api/v1/history`), refreshed every minute
 * while the tab is visible and at once when it comes back; and single clusters'
 * (`/api/v1/history/clusters/:id`), fetched when their details open and cached. Nothing here
 * throws: a failed request leaves what is on screen and reports `error`.
 */
export class HistoryState {
	/** Raw: replaced whole on every refresh, never mutated. */
	fleet = $state.raw<FleetHistory | null>(null);
	state = $state<LoadState>('loading');
	/** True while `fleet` is made-up demo history (dev only). */
	demo = $state(false);
	readonly timeZone: string;

	readonly #o: Required<Omit<HistoryStateOptions, 'loadDemo' | 'timeZone'>> & Pick<HistoryStateOptions, 'loadDemo'>;
	readonly #clusters = new SvelteMap<number, ClusterEntry>();
	readonly #clusterRequests = new Map<number, Promise<void>>();
	/** Clusters whose details are open: refreshed with the fleet while the tab is visible. */
	readonly #watched = new Map<number, number>();
	#fleetRequest: Promise<void> | null = null;
	#demo: Promise<DemoHistory | null> | null = null;
	#closed = false;

	constructor(options: HistoryStateOptions) {
		this.timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
		this.#o = {
			fetch: (...a) => fetch(...a),
			intervalMs: HISTORY_INTERVAL_MS,
			clusterTtlMs: CLUSTER_TTL_MS,
			now: Date.now,
			...options
		};
	}

	/** Cluster `id`'s history as last fetched (reactive); undefined before it was asked for. */
	cluster(id: number): ClusterEntry | undefined {
		return this.#clusters.get(id);
	}

	/** Fetches the fleet's history; concurrent calls share one request. */
	refresh(): Promise<void> {
		this.#fleetRequest ??= this.#fetchFleet().finally(() => (this.#fleetRequest = null));
		return this.#fleetRequest;
	}

	/**
	 * Fetches cluster `id`'s history unless a copy younger than the cache time exists (`force`
	 * skips that check) or a request for it is already under way.
	 */
	loadCluster(id: number, options: { force?: boolean } = {}): Promise<void> {
		// Untracked: called from effects, which must not come to depend on the cache they fill.
		return untrack(() => this.#loadCluster(id, options.force ?? false));
	}

	#loadCluster(id: number, force: boolean): Promise<void> {
		const pending = this.#clusterRequests.get(id);
		if (pending) return pending;
		const entry = this.#clusters.get(id);
		if (!force && entry?.data && this.#o.now() - entry.fetchedAt < this.#o.clusterTtlMs) return Promise.resolve();
		const request = this.#fetchCluster(id).finally(() => this.#clusterRequests.delete(id));
		this.#clusterRequests.set(id, request);
		return request;
	}

	/**
	 * Loads cluster `id` now (from cache if fresh) and keeps it fresh with every refresh until
	 * the returned function runs: an `$effect` in the open details panel.
	 */
	watch(id: number): () => void {
		this.#watched.set(id, (this.#watched.get(id) ?? 0) + 1);
		void this.loadCluster(id);
		return () => {
			const n = (this.#watched.get(id) ?? 1) - 1;
			if (n <= 0) this.#watched.delete(id);
			else this.#watched.set(id, n);
		};
	}

	/** Fetches now and on the poll schedule until the returned cleanup runs (call from `onMount`). */
	start(env: { document: VisibilitySource; window: FocusSource } = { document, window }): () => void {
		this.#closed = false;
		const scheduler = new PollScheduler({
			poll: () => {
				void this.refresh();
				for (const id of this.#watched.keys()) void this.loadCluster(id);
			},
			document: env.document,
			window: env.window,
			intervalMs: this.#o.intervalMs
		});
		scheduler.start();
		return () => {
			this.#closed = true;
			scheduler.stop();
		};
	}

	async #fetchFleet(): Promise<void> {
		const body = await this.#get<FleetHistory>('/api/v1/history');
		if (this.#closed) return;
		if (body && Array.isArray(body.bars?.days) && Array.isArray(body.incidents) && Array.isArray(body.maintenance)) {
			this.fleet = body;
			this.demo = false;
			this.state = 'ready';
			return;
		}
		// Real data already on screen stays there; only a page that has none gets the demo.
		const demo = this.fleet && !this.demo ? null : await this.#loadDemo();
		if (this.#closed) return;
		if (demo) {
			this.fleet = demo.fleet(this.#o.now(), this.timeZone);
			this.demo = true;
			this.state = 'ready';
		} else this.state = 'error';
	}

	async #fetchCluster(id: number): Promise<void> {
		const previous = this.#clusters.get(id);
		if (!previous?.data) this.#clusters.set(id, { data: null, state: 'loading', fetchedAt: 0 });
		// While the fleet is demo data no server is answering: skip the wait for another timeout.
		const body = this.demo ? null : await this.#get<ClusterHistory>(`/api/v1/history/clusters/${encodeURIComponent(id)}`);
		if (body && body.id === id && Array.isArray(body.bars?.days) && Array.isArray(body.ping)) {
			this.#clusters.set(id, { data: body, state: 'ready', fetchedAt: this.#o.now() });
			return;
		}
		const demo = this.demo || !this.fleet ? await this.#loadDemo() : null;
		const made = demo?.cluster(id, this.#o.now(), this.timeZone) ?? null;
		if (made) this.#clusters.set(id, { data: made, state: 'ready', fetchedAt: this.#o.now() });
		else this.#clusters.set(id, { data: previous?.data ?? null, state: 'error', fetchedAt: previous?.fetchedAt ?? 0 });
	}

	/** GET `path?tz=` on the status server; null on any failure (network, status, JSON, timeout). */
	async #get<T>(path: string): Promise<T | null> {
		try {
			const url = new URL(path, this.#o.serverUrl);
			url.searchParams.set('tz', this.timeZone);
			const res = await this.#o.fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
			if (!res.ok) return null;
			return (await res.json()) as T;
		} catch {
			return null;
		}
	}

	#loadDemo(): Promise<DemoHistory | null> {
		if (!this.#o.loadDemo) return Promise.resolve(null);
		this.#demo ??= this.#o.loadDemo().catch(() => null);
		return this.#demo;
	}
}

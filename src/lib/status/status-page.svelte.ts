import type { Incident, MaintenanceWindow, ShardConflict, ViewerTokenResponse } from '#shared';
import { HistoryState } from './history-state.svelte.ts';
import { currentIncidents } from './incident-merge.ts';
import { activeMaintenance, maintenanceExplainsHealth, upcomingMaintenance } from './maintenance.ts';
import { StatusStore } from './status-store.svelte.ts';

/** What the page's load gives it (see `routes/+layout.ts`). */
export interface StatusPageData {
	serverUrl: string;
	token: ViewerTokenResponse | null;
}

/** Maintenance windows are re-checked in steps this long (see `StatusPage`). */
export const MAINTENANCE_STEP_MS = 10_000;

/**
 * The page's history, with made-up demo history in dev builds when no server answers.
 * `import.meta.env.DEV` is replaced by a literal at build time, so the production bundle drops
 * the branch and with it the demo modules (`dev` from $app/environment is not folded early
 * enough: the demo chunks were still emitted).
 */
export function pageHistory(serverUrl: string): HistoryState {
	return new HistoryState({
		serverUrl,
		loadDemo: import.meta.env.DEV ? () => import('./demo-history.ts').then((mod) => mod.demoHistory) : undefined
	});
}

/**
 * Everything the status page shows, for the page's life: the live fleet (`store`), its history
 * (`history`), and what several parts of the page derive from both (maintenance in force, the
 * incidents). Components only read it.
 */
export class StatusPage {
	readonly store: StatusStore;
	readonly history: HistoryState;

	/**
	 * Maintenance windows start and end on the clock, not on a fetch. Ten-second steps keep the
	 * cards' `maintenance` flags from being recomputed on every one-second tick of `store.now`.
	 */
	readonly #maintenanceClock: number;
	/** Maintenance windows in force now. */
	readonly activeWindows: MaintenanceWindow[];
	/** Maintenance windows to come, soonest first. */
	readonly upcomingWindows: MaintenanceWindow[];
	/** Everything unhealthy is covered by active maintenance: the banner says "maintenance". */
	readonly maintenance: boolean;
	/**
	 * The fleet's incidents, any status: as the history last fetched them, brought up to date by
	 * the ones the server pushed since (none before either arrives).
	 */
	readonly incidents: readonly Incident[];
	/** Shards more than one cluster claims. */
	readonly conflicts: readonly ShardConflict[];

	/** One store each for the page's life; the token is only the store's starting point (it refreshes its own). */
	constructor(sources: { store: StatusStore; history: HistoryState }) {
		const { store, history } = sources;
		this.store = store;
		this.history = history;
		this.#maintenanceClock = $derived(Math.floor(store.now / MAINTENANCE_STEP_MS) * MAINTENANCE_STEP_MS);
		// What the server pushed while live is newer than any fetch (which may come from a cache).
		const windows = $derived(store.maintenance ?? history.fleet?.maintenance ?? []);
		this.activeWindows = $derived(activeMaintenance(windows, this.#maintenanceClock));
		this.upcomingWindows = $derived(upcomingMaintenance(windows, this.#maintenanceClock));
		this.maintenance = $derived(maintenanceExplainsHealth(store.health, store.status?.clusters ?? [], this.activeWindows));
		this.incidents = $derived(currentIncidents(history.fleet?.incidents ?? [], store.incidents, store.deletedIncidents));
		this.conflicts = $derived(store.status?.conflicts ?? []);
	}

	/** The page for `data`: a live store and history, each with demo data in dev builds (see `pageHistory`). */
	static forData(data: StatusPageData): StatusPage {
		return new StatusPage({
			store: new StatusStore({
				serverUrl: data.serverUrl,
				token: data.token,
				// The same build-time literal as `pageHistory`: production bundles contain no demo fleet.
				loadDemo: import.meta.env.DEV ? () => import('./demo-fleet.ts').then((mod) => mod.demoFleet()) : undefined
			}),
			history: pageHistory(data.serverUrl)
		});
	}

	/** Starts the store, then the history; the returned cleanup stops both (call it from `onMount`). */
	start(): () => void {
		const stopStore = this.store.start();
		const stopHistory = this.history.start();
		return () => {
			stopStore();
			stopHistory();
		};
	}
}

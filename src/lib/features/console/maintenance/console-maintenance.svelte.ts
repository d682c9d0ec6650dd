import type { MaintenancePatch, MaintenanceWindow, NewMaintenance } from '#shared';
import type { StatusStore } from '$lib/status/status-store.svelte';
import { ConsoleLoading } from '../console-loading.svelte.ts';
import type { ConsoleSession } from '../console-session.svelte.ts';
import { groupWindows } from '../window-phase.ts';

/**
 * Maintenance windows not yet ended: the server's list, each change's answer put in place at
 * once, and the whole list the live connection pushes whenever anyone changes one (which then wins).
 */
export class ConsoleMaintenance extends ConsoleLoading {
	fetched = $state.raw<readonly MaintenanceWindow[]>([]);
	/** In progress (ending soonest first) and upcoming (starting soonest first), on the live clock. */
	readonly grouped: { inProgress: MaintenanceWindow[]; upcoming: MaintenanceWindow[] };

	readonly #session: ConsoleSession;

	constructor(session: ConsoleSession, live: StatusStore) {
		super();
		this.#session = session;
		// Whole seconds are enough for a window's phase, and spare the list a redraw every tick.
		this.grouped = $derived(groupWindows(live.maintenance ?? this.fetched, live.now));
	}

	async load(): Promise<void> {
		await this.loading(async () => {
			this.fetched = await this.#session.run((api) => api.call('GET /maintenance'));
		});
	}

	schedule(body: NewMaintenance): Promise<MaintenanceWindow> {
		return this.#put(this.#session.run((api) => api.call('POST /maintenance', { body })));
	}

	edit(id: number, body: MaintenancePatch): Promise<MaintenanceWindow> {
		return this.#put(this.#session.run((api) => api.call('PATCH /maintenance/:id', { params: { id }, body })));
	}

	/** Ends a window in progress now. */
	end(id: number): Promise<MaintenanceWindow> {
		return this.#put(this.#session.run((api) => api.call('POST /maintenance/:id/end', { params: { id } })));
	}

	/** Cancels a window not yet started. */
	async cancel(id: number): Promise<void> {
		await this.#session.run((api) => api.call('DELETE /maintenance/:id', { params: { id } }));
		this.fetched = this.fetched.filter((w) => w.id !== id);
	}

	async #put(answer: Promise<MaintenanceWindow>): Promise<MaintenanceWindow> {
		const window = await answer;
		this.fetched = [...this.fetched.filter((w) => w.id !== window.id), window];
		return window;
	}
}

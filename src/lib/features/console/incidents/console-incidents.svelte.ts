import type { EditIncidentUpdate, Incident, IncidentPatch, NewIncident, NewIncidentUpdate } from '#shared';
import { currentIncidents } from '$lib/status/incident-merge';
import type { StatusStore } from '$lib/status/status-store.svelte';
import { ConsoleLoading } from '../console-loading.svelte.ts';
import type { ConsoleSession } from '../console-session.svelte.ts';
import { consoleOrder } from './incident-order.ts';

/**
 * The console's incidents: the server's list (`GET /incidents`, uncached), each change's answer
 * put in place at once, and whatever the live connection pushes (changes made elsewhere: another
 * operator, the API, automatic incidents), newest copy winning as on the public page.
 */
export class ConsoleIncidents extends ConsoleLoading {
	fetched = $state.raw<readonly Incident[]>([]);
	readonly all: Incident[];

	readonly #session: ConsoleSession;

	constructor(session: ConsoleSession, live: StatusStore) {
		super();
		this.#session = session;
		this.all = $derived(consoleOrder(currentIncidents(this.fetched, live.incidents, live.deletedIncidents)));
	}

	async load(): Promise<void> {
		await this.loading(async () => {
			this.fetched = await this.#session.run((api) => api.call('GET /incidents'));
		});
	}

	create(body: NewIncident): Promise<Incident> {
		return this.#put(this.#session.run((api) => api.call('POST /incidents', { body })));
	}

	/** Posts an update; `status: 'resolved'` resolves the incident. */
	postUpdate(id: number, body: NewIncidentUpdate): Promise<Incident> {
		return this.#put(this.#session.run((api) => api.call('POST /incidents/:id/updates', { params: { id }, body })));
	}

	editUpdate(id: number, updateId: number, body: EditIncidentUpdate): Promise<Incident> {
		return this.#put(this.#session.run((api) => api.call('PATCH /incidents/:id/updates/:updateId', { params: { id, updateId }, body })));
	}

	postmortem(id: number, message: string): Promise<Incident> {
		return this.#put(this.#session.run((api) => api.call('PUT /incidents/:id/postmortem', { params: { id }, body: { message } })));
	}

	/** Renames or annotates (any incident, automatic ones included). */
	patch(id: number, body: IncidentPatch): Promise<Incident> {
		return this.#put(this.#session.run((api) => api.call('PATCH /incidents/:id', { params: { id }, body })));
	}

	async remove(id: number): Promise<void> {
		await this.#session.run((api) => api.call('DELETE /incidents/:id', { params: { id } }));
		this.fetched = this.fetched.filter((i) => i.id !== id);
	}

	/** The server's answer replaces our copy (or joins the list). */
	async #put(answer: Promise<Incident>): Promise<Incident> {
		const incident = await answer;
		this.fetched = [...this.fetched.filter((i) => i.id !== incident.id), incident];
		return incident;
	}
}

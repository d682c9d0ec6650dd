import type { SubscriberCountsView, SubscriberView } from '#shared';
import { ConsoleApiError } from '../console-api.ts';
import { ConsoleLoading } from '../console-loading.svelte.ts';
import type { ConsoleSession } from '../console-session.svelte.ts';
import { actionErrorText } from '../labels.ts';
import { searchBody } from './subscriber-search.ts';

/** Subscribers in the console: counts (viewers), a search by exact address (editors), removal (owners). */
export class ConsoleSubscribers extends ConsoleLoading {
	counts = $state.raw<SubscriberCountsView | null>(null);
	/** What the search box holds. */
	query = $state('');
	searching = $state(false);
	/** The last search's answer; null before any. */
	results = $state.raw<readonly SubscriberView[] | null>(null);
	/** Why the last search failed: `invalid` (the server refused what was typed), or the server's words. */
	searchError = $state<'invalid' | string | null>(null);
	/** The masked target of the subscriber just removed, for the status line. */
	removed = $state<string | null>(null);

	readonly #session: ConsoleSession;

	constructor(session: ConsoleSession) {
		super();
		this.#session = session;
	}

	async load(): Promise<void> {
		await this.loading(async () => {
			this.counts = await this.#session.run((api) => api.call('GET /subscribers/counts'));
		});
	}

	async search(): Promise<void> {
		const body = searchBody(this.query);
		this.removed = null;
		if (!body) {
			this.searchError = 'invalid';
			return;
		}
		this.searching = true;
		try {
			this.results = (await this.#session.run((api) => api.call('POST /subscribers/search', { body }))).subscribers;
			this.searchError = null;
		} catch (e) {
			this.results = null;
			this.searchError = e instanceof ConsoleApiError && e.code === 'invalid_body' ? 'invalid' : actionErrorText(e);
		} finally {
			this.searching = false;
		}
	}

	/** Removes subscriber `id` (owners); the counts are read again. */
	async remove(id: number): Promise<void> {
		const target = this.results?.find((s) => s.id === id)?.target ?? String(id);
		await this.#session.run((api) => api.call('DELETE /subscribers/:id', { params: { id } }));
		this.results = (this.results ?? []).filter((s) => s.id !== id);
		this.removed = target;
		await this.load();
	}
}

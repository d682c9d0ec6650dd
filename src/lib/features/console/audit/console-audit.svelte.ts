import type { AuditEntry } from '#shared';
import { ConsoleLoading } from '../console-loading.svelte.ts';
import type { ConsoleSession } from '../console-session.svelte.ts';

/** The audit log (owners), newest first, a page at a time. */
export class ConsoleAudit extends ConsoleLoading {
	entries = $state.raw<readonly AuditEntry[]>([]);
	/** `before` for the next (older) page; null at the end. */
	next = $state<number | null>(null);

	readonly #session: ConsoleSession;

	constructor(session: ConsoleSession) {
		super();
		this.#session = session;
	}

	/** The newest page again (`more`: the next older page, appended). */
	async load(more = false): Promise<void> {
		await this.loading(async () => {
			const page = await this.#session.run((api) => api.call('GET /audit', { query: { limit: 50, before: more ? (this.next ?? undefined) : undefined } }));
			this.entries = more ? [...this.entries, ...page.entries] : page.entries;
			this.next = page.next;
		});
	}
}

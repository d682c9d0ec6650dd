import type { ConsoleSession as SessionRow } from '#shared';
import { ConsoleLoading } from '../console-loading.svelte.ts';
import type { ConsoleSession } from '../console-session.svelte.ts';

/** Every live session (owners): list, and revoke any at once. */
export class ConsoleSessions extends ConsoleLoading {
	list = $state.raw<readonly SessionRow[]>([]);

	readonly #session: ConsoleSession;

	constructor(session: ConsoleSession) {
		super();
		this.#session = session;
	}

	async load(): Promise<void> {
		await this.loading(async () => {
			const list = await this.#session.run((api) => api.call('GET /sessions'));
			// Ours first, then the most recently active.
			this.list = [...list].sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt - a.lastSeenAt);
		});
	}

	/** Revokes session `id`; revoking our own ends this console's session too. */
	async revoke(id: string): Promise<void> {
		const own = this.list.find((s) => s.id === id)?.current ?? false;
		await this.#session.run((api) => api.call('DELETE /sessions/:id', { params: { id } }));
		this.list = this.list.filter((s) => s.id !== id);
		if (own) this.#session.ended();
	}
}

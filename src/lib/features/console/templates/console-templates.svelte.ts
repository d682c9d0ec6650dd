import type { MessageTemplate, MessageTemplatePatch, NewMessageTemplate } from '#shared';
import { ConsoleLoading } from '../console-loading.svelte.ts';
import type { ConsoleSession } from '../console-session.svelte.ts';

/** Reusable incident texts: listed for every role, managed by editors. */
export class ConsoleTemplates extends ConsoleLoading {
	list = $state.raw<readonly MessageTemplate[]>([]);

	readonly #session: ConsoleSession;

	constructor(session: ConsoleSession) {
		super();
		this.#session = session;
	}

	async load(): Promise<void> {
		await this.loading(async () => {
			this.list = byName(await this.#session.run((api) => api.call('GET /templates')));
		});
	}

	async create(body: NewMessageTemplate): Promise<MessageTemplate> {
		const created = await this.#session.run((api) => api.call('POST /templates', { body }));
		this.list = byName([...this.list, created]);
		return created;
	}

	async update(id: number, body: MessageTemplatePatch): Promise<MessageTemplate> {
		const updated = await this.#session.run((api) => api.call('PATCH /templates/:id', { params: { id }, body }));
		this.list = byName([...this.list.filter((t) => t.id !== id), updated]);
		return updated;
	}

	async remove(id: number): Promise<void> {
		await this.#session.run((api) => api.call('DELETE /templates/:id', { params: { id } }));
		this.list = this.list.filter((t) => t.id !== id);
	}
}

function byName(list: readonly MessageTemplate[]): MessageTemplate[] {
	return [...list].sort((a, b) => a.name.localeCompare(b.name));
}

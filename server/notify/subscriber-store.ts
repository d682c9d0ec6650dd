import type { Kysely, Selectable } from 'kysely';
import type { Locale } from '#i18n/runtime';
import type { HistoryDatabase, SubscriberTable } from '../history/schema.ts';
import { SecretText, tokenHash, type NewSubscriber, type Subscriber, type SubscriberCounts, type SubscriberKind, type SubscriberScope, type SubscriberStore } from './contract.ts';

/** The form a target is stored and hashed in: addresses lower-cased, URLs trimmed. */
export function normaliseTarget(kind: SubscriberKind, target: string): string {
	return kind === 'email' ? target.trim().toLowerCase() : target.trim();
}

/** What may be shown of a target: `a…@example.com`, `discord webhook …6789` (the last digits of its id, never its token). */
export function targetHint(kind: SubscriberKind, target: string): string {
	if (kind === 'email') {
		const at = target.lastIndexOf('@');
		return at <= 0 ? '…' : `${target[0]}…${target.slice(at)}`;
	}
	const id = /\/webhooks\/(\d+)\//.exec(target)?.[1];
	return id ? `discord webhook …${id.slice(-4)}` : 'discord webhook';
}

/** The database row's scope columns, and back (one mapping, both directions). */
export function scopeColumns(scope: SubscriberScope): Pick<SubscriberTable, 'scope_kind' | 'cluster_ids' | 'guild_id'> {
	switch (scope.kind) {
		case 'bot':
			return { scope_kind: 'bot', cluster_ids: null, guild_id: null };
		case 'clusters':
			return { scope_kind: 'clusters', cluster_ids: JSON.stringify(scope.clusterIds), guild_id: null };
		case 'guild':
			return { scope_kind: 'guild', cluster_ids: null, guild_id: scope.guildId };
	}
}

function scopeOf(row: Pick<SubscriberTable, 'scope_kind' | 'cluster_ids' | 'guild_id'>): SubscriberScope {
	if (row.scope_kind === 'clusters') return { kind: 'clusters', clusterIds: JSON.parse(row.cluster_ids ?? '[]') as number[] };
	if (row.scope_kind === 'guild' && row.guild_id) return { kind: 'guild', guildId: row.guild_id };
	return { kind: 'bot' };
}

function subscriberOf(row: Selectable<SubscriberTable>): Subscriber {
	return {
		id: Number(row.id),
		kind: row.kind as SubscriberKind,
		target: new SecretText(row.target, row.target_hint),
		hint: row.target_hint,
		scope: scopeOf(row),
		locale: row.locale as Locale,
		createdAt: Number(row.created_at),
		confirmedAt: row.confirmed_at === null ? null : Number(row.confirmed_at)
	};
}

/** `SubscriberStore` on the history database (SQLite or PostgreSQL). */
export class DatabaseSubscriberStore implements SubscriberStore {
	constructor(readonly db: Kysely<HistoryDatabase>) {}

	async add(s: NewSubscriber): Promise<{ id: number } | { existing: Subscriber }> {
		const target = normaliseTarget(s.kind, s.target);
		const hash = tokenHash(target);
		const row = await this.db
			.insertInto('subscribers')
			.values({
				kind: s.kind,
				target,
				target_hash: hash,
				target_hint: targetHint(s.kind, target),
				...scopeColumns(s.scope),
				locale: s.locale,
				created_at: s.createdAt,
				confirmed_at: s.confirmTokenHash === null ? s.createdAt : null,
				token_hash: s.tokenHash,
				confirm_token_hash: s.confirmTokenHash
			})
			.onConflict((oc) => oc.columns(['kind', 'target_hash']).doNothing())
			.returning('id')
			.executeTakeFirst();
		if (row) return { id: Number(row.id) };
		const existing = await this.byTarget(s.kind, s.target);
		if (!existing) throw new Error('subscriber neither inserted nor found: was it deleted at the same instant? Try again.');
		return { existing };
	}

	async get(id: number): Promise<Subscriber | undefined> {
		const row = await this.db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
		return row && subscriberOf(row);
	}

	async getMany(ids: readonly number[]): Promise<Subscriber[]> {
		if (ids.length === 0) return [];
		const rows = await this.db.selectFrom('subscribers').selectAll().where('id', 'in', [...ids]).execute();
		return rows.map(subscriberOf);
	}

	async byTarget(kind: SubscriberKind, target: string): Promise<Subscriber | undefined> {
		const row = await this.db.selectFrom('subscribers').selectAll().where('kind', '=', kind).where('target_hash', '=', tokenHash(normaliseTarget(kind, target))).executeTakeFirst();
		return row && subscriberOf(row);
	}

	async byTokenHash(hash: string): Promise<Subscriber | undefined> {
		const row = await this.db.selectFrom('subscribers').selectAll().where('token_hash', '=', hash).executeTakeFirst();
		return row && subscriberOf(row);
	}

	async byConfirmTokenHash(hash: string): Promise<Subscriber | undefined> {
		const row = await this.db.selectFrom('subscribers').selectAll().where('confirm_token_hash', '=', hash).executeTakeFirst();
		return row && subscriberOf(row);
	}

	async confirm(id: number, at: number): Promise<boolean> {
		const r = await this.db.updateTable('subscribers').set({ confirmed_at: at, confirm_token_hash: null }).where('id', '=', id).where('confirmed_at', 'is', null).executeTakeFirst();
		return Number(r.numUpdatedRows) > 0;
	}

	async remove(id: number): Promise<boolean> {
		return this.db.transaction().execute(async (tx) => {
			// Its deliveries not yet sent go with it: nothing more is sent to an address that left.
			await tx.updateTable('outbox_deliveries').set({ state: 'dropped', error: 'unsubscribed', lease_owner: null, lease_until: null }).where('subscriber_id', '=', id).where('state', '=', 'pending').execute();
			await tx.deleteFrom('outbox_threads').where('recipient', '=', `s:${id}`).execute();
			const r = await tx.deleteFrom('subscribers').where('id', '=', id).executeTakeFirst();
			return Number(r.numDeletedRows) > 0;
		});
	}

	async expireUnconfirmed(before: number): Promise<number> {
		const r = await this.db.deleteFrom('subscribers').where('confirmed_at', 'is', null).where('created_at', '<', before).executeTakeFirst();
		return Number(r.numDeletedRows);
	}

	async counts(): Promise<SubscriberCounts> {
		const rows = await this.db
			.selectFrom('subscribers')
			.select(['kind', (eb) => eb.fn.countAll<number>().as('all'), (eb) => eb.fn.count<number>('confirmed_at').as('confirmed')])
			.groupBy('kind')
			.execute();
		const out: SubscriberCounts = { email: { confirmed: 0, unconfirmed: 0 }, discord: { confirmed: 0, unconfirmed: 0 } };
		for (const r of rows) {
			if (r.kind !== 'email' && r.kind !== 'discord') continue;
			out[r.kind] = { confirmed: Number(r.confirmed), unconfirmed: Number(r.all) - Number(r.confirmed) };
		}
		return out;
	}

	async page(afterId: number, limit: number): Promise<Subscriber[]> {
		const rows = await this.db.selectFrom('subscribers').selectAll().where('id', '>', afterId).where('confirmed_at', 'is not', null).orderBy('id').limit(limit).execute();
		return rows.map(subscriberOf);
	}
}

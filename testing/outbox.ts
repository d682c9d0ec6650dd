import type { Kysely } from 'kysely';
import type { Locale } from '#i18n/runtime';
import type { HistoryDatabase } from '../server/history/schema.ts';
import { tokenHash, type SubscriberKind, type SubscriberScope } from '../server/notify/contract.ts';
import { normaliseTarget, scopeColumns, targetHint } from '../server/notify/subscriber-store.ts';

/** One subscriber to seed: its kind and target; confirmed, whole-bot, English unless said. */
export interface SeedSubscriber {
	kind: SubscriberKind;
	target: string;
	scope?: SubscriberScope;
	locale?: Locale;
	confirmed?: boolean;
}

/**
 * Writes subscribers straight into the table, a thousand rows a statement, as if they had
 * subscribed and confirmed (the bench's 110,000, a spec's dozen). Returns their ids in order.
 */
export async function seedSubscribers(db: Kysely<HistoryDatabase>, subscribers: Iterable<SeedSubscriber>, createdAt = Date.UTC(2026, 10, 1)): Promise<number[]> {
	const ids: number[] = [];
	let chunk: SeedSubscriber[] = [];
	let n = 0;
	const flush = async () => {
		if (chunk.length === 0) return;
		const rows = chunk.map((s) => {
			const target = normaliseTarget(s.kind, s.target);
			const i = n++;
			return {
				kind: s.kind,
				target,
				target_hash: tokenHash(target),
				target_hint: targetHint(s.kind, target),
				...scopeColumns(s.scope ?? { kind: 'bot' }),
				locale: s.locale ?? 'en',
				created_at: createdAt,
				confirmed_at: s.confirmed === false ? null : createdAt,
				token_hash: tokenHash(`seed-token-${createdAt}-${i}-${target}`),
				confirm_token_hash: s.confirmed === false ? tokenHash(`seed-confirm-${createdAt}-${i}-${target}`) : null
			};
		});
		const out = await db.insertInto('subscribers').values(rows).returning('id').execute();
		ids.push(...out.map((r) => Number(r.id)));
		chunk = [];
	};
	for (const s of subscribers) {
		chunk.push(s);
		if (chunk.length === 1_000) await flush();
	}
	await flush();
	return ids;
}

/** Deliveries by state, for assertions. */
export async function deliveryStates(db: Kysely<HistoryDatabase>): Promise<Record<string, number>> {
	const rows = await db.selectFrom('outbox_deliveries').select(['state', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('state').execute();
	return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

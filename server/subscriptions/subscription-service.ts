import type { Kysely } from 'kysely';
import type { Locale } from '#i18n/runtime';
import type { HistoryDatabase } from '../history/schema.ts';
import type { Logger } from '../log.ts';
import { tokenHash, type Subscriber, type SubscriberCounts, type SubscriberKind, type SubscriberScope } from '../notify/contract.ts';
import { DatabaseSubscriberStore, normaliseTarget, scopeColumns } from '../notify/subscriber-store.ts';
import type { Subsystem } from '../subsystem.ts';
import { hashToken, TOKEN_FORM, type LinkPurpose, type SubscriptionLinks } from './links.ts';

/*
 * Subscribing, confirming and leaving, over the subscribers table (migration 007) and the sends
 * table (008). Validation happens before (the routes' zod schemas); this decides what happens.
 */

/** Unconfirmed subscriptions are deleted this long after they were asked for. */
export const CONFIRM_WINDOW_MS = 48 * 3_600_000;
/** Confirmation mails (or Discord test messages) one address gets in any 24 hours. */
export const SENDS_PER_DAY = 3;
const DAY_MS = 86_400_000;
/** How often unconfirmed subscriptions past their window are swept. Confirming checks the window itself. */
const SWEEP_INTERVAL_MS = 10 * 60_000;

/** What a validated `POST /api/v1/subscriptions` asks for. */
export interface SubscribeRequest {
	kind: SubscriberKind;
	/** The address, or the webhook URL in its canonical form. */
	target: string;
	scope: SubscriberScope;
	locale: Locale;
}

/**
 * What subscribing did. The answer to the client is the same for `pending` and `already` (and a
 * filled honeypot), so nobody learns whether an address is subscribed.
 */
export type SubscribeOutcome =
	| { outcome: 'pending'; subscriber: Subscriber }
	| { outcome: 'confirmed'; subscriber: Subscriber }
	| { outcome: 'already'; subscriber: Subscriber }
	| { outcome: 'send_limit'; subscriber: Subscriber }
	| { outcome: 'webhook_refused'; status: number };

/** Sends the first message of a subscription: the confirmation mail, or the Discord test message. */
export interface FirstMessageSender {
	/** Resolves once the mail is stored to be sent; `sendKey` tells this send from the address's others. */
	confirmationMail(subscriber: Subscriber, sendKey: string): Promise<void>;
	/** Posts the test message; `ok` confirms the subscription, any other status refuses it. */
	discordTest(subscriber: Subscriber): Promise<{ ok: true } | { ok: false; status: number }>;
}

export interface SubscriptionServiceDeps {
	/** The history database once open; undefined before (answered 503 by the routes). */
	db: () => Kysely<HistoryDatabase> | undefined;
	links: SubscriptionLinks;
	sender: FirstMessageSender;
	now: () => number;
	logger: Logger;
}

/** The subscription side of the server: subscribe, confirm, change scope, leave, and the operator's view. */
export class SubscriptionService implements Subsystem {
	readonly #d: SubscriptionServiceDeps;
	#timer: ReturnType<typeof setInterval> | undefined;
	#stores = new WeakMap<Kysely<HistoryDatabase>, DatabaseSubscriberStore>();

	constructor(deps: SubscriptionServiceDeps) {
		this.#d = deps;
	}

	/** The store, or undefined while the database is not open. */
	store(): DatabaseSubscriberStore | undefined {
		const db = this.#d.db();
		if (!db) return undefined;
		let store = this.#stores.get(db);
		if (!store) this.#stores.set(db, (store = new DatabaseSubscriberStore(db)));
		return store;
	}

	#required(): DatabaseSubscriberStore {
		const store = this.store();
		if (!store) throw new StoreUnavailable();
		return store;
	}

	/** Starts the sweep of expired unconfirmed subscriptions. */
	start(): void {
		this.#timer ??= setInterval(() => void this.expire().catch((err: Error) => this.#d.logger.warn({ err: err.message }, 'expiring unconfirmed subscriptions failed; retrying at the next sweep')), SWEEP_INTERVAL_MS);
		this.#timer.unref?.();
	}

	close(): void {
		clearInterval(this.#timer);
		this.#timer = undefined;
	}

	/** The token of `purpose` for `subscriber` (for its links). */
	token(purpose: LinkPurpose, subscriber: Pick<Subscriber, 'kind' | 'target' | 'createdAt'>): string {
		return this.#d.links.token(purpose, { kind: subscriber.kind, targetHash: tokenHash(normaliseTarget(subscriber.kind, subscriber.target.reveal())), createdAt: subscriber.createdAt });
	}

	async subscribe(request: SubscribeRequest): Promise<SubscribeOutcome> {
		const store = this.#required();
		const now = this.#d.now();
		const target = normaliseTarget(request.kind, request.target);
		const targetHash = tokenHash(target);
		const subject = { kind: request.kind, targetHash, createdAt: now };
		const added = await store.add({
			kind: request.kind,
			target,
			scope: request.scope,
			locale: request.locale,
			tokenHash: hashToken(this.#d.links.token('manage', subject)),
			confirmTokenHash: hashToken(this.#d.links.token('confirm', subject)),
			createdAt: now
		});
		let subscriber: Subscriber;
		if ('existing' in added) {
			subscriber = added.existing;
			if (subscriber.confirmedAt !== null) return { outcome: 'already', subscriber };
			if (now - subscriber.createdAt >= CONFIRM_WINDOW_MS) {
				// Expired but not yet swept: it goes now, and the request starts afresh.
				await store.remove(subscriber.id);
				return this.subscribe(request);
			}
			// Asked again before confirming: the newest scope and language win, the link stays the same.
			await store.db.updateTable('subscribers').set({ ...scopeColumns(request.scope), locale: request.locale }).where('id', '=', subscriber.id).execute();
			subscriber = { ...subscriber, scope: request.scope, locale: request.locale };
		} else {
			subscriber = (await store.get(added.id))!;
		}
		const slot = await this.#takeSendSlot(store.db, targetHash, now);
		if (slot === undefined) return { outcome: 'send_limit', subscriber };
		if (request.kind === 'email') {
			try {
				await this.#d.sender.confirmationMail(subscriber, `${slot}@${now}`);
			} catch (err) {
				// A request whose mail never left is not kept (an earlier one, still pending, is).
				if (!('existing' in added)) await store.remove(subscriber.id);
				throw err;
			}
			return { outcome: 'pending', subscriber };
		}
		const posted = await this.#d.sender.discordTest(subscriber);
		if (!posted.ok) {
			// A webhook that does not take the test message is no subscription: nothing is kept.
			await store.remove(subscriber.id);
			return { outcome: 'webhook_refused', status: posted.status };
		}
		await store.confirm(subscriber.id, now);
		return { outcome: 'confirmed', subscriber: { ...subscriber, confirmedAt: now } };
	}

	/**
	 * Takes one of the address's 3 send slots of the last 24 hours (its number), or says there is none (undefined). A slot
	 * is taken by inserting it: the key refuses a second taker, so racing instances cannot both send.
	 */
	async #takeSendSlot(db: Kysely<HistoryDatabase>, targetHash: string, now: number): Promise<number | undefined> {
		await db.deleteFrom('subscription_sends').where('target_hash', '=', targetHash).where('sent_at', '<=', now - DAY_MS).execute();
		const taken = new Set((await db.selectFrom('subscription_sends').select('slot').where('target_hash', '=', targetHash).execute()).map((r) => Number(r.slot)));
		for (let slot = 0; slot < SENDS_PER_DAY; slot++) {
			if (taken.has(slot)) continue;
			const inserted = await db
				.insertInto('subscription_sends')
				.values({ target_hash: targetHash, slot, sent_at: now })
				.onConflict((oc) => oc.columns(['target_hash', 'slot']).doNothing())
				.executeTakeFirst();
			if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return slot;
		}
		return undefined;
	}

	/**
	 * The subscriber a link opens, or undefined: a token of the wrong form, an unknown one, one for
	 * a removed subscriber, or a confirmation link past its 48 hours (that request is deleted then).
	 */
	async byLink(purpose: LinkPurpose, token: string): Promise<Subscriber | undefined> {
		if (!TOKEN_FORM.test(token)) return undefined;
		const store = this.#required();
		const hash = hashToken(token);
		const subscriber = purpose === 'confirm' ? await store.byConfirmTokenHash(hash) : await store.byTokenHash(hash);
		if (!subscriber) return undefined;
		if (subscriber.confirmedAt === null && this.#d.now() - subscriber.createdAt >= CONFIRM_WINDOW_MS) {
			await store.remove(subscriber.id);
			return undefined;
		}
		return subscriber;
	}

	/** Confirms the subscription a confirmation link names; undefined when the link is not (or no longer) valid. */
	async confirm(token: string): Promise<Subscriber | undefined> {
		const subscriber = await this.byLink('confirm', token);
		if (!subscriber) return undefined;
		const at = this.#d.now();
		await this.#required().confirm(subscriber.id, at);
		return { ...subscriber, confirmedAt: at };
	}

	/** Changes what a subscriber hears about; undefined when the manage link is not valid. */
	async setScope(token: string, scope: SubscriberScope): Promise<Subscriber | undefined> {
		const subscriber = await this.byLink('manage', token);
		if (!subscriber) return undefined;
		await this.#required().db.updateTable('subscribers').set(scopeColumns(scope)).where('id', '=', subscriber.id).execute();
		return { ...subscriber, scope };
	}

	/** Deletes the subscriber a manage link names (its address with it); false when the link is not valid. */
	async unsubscribe(token: string): Promise<boolean> {
		const subscriber = await this.byLink('manage', token);
		if (!subscriber) return false;
		return this.#required().remove(subscriber.id);
	}

	/** Deletes unconfirmed subscriptions older than 48 hours; how many. */
	async expire(): Promise<number> {
		const store = this.store();
		if (!store) return 0;
		const now = this.#d.now();
		const expired = await store.expireUnconfirmed(now - CONFIRM_WINDOW_MS + 1);
		await store.db.deleteFrom('subscription_sends').where('sent_at', '<=', now - DAY_MS).execute();
		if (expired > 0) this.#d.logger.info({ expired }, 'unconfirmed subscriptions expired after 48 hours');
		return expired;
	}

	counts(): Promise<SubscriberCounts> {
		return this.#required().counts();
	}

	/** The subscriber with exactly this address or webhook URL, if any. */
	find(kind: SubscriberKind, target: string): Promise<Subscriber | undefined> {
		return this.#required().byTarget(kind, target);
	}

	/** The subscriber `id`, if any (an operator's removal audits what it removed). */
	get(id: number): Promise<Subscriber | undefined> {
		return this.#required().get(id);
	}

	remove(id: number): Promise<boolean> {
		return this.#required().remove(id);
	}
}

/** The history database is not open (yet): the routes answer 503 with a retry hint. */
export class StoreUnavailable extends Error {
	constructor() {
		super('the history database (where subscribers are kept) is not reachable yet; retry shortly');
	}
}

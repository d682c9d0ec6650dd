import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import type { MaintenanceWindow } from '#shared';
import type { Locale } from '#i18n/runtime';
import type { IncidentNotice, IncidentNoticeType } from '../history/incident-notice.ts';

/*
 * The contract between subscribing (the API, double opt-in, the page: `i18n-subscribe`) and
 * delivering (the outbox and its transports). Subscribing writes subscribers through a
 * `SubscriberStore` and asks for sends through a `NoticeOutbox`; the outbox reads subscribers
 * page by page and renders mail with a `RenderMail`. Storage: migration `007_subscribers_outbox`.
 */

/** How a subscriber hears: mail to an address, or a message through their own Discord channel webhook. */
export type SubscriberKind = 'email' | 'discord';

/**
 * What a subscriber hears about: the whole bot, chosen clusters, or one server (a guild, not a
 * shard: the shard serving it is worked out per notice, so the scope survives a re-shard).
 */
export type SubscriberScope = { kind: 'bot' } | { kind: 'clusters'; clusterIds: number[] } | { kind: 'guild'; guildId: string };

/**
 * A secret string (an email address, a webhook URL): printing, logging or serialising it gives
 * its hint, never the value; `reveal()` is the one way to the value, for the transport that sends.
 */
export class SecretText {
	readonly #value: string;
	/** What may be shown: `a…@example.com`, `discord webhook …1234`. */
	readonly hint: string;
	constructor(value: string, hint: string) {
		this.#value = value;
		this.hint = hint;
	}
	/** The value itself: only to send with. */
	reveal(): string {
		return this.#value;
	}
	toString(): string {
		return this.hint;
	}
	toJSON(): string {
		return this.hint;
	}
	[inspect.custom](): string {
		return `SecretText(${this.hint})`;
	}
}

/** A stored subscriber. Only confirmed ones (`confirmedAt` set) hear about incidents. */
export interface Subscriber {
	id: number;
	kind: SubscriberKind;
	/** The address or webhook URL; its hint is also `hint`. */
	target: SecretText;
	hint: string;
	scope: SubscriberScope;
	locale: Locale;
	createdAt: number;
	confirmedAt: number | null;
}

/** What `SubscriberStore.add` stores. Tokens arrive hashed (`tokenHash`): the store never sees a token. */
export interface NewSubscriber {
	kind: SubscriberKind;
	/** An email address (any case; stored lower-cased) or a Discord webhook URL. */
	target: string;
	scope: SubscriberScope;
	locale: Locale;
	/** sha256 hex of the manage/unsubscribe token (`tokenHash(token)`). */
	tokenHash: string;
	/** sha256 hex of the confirmation token; null to store it confirmed already. */
	confirmTokenHash: string | null;
	createdAt: number;
}

/** Subscribers by kind, for the console and `/metrics`. */
export interface SubscriberCounts {
	email: { confirmed: number; unconfirmed: number };
	discord: { confirmed: number; unconfirmed: number };
}

/** Where subscribers live (the history database). Every method validates nothing: callers validate at the boundary. */
export interface SubscriberStore {
	/** Stores a subscriber; the same kind and target again is not a second row but `{ existing }`. */
	add(subscriber: NewSubscriber): Promise<{ id: number } | { existing: Subscriber }>;
	get(id: number): Promise<Subscriber | undefined>;
	/** The ones of `ids` that exist, in any order (the outbox reads a claimed batch's subscribers at once). */
	getMany(ids: readonly number[]): Promise<Subscriber[]>;
	/** By address or webhook URL (hashed, so a search never scans the secrets). */
	byTarget(kind: SubscriberKind, target: string): Promise<Subscriber | undefined>;
	byTokenHash(tokenHash: string): Promise<Subscriber | undefined>;
	byConfirmTokenHash(confirmTokenHash: string): Promise<Subscriber | undefined>;
	/** Confirms (once): true if it was unconfirmed. Clears the confirmation token. */
	confirm(id: number, at: number): Promise<boolean>;
	/** Deletes the subscriber with its pending deliveries and Discord threads; true if it existed. */
	remove(id: number): Promise<boolean>;
	/** Deletes subscriptions never confirmed and created before `before`; how many. */
	expireUnconfirmed(before: number): Promise<number>;
	counts(): Promise<SubscriberCounts>;
	/**
	 * Confirmed subscribers with an id above `afterId`, ascending, at most `limit`: the outbox
	 * pages through them with this, so memory stays bounded whatever their number.
	 */
	page(afterId: number, limit: number): Promise<Subscriber[]>;
}

export type MaintenanceNoticeType = 'maintenance.scheduled' | 'maintenance.started' | 'maintenance.ended';

/** Maintenance planned, begun or over. */
export interface MaintenanceNotice {
	type: MaintenanceNoticeType;
	maintenance: MaintenanceWindow;
}

/**
 * A message to one subscriber: `subscription.confirm` (the double opt-in mail) and
 * `subscription.test` (the message a Discord webhook gets when its subscription is confirmed).
 * No token rides here (it would sit in the database until sent): the renderer derives links from
 * the subscriber (e.g. an HMAC of its id, whose sha256 is `tokenHash`).
 */
export interface SubscriptionNotice {
	type: 'subscription.confirm' | 'subscription.test';
	subscriberId: number;
}

export type NoticeType = IncidentNoticeType | MaintenanceNoticeType | SubscriptionNotice['type'];

/** Everything the outbox sends. */
export type Notice = IncidentNotice | MaintenanceNotice | SubscriptionNotice;

/**
 * What a notice touches, decided when it is enqueued (the fleet then): `clusterIds` / `shardIds`
 * null for the whole bot. A guild subscriber hears it when its shard (of `totalShards`) is among
 * `shardIds`; a clusters subscriber when one of its clusters is among `clusterIds`.
 */
export interface NoticeScope {
	clusterIds: number[] | null;
	shardIds: number[] | null;
	totalShards: number;
}

/** Asks for sends. Durable: once `enqueue` resolves, the notice survives a restart and is sent. */
export interface NoticeOutbox {
	/**
	 * Stores `notice` once: the same `key` again (another instance, a retry) is the same notice
	 * (`created: false`). Incident and maintenance notices go to the operator's webhooks and every
	 * confirmed subscriber `scope` concerns; a `SubscriptionNotice` to its one subscriber, confirmed
	 * or not. `key` defaults to `noticeKey(notice)`; give one to send a subscription notice again
	 * (e.g. `subscriber:7:confirm:2`). `scope` defaults to the notice's own (an incident's shards and
	 * clusters, a maintenance's clusters; `totalShards` 0 then, and guild subscribers hear only
	 * whole-bot notices).
	 */
	enqueue(notice: Notice, options?: { key?: string; scope?: NoticeScope }): Promise<{ id: number; created: boolean }>;
}

/** One mail, as a renderer words it. `headers` carries `List-Unsubscribe` and `List-Unsubscribe-Post`. */
export interface RenderedMail {
	subject: string;
	text: string;
	html: string;
	headers: Record<string, string>;
}

/** Words a notice as a mail for one subscriber, in `subscriber.locale`. */
export type RenderMail = (notice: Notice, subscriber: Subscriber) => RenderedMail;

/** The id a notice is stored under unless `enqueue` is given one: the same event always gives the same key. */
export function noticeKey(notice: Notice): string {
	switch (notice.type) {
		case 'incident.opened':
		case 'incident.updated':
		case 'incident.resolved':
			return `incident:${notice.incident.id}:${notice.type}:${notice.update ? `${notice.update.id}@${notice.update.at}` : '-'}`;
		case 'maintenance.scheduled':
		case 'maintenance.started':
		case 'maintenance.ended':
			return `maintenance:${notice.maintenance.id}:${notice.type}`;
		case 'subscription.confirm':
		case 'subscription.test':
			return `subscriber:${notice.subscriberId}:${notice.type}`;
	}
}

/** sha256 hex of a token or a normalised target: what the database keeps instead of it. */
export function tokenHash(value: string): string {
	return createHash('sha256').update(value).digest('hex');
}

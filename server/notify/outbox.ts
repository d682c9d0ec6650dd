import { createHash, randomUUID } from 'node:crypto';
import { sql, PostgresAdapter, type Kysely, type Selectable } from 'kysely';
import { backoffDelay, type BackoffPolicy } from '#shared';
import type { HistoryDatabase, OutboxDeliveryTable } from '../history/schema.ts';
import type { Logger } from '../log.ts';
import { defaultScope, noticeConcerns } from './audience.ts';
import { noticeKey, type Notice, type NoticeOutbox, type NoticeScope, type Subscriber, type SubscriberStore } from './contract.ts';

/** The operator's own webhooks: `discord`, a Discord channel webhook URL; `json`, any HTTPS endpoint, bodies signed with `secret`. */
export type WebhookTarget = { kind: 'discord'; url: string } | { kind: 'json'; url: string; secret: string };

/** How a delivery travels: mail, a Discord webhook (a subscriber's or the operator's), or the operator's signed JSON endpoint. */
export type DeliveryChannel = 'email' | 'discord' | 'json';
export const DELIVERY_CHANNELS: readonly DeliveryChannel[] = ['email', 'discord', 'json'];

/** `pending` (due, or in flight under a lease), `sent`, `failed` (refused or out of attempts), `dropped` (its recipient left). */
export type DeliveryState = 'pending' | 'sent' | 'failed' | 'dropped';

/** Who a claimed delivery goes to. */
export type Recipient = { kind: 'subscriber'; subscriber: Subscriber } | { kind: 'operator'; target: WebhookTarget };

/** One claimed delivery, handed to its channel's transport. */
export interface OutboxJob {
	deliveryId: number;
	noticeId: number;
	notice: Notice;
	channel: DeliveryChannel;
	/** The recipient key (`s:<id>`, `op:discord:<hash>`): rate limits and threads are per recipient. */
	recipient: string;
	to: Recipient;
	/** Discord: the message this delivery creates or edits in place. */
	thread: string | null;
	/** Counting this one. */
	attempt: number;
}

/**
 * What a transport made of a job. `retry` counts as a failed attempt (backoff); `defer` does not
 * (a rate limit: come back after `afterMs`); `refused` fails for good; `gone` means the recipient
 * no longer exists (a deleted Discord webhook): a subscriber is removed.
 */
export type SendOutcome =
	| { kind: 'sent' }
	| { kind: 'retry'; reason: string; afterMs?: number }
	| { kind: 'defer'; reason: string; afterMs: number }
	| { kind: 'refused'; reason: string }
	| { kind: 'gone'; reason: string };

/** Sends one channel's jobs. `send` never throws: every failure is an outcome (a throw is read as `retry`). */
export interface Transport {
	send(job: OutboxJob): Promise<SendOutcome>;
	close?(): Promise<void>;
}

/** Per channel, since this instance started: `/metrics` mirrors them (no label says who). */
export interface OutboxStats {
	sent: Record<DeliveryChannel, number>;
	failed: Record<DeliveryChannel, number>;
	retried: Record<DeliveryChannel, number>;
	deferred: Record<DeliveryChannel, number>;
	/** Subscriptions ended because the recipient was gone (Discord 404). */
	gone: Record<DeliveryChannel, number>;
	/** Deliveries created by fan-out. */
	fannedOut: number;
	/** Deliveries due or in flight across every instance, as last counted. */
	pending: number;
}

export interface OutboxOptions {
	db: Kysely<HistoryDatabase>;
	subscribers: SubscriberStore;
	logger: Logger;
	/** A channel without a transport is off: none of its deliveries are made (email without SMTP). */
	transports: Partial<Record<DeliveryChannel, Transport>>;
	/** The operator's own webhooks: every incident notice goes to each. */
	operatorTargets?: WebhookTarget[];
	/** Names this instance's leases. Default a random id. */
	instanceId?: string;
	/** Subscribers read per fan-out step, and deliveries claimed per batch. Default 500. */
	pageSize?: number;
	/** A claim or a fan-out step is this instance's for this long; past it, another instance takes it over. Default 60 s. */
	leaseMs?: number;
	/** Tries per delivery before it fails. Default 8. */
	maxAttempts?: number;
	/** Sends per second per channel on this instance (token bucket, a second's worth of burst). Unset: unlimited. */
	ratePerSecond?: Partial<Record<DeliveryChannel, number>>;
	/** Jobs in flight at once. Default 32. */
	concurrency?: number;
	/** Backoff after a failed attempt: a random wait up to `baseDelayMs · 2^failures`, capped. Defaults 5 s and 10 min. */
	baseDelayMs?: number;
	maxDelayMs?: number;
	/** How long the loop sleeps with nothing to do (an enqueue wakes it at once). Default 1 s. */
	idleMs?: number;
	now?: () => number;
}

type DeliveryRow = Selectable<OutboxDeliveryTable>;
interface NewDelivery {
	notice_id: number;
	recipient: string;
	subscriber_id: number | null;
	channel: DeliveryChannel;
	thread: string | null;
	state: DeliveryState;
	next_at: number;
	created_at: number;
}

const zero = (): Record<DeliveryChannel, number> => ({ email: 0, discord: 0, json: 0 });

/** The recipient key of an operator webhook: its kind and a hash of its URL, so a changed URL is a new recipient (and its own Discord threads). */
export function operatorRecipient(target: WebhookTarget): string {
	return `op:${target.kind}:${createHash('sha256').update(target.url).digest('hex').slice(0, 16)}`;
}

/** The Discord message a notice is shown in: one per incident (or maintenance), edited as it moves. */
export function noticeThread(notice: Notice): string | null {
	if ('incident' in notice) return `incident:${notice.incident.id}`;
	if ('maintenance' in notice) return `maintenance:${notice.maintenance.id}`;
	return null;
}

/**
 * The durable outbox: every send Shardbeat makes on someone's behalf (operator webhooks, subscriber
 * mail and Discord messages) is a row in the history database before it is attempted.
 *
 * - A notice is stored once (its key, unique). Operator deliveries are made with it; subscriber
 *   deliveries are fanned out lazily, a page of subscribers (by id) at a time, only while fewer
 *   than two pages of deliveries are waiting: memory and the table stay bounded at any audience.
 * - `(notice, recipient)` is unique, and the fan-out cursor moves in the same transaction as the
 *   page's rows are inserted: a restart resumes the fan-out without making a delivery twice.
 * - Instances claim due deliveries in batches under a lease (`FOR UPDATE SKIP LOCKED` on
 *   PostgreSQL, so each takes its own; SQLite serialises writers). A delivery is acked after its
 *   send; one whose instance died is claimed again once its lease is over.
 *
 * The guarantee, precisely: every delivery is attempted until it is sent, refused, out of attempts
 * or its recipient is gone. A delivery is sent twice only if its instance dies after the receiver
 * accepted it and before the ack was written (a window of one database write): then the retry is
 * the same message (the same `Message-ID` for mail, the same `X-Shardbeat-Delivery` for JSON) or,
 * for Discord, the same edit of the same message, which changes nothing. A Discord message
 * *created* in that window is posted again as a second message.
 */
export class Outbox implements NoticeOutbox {
	readonly stats: OutboxStats = { sent: zero(), failed: zero(), retried: zero(), deferred: zero(), gone: zero(), fannedOut: 0, pending: 0 };
	readonly instanceId: string;
	readonly #o: Required<Omit<OutboxOptions, 'ratePerSecond' | 'operatorTargets' | 'instanceId'>>;
	readonly #operators: Map<string, WebhookTarget>;
	readonly #postgres: boolean;
	readonly #buckets = new Map<DeliveryChannel, { rate: number; tokens: number; at: number }>();
	readonly #backoff: BackoffPolicy;
	/** Parsed notices by id: a batch of 500 deliveries of one notice parses it once. Cleared past 64. */
	readonly #notices = new Map<number, Notice>();
	#closed = false;
	#running: Promise<void> | undefined;
	#inFlight = new Set<number>();

	constructor(options: OutboxOptions) {
		this.#o = {
			pageSize: 500,
			leaseMs: 60_000,
			maxAttempts: 8,
			concurrency: 32,
			baseDelayMs: 5_000,
			maxDelayMs: 600_000,
			idleMs: 1_000,
			now: Date.now,
			...options
		};
		this.instanceId = options.instanceId ?? randomUUID();
		this.#operators = new Map((options.operatorTargets ?? []).filter((t) => this.#o.transports[t.kind]).map((t) => [operatorRecipient(t), t]));
		this.#postgres = options.db.getExecutor().adapter instanceof PostgresAdapter;
		this.#backoff = { baseMs: this.#o.baseDelayMs, maxMs: this.#o.maxDelayMs, factor: 2, jitter: 'full', maxExponent: 30 };
		for (const [channel, rate] of Object.entries(options.ratePerSecond ?? {}) as [DeliveryChannel, number][]) {
			if (rate > 0) this.#buckets.set(channel, { rate, tokens: rate, at: this.#o.now() });
		}
	}

	async enqueue(notice: Notice, options: { key?: string; scope?: NoticeScope } = {}): Promise<{ id: number; created: boolean }> {
		const key = options.key ?? noticeKey(notice);
		const now = this.#o.now();
		const direct = 'subscriberId' in notice ? notice.subscriberId : null;
		const result = await this.#o.db.transaction().execute(async (tx) => {
			// An update stored after its incident's resolve would read as if it were still open.
			if (notice.type === 'incident.updated') {
				const resolved = await tx.selectFrom('outbox_notices').select('id').where('key', 'like', `incident:${notice.incident.id}:incident.resolved:%`).executeTakeFirst();
				if (resolved) return { id: Number(resolved.id), created: false };
			}
			const row = await tx
				.insertInto('outbox_notices')
				.values({ key, type: notice.type, payload: JSON.stringify(notice), scope: JSON.stringify(options.scope ?? defaultScope(notice)), subscriber_id: direct, created_at: now, fanout_done_at: direct === null ? null : now })
				.onConflict((oc) => oc.column('key').doNothing())
				.returning('id')
				.executeTakeFirst();
			if (!row) {
				const existing = await tx.selectFrom('outbox_notices').select('id').where('key', '=', key).executeTakeFirstOrThrow();
				return { id: Number(existing.id), created: false };
			}
			const id = Number(row.id);
			const rows: NewDelivery[] = [];
			const base = { notice_id: id, state: 'pending' as const, next_at: now, created_at: now };
			if (direct !== null) {
				const s = await tx.selectFrom('subscribers').select(['id', 'kind']).where('id', '=', direct).executeTakeFirst();
				const channel = s?.kind as DeliveryChannel | undefined;
				if (s && channel && this.#o.transports[channel]) rows.push({ ...base, recipient: `s:${direct}`, subscriber_id: direct, channel, thread: null });
			} else if ('incident' in notice) {
				for (const [recipient, target] of this.#operators) rows.push({ ...base, recipient, subscriber_id: null, channel: target.kind, thread: target.kind === 'discord' ? noticeThread(notice) : null });
			}
			if (rows.length > 0) await tx.insertInto('outbox_deliveries').values(rows).onConflict((oc) => oc.columns(['notice_id', 'recipient']).doNothing()).execute();
			return { id, created: true };
		});
		if (result.created) this.#wakeAll();
		return result;
	}

	/**
	 * Deletes what is over: deliveries finished (sent, failed, dropped) before `deliveriesBefore`,
	 * and notices fanned out before `noticesBefore` with no delivery left. A notice is kept longer
	 * than its deliveries: its key is what stops the same event being stored (and sent) again.
	 * Returns how many rows of each went.
	 */
	async prune(deliveriesBefore: number, noticesBefore: number): Promise<{ deliveries: number; notices: number }> {
		const { db } = this.#o;
		const d = await db.deleteFrom('outbox_deliveries').where('state', '!=', 'pending').where('created_at', '<', deliveriesBefore).executeTakeFirst();
		const n = await db
			.deleteFrom('outbox_notices')
			.where('fanout_done_at', '<', noticesBefore)
			.where(({ not, exists, selectFrom }) => not(exists(selectFrom('outbox_deliveries').select('id').whereRef('outbox_deliveries.notice_id', '=', 'outbox_notices.id'))))
			.executeTakeFirst();
		return { deliveries: Number(d.numDeletedRows), notices: Number(n.numDeletedRows) };
	}

	/** Whether a notice with `key` is stored (sent or being sent). */
	async stored(key: string): Promise<boolean> {
		return Boolean(await this.#o.db.selectFrom('outbox_notices').select('id').where('key', '=', key).executeTakeFirst());
	}

	/** True when no notice waits to be fanned out and no delivery is due or in flight (later retries count as waiting). */
	async settled(): Promise<boolean> {
		const { db } = this.#o;
		const [fanout, pending] = await Promise.all([
			db.selectFrom('outbox_notices').select('id').where('fanout_done_at', 'is', null).executeTakeFirst(),
			db.selectFrom('outbox_deliveries').select('id').where('state', '=', 'pending').executeTakeFirst()
		]);
		return !fanout && !pending;
	}

	/**
	 * One step: fan out a page if one is due, then claim and send a batch. True when it did
	 * anything (the loop goes again at once); false when nothing was due.
	 */
	async tick(): Promise<boolean> {
		const fanned = await this.#fanOut();
		const sent = await this.#claimAndSend();
		return fanned || sent > 0;
	}

	/** Ticks until nothing is due now (tests, the bench). Deliveries waiting on a backoff or rate limit are left for later. */
	async drain(maxTicks = 100_000): Promise<void> {
		for (let i = 0; i < maxTicks && !this.#closed; i++) if (!(await this.tick())) return;
	}

	/**
	 * Runs in the background until `close`: two loops, so that one claims and acks in the database
	 * while the other's batch is on the wire (each claims its own rows; the fan-out lease keeps
	 * them from reading the same page).
	 */
	start(): void {
		if (this.#running || this.#closed) return;
		const loop = async () => {
			while (!this.#closed) {
				let busy = false;
				try {
					busy = await this.tick();
				} catch (err) {
					this.#o.logger.error({ err: (err as Error).message }, 'outbox step failed; trying again shortly');
				}
				if (!busy && !this.#closed) await this.#sleep(this.#o.idleMs);
			}
		};
		this.#running = Promise.all([loop(), loop()]).then(() => undefined);
	}

	readonly #sleepers = new Set<() => void>();
	#sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const done = () => {
				clearTimeout(timer);
				this.#sleepers.delete(done);
				resolve();
			};
			const timer = setTimeout(done, ms);
			timer.unref?.();
			this.#sleepers.add(done);
		});
	}

	/** Wakes every sleeping loop (a notice was stored, or closing). */
	#wakeAll(): void {
		for (const wake of [...this.#sleepers]) wake();
	}

	/** Stops claiming, lets sends in flight finish and ack, and hands back leases not yet used. */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		this.#wakeAll();
		await this.#running;
		await Promise.allSettled(Object.values(this.#o.transports).map((t) => t?.close?.()));
	}

	// ── fan-out ──────────────────────────────────────────────────────────────────────────────

	async #fanOut(): Promise<boolean> {
		const { db, pageSize, leaseMs } = this.#o;
		const now = this.#o.now();
		const pending = await db.selectFrom('outbox_deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pending').executeTakeFirstOrThrow();
		this.stats.pending = Number(pending.n);
		// Lazy: another page only once the last ones are mostly out.
		if (this.stats.pending >= pageSize * 2) return false;
		const n = await db
			.selectFrom('outbox_notices')
			.select(['id', 'payload', 'scope', 'fanout_cursor', 'fanout_lease_until'])
			.where('fanout_done_at', 'is', null)
			.where('fanout_lease_until', '<', now)
			.orderBy('id')
			.limit(1)
			.executeTakeFirst();
		if (!n) return false;
		const cursor = Number(n.fanout_cursor);
		// Ours only if nobody took it since we read it.
		const took = await db
			.updateTable('outbox_notices')
			.set({ fanout_lease_until: now + leaseMs })
			.where('id', '=', n.id)
			.where('fanout_cursor', '=', cursor)
			.where('fanout_lease_until', '=', n.fanout_lease_until)
			.executeTakeFirst();
		if (Number(took.numUpdatedRows) === 0) return true;
		const notice = JSON.parse(n.payload) as Notice;
		const scope = JSON.parse(n.scope) as NoticeScope;
		const page = await this.#o.subscribers.page(cursor, pageSize);
		const thread = noticeThread(notice);
		const rows: NewDelivery[] = [];
		for (const s of page) {
			if (!this.#o.transports[s.kind] || !noticeConcerns(scope, s.scope)) continue;
			rows.push({ notice_id: Number(n.id), recipient: `s:${s.id}`, subscriber_id: s.id, channel: s.kind, thread: s.kind === 'discord' ? thread : null, state: 'pending', next_at: now, created_at: now });
		}
		const done = page.length < pageSize;
		await db.transaction().execute(async (tx) => {
			// Chunks: PostgreSQL takes at most 65,535 parameters in one statement (8 a row).
			for (let i = 0; i < rows.length; i += 1_000) {
				await tx.insertInto('outbox_deliveries').values(rows.slice(i, i + 1_000)).onConflict((oc) => oc.columns(['notice_id', 'recipient']).doNothing()).execute();
			}
			await tx
				.updateTable('outbox_notices')
				.set({ fanout_cursor: page.at(-1)?.id ?? cursor, fanout_lease_until: 0, fanout_done_at: done ? now : null })
				.where('id', '=', n.id)
				.where('fanout_cursor', '=', cursor)
				.execute();
		});
		this.stats.fannedOut += rows.length;
		return true;
	}

	// ── claim and send ───────────────────────────────────────────────────────────────────────

	#budget(channel: DeliveryChannel, now: number): number {
		const b = this.#buckets.get(channel);
		if (!b) return Number.POSITIVE_INFINITY;
		b.tokens = Math.min(b.rate, b.tokens + ((now - b.at) / 1000) * b.rate);
		b.at = now;
		return Math.floor(b.tokens);
	}

	async #claimAndSend(): Promise<number> {
		if (this.#closed) return 0;
		const now = this.#o.now();
		const claimed: DeliveryRow[] = [];
		for (const channel of DELIVERY_CHANNELS) {
			if (!this.#o.transports[channel]) continue;
			const limit = Math.min(this.#o.pageSize, this.#budget(channel, now));
			if (limit < 1) continue;
			const rows = await this.#claim(channel, limit, now);
			const bucket = this.#buckets.get(channel);
			if (bucket) bucket.tokens -= rows.length;
			claimed.push(...rows);
		}
		if (claimed.length === 0) return 0;
		await this.#send(claimed);
		return claimed.length;
	}

	async #claim(channel: DeliveryChannel, limit: number, now: number): Promise<DeliveryRow[]> {
		const { db } = this.#o;
		let due = db
			.selectFrom('outbox_deliveries')
			.select('id')
			.where('state', '=', 'pending')
			.where('channel', '=', channel)
			.where('next_at', '<=', now)
			.where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
			.orderBy('id')
			.limit(limit);
		// Several instances each take their own rows instead of queueing on each other's.
		if (this.#postgres) due = due.forUpdate().skipLocked();
		const rows = await db
			.updateTable('outbox_deliveries')
			.set({ lease_owner: this.instanceId, lease_until: now + this.#o.leaseMs, attempts: sql<number>`attempts + 1` })
			.where('id', 'in', due)
			.returningAll()
			.execute();
		return rows.sort((a, b) => Number(a.id) - Number(b.id));
	}

	async #noticeOf(id: number): Promise<Notice | undefined> {
		const cached = this.#notices.get(id);
		if (cached) return cached;
		const row = await this.#o.db.selectFrom('outbox_notices').select('payload').where('id', '=', id).executeTakeFirst();
		if (!row) return undefined;
		if (this.#notices.size >= 64) this.#notices.clear();
		const notice = JSON.parse(row.payload) as Notice;
		this.#notices.set(id, notice);
		return notice;
	}

	async #send(rows: DeliveryRow[]): Promise<void> {
		const subscriberIds = [...new Set(rows.flatMap((r) => (r.subscriber_id === null ? [] : [Number(r.subscriber_id)])))];
		const subscribers = new Map((await this.#o.subscribers.getMany(subscriberIds)).map((s) => [s.id, s]));
		// One recipient's deliveries in order (a Discord thread is created before it is edited); recipients side by side.
		const lanes = new Map<string, DeliveryRow[]>();
		for (const r of rows) lanes.set(r.recipient, [...(lanes.get(r.recipient) ?? []), r]);
		const queue = [...lanes.values()];
		const worker = async () => {
			for (let lane = queue.shift(); lane; lane = queue.shift()) {
				for (const row of lane) await this.#deliver(row, subscribers);
			}
		};
		await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, queue.length) }, worker));
	}

	async #deliver(row: DeliveryRow, subscribers: Map<number, Subscriber>): Promise<void> {
		const id = Number(row.id);
		const channel = row.channel as DeliveryChannel;
		if (this.#closed) return this.#release(id);
		const notice = await this.#noticeOf(Number(row.notice_id));
		const subscriber = row.subscriber_id === null ? undefined : subscribers.get(Number(row.subscriber_id));
		const operator = this.#operators.get(row.recipient);
		const to: Recipient | undefined = subscriber ? { kind: 'subscriber', subscriber } : operator ? { kind: 'operator', target: operator } : undefined;
		if (!notice || !to) return this.#finish(id, 'dropped', subscriber || operator ? 'notice missing' : 'recipient gone');
		const transport = this.#o.transports[channel]!;
		const job: OutboxJob = { deliveryId: id, noticeId: Number(row.notice_id), notice, channel, recipient: row.recipient, to, thread: row.thread, attempt: Number(row.attempts) };
		this.#inFlight.add(id);
		let outcome: SendOutcome;
		try {
			outcome = await transport.send(job);
		} catch (err) {
			outcome = { kind: 'retry', reason: `transport threw: ${(err as Error)?.name ?? 'error'}` };
		} finally {
			this.#inFlight.delete(id);
		}
		await this.#settle(job, outcome);
	}

	async #settle(job: OutboxJob, outcome: SendOutcome): Promise<void> {
		const { channel } = job;
		const about = { delivery: job.deliveryId, notice: job.noticeId, channel, recipient: job.to.kind === 'subscriber' ? `s:${job.to.subscriber.id}` : job.recipient, attempt: job.attempt };
		switch (outcome.kind) {
			case 'sent':
				this.stats.sent[channel]++;
				return this.#finish(job.deliveryId, 'sent', null);
			case 'refused':
				this.stats.failed[channel]++;
				this.#o.logger.warn({ ...about, reason: outcome.reason }, 'delivery refused; not retrying');
				return this.#finish(job.deliveryId, 'failed', outcome.reason);
			case 'gone':
				this.stats.gone[channel]++;
				if (job.to.kind === 'subscriber') {
					this.#o.logger.info({ ...about, reason: outcome.reason }, 'recipient is gone; subscription ended');
					await this.#finish(job.deliveryId, 'dropped', outcome.reason);
					await this.#o.subscribers.remove(job.to.subscriber.id);
					return;
				}
				this.#o.logger.error({ ...about, reason: outcome.reason }, 'the operator webhook is gone (deleted?); fix SHARDBEAT_DISCORD_WEBHOOK_URL');
				return this.#finish(job.deliveryId, 'failed', outcome.reason);
			case 'defer':
				this.stats.deferred[channel]++;
				// A rate limit is not a failure: the attempt is given back.
				await this.#o.db
					.updateTable('outbox_deliveries')
					.set({ next_at: this.#o.now() + Math.round(outcome.afterMs), lease_owner: null, lease_until: null, attempts: sql<number>`attempts - 1`, error: outcome.reason.slice(0, 300) })
					.where('id', '=', job.deliveryId)
					.execute();
				return;
			case 'retry': {
				if (job.attempt >= this.#o.maxAttempts) {
					this.stats.failed[channel]++;
					this.#o.logger.error({ ...about, reason: outcome.reason }, 'delivery failed after every attempt; giving up');
					return this.#finish(job.deliveryId, 'failed', outcome.reason);
				}
				this.stats.retried[channel]++;
				const delay = Math.round(outcome.afterMs ?? backoffDelay(job.attempt - 1, this.#backoff));
				this.#o.logger.debug({ ...about, reason: outcome.reason, delayMs: Math.round(delay) }, 'delivery failed; retrying');
				await this.#o.db
					.updateTable('outbox_deliveries')
					.set({ next_at: this.#o.now() + delay, lease_owner: null, lease_until: null, error: outcome.reason.slice(0, 300) })
					.where('id', '=', job.deliveryId)
					.execute();
				return;
			}
		}
	}

	async #finish(id: number, state: Exclude<DeliveryState, 'pending'>, error: string | null): Promise<void> {
		await this.#o.db
			.updateTable('outbox_deliveries')
			.set({ state, sent_at: state === 'sent' ? this.#o.now() : null, lease_owner: null, lease_until: null, error: error?.slice(0, 300) ?? null })
			.where('id', '=', id)
			.execute();
	}

	/** Hands a claimed, unsent delivery back at once (closing): another instance, or the next start, sends it. */
	async #release(id: number): Promise<void> {
		await this.#o.db.updateTable('outbox_deliveries').set({ lease_owner: null, lease_until: null, attempts: sql<number>`attempts - 1` }).where('id', '=', id).where('lease_owner', '=', this.instanceId).execute();
	}
}

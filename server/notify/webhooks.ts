import { randomUUID } from 'node:crypto';
import { backoffDelay, parseRetryAfter, type BackoffPolicy } from '#shared';
import { localizeIncident, updateText } from '#shared/i18n/incident-text';
import type { Locale } from '#i18n/runtime';
import type { IncidentNotice } from '../history/incident-notice.ts';
import type { Logger } from '../log.ts';
import { discordMessage } from './discord-embed.ts';
import { signPayload } from './signature.ts';

/** `discord`: a Discord channel webhook URL. `json`: any HTTPS endpoint, bodies signed with `secret`. */
export type WebhookTarget = { kind: 'discord'; url: string } | { kind: 'json'; url: string; secret: string };

export interface WebhookNotifierOptions {
	targets: WebhookTarget[];
	logger: Logger;
	/** The public status page; Discord embeds link to it. */
	pageUrl?: string;
	botName?: string;
	/** The language of every notice (`SHARDBEAT_WEBHOOK_LOCALE`): Discord embeds, and the JSON body's title and messages. Default `en`. */
	locale?: Locale;
	/** Notices waiting per target (beyond the one on the wire); past this the oldest are dropped. Default 100. */
	maxQueued?: number;
	/** Tries per notice before it is given up. Default 8. */
	maxAttempts?: number;
	/** Backoff: a random wait up to `baseDelayMs · 2^failures`, capped at `maxDelayMs`. Defaults 1 s and 5 min. */
	baseDelayMs?: number;
	maxDelayMs?: number;
	/** Per request. Default 10 s. */
	timeoutMs?: number;
	fetch?: typeof fetch;
}

export interface WebhookStats {
	/** Deliveries a target accepted (2xx), counted per target. */
	sent: number;
	/** Deliveries given up: refused (4xx other than 408/429) or out of attempts. */
	failed: number;
	/** Notices dropped unsent because a target's queue was full. */
	dropped: number;
	/** Requests that failed and were scheduled again. */
	retried: number;
}

interface Delivery {
	notice: IncidentNotice;
	/** Same on every retry, so a receiver can tell a retry from a new event. */
	id: string;
	attempts: number;
}

interface Lane {
	target: WebhookTarget;
	/** `kind:host`: all a log line may say about a target (Discord URLs carry a token in the path). */
	label: string;
	/** Strings that must never reach a log line: the URL, its path and query, the secret. */
	secrets: string[];
	queue: Delivery[];
	inFlight: AbortController | undefined;
	running: Promise<void> | undefined;
	timer: ReturnType<typeof setTimeout> | undefined;
	/** Consecutive retryable failures: drives the backoff, which is the endpoint's, not one notice's. */
	failures: number;
	/** No request before this (epoch ms): backoff outlives the notice that caused it. */
	notBefore: number;
	/** Dropped since the queue last overflowed; logged when that starts and again once the queue has drained. */
	burstDropped: number;
}

type Outcome = { ok: true } | { ok: false; retry: boolean; reason: string; retryAfterMs?: number };

/** Incidents resolved lately, so a late `incident.updated` cannot follow its own resolve. */
const REMEMBER_RESOLVED = 1_000;
/** A Retry-After above this is a misbehaving endpoint, not a reason to stall the queue for days. */
const MAX_RETRY_AFTER_MS = 3_600_000;
/**
 * An endpoint's retries, with `baseMs`/`maxMs` from `baseDelayMs`/`maxDelayMs`: a step doubling per
 * failure in a row, and full jitter (a random wait up to the step), so the many notifiers that may
 * hit one endpoint (Discord) do not retry in lockstep. The exponent stops at 30 so the step stays
 * finite even with a 0 base.
 */
const ENDPOINT_BACKOFF: Omit<BackoffPolicy, 'baseMs' | 'maxMs'> = { factor: 2, jitter: 'full', maxExponent: 30 };

/**
 * Sends incident notices to Discord channel webhooks and signed JSON endpoints, in `locale`.
 * `notify` only queues: each target has its own FIFO queue with one request in flight, retries with
 * jittered exponential backoff, and a bound on what it holds, so a slow or dead endpoint costs a
 * fixed amount of memory and never delays the caller or the other targets. Every notice is sent:
 * bursts are coalesced before they are stored (at most one automatic update per incident per
 * minute), so a channel hears exactly the updates the page and the feeds show.
 */
export class WebhookNotifier {
	readonly stats: WebhookStats = { sent: 0, failed: 0, dropped: 0, retried: 0 };
	readonly #o: Required<Omit<WebhookNotifierOptions, 'pageUrl' | 'botName'>> & Pick<WebhookNotifierOptions, 'pageUrl' | 'botName'>;
	readonly #lanes: Lane[];
	readonly #resolved = new Set<number>();
	readonly #backoff: BackoffPolicy;
	#idleWaiters: (() => void)[] = [];
	#closed = false;

	constructor(options: WebhookNotifierOptions) {
		this.#o = {
			locale: 'en',
			maxQueued: 100,
			maxAttempts: 8,
			baseDelayMs: 1_000,
			maxDelayMs: 300_000,
			timeoutMs: 10_000,
			fetch: globalThis.fetch,
			...options
		};
		this.#o.maxQueued = Math.max(1, this.#o.maxQueued);
		this.#o.maxAttempts = Math.max(1, this.#o.maxAttempts);
		this.#backoff = { ...ENDPOINT_BACKOFF, baseMs: this.#o.baseDelayMs, maxMs: this.#o.maxDelayMs };
		this.#lanes = options.targets.map((target, i) => {
			let url: URL;
			try {
				url = new URL(target.url);
			} catch {
				// Not the URL itself: the error would end up in a log.
				throw new Error(`webhook target ${i} (${target.kind}): not a valid URL`);
			}
			if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`webhook target ${i} (${target.kind}): not an http(s) URL`);
			const secrets = [target.url, url.pathname + url.search, url.pathname, url.search, ...(target.kind === 'json' ? [target.secret] : [])];
			return {
				target,
				label: `${target.kind}:${url.host}`,
				secrets: secrets.filter((s) => s.length > 1),
				queue: [],
				inFlight: undefined,
				running: undefined,
				timer: undefined,
				failures: 0,
				notBefore: 0,
				burstDropped: 0
			};
		});
	}

	/** Notices waiting across all targets, not counting those on the wire. */
	get queued(): number {
		return this.#lanes.reduce((n, lane) => n + lane.queue.length, 0);
	}

	/** Queues a notice for every target. Returns at once; never throws, never waits on the network. */
	notify(notice: IncidentNotice): void {
		try {
			if (this.#closed) return;
			const id = notice.incident.id;
			switch (notice.type) {
				case 'incident.opened':
					this.#resolved.delete(id);
					this.#fanOut(notice);
					break;
				case 'incident.updated':
					// An update told after its incident's resolve (a late operator post) would read as if it were still open.
					if (this.#resolved.has(id)) this.#o.logger.debug({ incident: id }, 'webhook update after its resolve ignored');
					else this.#fanOut(notice);
					break;
				case 'incident.resolved': {
					this.#resolved.delete(id);
					this.#resolved.add(id);
					if (this.#resolved.size > REMEMBER_RESOLVED) this.#resolved.delete(this.#resolved.values().next().value!);
					this.#fanOut(notice);
					break;
				}
				default:
					this.#o.logger.warn({ type: (notice as { type?: unknown }).type }, 'webhook notice of unknown type ignored');
			}
		} catch (err) {
			this.#o.logger.error({ err: (err as Error)?.message }, 'webhook notice could not be queued');
		}
	}

	#fanOut(notice: IncidentNotice): void {
		const id = randomUUID();
		for (const lane of this.#lanes) {
			lane.queue.push({ notice, id, attempts: 0 });
			this.#bound(lane);
			this.#pump(lane);
		}
	}

	#bound(lane: Lane): void {
		const over = lane.queue.length - this.#o.maxQueued;
		if (over <= 0) return;
		lane.queue.splice(0, over);
		if (lane.burstDropped === 0) this.#o.logger.warn({ target: lane.label, limit: this.#o.maxQueued }, 'webhook queue full: dropping the oldest notices until the endpoint catches up');
		lane.burstDropped += over;
		this.stats.dropped += over;
	}

	#pump(lane: Lane): void {
		if (this.#closed || lane.inFlight || lane.timer) return;
		if (lane.queue.length === 0) {
			// The burst is over once the queue has drained (delivered or given up): the next overflow is logged again.
			if (lane.burstDropped > 0) this.#o.logger.warn({ target: lane.label, dropped: lane.burstDropped }, 'webhook queue drained; notices were dropped while it was full');
			lane.burstDropped = 0;
			return this.#checkIdle();
		}
		const wait = lane.notBefore - Date.now();
		if (wait > 0) {
			lane.timer = setTimeout(() => {
				lane.timer = undefined;
				this.#pump(lane);
			}, wait);
			lane.timer.unref?.();
			return;
		}
		const delivery = lane.queue.shift()!;
		const controller = new AbortController();
		lane.inFlight = controller;
		lane.running = this.#send(lane, delivery, controller.signal)
			.then((outcome) => {
				if (!this.#closed) this.#settle(lane, delivery, outcome);
			})
			.catch((err) => this.#o.logger.error({ target: lane.label, err: this.#scrub(lane, err) }, 'webhook delivery bookkeeping failed'))
			.finally(() => {
				// Whatever happened above, the lane moves on: a stuck `inFlight` would stall the target for good.
				lane.inFlight = undefined;
				lane.running = undefined;
				this.#pump(lane);
			});
	}

	#settle(lane: Lane, delivery: Delivery, outcome: Outcome): void {
		const about = { target: lane.label, event: delivery.notice.type, incident: delivery.notice.incident.id, attempts: delivery.attempts };
		if (outcome.ok) {
			this.stats.sent++;
			if (lane.failures > 0) this.#o.logger.info(about, 'webhook endpoint is back');
			lane.failures = 0;
			return;
		}
		if (!outcome.retry) {
			this.stats.failed++;
			this.#o.logger.error({ ...about, reason: outcome.reason }, 'webhook delivery refused; not retrying');
			return;
		}
		lane.failures++;
		// Full jitter: many notifiers hitting one endpoint do not retry in lockstep.
		const delay = outcome.retryAfterMs ?? backoffDelay(lane.failures - 1, this.#backoff);
		lane.notBefore = Date.now() + delay;
		if (lane.failures === 1) this.#o.logger.warn({ ...about, reason: outcome.reason }, 'webhook endpoint failing; retrying with backoff');
		else this.#o.logger.debug({ ...about, reason: outcome.reason, delayMs: Math.round(delay) }, 'webhook delivery failed again');
		if (delivery.attempts >= this.#o.maxAttempts) {
			this.stats.failed++;
			this.#o.logger.error({ ...about, reason: outcome.reason }, 'webhook delivery failed after every attempt; giving up');
			return;
		}
		lane.queue.unshift(delivery);
		this.#bound(lane);
		// With the queue full, the notice that just failed is the oldest, and it is the one dropped.
		if (lane.queue[0] === delivery) this.stats.retried++;
	}

	async #send(lane: Lane, delivery: Delivery, signal: AbortSignal): Promise<Outcome> {
		delivery.attempts++;
		const { target } = lane;
		const { notice } = delivery;
		const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'Shardbeat-Webhook/1' };
		let body: string;
		const { locale } = this.#o;
		if (target.kind === 'discord') body = JSON.stringify(discordMessage(notice, { pageUrl: this.#o.pageUrl, botName: this.#o.botName, locale }));
		else {
			// Signed afresh on every attempt: receivers refuse stale timestamps, and a retry can come minutes later.
			const timestamp = Math.floor(Date.now() / 1000);
			// Title and messages in the configured language; the facts ride along for receivers that word their own.
			const update = notice.update ? { ...notice.update, message: updateText(notice.update, locale) } : null;
			body = JSON.stringify({ type: notice.type, locale, incident: localizeIncident(notice.incident, locale), update, sentAt: Date.now() });
			headers['X-Shardbeat-Event'] = notice.type;
			headers['X-Shardbeat-Delivery'] = delivery.id;
			headers['X-Shardbeat-Timestamp'] = String(timestamp);
			headers['X-Shardbeat-Signature'] = signPayload(target.secret, timestamp, body);
		}
		const controller = new AbortController();
		const abort = () => controller.abort();
		signal.addEventListener('abort', abort, { once: true });
		let timedOut = false;
		const timer = setTimeout(() => ((timedOut = true), controller.abort()), this.#o.timeoutMs);
		try {
			// Redirects are not followed: a signed body goes to the configured host or nowhere.
			const res = await this.#o.fetch(target.url, { method: 'POST', headers, body, redirect: 'manual', signal: controller.signal });
			// Read the body so the connection is returned to the pool.
			await res.arrayBuffer().catch(() => undefined);
			if (res.ok) return { ok: true };
			const reason = `HTTP ${res.status}`;
			if (res.status === 429) return { ok: false, retry: true, reason, retryAfterMs: parseRetryAfter(res.headers.get('retry-after'), { nowMs: Date.now(), maxMs: MAX_RETRY_AFTER_MS }) };
			if (res.status === 408 || res.status >= 500) return { ok: false, retry: true, reason };
			return { ok: false, retry: false, reason };
		} catch (err) {
			return { ok: false, retry: true, reason: timedOut ? `timed out after ${this.#o.timeoutMs} ms` : this.#scrub(lane, err) };
		} finally {
			clearTimeout(timer);
			signal.removeEventListener('abort', abort);
		}
	}

	/** An error as a loggable string, with the URL, its path and the secret cut out wherever they appear. */
	#scrub(lane: Lane, err: unknown): string {
		const e = err as { message?: string; cause?: { code?: string; message?: string } };
		let text = String(e?.message ?? err);
		if (e?.cause) text += `: ${e.cause.code ?? e.cause.message ?? ''}`;
		for (const s of lane.secrets) text = text.split(s).join('[redacted]');
		return text;
	}

	#checkIdle(): void {
		if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
		const waiters = this.#idleWaiters;
		this.#idleWaiters = [];
		for (const resolve of waiters) resolve();
	}

	#isIdle(): boolean {
		return this.#closed || this.#lanes.every((l) => l.queue.length === 0 && !l.inFlight && !l.timer);
	}

	/** Resolves once nothing is waiting: no queued notice, no request in flight. For tests and shutdown. */
	idle(): Promise<void> {
		if (this.#isIdle()) return Promise.resolve();
		return new Promise((resolve) => this.#idleWaiters.push(resolve));
	}

	/** Stops for good: clears every timer, aborts requests in flight, and drops what is still queued (logged). */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		const running: Promise<void>[] = [];
		for (const lane of this.#lanes) {
			clearTimeout(lane.timer);
			lane.timer = undefined;
			const unsent = lane.queue.length + (lane.inFlight ? 1 : 0);
			if (unsent > 0) this.#o.logger.warn({ target: lane.label, unsent }, 'webhook notifier closed with notices unsent');
			lane.queue = [];
			lane.inFlight?.abort();
			if (lane.running) running.push(lane.running);
		}
		this.#checkIdle();
		await Promise.allSettled(running);
	}
}

import type { Kysely } from 'kysely';
import type { HistoryDatabase } from '../history/schema.ts';
import type { Notice } from './contract.ts';
import type { OutboxJob, Recipient, SendOutcome, Transport } from './outbox.ts';

/**
 * The Discord message each (recipient, thread) is edited in, in the history database, and a lock
 * so that one instance at a time creates or edits it (two creating at once would post two).
 */
export class DiscordThreads {
	constructor(
		readonly db: Kysely<HistoryDatabase>,
		readonly now: () => number = Date.now
	) {}

	/** Takes the thread for `leaseMs`: its message so far, or undefined while another instance holds it. */
	async lock(recipient: string, thread: string, leaseMs: number): Promise<{ messageId: string | null; lastNoticeId: number } | undefined> {
		await this.db.insertInto('outbox_threads').values({ recipient, thread }).onConflict((oc) => oc.columns(['recipient', 'thread']).doNothing()).execute();
		const now = this.now();
		const row = await this.db
			.updateTable('outbox_threads')
			.set({ lock_until: now + leaseMs })
			.where('recipient', '=', recipient)
			.where('thread', '=', thread)
			.where('lock_until', '<', now)
			.returning(['message_id', 'last_notice_id'])
			.executeTakeFirst();
		return row && { messageId: row.message_id, lastNoticeId: Number(row.last_notice_id) };
	}

	/** Records what the message now shows, and lets go of the thread. */
	async shown(recipient: string, thread: string, messageId: string, noticeId: number): Promise<void> {
		await this.db.updateTable('outbox_threads').set({ message_id: messageId, last_notice_id: noticeId, lock_until: 0 }).where('recipient', '=', recipient).where('thread', '=', thread).execute();
	}

	async unlock(recipient: string, thread: string): Promise<void> {
		await this.db.updateTable('outbox_threads').set({ lock_until: 0 }).where('recipient', '=', recipient).where('thread', '=', thread).execute();
	}
}

/** A Discord webhook message body (`POST` / `PATCH`), or undefined when a notice has no Discord form. */
export type RenderDiscord = (notice: Notice, to: Recipient, edit: boolean) => Record<string, unknown> | undefined;

export interface DiscordTransportOptions {
	threads: DiscordThreads;
	render: RenderDiscord;
	/** How long a thread is held while its message is created or edited. Default 30 s. */
	lockMs?: number;
	/** Per request. Default 10 s. */
	timeoutMs?: number;
	fetch?: typeof fetch;
	now?: () => number;
}

/** A Discord JSON error's code: 10015 Unknown Webhook, 10008 Unknown Message. */
const UNKNOWN_MESSAGE = 10008;
/** A rate limit above this is Discord misbehaving (or a ban): retry in an hour rather than in a week. */
const MAX_WAIT_MS = 3_600_000;

/** `https://discord.com/api/webhooks/{id}/{token}` → its parts; the token never leaves this module's requests. */
function webhookParts(url: string): { base: string; id: string } | undefined {
	try {
		const u = new URL(url);
		const m = /^(.*\/webhooks\/(\d+)\/[^/]+)\/?$/.exec(u.pathname);
		return m ? { base: `${u.origin}${m[1]}`, id: m[2]! } : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Sends to Discord channel webhooks, a subscriber's or the operator's. A notice with a thread (an
 * incident, a maintenance) is posted once with `?wait=true` (Discord answers with the message) and
 * then edited in place (`PATCH …/messages/{id}`) as it moves, as PluralKit does; a notice older
 * than what the message shows changes nothing. Rate limits: a `429` defers the send by its
 * `retry_after` (every send, when `global` or `X-RateLimit-Global` says so); a webhook whose
 * `X-RateLimit-Remaining` is 0 waits `X-RateLimit-Reset-After`. The global budget is the
 * outbox's rate for the `discord` channel. `404` Unknown Webhook ends the subscription; a message
 * deleted by hand (Unknown Message) is posted again.
 */
export class DiscordTransport implements Transport {
	readonly #o: Required<DiscordTransportOptions>;
	/** Per webhook id: no request before this (epoch ms). */
	readonly #blocked = new Map<string, number>();
	#globalUntil = 0;

	constructor(options: DiscordTransportOptions) {
		this.#o = { lockMs: 30_000, timeoutMs: 10_000, fetch: globalThis.fetch, now: Date.now, ...options };
	}

	async send(job: OutboxJob): Promise<SendOutcome> {
		const url = job.to.kind === 'subscriber' ? job.to.subscriber.target.reveal() : job.to.target.url;
		const hook = webhookParts(url);
		if (!hook) return { kind: 'refused', reason: 'not a Discord webhook URL' };
		const now = this.#o.now();
		const wait = Math.max(this.#globalUntil, this.#blocked.get(hook.id) ?? 0) - now;
		if (wait > 0) return { kind: 'defer', reason: 'rate limited', afterMs: wait };
		if (!job.thread) {
			const body = this.#o.render(job.notice, job.to, false);
			if (!body) return { kind: 'refused', reason: `no Discord message for ${job.notice.type}` };
			const r = await this.#request(hook, 'POST', `${hook.base}?wait=true`, body);
			return r.outcome;
		}
		const thread = await this.#o.threads.lock(job.recipient, job.thread, this.#o.lockMs);
		if (!thread) return { kind: 'defer', reason: 'thread busy on another instance', afterMs: 1_000 };
		let shown = false;
		try {
			// A late notice (an update after the resolve) must not edit the message back.
			if (thread.lastNoticeId >= job.noticeId) return { kind: 'sent' };
			if (thread.messageId) {
				const body = this.#o.render(job.notice, job.to, true);
				if (!body) return { kind: 'refused', reason: `no Discord message for ${job.notice.type}` };
				const r = await this.#request(hook, 'PATCH', `${hook.base}/messages/${thread.messageId}`, body);
				if (r.outcome.kind === 'sent') {
					await this.#o.threads.shown(job.recipient, job.thread, thread.messageId, job.noticeId);
					shown = true;
					return r.outcome;
				}
				// Deleted by hand in the channel: post it again below; anything else is the answer.
				if (r.code !== UNKNOWN_MESSAGE) return r.outcome;
			}
			const body = this.#o.render(job.notice, job.to, false);
			if (!body) return { kind: 'refused', reason: `no Discord message for ${job.notice.type}` };
			const r = await this.#request(hook, 'POST', `${hook.base}?wait=true`, body);
			if (r.outcome.kind === 'sent' && r.messageId) {
				await this.#o.threads.shown(job.recipient, job.thread, r.messageId, job.noticeId);
				shown = true;
			}
			return r.outcome;
		} finally {
			if (!shown) await this.#o.threads.unlock(job.recipient, job.thread);
		}
	}

	async #request(hook: { id: string }, method: 'POST' | 'PATCH', url: string, body: Record<string, unknown>): Promise<{ outcome: SendOutcome; messageId?: string; code?: number }> {
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), this.#o.timeoutMs);
		let res: Response;
		try {
			res = await this.#o.fetch(url, {
				method,
				headers: { 'Content-Type': 'application/json', 'User-Agent': 'Shardbeat-Webhook/1' },
				body: JSON.stringify(body),
				redirect: 'manual',
				signal: controller.signal
			});
		} catch (err) {
			// The error names the URL (with its token) in some runtimes: only its kind is kept.
			const e = err as { name?: string; cause?: { code?: string } };
			return { outcome: { kind: 'retry', reason: controller.signal.aborted ? 'timed out' : `network: ${e.cause?.code ?? e.name ?? 'error'}` } };
		} finally {
			clearTimeout(timer);
		}
		const text = await res.text().catch(() => '');
		let json: { id?: unknown; code?: unknown; retry_after?: unknown; global?: unknown } = {};
		try {
			json = text ? (JSON.parse(text) as typeof json) : {};
		} catch {}
		const now = this.#o.now();
		const remaining = res.headers.get('x-ratelimit-remaining');
		const resetAfter = Number(res.headers.get('x-ratelimit-reset-after'));
		if (remaining === '0' && Number.isFinite(resetAfter)) this.#blocked.set(hook.id, now + Math.min(MAX_WAIT_MS, resetAfter * 1000));
		const code = typeof json.code === 'number' ? json.code : undefined;
		if (res.ok) return { outcome: { kind: 'sent' }, ...(typeof json.id === 'string' ? { messageId: json.id } : {}) };
		if (res.status === 429) {
			const seconds = typeof json.retry_after === 'number' ? json.retry_after : Number(res.headers.get('retry-after'));
			const afterMs = Math.min(MAX_WAIT_MS, Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds * 1000) : 1_000);
			if (json.global === true || res.headers.get('x-ratelimit-global') === 'true') this.#globalUntil = now + afterMs;
			else this.#blocked.set(hook.id, now + afterMs);
			return { outcome: { kind: 'defer', reason: 'HTTP 429', afterMs }, ...(code !== undefined ? { code } : {}) };
		}
		const reason = `HTTP ${res.status}${code !== undefined ? ` (code ${code})` : ''}`;
		if (res.status === 404) return { outcome: code === UNKNOWN_MESSAGE ? { kind: 'refused', reason } : { kind: 'gone', reason }, ...(code !== undefined ? { code } : {}) };
		if (res.status === 408 || res.status >= 500) return { outcome: { kind: 'retry', reason } };
		return { outcome: { kind: 'refused', reason } };
	}
}

import { localizeIncident, updateText } from '#shared/i18n/incident-text';
import type { Locale } from '#i18n/runtime';
import type { OutboxJob, SendOutcome, Transport } from './outbox.ts';
import { signPayload } from './signature.ts';

export interface JsonTransportOptions {
	/** The language of the title and messages (`SHARDBEAT_WEBHOOK_LOCALE`). Default `en`. */
	locale?: Locale;
	/** Per request. Default 10 s. */
	timeoutMs?: number;
	fetch?: typeof fetch;
	now?: () => number;
}

/**
 * The operator's signed JSON webhook (`SHARDBEAT_WEBHOOK_URL`): `{ type, locale, incident, update,
 * sentAt }`, signed afresh on every attempt (receivers refuse stale timestamps), with
 * `X-Shardbeat-Delivery` the same on every attempt and every instance (the notice's id), so a
 * receiver can tell a repeat from a new event. Redirects are not followed.
 */
export class JsonTransport implements Transport {
	readonly #o: Required<JsonTransportOptions>;
	constructor(options: JsonTransportOptions = {}) {
		this.#o = { locale: 'en', timeoutMs: 10_000, fetch: globalThis.fetch, now: Date.now, ...options };
	}

	async send(job: OutboxJob): Promise<SendOutcome> {
		if (job.to.kind !== 'operator' || job.to.target.kind !== 'json') return { kind: 'refused', reason: 'JSON webhooks are the operator’s only' };
		const { notice } = job;
		if (!('incident' in notice)) return { kind: 'refused', reason: `no JSON form of ${notice.type}` };
		const { locale } = this.#o;
		const now = this.#o.now();
		const timestamp = Math.floor(now / 1000);
		const update = notice.update ? { ...notice.update, message: updateText(notice.update, locale) } : null;
		const body = JSON.stringify({ type: notice.type, locale, incident: localizeIncident(notice.incident, locale), update, sentAt: now });
		const controller = new AbortController();
		const timer = setTimeout(() => controller.abort(), this.#o.timeoutMs);
		try {
			const res = await this.#o.fetch(job.to.target.url, {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					'User-Agent': 'Shardbeat-Webhook/1',
					'X-Shardbeat-Event': notice.type,
					'X-Shardbeat-Delivery': `notice-${job.noticeId}`,
					'X-Shardbeat-Timestamp': String(timestamp),
					'X-Shardbeat-Signature': signPayload(job.to.target.secret, timestamp, body)
				},
				body,
				redirect: 'manual',
				signal: controller.signal
			});
			await res.arrayBuffer().catch(() => undefined);
			if (res.ok) return { kind: 'sent' };
			const reason = `HTTP ${res.status}`;
			if (res.status === 429) {
				const seconds = Number(res.headers.get('retry-after'));
				return { kind: 'defer', reason, afterMs: Number.isFinite(seconds) && seconds > 0 ? Math.min(3_600_000, seconds * 1000) : 5_000 };
			}
			if (res.status === 408 || res.status >= 500) return { kind: 'retry', reason };
			return { kind: 'refused', reason };
		} catch (err) {
			const e = err as { name?: string; cause?: { code?: string } };
			return { kind: 'retry', reason: controller.signal.aborted ? 'timed out' : `network: ${e.cause?.code ?? e.name ?? 'error'}` };
		} finally {
			clearTimeout(timer);
		}
	}
}

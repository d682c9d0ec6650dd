import type { Locale } from '#i18n/runtime';
import { errorField, readAnswer, subscribeBody, type Channel, type FormError, type SubscribeFields } from './subscribe-payload.ts';

/** A request that has not answered by then counts as failed, so "sending" never hangs. */
const REQUEST_TIMEOUT_MS = 15_000;

export interface SubscribeFormOptions {
	serverUrl: string;
	locale: Locale;
	fetch?: typeof fetch;
}

/** `idle` (filling in), `sending`, `sent` (done: a mail is on its way, or the channel is subscribed). */
export type SubmitState = 'idle' | 'sending' | 'sent';

/**
 * The subscribe form's state: the fields, whether this server sends mail at all
 * (`GET /api/v1/subscriptions/options`), and the outcome of `POST /api/v1/subscriptions`.
 * Nothing here throws: a refused or failed request becomes `error`.
 */
export class SubscribeForm {
	readonly fields = $state<SubscribeFields>({ channel: 'email', email: '', webhook: '', scope: 'bot', clusters: '', guild: '', website: '' });
	/** Null until the server has said; false: no SMTP on this server, only Discord channels. */
	emailEnabled = $state<boolean | null>(null);
	state = $state<SubmitState>('idle');
	error = $state<FormError | null>(null);
	/** For `rate_limited`: when to try again. */
	retryAfterS = $state(0);
	/** For `generic`: what the server said (or its status). */
	detail = $state('');
	/** What the last success was: a mail to `sentTo`, or a Discord channel. */
	sentChannel = $state<Channel>('email');
	sentTo = $state('');
	/** The field the error is about (the form focuses it); null for the whole form. */
	readonly errorField: ReturnType<typeof errorField>;

	readonly #o: Required<SubscribeFormOptions>;

	constructor(options: SubscribeFormOptions) {
		this.#o = { fetch: (input, init) => globalThis.fetch(input, init), ...options };
		this.errorField = $derived(this.error ? errorField(this.error) : null);
	}

	/** Asks the server what it offers; with email off, the form switches to Discord. */
	async loadOptions(): Promise<void> {
		if (!this.#o.serverUrl) return;
		try {
			const res = await this.#o.fetch(`${this.#o.serverUrl}/api/v1/subscriptions/options`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
			if (!res.ok) return;
			const body = (await res.json()) as { email?: unknown };
			this.emailEnabled = body.email === true;
			if (!this.emailEnabled && this.fields.channel === 'email') this.fields.channel = 'discord';
		} catch {
			// Unknown: the form stays as it is, and the server's answer will say if email is off.
		}
	}

	/** Sends the form; resolves once the outcome is known (`state`, `error`). */
	async submit(): Promise<void> {
		if (this.state === 'sending') return;
		const built = subscribeBody(this.fields, this.#o.locale);
		if (!built.ok) {
			this.error = built.error;
			return;
		}
		this.error = null;
		this.state = 'sending';
		try {
			const res = await this.#o.fetch(`${this.#o.serverUrl}/api/v1/subscriptions`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify(built.body),
				signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
			});
			const answer = readAnswer(res.status, await res.json().catch(() => null), res.headers.get('Retry-After'));
			if (answer.ok) {
				this.sentChannel = answer.channel;
				this.sentTo = 'email' in built.body ? built.body.email : '';
				this.state = 'sent';
				return;
			}
			this.error = answer.error;
			this.retryAfterS = answer.retryAfterS ?? 0;
			this.detail = answer.detail ?? '';
			if (answer.error === 'email_disabled') this.emailEnabled = false;
		} catch {
			this.error = 'offline';
		}
		this.state = 'idle';
	}

	/** Back to the form after a success, keeping the scope (to subscribe another address). */
	again(): void {
		this.state = 'idle';
		this.fields.email = '';
		this.fields.webhook = '';
	}
}

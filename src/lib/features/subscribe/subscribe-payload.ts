import { parseDiscordWebhookUrl, parseScope, type GuildInputError, type ScopeInput, type SubscriptionScopeKind } from '#shared';
import type { Locale } from '#i18n/runtime';

/*
 * The subscribe form's pure parts: what the fields become as a `POST /api/v1/subscriptions`
 * body (checked with the same shared parsers the server uses, so what the page accepts the
 * server accepts), and what an answer means for the person at the form.
 */

export type Channel = 'email' | 'discord';

/** What a person typed. */
export interface SubscribeFields {
	channel: Channel;
	email: string;
	webhook: string;
	scope: SubscriptionScopeKind;
	/** Cluster numbers, separated by commas or spaces. */
	clusters: string;
	/** A server ID or a message link. */
	guild: string;
	/** The honeypot: sent as it is, so a bot filling it is answered as a person and ignored. */
	website: string;
}

/** Why the form cannot be sent, or why the server refused it; each has its own sentence. */
export type FormError =
	| 'email'
	| 'webhook'
	| 'clusters'
	| GuildInputError
	| 'email_disabled'
	| 'rate_limited'
	| 'webhook_unreachable'
	| 'offline'
	| 'generic';

/** The field a form error belongs to (focus goes there), or null for the form as a whole. */
export function errorField(error: FormError): 'email' | 'webhook' | 'clusters' | 'guild' | null {
	switch (error) {
		case 'email':
		case 'email_disabled':
			return 'email';
		case 'webhook':
		case 'webhook_unreachable':
			return 'webhook';
		case 'clusters':
			return 'clusters';
		case 'empty':
		case 'not_a_snowflake':
		case 'direct_message_link':
			return 'guild';
		default:
			return null;
	}
}

// The server's check is zod's; this one only catches what a person mistypes.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type SubscribeBody = { email: string } | { discordWebhookUrl: string };

/** The request body for `fields`, or the first thing wrong with them. */
export function subscribeBody(fields: SubscribeFields, locale: Locale): { ok: true; body: SubscribeBody & { scope: ScopeInput; locale: Locale; website?: string } } | { ok: false; error: FormError } {
	let target: SubscribeBody;
	if (fields.channel === 'email') {
		const email = fields.email.trim();
		if (!EMAIL.test(email) || email.length > 254) return { ok: false, error: 'email' };
		target = { email };
	} else {
		const parsed = parseDiscordWebhookUrl(fields.webhook);
		if (!parsed.ok) return { ok: false, error: 'webhook' };
		target = { discordWebhookUrl: parsed.webhook.url };
	}
	let scope: ScopeInput;
	if (fields.scope === 'clusters') {
		const parts = fields.clusters.split(/[\s,;]+/).filter(Boolean);
		if (parts.length === 0 || !parts.every((p) => /^\d{1,7}$/.test(p))) return { ok: false, error: 'clusters' };
		scope = { kind: 'clusters', clusterIds: parts.map(Number) };
	} else if (fields.scope === 'guild') {
		scope = { kind: 'guild', guild: fields.guild };
	} else {
		scope = { kind: 'bot' };
	}
	const checked = parseScope(scope);
	if (!checked.ok) return { ok: false, error: checked.error === 'unknown_kind' ? 'generic' : checked.error === 'no_clusters' || checked.error === 'too_many_clusters' || checked.error === 'bad_cluster_id' ? 'clusters' : checked.error };
	return { ok: true, body: { ...target, scope, locale, ...(fields.website ? { website: fields.website } : {}) } };
}

/** What an answer of the server means at the form. */
export type SubscribeAnswer = { ok: true; channel: Channel } | { ok: false; error: FormError; retryAfterS?: number; detail?: string };

/** Reads the server's answer: `202` is done (mail sent, or channel confirmed); an error code maps to a sentence. */
export function readAnswer(status: number, body: unknown, retryAfter: string | null): SubscribeAnswer {
	if (status === 202) {
		const kind = (body as { kind?: unknown } | null)?.kind;
		return { ok: true, channel: kind === 'discord' ? 'discord' : 'email' };
	}
	const code = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error?.code;
	const message = String((body as { error?: { message?: unknown } } | null)?.error?.message ?? '');
	if (status === 429) return { ok: false, error: 'rate_limited', retryAfterS: Math.max(1, Number(retryAfter) || 60) };
	if (code === 'email_disabled') return { ok: false, error: 'email_disabled' };
	if (code === 'webhook_unreachable') return { ok: false, error: 'webhook_unreachable' };
	if (code === 'invalid_subscription') {
		if (message.startsWith('email')) return { ok: false, error: 'email' };
		if (message.startsWith('discordWebhookUrl')) return { ok: false, error: 'webhook' };
		if (message.startsWith('scope.clusterIds')) return { ok: false, error: 'clusters' };
		if (message.startsWith('scope.guild')) return { ok: false, error: 'not_a_snowflake' };
	}
	// Anything else (a database away, a proxy's error page): the server's own words, else the status.
	return { ok: false, error: 'generic', detail: message || `HTTP ${status}` };
}

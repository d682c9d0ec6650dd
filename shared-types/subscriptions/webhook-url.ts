/*
 * A subscriber's own Discord channel is a webhook URL: a secret (anyone holding it can post
 * there), so it is checked for its form here, stored in its canonical form, and only ever shown
 * as its hint (`targetHint` in server/notify/subscriber-store.ts).
 */

/** A Discord webhook: its id (a snowflake) and token. */
export interface DiscordWebhook {
	id: string;
	token: string;
	/** `https://discord.com/api/webhooks/<id>/<token>`, whichever host it was given with. */
	url: string;
}

export type WebhookUrlError = 'not_a_url' | 'not_https' | 'not_discord' | 'not_a_webhook';

// discord.com, its ptb. and canary. hosts and the legacy discordapp.com; optional API version.
const HOST = /^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/;
const PATH = /^\/api(?:\/v\d{1,2})?\/webhooks\/(\d{17,20})\/([A-Za-z0-9_-]{40,100})\/?$/;

/**
 * Reads a Discord webhook URL as copied from Discord's channel settings. Refuses other hosts,
 * plain http, query strings and anything but the `/api/webhooks/<id>/<token>` path, so the
 * server never posts to a URL a stranger chose.
 */
export function parseDiscordWebhookUrl(raw: string): { ok: true; webhook: DiscordWebhook } | { ok: false; error: WebhookUrlError } {
	let url: URL;
	try {
		url = new URL(raw.trim());
	} catch {
		return { ok: false, error: 'not_a_url' };
	}
	if (url.protocol !== 'https:') return { ok: false, error: 'not_https' };
	if (!HOST.test(url.hostname) || url.port !== '' || url.username !== '' || url.password !== '') return { ok: false, error: 'not_discord' };
	const path = PATH.exec(url.pathname);
	if (!path || url.search !== '' || url.hash !== '') return { ok: false, error: 'not_a_webhook' };
	const [, id, token] = path as unknown as [string, string, string];
	return { ok: true, webhook: { id, token, url: `https://${url.hostname}/api/webhooks/${id}/${token}` } };
}

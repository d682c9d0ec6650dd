import type { SubscriberCountsView, SubscriberSearch } from '#shared';

/*
 * What the console's one search field sends: a Discord webhook URL when it looks like a URL,
 * else an email address. The server validates it (and names the field when it refuses); this
 * only decides which field, so one box serves both kinds.
 */

/** The search body for what was typed; `undefined` when nothing was. */
export function searchBody(text: string): SubscriberSearch | undefined {
	const value = text.trim();
	if (value === '') return undefined;
	return /^https?:\/\//i.test(value) || /^(canary\.|ptb\.)?discord(app)?\.com\//i.test(value) ? { discordWebhookUrl: value } : { email: value };
}

/** Totals of the counts: per kind, per state, and in all. */
export function countTotals(counts: SubscriberCountsView): { email: number; discord: number; confirmed: number; unconfirmed: number; all: number } {
	const email = counts.email.confirmed + counts.email.unconfirmed;
	const discord = counts.discord.confirmed + counts.discord.unconfirmed;
	return { email, discord, confirmed: counts.email.confirmed + counts.discord.confirmed, unconfirmed: counts.email.unconfirmed + counts.discord.unconfirmed, all: email + discord };
}

import { compactRanges, type Incident } from '#shared';
import { impactLabel, incidentsPath, incidentStatusLabel, incidentTitle, updateText } from '#shared/i18n/incident-text';
// Named, not `m`: the server bundle then takes these messages, not every one the page has.
import { webhook_field_shards, webhook_field_status, webhook_no_shards, webhook_title_opened, webhook_title_resolved, webhook_title_updated } from '#i18n/messages';
import type { Locale } from '#i18n/runtime';
import type { IncidentNotice } from '../history/incident-notice.ts';

/** Discord's embed limits; a message over any of them is refused with a 400, never trimmed. */
export const DISCORD_LIMITS = { title: 256, description: 4096, fieldValue: 1024, footer: 2048, username: 80 } as const;

export const COLOURS = { outage: 0xe5484d, degraded: 0xf5a524, monitoring: 0x3e63dd, resolved: 0x30a46c } as const;

export interface DiscordOptions {
	/** The status page; embeds link to its incidents (in `locale`'s version of it). */
	pageUrl?: string;
	botName?: string;
	/** The embed's language (`SHARDBEAT_WEBHOOK_LOCALE`). Default `en`. */
	locale?: Locale;
}

const TITLE: Record<IncidentNotice['type'], (inputs: { title: string }, options: { locale: Locale }) => string> = {
	'incident.opened': webhook_title_opened,
	'incident.updated': webhook_title_updated,
	'incident.resolved': webhook_title_resolved
};


/** Red while a major or critical incident is open, orange for a minor one, blue while monitoring, green once resolved. */
function incidentColour(incident: Incident, type?: IncidentNotice['type']): number {
	if (type === 'incident.resolved' || incident.status === 'resolved') return COLOURS.resolved;
	if (incident.status === 'monitoring') return COLOURS.monitoring;
	return incident.impact === 'major' || incident.impact === 'critical' ? COLOURS.outage : COLOURS.degraded;
}

/** Cuts at `max` characters, ending in `…` when it had to cut. */
export function truncate(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The Discord webhook body (`POST` to the webhook URL) for one notice: a single embed, worded in
 * `options.locale` by the same renderer as the page and the feeds.
 */
export function discordMessage(notice: IncidentNotice, options: DiscordOptions = {}): Record<string, unknown> {
	const { incident, update } = notice;
	const locale = options.locale ?? 'en';
	const latest = update ?? incident.updates.at(-1);
	const at = latest?.at ?? incident.resolvedAt ?? incident.startedAt;
	const shards = incident.shardIds.length === 0 ? webhook_no_shards({}, { locale }) : truncate(compactRanges(incident.shardIds), DISCORD_LIMITS.fieldValue);
	const status = [incidentStatusLabel[incident.status]({}, { locale }), ...(incident.impact === 'none' ? [] : [impactLabel[incident.impact]({}, { locale })])].join(' · ');
	const embed: Record<string, unknown> = {
		title: truncate(TITLE[notice.type]({ title: incidentTitle(incident, locale) }, { locale }), DISCORD_LIMITS.title),
		color: incidentColour(incident, notice.type),
		timestamp: new Date(at).toISOString(),
		fields: [
			{ name: webhook_field_status({}, { locale }), value: status, inline: true },
			{ name: webhook_field_shards({}, { locale }), value: shards, inline: true }
		],
		footer: { text: truncate(options.botName ? `${options.botName} · Shardbeat` : 'Shardbeat', DISCORD_LIMITS.footer) }
	};
	const text = latest ? updateText(latest, locale) : '';
	// Discord refuses an empty description, so leave it out rather than send "".
	if (text) embed.description = truncate(text, DISCORD_LIMITS.description);
	if (options.pageUrl) embed.url = `${options.pageUrl.replace(/\/+$/, '')}${incidentsPath(locale)}`;
	return {
		username: webhookUsername(options.botName),
		embeds: [embed],
		// Operator text is free-form: it must never ping @everyone or a role.
		allowed_mentions: { parse: [] }
	};
}

function webhookUsername(botName: string | undefined): string {
	const name = botName ? `${botName} Status` : 'Shardbeat';
	// Discord refuses webhook usernames containing "discord" or "clyde" (a 400 on every message).
	return /discord|clyde/i.test(name) ? 'Shardbeat' : truncate(name, DISCORD_LIMITS.username);
}

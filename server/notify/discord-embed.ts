import { compactRanges, type Incident, type IncidentStatus } from '#shared';
import type { IncidentNotice } from '../history/incident-notice.ts';

/** Discord's embed limits; a message over any of them is refused with a 400, never trimmed. */
export const DISCORD_LIMITS = { title: 256, description: 4096, fieldValue: 1024, footer: 2048, username: 80 } as const;

export const COLOURS = { outage: 0xe5484d, degraded: 0xf5a524, monitoring: 0x3e63dd, resolved: 0x30a46c } as const;

export interface DiscordOptions {
	/** The status page; embeds link to its incidents. */
	pageUrl?: string;
	botName?: string;
}

const STATUS_LABEL: Record<IncidentStatus, string> = {
	investigating: 'Investigating',
	identified: 'Identified',
	monitoring: 'Monitoring',
	resolved: 'Resolved'
};

const TITLE_PREFIX: Record<IncidentNotice['type'], string> = {
	'incident.opened': 'Incident',
	'incident.updated': 'Update',
	'incident.resolved': 'Resolved'
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

/** The Discord webhook body (`POST` to the webhook URL) for one notice: a single embed. */
export function discordMessage(notice: IncidentNotice, options: DiscordOptions = {}): Record<string, unknown> {
	const { incident, update } = notice;
	const latest = update ?? incident.updates.at(-1);
	const at = latest?.at ?? incident.resolvedAt ?? incident.startedAt;
	const shards = incident.shardIds.length === 0 ? 'None reported' : truncate(compactRanges(incident.shardIds), DISCORD_LIMITS.fieldValue);
	const status = `${STATUS_LABEL[incident.status] ?? incident.status}${incident.impact === 'none' ? '' : ` · ${incident.impact} impact`}`;
	const embed: Record<string, unknown> = {
		title: truncate(`${TITLE_PREFIX[notice.type]}: ${incident.title}`, DISCORD_LIMITS.title),
		color: incidentColour(incident, notice.type),
		timestamp: new Date(at).toISOString(),
		fields: [
			{ name: 'Status', value: status, inline: true },
			{ name: 'Affected shards', value: shards, inline: true }
		],
		footer: { text: truncate(options.botName ? `${options.botName} · Shardbeat` : 'Shardbeat', DISCORD_LIMITS.footer) }
	};
	// Discord refuses an empty description, so leave it out rather than send "".
	if (latest?.message) embed.description = truncate(latest.message, DISCORD_LIMITS.description);
	if (options.pageUrl) embed.url = `${options.pageUrl.replace(/\/+$/, '')}/incidents/`;
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

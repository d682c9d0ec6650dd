import { clusterPhrase, incidentTitle, updateText } from '#shared/i18n/incident-text';
// Named, not `m`: the server bundle then takes these messages, not every one the page has.
import {
	outbox_all_clusters,
	outbox_field_clusters,
	outbox_field_window,
	outbox_mail_footer,
	outbox_maintenance_ended,
	outbox_maintenance_scheduled,
	outbox_maintenance_started,
	outbox_subscription_test,
	webhook_title_opened,
	webhook_title_resolved,
	webhook_title_updated
} from '#i18n/messages';
import type { Locale } from '#i18n/runtime';
import type { MaintenanceNotice, MaintenanceNoticeType, Notice, RenderedMail, RenderMail, Subscriber } from './contract.ts';
import { COLOURS, DISCORD_LIMITS, discordMessage, truncate } from './discord-embed.ts';
import type { RenderDiscord } from './discord-transport.ts';

export interface RenderOptions {
	pageUrl?: string | undefined;
	botName?: string | undefined;
	/** The operator's Discord webhook's language (`SHARDBEAT_WEBHOOK_LOCALE`); subscribers have their own. */
	operatorLocale?: Locale | undefined;
	/** A role the operator's Discord webhook mentions when it posts a new message (`SHARDBEAT_DISCORD_ROLE_ID`). */
	operatorRoleId?: string | undefined;
}

type Words = (inputs: { title: string }, options: { locale: Locale }) => string;
const MAINTENANCE_TITLE: Record<MaintenanceNoticeType, Words> = {
	'maintenance.scheduled': outbox_maintenance_scheduled,
	'maintenance.started': outbox_maintenance_started,
	'maintenance.ended': outbox_maintenance_ended
};
const INCIDENT_TITLE: Record<'incident.opened' | 'incident.updated' | 'incident.resolved', Words> = {
	'incident.opened': webhook_title_opened,
	'incident.updated': webhook_title_updated,
	'incident.resolved': webhook_title_resolved
};

function windowText(notice: MaintenanceNotice): string {
	const iso = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 16);
	return `${iso(notice.maintenance.startsAt)} – ${iso(notice.maintenance.endsAt)} UTC`;
}

/** A maintenance notice as a Discord message: one embed, blue while planned or on, green once over. */
export function maintenanceMessage(notice: MaintenanceNotice, options: RenderOptions & { locale: Locale }): Record<string, unknown> {
	const { maintenance } = notice;
	const { locale } = options;
	const embed: Record<string, unknown> = {
		title: truncate(MAINTENANCE_TITLE[notice.type]({ title: maintenance.title }, { locale }), DISCORD_LIMITS.title),
		color: notice.type === 'maintenance.ended' ? COLOURS.resolved : COLOURS.monitoring,
		fields: [
			{ name: outbox_field_window({}, { locale }), value: windowText(notice), inline: true },
			{ name: outbox_field_clusters({}, { locale }), value: maintenance.clusterIds ? truncate(clusterPhrase(maintenance.clusterIds, locale), DISCORD_LIMITS.fieldValue) : outbox_all_clusters({}, { locale }), inline: true }
		],
		footer: { text: truncate(options.botName ? `${options.botName} · Shardbeat` : 'Shardbeat', DISCORD_LIMITS.footer) }
	};
	if (maintenance.message) embed.description = truncate(maintenance.message, DISCORD_LIMITS.description);
	return { username: 'Shardbeat', embeds: [embed], allowed_mentions: { parse: [] } };
}

/**
 * The Discord form of each notice: incidents as `discordMessage` words them, maintenance as
 * `maintenanceMessage`, the confirmation test as one line; a subscriber's in their locale, the
 * operator's in `operatorLocale`. The operator's new posts mention `operatorRoleId` (and only
 * that role can ping: `allowed_mentions`); edits never ping again.
 */
export function defaultRenderDiscord(options: RenderOptions): RenderDiscord {
	return (notice, to, edit) => {
		const locale = to.kind === 'subscriber' ? to.subscriber.locale : (options.operatorLocale ?? 'en');
		const common = { ...(options.pageUrl ? { pageUrl: options.pageUrl } : {}), ...(options.botName ? { botName: options.botName } : {}), locale };
		let body: Record<string, unknown>;
		if ('incident' in notice) body = discordMessage(notice, common);
		else if ('maintenance' in notice) body = maintenanceMessage(notice, { ...options, locale });
		else if (notice.type === 'subscription.test') body = { username: 'Shardbeat', content: outbox_subscription_test({ bot: options.botName ?? 'Shardbeat' }, { locale }), allowed_mentions: { parse: [] } };
		else return undefined;
		if (edit) {
			// An edit keeps the message's author and mention; Discord refuses `username` on PATCH.
			const { username: _u, ...rest } = body;
			return rest;
		}
		if (to.kind === 'operator' && options.operatorRoleId) return { ...body, content: `<@&${options.operatorRoleId}>`, allowed_mentions: { parse: [], roles: [options.operatorRoleId] } };
		return body;
	};
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A plain mail for each notice, in the subscriber's locale: the default until subscribing
 * supplies its own (`RenderMail`, with unsubscribe links and headers). Enough to test delivery.
 */
export function defaultRenderMail(options: RenderOptions): RenderMail {
	return (notice: Notice, subscriber: Subscriber): RenderedMail => {
		const { locale } = subscriber;
		const bot = options.botName ?? 'Shardbeat';
		let subject: string;
		let body: string;
		if ('incident' in notice) {
			subject = INCIDENT_TITLE[notice.type]({ title: incidentTitle(notice.incident, locale) }, { locale });
			const latest = notice.update ?? notice.incident.updates.at(-1);
			body = latest ? updateText(latest, locale) : '';
		} else if ('maintenance' in notice) {
			subject = MAINTENANCE_TITLE[notice.type]({ title: notice.maintenance.title }, { locale });
			body = [windowText(notice), notice.maintenance.message].filter(Boolean).join('\n\n');
		} else {
			subject = outbox_subscription_test({ bot }, { locale });
			body = subject;
		}
		const footer = outbox_mail_footer({ bot }, { locale });
		const link = options.pageUrl ? `\n\n${options.pageUrl}` : '';
		return {
			subject: `[${bot}] ${subject}`,
			text: `${body}${link}\n\n-- \n${footer}\n`,
			html: `<p>${escapeHtml(body)}</p>${options.pageUrl ? `<p><a href="${escapeHtml(options.pageUrl)}">${escapeHtml(options.pageUrl)}</a></p>` : ''}<hr><p><small>${escapeHtml(footer)}</small></p>`,
			headers: {}
		};
	};
}

import {
	subscribe_confirm_action,
	subscribe_confirm_ignore,
	subscribe_confirm_intro,
	subscribe_confirm_subject,
	subscribe_mail_clusters_all,
	subscribe_mail_footer,
	subscribe_mail_incident_opened,
	subscribe_mail_incident_resolved,
	subscribe_mail_incident_updated,
	subscribe_mail_maintenance_ended,
	subscribe_mail_maintenance_scheduled,
	subscribe_mail_maintenance_started,
	subscribe_mail_manage,
	subscribe_mail_status,
	subscribe_mail_unsubscribe,
	subscribe_mail_view,
	subscribe_mail_window,
	subscribe_scope_bot,
	subscribe_scope_clusters,
	subscribe_scope_guild
} from '#i18n/messages';
import type { Locale } from '#i18n/runtime';
import type { IncidentNotice } from '../history/incident-notice.ts';
import { clusterPhrase, impactLabel, incidentsPath, incidentStatusLabel, incidentTitle, updateText } from '#shared/i18n/incident-text';
import type { MaintenanceNotice, RenderedMail, SubscriberScope } from '../notify/contract.ts';
import { escapeXml } from '../public/xml.ts';

/*
 * What subscribers read: a mail per notice (incident opened, updated, resolved; maintenance
 * scheduled, started, ended) and the double opt-in mail, in the subscriber's language, as plain
 * text and HTML. Every mail says why it came (the scope) and carries its way out: a manage link
 * and RFC 8058's one-click `List-Unsubscribe` headers, answered by the server itself.
 */

/** Whose status this is and where it lives. */
export interface MailSite {
	botName: string;
	/** The status page, e.g. `https://status.example.com` (no trailing slash). */
	pageUrl: string;
}

/** The subscriber's own links, made by `SubscriptionLinks` (see `subscription-service.ts`). */
export interface MailLinks {
	/** The one-click `POST` target and the mail's unsubscribe link: `…/api/v1/subscriptions/unsubscribe?token=…`. */
	unsubscribe: string;
	/** The small page to change the scope or leave: `…/api/v1/subscriptions/manage?token=…`. */
	manage: string;
}

/** The mail headers that let a mail client offer "Unsubscribe" and do it in one POST (RFC 2369, RFC 8058). */
export function unsubscribeHeaders(links: MailLinks): Record<string, string> {
	return { 'List-Unsubscribe': `<${links.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/** "the whole bot", "clusters 2 and 5", "your server 8138…" in `locale`. */
export function scopeText(scope: SubscriberScope, locale: Locale): string {
	switch (scope.kind) {
		case 'bot':
			return subscribe_scope_bot({}, { locale });
		case 'clusters':
			return subscribe_scope_clusters(
				{ count: scope.clusterIds.length, clusters: new Intl.ListFormat(locale, { type: 'conjunction' }).format(scope.clusterIds.map(String)) },
				{ locale }
			);
		case 'guild':
			return subscribe_scope_guild({ guild: scope.guildId }, { locale });
	}
}

type Subject = (inputs: { bot: string; title: string }, options: { locale: Locale }) => string;
/** One subject per notice type: a new type fails the type check here until it has its words. */
const SUBJECT: Record<IncidentNotice['type'] | MaintenanceNotice['type'], Subject> = {
	'incident.opened': subscribe_mail_incident_opened,
	'incident.updated': subscribe_mail_incident_updated,
	'incident.resolved': subscribe_mail_incident_resolved,
	'maintenance.scheduled': subscribe_mail_maintenance_scheduled,
	'maintenance.started': subscribe_mail_maintenance_started,
	'maintenance.ended': subscribe_mail_maintenance_ended
};

/** A paragraph: text, or a link (`href`) shown as a button in HTML and as `label: url` in text. */
type Block = { text: string; strong?: boolean } | { label: string; href: string };

const esc = escapeXml;

function compose(subject: string, locale: Locale, blocks: Block[], footer: Block[]): { subject: string; text: string; html: string } {
	const asText = (b: Block) => ('href' in b ? `${b.label}: ${b.href}` : b.text);
	const asHtml = (b: Block, small = false) => {
		if ('href' in b) {
			return small
				? `<a href="${esc(b.href)}" style="color:#1d4ed8">${esc(b.label)}</a>`
				: `<p style="margin:20px 0"><a href="${esc(b.href)}" style="background:#1d4ed8;color:#ffffff;padding:10px 16px;border-radius:6px;text-decoration:none;font-weight:600;display:inline-block">${esc(b.label)}</a></p>`;
		}
		const body = esc(b.text).replace(/\n/g, '<br>');
		return small ? body : `<p style="margin:0 0 12px">${b.strong ? `<strong>${body}</strong>` : body}</p>`;
	};
	const text = [...blocks.map(asText), '', '--', ...footer.map(asText)].join('\n\n').replace(/\n{3,}/g, '\n\n') + '\n';
	const html =
		`<!DOCTYPE html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(subject)}</title></head>` +
		`<body style="margin:0;padding:16px;background:#f8fafc;color:#0f172a;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:15px;line-height:1.5">` +
		`<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #e2e8f0;border-radius:8px;padding:20px">` +
		blocks.map((b) => asHtml(b)).join('') +
		`<hr style="border:none;border-top:1px solid #e2e8f0;margin:20px 0">` +
		`<p style="margin:0;font-size:13px;color:#475569">${footer.map((b) => asHtml(b, true)).join(' · ')}</p>` +
		`</div></body></html>`;
	return { subject, text, html };
}

function footerBlocks(scope: SubscriberScope, locale: Locale, site: MailSite, links: MailLinks): Block[] {
	return [
		{ text: subscribe_mail_footer({ bot: site.botName, scope: scopeText(scope, locale) }, { locale }) },
		{ label: subscribe_mail_manage({}, { locale }), href: links.manage },
		{ label: subscribe_mail_unsubscribe({}, { locale }), href: links.unsubscribe }
	];
}

/** A time in the subscriber's language, in UTC and saying so (a mail has no time zone of its reader). */
function when(at: number, locale: Locale): string {
	return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' }).format(at);
}

/** The page's incident history (or the page itself for maintenance) in `locale`. */
function pageLink(site: MailSite, locale: Locale, incidents: boolean): string {
	return incidents ? `${site.pageUrl}${incidentsPath(locale)}` : `${site.pageUrl}${locale === 'en' ? '/' : `/${locale}/`}`;
}

/** An incident or maintenance notice as one subscriber's mail, in `recipient.locale`. */
export function renderNoticeMail(
	notice: IncidentNotice | MaintenanceNotice,
	recipient: { locale: Locale; scope: SubscriberScope },
	site: MailSite,
	links: MailLinks
): RenderedMail {
	const { locale } = recipient;
	const blocks: Block[] = [];
	let title: string;
	if ('incident' in notice) {
		const { incident } = notice;
		title = incidentTitle(incident, locale);
		const update = notice.update ?? incident.updates.at(-1);
		blocks.push({ text: title, strong: true });
		blocks.push({ text: `${subscribe_mail_status({ status: incidentStatusLabel[update?.status ?? incident.status]({}, { locale }) }, { locale })} · ${impactLabel[incident.impact]({}, { locale })}` });
		if (update) blocks.push({ text: updateText(update, locale) });
		if (incident.clusterIds.length > 0) blocks.push({ text: capitalise(clusterPhrase(incident.clusterIds, locale)) });
	} else {
		const window = notice.maintenance;
		title = window.title;
		blocks.push({ text: title, strong: true });
		blocks.push({ text: subscribe_mail_window({ start: when(window.startsAt, locale), end: when(window.endsAt, locale) }, { locale }) });
		if (window.message) blocks.push({ text: window.message });
		blocks.push({ text: window.clusterIds === null ? subscribe_mail_clusters_all({}, { locale }) : capitalise(clusterPhrase(window.clusterIds, locale)) });
	}
	blocks.push({ label: subscribe_mail_view({}, { locale }), href: pageLink(site, locale, 'incident' in notice) });
	const subject = SUBJECT[notice.type]({ bot: site.botName, title: oneLine(title) }, { locale });
	return { ...compose(subject, locale, blocks, footerBlocks(recipient.scope, locale, site, links)), headers: unsubscribeHeaders(links) };
}

/** The double opt-in mail: a link to the server's confirmation page (which confirms on a POST, so a scanner's GET cannot). */
export function renderConfirmationMail(
	recipient: { locale: Locale; scope: SubscriberScope },
	site: MailSite,
	links: MailLinks & { confirm: string }
): RenderedMail {
	const { locale } = recipient;
	const scope = scopeText(recipient.scope, locale);
	const subject = subscribe_confirm_subject({ bot: site.botName }, { locale });
	const blocks: Block[] = [
		{ text: subscribe_confirm_intro({ bot: site.botName, scope }, { locale }) },
		{ label: subscribe_confirm_action({}, { locale }), href: links.confirm },
		{ text: subscribe_confirm_ignore({}, { locale }) }
	];
	// Leaving works from here too: the one-click POST deletes the pending request at once.
	return { ...compose(subject, locale, blocks, [{ label: subscribe_mail_unsubscribe({}, { locale }), href: links.unsubscribe }]), headers: unsubscribeHeaders(links) };
}

/** "in clusters 2 and 5" opens a sentence of its own in the mail. */
function capitalise(text: string): string {
	return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

/** Subjects are one line: operator titles may carry newlines (header injection is the mailer's to refuse, but a subject should read well). */
function oneLine(text: string): string {
	return text.replace(/\s+/g, ' ').trim();
}

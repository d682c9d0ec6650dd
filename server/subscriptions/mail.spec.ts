import { describe, expect, it } from 'vitest';
import type { MaintenanceWindow } from '#shared';
import type { Locale } from '#i18n/runtime';
import { ENGLISH_BESIDE_FACTS, spreadingIncident, spreadingIncidentAfter } from '#testing/fixtures/incident';
import type { IncidentNotice } from '../history/incident-notice.ts';
import type { MaintenanceNotice, SubscriberScope } from '../notify/contract.ts';
import { renderConfirmationMail, renderNoticeMail, scopeText, unsubscribeHeaders } from './mail.ts';

const SITE = { botName: 'Mewbot', pageUrl: 'https://status.mewbot.test' };
const LINKS = {
	unsubscribe: 'https://api.mewbot.test/api/v1/subscriptions/unsubscribe?token=' + 'u'.repeat(43),
	manage: 'https://api.mewbot.test/api/v1/subscriptions/manage?token=' + 'm'.repeat(43)
};
const T0 = Date.UTC(2026, 10, 30, 22, 0);
const WINDOW: MaintenanceWindow = { id: 3, title: 'Database <upgrade> & "restart"', message: 'Expect restarts.', startsAt: T0, endsAt: T0 + 3_600_000, clusterIds: [1, 2] };

const opened: IncidentNotice = { type: 'incident.opened', incident: spreadingIncidentAfter(1), update: spreadingIncident().updates[0] };
const updated: IncidentNotice = { type: 'incident.updated', incident: spreadingIncidentAfter(2), update: spreadingIncident().updates[1] };
const resolved: IncidentNotice = { type: 'incident.resolved', incident: spreadingIncident(), update: spreadingIncident().updates[3] };
const scheduled: MaintenanceNotice = { type: 'maintenance.scheduled', maintenance: WINDOW };
const started: MaintenanceNotice = { type: 'maintenance.started', maintenance: { ...WINDOW, clusterIds: null } };
const ended: MaintenanceNotice = { type: 'maintenance.ended', maintenance: WINDOW };

describe('renderNoticeMail', () => {
	// Subject and one sentence of the body per notice type and language.
	const cases: [Locale, IncidentNotice | MaintenanceNotice, string, string][] = [
		['en', opened, '[Mewbot] Incident: 4 shards down in clusters 2 and 5', '1 shard went down in cluster 2 (shard 11).'],
		['de', updated, '[Mewbot] Neuigkeit: 4 Shards in den Clustern 2 und 5 ausgefallen', 'Clustern 2 und 5'],
		['fr', resolved, '[Mewbot] Résolu : 4 shards hors service dans les clusters 2 et 5', 'Statut : Résolu'],
		['es', opened, '[Mewbot] Incidente: 4 shards caídos en los clústeres 2 y 5', 'Estado: Investigando'],
		['en', scheduled, '[Mewbot] Maintenance scheduled: Database <upgrade> & "restart"', 'From Nov 30, 2026, 10:00 PM UTC to Nov 30, 2026, 11:00 PM UTC'],
		['de', started, '[Mewbot] Wartung begonnen: Database <upgrade> & "restart"', 'Alle Cluster'],
		['fr', ended, '[Mewbot] Maintenance terminée : Database <upgrade> & "restart"', 'Du 30 nov. 2026, 22:00 UTC au 30 nov. 2026, 23:00 UTC'],
		['es', scheduled, '[Mewbot] Mantenimiento programado: Database <upgrade> & "restart"', 'En los clústeres 1 y 2']
	];
	it.each(cases.map(([locale, notice, subject, sentence]) => ({ name: `${locale} ${notice.type}`, locale, notice, subject, sentence })))('$name', ({ locale, notice, subject, sentence }) => {
		const mail = renderNoticeMail(notice, { locale, scope: { kind: 'bot' } }, SITE, LINKS);
		expect(mail.subject.replace(/[\u202f\u00a0]/g, ' ')).toBe(subject.replace(/[\u202f\u00a0]/g, ' '));
		expect(mail.text.replace(/[\u202f\u00a0\u2060]/g, ' ')).toContain(sentence.replace(/[\u202f\u00a0\u2060]/g, ' '));
		expect(mail.html).toContain(`<html lang="${locale}">`);
		// Facts are worded in the reader's language, never the English stored beside them.
		expect(mail.text).not.toContain(ENGLISH_BESIDE_FACTS);
		expect(mail.html).not.toContain(ENGLISH_BESIDE_FACTS);
		// Every mail carries its way out.
		expect(mail.headers).toEqual({ 'List-Unsubscribe': `<${LINKS.unsubscribe}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
		expect(mail.text).toContain(LINKS.manage);
		expect(mail.text).toContain(LINKS.unsubscribe);
		expect(mail.html).toContain(`href="${LINKS.manage}"`);
	});

	it('escapes operator text in HTML and keeps it as written in the text part', () => {
		const mail = renderNoticeMail(scheduled, { locale: 'en', scope: { kind: 'bot' } }, SITE, LINKS);
		expect(mail.html).toContain('Database &lt;upgrade&gt; &amp; &quot;restart&quot;');
		expect(mail.html).not.toContain('<upgrade>');
		expect(mail.text).toContain('Database <upgrade> & "restart"');
	});

	it('links incidents to the page’s incident history in the reader’s language', () => {
		expect(renderNoticeMail(opened, { locale: 'de', scope: { kind: 'bot' } }, SITE, LINKS).text).toContain('https://status.mewbot.test/de/incidents/');
		expect(renderNoticeMail(opened, { locale: 'en', scope: { kind: 'bot' } }, SITE, LINKS).text).toContain('https://status.mewbot.test/incidents/');
	});

	it('puts a one-line subject even when an operator title has newlines', () => {
		const notice: MaintenanceNotice = { type: 'maintenance.started', maintenance: { ...WINDOW, title: 'Line one\nLine two' } };
		expect(renderNoticeMail(notice, { locale: 'en', scope: { kind: 'bot' } }, SITE, LINKS).subject).toBe('[Mewbot] Maintenance started: Line one Line two');
	});
});

describe('scopeText', () => {
	const cases: [SubscriberScope, Locale, string][] = [
		[{ kind: 'bot' }, 'en', 'the whole bot'],
		[{ kind: 'clusters', clusterIds: [3] }, 'en', 'cluster 3'],
		[{ kind: 'clusters', clusterIds: [1, 3] }, 'de', 'die Cluster 1 und 3'],
		[{ kind: 'clusters', clusterIds: [1, 3, 4] }, 'fr', 'les clusters 1, 3 et 4'],
		[{ kind: 'guild', guildId: '81384788765712384' }, 'es', 'tu servidor 81384788765712384']
	];
	it.each(cases)('%j in %s', (scope, locale, text) => {
		expect(scopeText(scope, locale)).toBe(text);
	});
});

describe('renderConfirmationMail', () => {
	it.each(['en', 'de', 'fr', 'es'] as const)('%s: a confirm link, why it came, and the way out', (locale) => {
		const confirm = 'https://api.mewbot.test/api/v1/subscriptions/confirm?token=' + 'c'.repeat(43);
		const mail = renderConfirmationMail({ locale, scope: { kind: 'guild', guildId: '81384788765712384' } }, SITE, { ...LINKS, confirm });
		expect(mail.subject).toContain('Mewbot');
		expect(mail.text).toContain(confirm);
		expect(mail.html).toContain(`href="${confirm}"`);
		expect(mail.text).toContain('81384788765712384');
		expect(mail.text).toContain('48');
		expect(mail.headers).toEqual(unsubscribeHeaders(LINKS));
	});
});

import { describe, expect, it } from 'vitest';
import { spreadingIncident } from '#testing/fixtures/incident';
import type { Subscriber } from './contract.ts';
import { SecretText } from './contract.ts';
import { defaultRenderDiscord, defaultRenderMail } from './render.ts';

const subscriber = (locale: Subscriber['locale']): Subscriber => ({
	id: 1,
	kind: 'discord',
	target: new SecretText('https://discord.com/api/webhooks/1/t', 'discord webhook …1'),
	hint: 'discord webhook …1',
	scope: { kind: 'bot' },
	locale,
	createdAt: 0,
	confirmedAt: 0
});
const operator = { kind: 'operator' as const, target: { kind: 'discord' as const, url: 'https://discord.com/api/webhooks/1/t' } };
const opened = { type: 'incident.opened' as const, incident: spreadingIncident({ status: 'investigating', resolvedAt: null }) };
const maintenance = (type: 'maintenance.scheduled' | 'maintenance.started' | 'maintenance.ended') => ({ type, maintenance: { id: 3, title: 'DB <upgrade>', message: 'Brief.', startsAt: Date.UTC(2026, 10, 29, 10), endsAt: Date.UTC(2026, 10, 29, 11), clusterIds: [1, 2] } });

describe('defaultRenderDiscord', () => {
	const render = defaultRenderDiscord({ pageUrl: 'https://status.example.com', botName: 'Acme Bot', operatorLocale: 'fr', operatorRoleId: '444444444444444444' });

	it.each<[string, Parameters<typeof render>, Record<string, unknown>]>([
		['operator create: its locale, its role only', [opened, operator, false], { username: 'Acme Bot Status', content: '<@&444444444444444444>', allowed_mentions: { parse: [], roles: ['444444444444444444'] }, embeds: [{ title: 'Incident\u00a0: 4 shards hors service dans les clusters 2 et 5', url: 'https://status.example.com/fr/incidents/' }] }],
		['a subscriber create: their locale, no mention', [opened, { kind: 'subscriber', subscriber: subscriber('de') }, false], { username: 'Acme Bot Status', allowed_mentions: { parse: [] }, embeds: [{ title: expect.stringMatching(/^Vorfall: /) }] }],
		['maintenance started, in Spanish', [maintenance('maintenance.started'), { kind: 'subscriber', subscriber: subscriber('es') }, false], { embeds: [{ title: 'Mantenimiento en curso: DB <upgrade>', description: 'Brief.', fields: [{ value: '2026-11-29 10:00 – 2026-11-29 11:00 UTC' }, {}] }] }],
		['the confirmation test message', [{ type: 'subscription.test', subscriberId: 1 }, { kind: 'subscriber', subscriber: subscriber('en') }, false], { content: 'This channel now receives status updates for Acme Bot.', allowed_mentions: { parse: [] } }]
	])('%s', (_, args, expected) => expect(render(...args)).toMatchObject(expected));

	it('edits carry no username and never ping again', () => {
		const body = render(opened, operator, true)!;
		expect(body).not.toHaveProperty('username');
		expect(body).not.toHaveProperty('content');
		expect(body.allowed_mentions).toEqual({ parse: [] });
	});

	it('has no Discord form of a confirmation mail', () => {
		expect(render({ type: 'subscription.confirm', subscriberId: 1 }, { kind: 'subscriber', subscriber: subscriber('en') }, false)).toBeUndefined();
	});
});

describe('defaultRenderMail', () => {
	const render = defaultRenderMail({ botName: 'Acme', pageUrl: 'https://status.example.com' });
	it('words a notice in the subscriber’s locale, as text and escaped HTML', () => {
		const notice = maintenance('maintenance.ended');
		notice.maintenance.message = 'Back <b>now</b>.';
		const mail = render(notice, { ...subscriber('de'), kind: 'email' });
		expect(mail.subject).toBe('[Acme] Wartung beendet: DB <upgrade>');
		expect(mail.text).toContain('Back <b>now</b>.');
		expect(mail.text).toContain('https://status.example.com');
		expect(mail.html).toContain('Back &#60;b&#62;now&#60;/b&#62;.');
		expect(mail.html).not.toContain('<b>');
	});
});

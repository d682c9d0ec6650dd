import { describe, expect, it } from 'vitest';
import { errorField, readAnswer, subscribeBody, type FormError, type SubscribeFields } from './subscribe-payload.ts';

const G = '81384788765712384';
const HOOK = `https://discord.com/api/webhooks/1234567890123456789/${'t'.repeat(68)}`;
const base: SubscribeFields = { channel: 'email', email: 'ann@example.com', webhook: '', scope: 'bot', clusters: '', guild: '', website: '' };

describe('subscribeBody', () => {
	const ok: [string, Partial<SubscribeFields>, object][] = [
		['email, whole bot', {}, { email: 'ann@example.com', scope: { kind: 'bot' }, locale: 'de' }],
		['email trimmed', { email: '  ann@example.com ' }, { email: 'ann@example.com' }],
		['clusters by commas and spaces', { scope: 'clusters', clusters: '3, 1 7' }, { scope: { kind: 'clusters', clusterIds: [3, 1, 7] } }],
		['a server by message link (sent as typed; the server keeps the guild)', { scope: 'guild', guild: `https://discord.com/channels/${G}/1/2` }, { scope: { kind: 'guild', guild: `https://discord.com/channels/${G}/1/2` } }],
		['a webhook, canonical', { channel: 'discord', webhook: ` ${HOOK.replace('discord.com', 'DISCORD.com')} ` }, { discordWebhookUrl: HOOK }],
		['the honeypot goes along', { website: 'x' }, { website: 'x' }]
	];
	it.each(ok)('%s', (_, fields, expected) => {
		const result = subscribeBody({ ...base, ...fields }, 'de');
		expect(result.ok).toBe(true);
		expect(result.ok && result.body).toMatchObject(expected);
	});

	const bad: [string, Partial<SubscribeFields>, FormError][] = [
		['no address', { email: '' }, 'email'],
		['not an address', { email: 'ann@' }, 'email'],
		['the webhook left empty', { channel: 'discord' }, 'webhook'],
		['not a Discord webhook', { channel: 'discord', webhook: 'https://example.com/api/webhooks/1/2' }, 'webhook'],
		['no clusters', { scope: 'clusters', clusters: ' , ' }, 'clusters'],
		['a cluster that is not a number', { scope: 'clusters', clusters: '1, two' }, 'clusters'],
		['no server', { scope: 'guild', guild: '' }, 'empty'],
		['a short id', { scope: 'guild', guild: '123' }, 'not_a_snowflake'],
		['a DM link', { scope: 'guild', guild: 'https://discord.com/channels/@me/1/2' }, 'direct_message_link']
	];
	it.each(bad)('%s → %s', (_, fields, error) => {
		expect(subscribeBody({ ...base, ...fields }, 'en')).toEqual({ ok: false, error });
	});
});

describe('readAnswer', () => {
	const err = (code: string, message = '') => ({ error: { code, message } });
	const cases: [number, unknown, string | null, ReturnType<typeof readAnswer>][] = [
		[202, { kind: 'email', status: 'confirmation_sent' }, null, { ok: true, channel: 'email' }],
		[202, { kind: 'discord', status: 'confirmed' }, null, { ok: true, channel: 'discord' }],
		[429, err('rate_limited'), '120', { ok: false, error: 'rate_limited', retryAfterS: 120 }],
		[429, err('confirmation_limit'), '86400', { ok: false, error: 'rate_limited', retryAfterS: 86400 }],
		[429, null, null, { ok: false, error: 'rate_limited', retryAfterS: 60 }],
		[422, err('email_disabled'), null, { ok: false, error: 'email_disabled' }],
		[422, err('webhook_unreachable'), null, { ok: false, error: 'webhook_unreachable' }],
		[400, err('invalid_subscription', 'email: must be an email address'), null, { ok: false, error: 'email' }],
		[400, err('invalid_subscription', 'discordWebhookUrl: must be on discord.com'), null, { ok: false, error: 'webhook' }],
		[400, err('invalid_subscription', 'scope.clusterIds: name at least one cluster'), null, { ok: false, error: 'clusters' }],
		[400, err('invalid_subscription', 'scope.guild: not a server ID'), null, { ok: false, error: 'not_a_snowflake' }],
		[503, err('history_unavailable', 'the history database is not reachable yet'), '5', { ok: false, error: 'generic', detail: 'the history database is not reachable yet' }],
		[500, 'not json', null, { ok: false, error: 'generic', detail: 'HTTP 500' }]
	];
	it.each(cases)('%i %j', (status, body, retry, expected) => {
		expect(readAnswer(status, body, retry)).toEqual(expected);
	});
});

describe('errorField', () => {
	it.each([
		['email', 'email'],
		['email_disabled', 'email'],
		['webhook_unreachable', 'webhook'],
		['clusters', 'clusters'],
		['direct_message_link', 'guild'],
		['rate_limited', null],
		['offline', null]
	] as [FormError, string | null][])('%s → %s', (error, field) => {
		expect(errorField(error)).toBe(field);
	});
});

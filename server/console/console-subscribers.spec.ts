import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, AuditPage, SubscriberCountsView, SubscriberSearchResult } from '#shared';
import { historyDatabases } from '#testing/databases';
import { ConsoleClient } from '#testing/console/client';
import { CONSOLE_PAGE, consoleConfig, EDITOR, OPERATOR_KEY, OWNER, VIEWER } from '#testing/console/fixture';
import { startDiscordOAuth, type DiscordOAuthStandIn } from '#testing/discord/oauth';
import { startWebhookEndpoint, type WebhookEndpoint } from '#testing/discord/webhook-endpoint';
import { startSmtpSink, type SmtpSink } from '#testing/mail/smtp-sink';
import { startServer, type Harness } from '#testing/server/harness';

/*
 * Issue 18's operator part in the console: counts (viewer), a search by exact address (editor,
 * in the body, answers masked), removal (owner), each audited without the address; the bearer
 * operator API's same three audited as `bearer`. Real server, real SMTP, a Discord stand-in,
 * both history databases.
 */

const ADDRESS = 'Grace.Hopper@Mail.Test';
const WEBHOOK_TOKEN = 'Tok3n_' + 'b'.repeat(62);
const WEBHOOK = `https://discord.com/api/webhooks/1234567890123456780/${WEBHOOK_TOKEN}`;
const BEARER = { Authorization: `Bearer ${OPERATOR_KEY}`, 'Content-Type': 'application/json' };

let discord: DiscordOAuthStandIn;
let smtp: SmtpSink;
let webhooks: WebhookEndpoint;
let h: Harness | undefined;
beforeAll(async () => {
	discord = await startDiscordOAuth({ clientId: '300000000000000001', clientSecret: 'console-spec-client-secret', redirectUris: () => (h ? [`${h.url}/api/v1/console/login/discord/callback`] : []) });
	smtp = await startSmtpSink();
	webhooks = await startWebhookEndpoint();
});
afterAll(async () => {
	await discord.close();
	await smtp.close();
	await webhooks.close();
});

describe.each(historyDatabases)('console subscribers on $name', (target) => {
	let cleanup: (() => Promise<void>) | undefined;
	afterEach(async () => {
		await h?.close();
		h = undefined;
		await cleanup?.();
		smtp.mails.length = 0;
	});

	async function start() {
		const place = await target.open();
		cleanup = place.cleanup;
		h = await startServer({ database: place.location, smtpUrl: smtp.url, ...consoleConfig(discord.baseUrl) }, 0, undefined, { discordApiBase: webhooks.base });
		await h.server.history.whenReady();
		const as = async (user: typeof OWNER) => {
			const c = new ConsoleClient(h!.url, CONSOLE_PAGE);
			await c.loginWithDiscord(discord, user);
			expect(c.me, user.username).toBeDefined();
			return c;
		};
		const subscribe = async (body: unknown) => {
			const res = await fetch(`${h!.url}/api/v1/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
			expect(res.status).toBe(202);
		};
		await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'fr' });
		await subscribe({ discordWebhookUrl: WEBHOOK, scope: { kind: 'clusters', clusterIds: [2, 1] }, locale: 'en' });
		return { owner: await as(OWNER), editor: await as(EDITOR), viewer: await as(VIEWER) };
	}
	const subscriberRows = async () => (await h!.server.history.db.selectFrom('subscribers').select('id').execute()).length;
	const auditRows = async () => h!.server.history.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
	const entries = async (owner: ConsoleClient) => (await owner.ok<AuditPage>('GET', '/audit?limit=200')).entries;

	it('shows counts to every role, lets editors search and owners remove, and refuses the rest with 403 changing nothing', async () => {
		const { owner, editor, viewer } = await start();
		const counts: SubscriberCountsView = { email: { confirmed: 0, unconfirmed: 1 }, discord: { confirmed: 1, unconfirmed: 0 } };
		for (const c of [viewer, editor, owner]) expect(await c.ok('GET', '/subscribers/counts')).toEqual(counts);

		const found = await editor.ok<SubscriberSearchResult>('POST', '/subscribers/search', { email: 'grace.hopper@mail.test' });
		expect(found.subscribers).toEqual([{ id: expect.any(Number), kind: 'email', target: 'g…@mail.test', scope: { kind: 'bot' }, locale: 'fr', createdAt: expect.any(Number), confirmedAt: null }]);
		const hook = await editor.ok<SubscriberSearchResult>('POST', '/subscribers/search', { discordWebhookUrl: WEBHOOK });
		expect(hook.subscribers).toEqual([expect.objectContaining({ kind: 'discord', scope: { kind: 'clusters', clusterIds: [1, 2] }, confirmedAt: expect.any(Number) })]);
		// Masked: neither the address nor the webhook's token is in any answer.
		expect(JSON.stringify([found, hook]).toLowerCase()).not.toMatch(/grace|hopper|tok3n/);
		expect((await editor.ok<SubscriberSearchResult>('POST', '/subscribers/search', { email: 'nobody@mail.test' })).subscribers).toEqual([]);

		const id = found.subscribers[0]!.id;
		const before = (await auditRows()).length;
		for (const [c, method, path, body] of [
			[viewer, 'POST', '/subscribers/search', { email: ADDRESS }],
			[viewer, 'DELETE', `/subscribers/${id}`, undefined],
			[editor, 'DELETE', `/subscribers/${id}`, undefined]
		] as const) {
			const res = await c.request(method, path, body);
			expect([c.me!.role, method, res.status]).toEqual([c.me!.role, method, 403]);
			expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden_role');
		}
		expect((await auditRows()).length).toBe(before);
		expect(await subscriberRows()).toBe(2);

		expect((await owner.request('DELETE', `/subscribers/${id}`)).status).toBe(204);
		expect(await viewer.ok('GET', '/subscribers/counts')).toEqual({ email: { confirmed: 0, unconfirmed: 0 }, discord: { confirmed: 1, unconfirmed: 0 } });
		expect((await editor.ok<SubscriberSearchResult>('POST', '/subscribers/search', { email: ADDRESS })).subscribers).toEqual([]);
		const again = await owner.request('DELETE', `/subscribers/${id}`);
		expect(again.status).toBe(404);
		expect(((await again.json()) as { error: { code: string } }).error.code).toBe('unknown_subscriber');
	});

	it('audits searches and removals with who and what, never the address or webhook URL', async () => {
		const { owner, editor } = await start();
		const found = await editor.ok<SubscriberSearchResult>('POST', '/subscribers/search', { email: ADDRESS });
		await editor.ok('POST', '/subscribers/search', { email: 'nobody@mail.test' });
		await editor.ok('POST', '/subscribers/search', { discordWebhookUrl: WEBHOOK });
		const id = found.subscribers[0]!.id;
		await owner.ok('DELETE', `/subscribers/${id}`);

		const log = (await entries(owner)).filter((e) => e.action.startsWith('subscriber.')).reverse();
		expect(log.map((e) => [e.action, e.actor.kind === 'session' ? e.actor.role : e.actor.kind, e.target, e.detail])).toEqual([
			['subscriber.search', 'editor', `subscriber:${id}`, { kind: 'email', found: true }],
			['subscriber.search', 'editor', null, { kind: 'email', found: false }],
			['subscriber.search', 'editor', expect.stringMatching(/^subscriber:\d+$/), { kind: 'discord', found: true }],
			['subscriber.remove', 'owner', `subscriber:${id}`, { kind: 'email', target: 'g…@mail.test', confirmed: false }]
		]);
		expect(JSON.stringify(await auditRows()).toLowerCase()).not.toMatch(/grace|hopper|nobody|tok3n|webhooks\//);
	});

	it('takes cookie changes only from the console origin with the CSRF token; a refused body names the field; none of it changes anything', async () => {
		const { owner, editor } = await start();
		const id = (await editor.ok<SubscriberSearchResult>('POST', '/subscribers/search', { email: ADDRESS })).subscribers[0]!.id;
		const before = (await auditRows()).length;
		const refusals: [ConsoleClient, string, string, unknown, Parameters<ConsoleClient['request']>[3], number, string][] = [
			[owner, 'DELETE', `/subscribers/${id}`, undefined, { csrf: null }, 403, 'csrf_token_missing'],
			[owner, 'DELETE', `/subscribers/${id}`, undefined, { csrf: 'not-the-token' }, 403, 'csrf_token_invalid'],
			[owner, 'DELETE', `/subscribers/${id}`, undefined, { origin: 'https://evil.test' }, 403, 'forbidden_origin'],
			[owner, 'DELETE', `/subscribers/${id}`, undefined, { origin: null }, 403, 'forbidden_origin'],
			[owner, 'DELETE', `/subscribers/${id}`, undefined, { cookie: null }, 401, 'unauthorized'],
			[editor, 'POST', '/subscribers/search', { email: ADDRESS }, { csrf: null }, 403, 'csrf_token_missing'],
			[editor, 'POST', '/subscribers/search', { email: 'not-an-address' }, {}, 400, 'invalid_body'],
			[editor, 'POST', '/subscribers/search', { email: ADDRESS, discordWebhookUrl: WEBHOOK }, {}, 400, 'invalid_body'],
			[editor, 'POST', '/subscribers/search', {}, {}, 400, 'invalid_body'],
			[editor, 'POST', '/subscribers/search', { discordWebhookUrl: 'https://evil.test/api/webhooks/1/x' }, {}, 400, 'invalid_body'],
			[editor, 'POST', '/subscribers/search', { email: ADDRESS, extra: 1 }, {}, 400, 'invalid_body'],
			[owner, 'DELETE', '/subscribers/0', undefined, {}, 404, 'not_found'],
			[owner, 'DELETE', '/subscribers/abc', undefined, {}, 404, 'not_found'],
			[owner, 'GET', `/subscribers/${id}`, undefined, {}, 405, 'method_not_allowed'],
			[owner, 'DELETE', '/subscribers/999999', undefined, {}, 404, 'unknown_subscriber']
		];
		for (const [c, method, path, body, options, status, code] of refusals) {
			const res = await c.request(method, path, body, options);
			const answer = (await res.json()) as { error: { code: string; message: string } };
			expect([method, path, options, res.status, answer.error.code]).toEqual([method, path, options, status, code]);
			if (code === 'invalid_body') expect(answer.error.message).toMatch(/email|discordWebhookUrl|extra/);
		}
		expect((await auditRows()).length).toBe(before);
		expect(await subscriberRows()).toBe(2);
	});

	it('audits the bearer operator API’s subscriber calls as bearer, and refuses a wrong secret changing nothing', async () => {
		const { owner } = await start();
		const api = (method: string, path: string, body?: unknown, headers: Record<string, string> = BEARER) =>
			fetch(`${h!.url}/api/v1/operator/subscribers${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
		expect((await api('GET', '/counts', undefined, {})).status).toBe(401);
		expect((await api('DELETE', '/1', undefined, { Authorization: 'Bearer wrong-secret-0123456789abcdef' })).status).toBe(401);
		expect(await subscriberRows()).toBe(2);
		expect(await (await api('GET', '/counts')).json()).toEqual({ email: { confirmed: 0, unconfirmed: 1 }, discord: { confirmed: 1, unconfirmed: 0 } });
		const found = (await (await api('POST', '/search', { email: ADDRESS })).json()) as SubscriberSearchResult;
		const id = found.subscribers[0]!.id;
		expect((await api('DELETE', `/${id}`)).status).toBe(204);
		const log = (await entries(owner)).filter((e: AuditEntry) => e.action.startsWith('subscriber.')).reverse();
		expect(log.map((e) => [e.action, e.actor, e.target])).toEqual([
			['subscriber.search', { kind: 'bearer' }, `subscriber:${id}`],
			['subscriber.remove', { kind: 'bearer' }, `subscriber:${id}`]
		]);
	});
});

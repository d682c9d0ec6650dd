import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { historyDatabases } from '#testing/databases';
import { startWebhookEndpoint, type WebhookEndpoint } from '#testing/discord/webhook-endpoint';
import { guildIdsForShard } from '#testing/discord/snowflakes';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '#testing/mail/smtp-sink';
import { METRICS_TOKEN, scrapeMetrics, startServer, type Harness } from '#testing/server/harness';
import type { ServerConfig } from '../config.ts';

/*
 * Issue 18, subscribing, on real parts: a real server on loopback, a real SMTP server receiving
 * the mails (smtp-server, parsed by mailparser), a stand-in for Discord's webhook API speaking
 * its protocol, and both history databases. Links are followed as a reader (GET, then the
 * page's POST) and as a mail client (RFC 8058's one-click POST) would.
 */

const OPERATOR = 'subscriptions-operator-secret-0123456789';
const ADDRESS = 'Alice.Example@Mail.Test';
const GUILD = guildIdsForShard(5, 16, 1)[0]!;
const WEBHOOK_ID = '1234567890123456789';
const WEBHOOK_TOKEN = 'Tok3n_' + 'a'.repeat(62);
const WEBHOOK = `https://discord.com/api/webhooks/${WEBHOOK_ID}/${WEBHOOK_TOKEN}`;
const HOUR = 3_600_000;

let smtp: SmtpSink;
let discord: WebhookEndpoint;
beforeAll(async () => {
	smtp = await startSmtpSink();
	discord = await startWebhookEndpoint();
});
afterAll(async () => {
	await smtp.close();
	await discord.close();
});

describe.each(historyDatabases)('subscriptions on $name', (target) => {
	let h: Harness | undefined;
	let cleanup: (() => Promise<void>) | undefined;
	let clock = Date.UTC(2026, 10, 29, 8, 0, 0);
	afterEach(async () => {
		await h?.close();
		h = undefined;
		await cleanup?.();
		smtp.mails.length = 0;
	});

	async function start(overrides: Partial<ServerConfig> = {}): Promise<Harness> {
		const db = await target.open();
		cleanup = db.cleanup;
		h = await startServer({ database: db.location, smtpUrl: smtp.url, mailFrom: 'Mewbot Status <status@mewbot.test>', botName: 'Mewbot', operatorSecret: OPERATOR, metricsToken: METRICS_TOKEN, ...overrides }, 0, undefined, {
			historyNow: () => clock,
			discordApiBase: discord.base
		});
		await h.server.history.whenReady();
		return h;
	}

	const subscribe = (body: unknown, headers: Record<string, string> = {}) =>
		fetch(`${h!.url}/api/v1/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
	const operator = (path: string, init: RequestInit = {}) => fetch(`${h!.url}${path}`, { ...init, headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json', ...init.headers } });
	const counts = async () => (await (await operator('/api/v1/operator/subscribers/counts')).json()) as Record<'email' | 'discord', { confirmed: number; unconfirmed: number }>;
	const rows = async () => h!.server.history.db.selectFrom('subscribers').selectAll().execute();
	/** The link in a mail's text after `label: `. */
	const link = (mail: ReceivedMail, path: string) => {
		const found = new RegExp(`(http://127\\.0\\.0\\.1:\\d+${path}\\?token=[A-Za-z0-9_-]{43})`).exec(mail.text!)?.[1];
		expect(found, `a ${path} link in the mail:\n${mail.text}`).toBeDefined();
		return found!;
	};
	/** `List-Unsubscribe` and `List-Unsubscribe-Post` as mailparser reads them (into its `list` header). */
	const listHeaders = (mail: ReceivedMail) => {
		const list = mail.headers!.get('list') as { unsubscribe?: { url?: string }; 'unsubscribe-post'?: { name?: string } } | undefined;
		return { unsubscribe: list?.unsubscribe?.url, post: list?.['unsubscribe-post']?.name };
	};
	const oneClickUrl = (mail: ReceivedMail) => listHeaders(mail).unsubscribe!;

	it('double opt-in by mail: the confirmation mail arrives in the subscriber’s language; opening the link confirms nothing, its button does', async () => {
		await start();
		const res = await subscribe({ email: ADDRESS, scope: { kind: 'guild', guild: `https://discord.com/channels/${GUILD}/175928847299117063/175928847299117064` }, locale: 'de' });
		expect(res.status).toBe(202);
		expect(await res.json()).toEqual({ kind: 'email', status: 'confirmation_sent' });
		await smtp.waitFor(1);
		const mail = smtp.mails[0]!;
		expect(mail.to).toEqual(['alice.example@mail.test']);
		expect(mail.subject).toBe('Bestätige dein Abo des Status von Mewbot');
		expect(mail.text).toContain(`deinen Server ${GUILD}`);
		expect(mail.html).toContain('Abo bestätigen');
		// RFC 8058: the one-click target and the POST header ride on the confirmation mail too.
		const unsubscribe = link(mail, '/api/v1/subscriptions/unsubscribe');
		expect(listHeaders(mail)).toEqual({ unsubscribe, post: 'List-Unsubscribe=One-Click' });

		const confirm = link(mail, '/api/v1/subscriptions/confirm');
		// A mail scanner prefetching the link: a page, nothing confirmed.
		const page = await fetch(confirm);
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(page.headers.get('referrer-policy')).toBe('no-referrer');
		const html = await page.text();
		expect(html).toContain('lang="de"');
		expect(html).toContain('a…@mail.test');
		expect(html).not.toContain('alice');
		expect(await counts()).toMatchObject({ email: { confirmed: 0, unconfirmed: 1 } });
		// The button: a form POST from the server's own origin.
		const token = new URL(confirm).searchParams.get('token')!;
		const confirmed = await fetch(`${h!.url}/api/v1/subscriptions/confirm`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: h!.url },
			body: new URLSearchParams({ token })
		});
		expect(confirmed.status).toBe(200);
		expect(await confirmed.text()).toContain('data-outcome="confirmed"');
		expect(await counts()).toMatchObject({ email: { confirmed: 1, unconfirmed: 0 } });
		const [row] = await rows();
		expect(row).toMatchObject({ kind: 'email', scope_kind: 'guild', guild_id: GUILD, locale: 'de', confirm_token_hash: null });
		// Tokens are stored only as hashes.
		expect(JSON.stringify(row)).not.toContain(token);
		// Used once, the link is spent.
		expect((await fetch(confirm)).status).toBe(404);
	});

	it('one-click unsubscribe posted the way a mail client does (RFC 8058) deletes the address; a second POST finds nothing', async () => {
		await start();
		await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' });
		await smtp.waitFor(1);
		const mail = smtp.mails[0]!;
		const target = oneClickUrl(mail);
		// Exactly what RFC 8058 §3.1 prescribes: a POST to the List-Unsubscribe URL, the body
		// `List-Unsubscribe=One-Click`, no cookies, no Origin, no redirects followed.
		const post = () =>
			fetch(target, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', redirect: 'manual' });
		const res = await post();
		expect(res.status).toBe(200);
		expect(await rows()).toEqual([]);
		expect((await post()).status).toBe(404);
	});

	it('one-click as multipart/form-data works too, and a POST without the one-click body changes nothing', async () => {
		await start();
		await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'fr' });
		await smtp.waitFor(1);
		const target = oneClickUrl(smtp.mails[0]!);
		const wrong = await fetch(target, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=Maybe' });
		expect(wrong.status).toBe(400);
		expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('invalid_unsubscribe');
		expect(await rows()).toHaveLength(1);
		const form = new FormData();
		form.set('List-Unsubscribe', 'One-Click');
		const res = await fetch(target, { method: 'POST', body: form });
		expect(res.status).toBe(200);
		expect(await res.text()).toContain('lang="fr"');
		expect(await rows()).toEqual([]);
	});

	it('unconfirmed subscriptions expire after 48 hours (moved clock): the link dies and the row goes', async () => {
		await start();
		await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' });
		await smtp.waitFor(1);
		const confirm = link(smtp.mails[0]!, '/api/v1/subscriptions/confirm');
		clock += 48 * HOUR - 1;
		expect(await h!.server.subscriptions.service.expire()).toBe(0);
		expect((await fetch(confirm)).status).toBe(200);
		clock += 1;
		expect((await fetch(confirm)).status).toBe(404);
		expect(await rows()).toEqual([]);
		// The sweep alone does it too.
		await subscribe({ email: 'bob@mail.test', scope: { kind: 'bot' }, locale: 'en' });
		clock += 48 * HOUR;
		expect(await h!.server.subscriptions.service.expire()).toBe(1);
		expect(await rows()).toEqual([]);
	});

	it('at most 3 confirmation mails per address in 24 hours, across unsubscribing; then again', async () => {
		await start();
		const body = { email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' };
		for (let i = 0; i < 3; i++) expect((await subscribe(body)).status).toBe(202);
		await smtp.waitFor(3);
		// Leaving and coming back does not reset the count.
		const target = oneClickUrl(smtp.mails[2]!);
		expect((await fetch(target, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
		const fourth = await subscribe({ ...body, email: ADDRESS.toUpperCase() });
		expect(fourth.status).toBe(429);
		expect(fourth.headers.get('retry-after')).toBe('86400');
		expect(((await fourth.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'confirmation_limit', message: expect.stringMatching(/^email: /) });
		expect(smtp.mails.filter((m) => m.to.includes(ADDRESS.toLowerCase()))).toHaveLength(3);
		clock += 24 * HOUR;
		expect((await subscribe(body)).status).toBe(202);
		await smtp.waitFor(4);
	});

	it('a filled honeypot gets the same answer and nothing happens', async () => {
		await start();
		const createsBefore = discord.createsFor(WEBHOOK_ID);
		const res = await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en', website: 'http://spam.example' });
		expect(res.status).toBe(202);
		expect(await res.json()).toEqual({ kind: 'email', status: 'confirmation_sent' });
		const hook = await subscribe({ discordWebhookUrl: WEBHOOK, scope: { kind: 'bot' }, locale: 'en', website: 'x' });
		expect(await hook.json()).toEqual({ kind: 'discord', status: 'confirmed' });
		expect(await rows()).toEqual([]);
		expect(discord.createsFor(WEBHOOK_ID)).toBe(createsBefore);
		await new Promise((r) => setTimeout(r, 200));
		expect(smtp.mails).toHaveLength(0);
	});

	it('per-IP limit: past SHARDBEAT_RATE_SUBSCRIBE_PER_HOUR a client gets 429 with Retry-After, and nothing is stored', async () => {
		await start({ subscribeRatePerHour: 2 });
		expect((await subscribe({ email: 'one@mail.test', scope: { kind: 'bot' }, locale: 'en' })).status).toBe(202);
		expect((await subscribe({ email: 'two@mail.test', scope: { kind: 'bot' }, locale: 'en' })).status).toBe(202);
		const third = await subscribe({ email: 'three@mail.test', scope: { kind: 'bot' }, locale: 'en' });
		expect(third.status).toBe(429);
		expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
		expect((await rows()).length).toBe(2);
	});

	it('per-address limit: 10 requests an hour for one address, from anywhere', async () => {
		await start();
		const statuses: number[] = [];
		for (let i = 0; i < 11; i++) statuses.push((await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' })).status);
		// 3 mails, then the mail cap (429 confirmation_limit), then the address limit (429 rate_limited).
		expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
		const last = await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' });
		expect(last.status).toBe(429);
		expect(((await last.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
	});

	it('refuses bad input naming the field, and changes nothing', async () => {
		await start();
		const cases: [unknown, string][] = [
			[{ email: 'not-an-address', scope: { kind: 'bot' }, locale: 'en' }, 'email: '],
			[{ discordWebhookUrl: 'https://evil.example/api/webhooks/1/2', scope: { kind: 'bot' }, locale: 'en' }, 'discordWebhookUrl: must be on discord.com'],
			[{ discordWebhookUrl: `${WEBHOOK}?wait=true`, scope: { kind: 'bot' }, locale: 'en' }, 'discordWebhookUrl: must be a webhook URL'],
			[{ email: ADDRESS, discordWebhookUrl: WEBHOOK, scope: { kind: 'bot' }, locale: 'en' }, 'email: give either email or discordWebhookUrl'],
			[{ scope: { kind: 'bot' }, locale: 'en' }, 'email: give either'],
			[{ email: ADDRESS, scope: { kind: 'guild', guild: 'https://discord.com/channels/@me/1/2' }, locale: 'en' }, 'scope.guild: a direct-message link'],
			[{ email: ADDRESS, scope: { kind: 'clusters', clusterIds: [] }, locale: 'en' }, 'scope.clusterIds: name at least one cluster'],
			[{ email: ADDRESS, scope: { kind: 'shard', shardId: 3 }, locale: 'en' }, 'scope.kind: must be one of bot, clusters, guild'],
			[{ email: ADDRESS, scope: { kind: 'bot' }, locale: 'pt' }, 'locale: must be one of en, de, fr, es'],
			[{ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en', admin: true }, 'admin']
		];
		for (const [body, message] of cases) {
			const res = await subscribe(body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			const { error } = (await res.json()) as { error: { code: string; message: string } };
			expect(error.code).toBe('invalid_subscription');
			expect(error.message).toContain(message);
		}
		expect(await rows()).toEqual([]);
		expect(smtp.mails).toHaveLength(0);
	});

	it('a Discord channel is confirmed by a test message to its webhook; a deleted webhook (404) is refused and not kept', async () => {
		await start();
		const res = await subscribe({ discordWebhookUrl: WEBHOOK, scope: { kind: 'clusters', clusterIds: [3, 1] }, locale: 'es' });
		expect(res.status).toBe(202);
		expect(await res.json()).toEqual({ kind: 'discord', status: 'confirmed' });
		const created = discord.calls.findLast((c) => c.kind === 'create' && c.webhookId === WEBHOOK_ID)!;
		expect(created.body).toMatchObject({ content: 'Este canal recibe ahora los avisos de estado de Mewbot sobre los clústeres 1 y 3.', allowed_mentions: { parse: [] } });
		expect(await counts()).toMatchObject({ discord: { confirmed: 1, unconfirmed: 0 } });

		const goneId = '1234567890123456788';
		discord.deleteWebhook(goneId);
		const gone = await subscribe({ discordWebhookUrl: `https://discord.com/api/webhooks/${goneId}/${WEBHOOK_TOKEN}`, scope: { kind: 'bot' }, locale: 'en' });
		expect(gone.status).toBe(422);
		expect(((await gone.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'webhook_unreachable', message: expect.stringContaining('answered 404') });
		expect((await rows()).length).toBe(1);
	});

	it('with no SMTP configured, email subscriptions are off: the API says so and the options tell the page', async () => {
		await start({ smtpUrl: undefined });
		const options = await fetch(`${h!.url}/api/v1/subscriptions/options`, { headers: { Origin: 'http://page.test' } });
		expect(await options.json()).toEqual({ email: false, discord: true });
		expect(options.headers.get('access-control-allow-origin')).toBe('http://page.test');
		const res = await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' });
		expect(res.status).toBe(422);
		expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'email_disabled', message: expect.stringContaining('SHARDBEAT_SMTP_URL') });
		expect(await rows()).toEqual([]);
		expect((await subscribe({ discordWebhookUrl: WEBHOOK, scope: { kind: 'bot' }, locale: 'en' })).status).toBe(202);
	});

	it('the page may post JSON from an allowed origin (CORS preflight), not from another', async () => {
		await start();
		const preflight = await fetch(`${h!.url}/api/v1/subscriptions`, { method: 'OPTIONS', headers: { Origin: 'http://page.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
		expect(preflight.status).toBe(204);
		expect(preflight.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
		expect((await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' }, { Origin: 'http://evil.test' })).status).toBe(403);
		expect(await rows()).toEqual([]);
	});

	it('the manage page changes the scope (invalid input changes nothing) and its button unsubscribes', async () => {
		await start();
		await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' });
		await smtp.waitFor(1);
		// The confirmation mail's visible "Unsubscribe" link opens the manage page (a GET unsubscribes nobody).
		const manage = link(smtp.mails[0]!, '/api/v1/subscriptions/unsubscribe');
		const token = new URL(manage).searchParams.get('token')!;
		const page = await fetch(manage);
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('a…@mail.test gets status notices of Mewbot about the whole bot.');
		const post = (fields: Record<string, string>) =>
			fetch(`${h!.url}/api/v1/subscriptions/manage`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: h!.url }, body: new URLSearchParams({ token, ...fields }) });
		const bad = await post({ scope: 'guild', guild: '123' });
		expect(bad.status).toBe(400);
		expect(await bad.text()).toContain('data-testid="error"');
		expect((await rows())[0]).toMatchObject({ scope_kind: 'bot' });
		const saved = await post({ scope: 'clusters', clusters: '7, 2,2' });
		expect(saved.status).toBe(200);
		expect(await saved.text()).toContain('You now hear about clusters 2 and 7.');
		expect((await rows())[0]).toMatchObject({ scope_kind: 'clusters', cluster_ids: '[2,7]' });
		// A forged or truncated token opens nothing.
		expect((await post({ token: 'x'.repeat(43), scope: 'bot' })).status).toBe(404);
		expect((await fetch(`${h!.url}/api/v1/subscriptions/manage?token=short`)).status).toBe(400);
		expect((await fetch(`${h!.url}/api/v1/subscriptions/manage?token=${token}`)).status).toBe(200);
		// The page's button: the one-click POST its form sends.
		const leave = await fetch(manage, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: h!.url }, body: 'List-Unsubscribe=One-Click' });
		expect(await leave.text()).toContain('data-outcome="unsubscribed"');
		expect(await rows()).toEqual([]);
	});

	it('break-ins: a confirm token manages nothing, a manage token confirms nothing, one subscriber’s token opens no other', async () => {
		await start();
		await subscribe({ email: 'one@mail.test', scope: { kind: 'bot' }, locale: 'en' });
		await subscribe({ email: 'two@mail.test', scope: { kind: 'bot' }, locale: 'en' });
		await smtp.waitFor(2);
		const [one, two] = ['one@mail.test', 'two@mail.test'].map((a) => smtp.mails.find((m) => m.to.includes(a))!);
		const confirmOne = new URL(link(one!, '/api/v1/subscriptions/confirm')).searchParams.get('token')!;
		const manageOne = new URL(link(one!, '/api/v1/subscriptions/unsubscribe')).searchParams.get('token')!;
		const form = (body: string) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
		// Purposes do not mix.
		expect((await fetch(`${h!.url}/api/v1/subscriptions/unsubscribe?token=${confirmOne}`, form('List-Unsubscribe=One-Click'))).status).toBe(404);
		expect((await fetch(`${h!.url}/api/v1/subscriptions/manage?token=${confirmOne}`)).status).toBe(404);
		expect((await fetch(`${h!.url}/api/v1/subscriptions/confirm`, form(`token=${manageOne}`))).status).toBe(404);
		// A token differing in one character, or another's, is nobody's.
		const flipped = (manageOne[0] === 'A' ? 'B' : 'A') + manageOne.slice(1);
		expect((await fetch(`${h!.url}/api/v1/subscriptions/unsubscribe?token=${flipped}`, form('List-Unsubscribe=One-Click'))).status).toBe(404);
		// Form fields cannot smuggle a second token past the query's.
		expect((await fetch(`${h!.url}/api/v1/subscriptions/unsubscribe?token=${flipped}`, form(`List-Unsubscribe=One-Click&token=${manageOne}`))).status).toBe(404);
		expect(await counts()).toMatchObject({ email: { confirmed: 0, unconfirmed: 2 } });
		// Two's own confirm link confirms two only.
		const confirmTwo = new URL(link(two!, '/api/v1/subscriptions/confirm')).searchParams.get('token')!;
		expect((await fetch(`${h!.url}/api/v1/subscriptions/confirm`, form(`token=${confirmTwo}`))).status).toBe(200);
		expect((await rows()).map((r) => [r.target_hint, r.confirmed_at !== null]).sort()).toEqual([
			['o…@mail.test', false],
			['t…@mail.test', true]
		]);
	});

	it('operators see counts, find a subscriber by exact address (masked), and remove it; bearer required', async () => {
		await start();
		await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' });
		await subscribe({ discordWebhookUrl: WEBHOOK, scope: { kind: 'guild', guild: GUILD }, locale: 'en' });
		expect((await fetch(`${h!.url}/api/v1/operator/subscribers/counts`)).status).toBe(401);
		expect((await fetch(`${h!.url}/api/v1/operator/subscribers/counts`, { headers: { Authorization: 'Bearer wrong-secret-0123456789abcdef' } })).status).toBe(401);
		expect(await counts()).toEqual({ email: { confirmed: 0, unconfirmed: 1 }, discord: { confirmed: 1, unconfirmed: 0 } });
		const search = async (body: unknown) => (await operator('/api/v1/operator/subscribers/search', { method: 'POST', body: JSON.stringify(body) })).json() as Promise<{ subscribers: { id: number; target: string; kind: string }[] }>;
		const byMail = await search({ email: 'alice.example@mail.test' });
		expect(byMail.subscribers).toEqual([expect.objectContaining({ kind: 'email', target: 'a…@mail.test', confirmedAt: null })]);
		const byHook = await search({ discordWebhookUrl: WEBHOOK });
		expect(byHook.subscribers).toEqual([expect.objectContaining({ kind: 'discord', scope: { kind: 'guild', guildId: GUILD } })]);
		expect(JSON.stringify(byHook)).not.toContain(WEBHOOK_TOKEN);
		expect((await search({ email: 'alice@mail.test' })).subscribers).toEqual([]);
		expect((await operator('/api/v1/operator/subscribers/search', { method: 'POST', body: '{"email":"x"}' })).status).toBe(400);
		const id = byMail.subscribers[0]!.id;
		expect((await operator(`/api/v1/operator/subscribers/${id}`, { method: 'DELETE' })).status).toBe(204);
		expect((await operator(`/api/v1/operator/subscribers/${id}`, { method: 'DELETE' })).status).toBe(404);
		expect(await counts()).toEqual({ email: { confirmed: 0, unconfirmed: 0 }, discord: { confirmed: 1, unconfirmed: 0 } });
	});

	it('no address, webhook URL or link token reaches the logs or /metrics; /metrics has the counts', async () => {
		await start();
		await subscribe({ email: ADDRESS, scope: { kind: 'bot' }, locale: 'en' });
		await subscribe({ discordWebhookUrl: WEBHOOK, scope: { kind: 'bot' }, locale: 'en' });
		await smtp.waitFor(1);
		const confirm = link(smtp.mails[0]!, '/api/v1/subscriptions/confirm');
		const token = new URL(confirm).searchParams.get('token')!;
		await fetch(confirm);
		await fetch(`${h!.url}/api/v1/subscriptions/confirm`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
		// Counts are read in the background: the second scrape has them.
		await scrapeMetrics(h!.url);
		let metrics = '';
		for (let i = 0; i < 50 && !metrics.includes('shardbeat_subscribers{kind="email",state="confirmed"} 1'); i++) {
			await new Promise((r) => setTimeout(r, 50));
			metrics = await (await scrapeMetrics(h!.url)).text();
		}
		expect(metrics).toContain('shardbeat_subscribers{kind="email",state="confirmed"} 1');
		expect(metrics).toContain('shardbeat_subscribers{kind="discord",state="confirmed"} 1');
		const logs = JSON.stringify(h!.logs);
		expect(logs).toContain('subscription confirmed');
		for (const secret of [ADDRESS, ADDRESS.toLowerCase(), 'alice', WEBHOOK_TOKEN, token, 'mail.test']) {
			expect(logs, secret).not.toContain(secret);
			expect(metrics, secret).not.toContain(secret);
		}
	});
});

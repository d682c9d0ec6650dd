import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookEndpoint, type WebhookEndpoint } from '#testing/discord/webhook-endpoint';
import { contentType, deep, headers, HTTP_METHODS, invalidUtf8, junk, NASTY_KEYS, nastyString, overJson, withKey } from '#testing/fuzz/arbitraries';
import { startSmtpSink, type SmtpSink } from '#testing/mail/smtp-sink';
import { NO_LIMITS, startServer, type Harness } from '#testing/server/harness';
import { SubscribeSchema } from '../subscriptions/subscription-schema.ts';

/*
 * Issue 18's endpoints under the fuzz suite's rules (see fuzz.spec.ts): whatever arrives at
 * `POST /api/v1/subscriptions`, the mail links' pages (confirm, manage, one-click unsubscribe)
 * and the operator's subscriber routes, the server answers a 2xx or a clear 4xx, never a 5xx,
 * logs no error, and a refused request stores nothing. Valid requests are interleaved and must
 * be accepted, so the properties cannot pass by refusing everything. Real SMTP and Discord
 * stand-ins on loopback take what the valid ones send.
 *
 * Reproduce a failure with the seed fast-check prints: FUZZ_SEED=<seed> npx vitest run … fuzz-subscriptions
 */

const OPERATOR = 'fuzz-subscriptions-operator-secret-0123';
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const runs = (numRuns: number) => ({ numRuns, ...(seed !== undefined ? { seed } : {}) });
const SLOW = 90_000;

let h: Harness;
let smtp: SmtpSink;
let discord: WebhookEndpoint;
let manageToken: string;
let serial = 0;

const subscriberRows = async () => Number((await h.server.history.db.selectFrom('subscribers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

beforeAll(async () => {
	smtp = await startSmtpSink();
	discord = await startWebhookEndpoint();
	h = await startServer({ operatorSecret: OPERATOR, smtpUrl: smtp.url, logLevel: 'warn', ...NO_LIMITS }, 0, undefined, { discordApiBase: discord.base });
	await h.server.history.whenReady();
	// One real subscriber, whose manage link the link property opens (read-only) among the junk.
	const res = await fetch(`${h.url}/api/v1/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'seed@fuzz.test', scope: { kind: 'bot' }, locale: 'en' }) });
	expect(res.status).toBe(202);
	await smtp.waitFor(1);
	manageToken = /unsubscribe\?token=([\w-]{43})/.exec(smtp.mails[0]!.text!)![1]!;
});

afterEach(async () => {
	expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
	const errors = h.logs.filter((l) => (l.level as number) >= 50);
	expect(errors.map((l) => l.msg)).toEqual([]);
});

afterAll(async () => {
	await h?.close();
	await smtp?.close();
	await discord?.close();
});

/** A refusal with the one error shape (no body for HEAD, none for 204). */
async function expectClientError(res: Response, method: string): Promise<void> {
	const text = await res.text();
	expect(res.status, text.slice(0, 300)).toBeGreaterThanOrEqual(400);
	expect(res.status, text.slice(0, 300)).toBeLessThan(500);
	// Node's own answer to a request line or headers past its limits (431) has no body.
	if (method === 'HEAD' || (res.status === 431 && text === '')) return;
	if ((res.headers.get('content-type') ?? '').startsWith('text/html')) return void expect(text).toContain('data-outcome="invalid"');
	const body = JSON.parse(text) as { error: { code: string; message: string } };
	expect(body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
	expect(body.error.message.length).toBeGreaterThan(0);
	expect(body.error.message.length).toBeLessThanOrEqual(1_000);
}

// ── POST /api/v1/subscriptions ──────────────────────────────────────────────────────────────

const scope = fc.oneof(
	fc.constant({ kind: 'bot' }),
	fc.record({ kind: fc.constant('clusters'), clusterIds: fc.array(fc.nat(1_000_000), { minLength: 1, maxLength: 5 }) }),
	fc.record({ kind: fc.constant('guild'), guild: fc.constantFrom('81384788765712384', 'https://discord.com/channels/81384788765712384/1/2') })
);
/** A valid body with an address never used before (the limits per address stay out of the way). */
const validBody = fc.record({ scope, locale: fc.constantFrom('en', 'de', 'fr', 'es'), discord: fc.boolean() }).map(({ scope, locale, discord: hook }) => {
	const n = ++serial;
	return hook ? { discordWebhookUrl: `https://discord.com/api/webhooks/${String(1_000_000_000_000_000_000n + BigInt(n))}/${'t'.repeat(60)}${String(n).padStart(8, '0')}`, scope, locale } : { email: `u${n}@fuzz.test`, scope, locale };
});
const field = fc.constantFrom('email', 'discordWebhookUrl', 'scope', 'locale', 'website', 'kind', 'clusterIds', 'guild');
/** A valid body bent one or two ways: a field dropped, replaced by junk, an extra or nasty key, nesting. */
const bentBody = fc.tuple(validBody, fc.array(fc.tuple(fc.constantFrom('drop', 'junk', 'extra', 'nasty', 'scope-junk'), field, junk), { minLength: 1, maxLength: 2 })).map(([body, changes]) => {
	let out: Record<string, unknown> = { ...body };
	for (const [change, key, value] of changes) {
		if (change === 'drop') delete out[key];
		else if (change === 'junk') out[key] = value;
		else if (change === 'extra') out[`${key}_x`] = value;
		else if (change === 'nasty') out = withKey(out, NASTY_KEYS[key.length % NASTY_KEYS.length]!, value);
		else out.scope = { ...(out.scope as object), [key]: value };
	}
	return out;
});
const body = fc.oneof(
	{ arbitrary: validBody.map((b) => JSON.stringify(b)), weight: 3 },
	{ arbitrary: bentBody.map((b) => JSON.stringify(b)), weight: 6 },
	{ arbitrary: junk.map((j) => JSON.stringify(j) ?? 'undefined'), weight: 2 },
	{ arbitrary: deep.map((d) => JSON.stringify({ email: 'a@b.test', scope: d, locale: 'en' })), weight: 1 },
	{ arbitrary: nastyString, weight: 1 },
	{ arbitrary: fc.integer({ min: 5_000, max: 20_000 }).map((n) => JSON.stringify({ email: 'a@b.test', scope: { kind: 'bot' }, locale: 'en', website: 'x'.repeat(n) })), weight: 1 }
);

describe('POST /api/v1/subscriptions', () => {
	it('202 for a valid request (one row, or none for the honeypot), a 4xx naming the field for anything else, storing nothing', async () => {
		const method = fc.oneof({ arbitrary: fc.constant('POST'), weight: 12 }, { arbitrary: fc.constantFrom(...HTTP_METHODS), weight: 1 });
		const raw = fc.oneof({ arbitrary: body.map((b) => Buffer.from(b)), weight: 10 }, { arbitrary: invalidUtf8, weight: 1 });
		await fc.assert(
			fc.asyncProperty(fc.record({ method, type: contentType, raw, extra: headers }), async (input) => {
				const before = await subscriberRows();
				const hd = new Headers();
				for (const [k, v] of input.extra) if (k !== 'content-type' && k !== 'authorization') hd.set(k, v);
				if (input.type !== undefined) hd.set('content-type', input.type);
				const res = await fetch(`${h.url}/api/v1/subscriptions`, { method: input.method, headers: hd, body: input.method === 'GET' || input.method === 'HEAD' ? undefined : input.raw, redirect: 'manual' });
				if (input.method === 'OPTIONS') {
					expect(res.status).toBe(204);
					return;
				}
				let parsed: unknown;
				try {
					parsed = JSON.parse(input.raw.toString('utf8'));
				} catch {
					parsed = undefined;
				}
				const valid = input.method === 'POST' && /^application\/json\b/i.test(input.type ?? '') && input.raw.length <= 4_096 && parsed !== undefined && SubscribeSchema.safeParse(overJson(parsed)).success;
				if (!valid) {
					await expectClientError(res, input.method);
					expect(await subscriberRows()).toBe(before);
					return;
				}
				expect(res.status, await res.clone().text()).toBe(202);
				await res.body?.cancel();
				const honeypot = (SubscribeSchema.parse(overJson(parsed)) as { honeypot: boolean }).honeypot;
				expect(await subscriberRows()).toBe(before + (honeypot ? 0 : 1));
			}),
			runs(400)
		);
	}, SLOW);
});

// ── the mail links' pages ──────────────────────────────────────────────────────────────────

describe('confirm, manage and one-click unsubscribe', () => {
	it('answer a page or a clear 4xx for any method, token, form and content type, changing nothing without a real token', async () => {
		const path = fc.constantFrom('/api/v1/subscriptions/confirm', '/api/v1/subscriptions/manage', '/api/v1/subscriptions/unsubscribe', '/api/v1/subscriptions/nope');
		const token = fc.oneof(
			{ arbitrary: fc.constant(undefined), weight: 1 },
			{ arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{43}$/), weight: 3 },
			{ arbitrary: fc.constant('real'), weight: 2 },
			{ arbitrary: nastyString.map((s) => s.replace(/[\ud800-\udfff]/g, '')), weight: 2 }
		);
		const form = fc.oneof(
			fc.constant('List-Unsubscribe=One-Click'),
			fc.constant(''),
			fc.record({ token: fc.stringMatching(/^[A-Za-z0-9_-]{0,50}$/), scope: fc.constantFrom('bot', 'clusters', 'guild', 'x'), clusters: fc.string({ maxLength: 30 }), guild: fc.string({ maxLength: 30 }) }).map((f) => new URLSearchParams(f).toString()),
			nastyString,
			fc.integer({ min: 5_000, max: 9_000 }).map((n) => `token=${'a'.repeat(n)}`)
		);
		const method = fc.oneof({ arbitrary: fc.constantFrom('GET', 'POST'), weight: 8 }, { arbitrary: fc.constantFrom(...HTTP_METHODS), weight: 1 });
		const type = fc.constantFrom(undefined, 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json', 'text/plain');
		await fc.assert(
			fc.asyncProperty(fc.record({ path, token, form, method, type }), async (input) => {
				const before = await subscriberRows();
				const t = input.token === 'real' ? manageToken : input.token;
				const url = `${h.url}${input.path}${t === undefined ? '' : `?token=${encodeURIComponent(t)}`}`;
				const hd: Record<string, string> = input.type ? { 'Content-Type': input.type } : {};
				// The one case that changes something is a one-click POST with the real token: kept out here.
				const unsubscribing = t === manageToken && input.method === 'POST' && input.path.endsWith('/unsubscribe');
				if (unsubscribing) return;
				const res = await fetch(url, { method: input.method, headers: hd, body: input.method === 'GET' || input.method === 'HEAD' ? undefined : input.form, redirect: 'manual' });
				expect(res.status, `${input.method} ${input.path}`).toBeLessThan(500);
				if (res.status === 204) return void (await res.body?.cancel());
				if (res.status === 200) {
					// Only the real token opens a page: the manage page (GET), or a form it posted.
					expect(t).toBe(manageToken);
					expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
					expect(res.headers.get('cache-control')).toBe('no-store');
					await res.body?.cancel();
				} else {
					await expectClientError(res, input.method);
				}
				// A manage POST with the real token and a valid scope changes the scope, never the row count.
				expect(await subscriberRows()).toBe(before);
			}),
			runs(500)
		);
	}, SLOW);
});

// ── operator ───────────────────────────────────────────────────────────────────────────────

describe('operator subscriber routes', () => {
	it('refuse junk searches, ids and credentials with a clear 4xx; never show an address', async () => {
		const route = fc.oneof(
			fc.constant({ method: 'GET', path: '/api/v1/operator/subscribers/counts' }),
			fc.constant({ method: 'POST', path: '/api/v1/operator/subscribers/search' }),
			fc.constantFrom('0', '999999', '-1', '1.5', '%2e%2e', '', '9999999999999999', '__proto__').map((id) => ({ method: 'DELETE', path: `/api/v1/operator/subscribers/${id}` }))
		);
		const auth = fc.oneof({ arbitrary: fc.constant(`Bearer ${OPERATOR}`), weight: 4 }, fc.constant(undefined), fc.constant('Bearer wrong'), nastyString.map((s) => s.replace(/[^\x20-\x7e]/g, '')));
		const search = fc.oneof(fc.constant('{"email":"seed@fuzz.test"}'), bentBody.map((b) => JSON.stringify(b)), junk.map((j) => JSON.stringify(j) ?? 'null'));
		await fc.assert(
			fc.asyncProperty(fc.record({ route, auth, search }), async ({ route, auth, search: body }) => {
				const before = await subscriberRows();
				const res = await fetch(`${h.url}${route.path}`, { method: route.method, headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: auth } : {}) }, body: route.method === 'POST' ? body : undefined });
				const text = await res.text();
				expect(res.status, text.slice(0, 200)).toBeLessThan(500);
				expect(text).not.toContain('seed@fuzz.test');
				// A route that exists asks for the bearer first; a path that is no route is 404 for anyone.
				if (auth !== `Bearer ${OPERATOR}` && /\/(counts|search|\d{1,15})$/.test(route.path) && res.status !== 431) expect(res.status).toBe(401);
				if (res.status === 200 && route.path.endsWith('/search') && body === '{"email":"seed@fuzz.test"}') expect(JSON.parse(text)).toMatchObject({ subscribers: [{ target: 's…@fuzz.test' }] });
				expect(await subscriberRows()).toBe(before);
			}),
			runs(300)
		);
	}, SLOW);
});

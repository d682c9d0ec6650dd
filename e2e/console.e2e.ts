import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CONSOLE_API, CSRF_HEADER, type AuditPage, type ConsoleMe } from '#shared';
import type { Locale } from '#i18n/runtime';
import { freePort } from '../scripts/stack.ts';
import { startTestStack, type Stack } from '#testing/stack';
import { launchChromium } from '#testing/browser';
import { fill, messages } from '#testing/messages';
import { startDiscordOAuth, type DiscordOAuthStandIn, type DiscordOAuthUser } from '#testing/discord/oauth';
import { consoleConfig, EDITOR, OPERATOR_KEY, OWNER, STRANGER, VIEWER } from '#testing/console/fixture';

/*
 * The operator console (issue 17) on the real product: the server with its console, a simulated
 * fleet, the built worker under wrangler, Debian's Chromium, and a stand-in Discord OAuth on
 * loopback that the server's real client (arctic) logs in through, redirects included. Operators
 * come in through Discord (one user per role) and through the operator key; the server's clock is
 * ours to move (`skew`), so an expired session needs no waiting.
 */
const LOCALES: Locale[] = ['en', 'de', 'fr', 'es'];
const en = messages('en');
let stack: Stack;
let browser: Browser;
let discord: DiscordOAuthStandIn;
/** How far the server's clock runs ahead of ours. */
let skew = 0;

beforeAll(async () => {
	discord = await startDiscordOAuth({ clientId: consoleConfig('').discordClientId!, clientSecret: consoleConfig('').discordClientSecret!, redirectUris: () => [`${stack.serverUrl}${CONSOLE_API}/login/discord/callback`] });
	const pagePort = await freePort();
	stack = await startTestStack({
		pagePort,
		fleet: { clusters: 3, shardsPerCluster: 4, intervalMs: 1_000, reconnectChance: 0, deathChance: 0 },
		config: { heartbeatIntervalMs: 1_000, ...consoleConfig(discord.baseUrl, `http://127.0.0.1:${pagePort}`), consoleKeyLogin: true },
		serverOptions: { now: () => Date.now() + skew }
	});
	await stack.server.history.whenReady();
	browser = await launchChromium();
});

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
	await discord?.close();
});

/** A fresh browser profile (its own cookies) at `path` of the page. */
async function open(path: string, options: { width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
	const page = await context.newPage();
	await page.goto(stack.page.url + path);
	return { context, page };
}

/** Logs in with the operator key at `path`; resolves once the console shows. */
async function loginWithKey(path = '/admin/'): Promise<{ context: BrowserContext; page: Page }> {
	const opened = await open(path);
	await opened.page.getByTestId('login-key').fill(OPERATOR_KEY);
	await opened.page.getByTestId('login-key-submit').click();
	await opened.page.getByTestId('console-user').waitFor({ timeout: 15_000 });
	return opened;
}

/** Logs in as `user` through the stand-in Discord at `path` (authorize and callback redirects); resolves once the console shows. */
async function loginWithDiscord(user: DiscordOAuthUser, path = '/admin/'): Promise<{ context: BrowserContext; page: Page }> {
	const opened = await open(path);
	discord.user = user;
	await opened.page.getByTestId('login-discord').click();
	await opened.page.getByTestId('console-user').waitFor({ timeout: 15_000 });
	return opened;
}

/** The session cookie the browser holds for the server, as a `Cookie` header. */
async function cookieHeader(context: BrowserContext): Promise<string> {
	return (await context.cookies(stack.serverUrl)).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** `GET /me` with exactly these cookies, from outside the browser. */
async function meWith(cookie: string): Promise<Response> {
	return fetch(`${stack.serverUrl}${CONSOLE_API}/me`, { headers: { Cookie: cookie } });
}

/** Calls the console API from inside the page, as the page's own code would (cookie, Origin, CSRF). */
function callFromPage(page: Page, method: string, path: string, body?: unknown): Promise<{ status: number; body: { error?: { code: string } } | null }> {
	return page.evaluate(
		async ({ url, method, body, header }) => {
			const me = (await (await fetch(`${url}/me`, { credentials: 'include' })).json()) as ConsoleMe;
			const res = await fetch(url + path, {
				method,
				credentials: 'include',
				headers: { 'Content-Type': 'application/json', [header]: me.csrfToken },
				body: body === undefined ? undefined : JSON.stringify(body)
			});
			return { status: res.status, body: res.status === 204 ? null : await res.json() };
		},
		{ url: `${stack.serverUrl}${CONSOLE_API}`, method, body, header: CSRF_HEADER, path } as { url: string; method: string; body: unknown; header: string; path: string }
	) as never;
}

/** Picks `label` in the bits-ui select `testid` with the keyboard alone. */
async function choose(page: Page, testid: string, label: string): Promise<void> {
	await page.getByTestId(testid).focus();
	await page.keyboard.press('Enter');
	await page.getByRole('option', { name: label, exact: true }).click();
}

describe('logging in with the operator key', () => {
	it('refuses a wrong key with a clear message, then opens an owner session on the page asked for', async () => {
		const { page, context } = await open('/fr/admin/maintenance/');
		const fr = messages('fr');
		await page.getByTestId('login-key').fill('not-the-key-at-all');
		await page.getByTestId('login-key-submit').click();
		await expect.poll(() => page.getByTestId('login-notice').textContent()).toContain(fr.console_login_error_wrong_key);
		await page.getByTestId('login-key').fill(OPERATOR_KEY);
		await page.getByTestId('login-key').press('Enter');
		await page.getByTestId('console-user').waitFor();
		expect(new URL(page.url()).pathname).toBe('/fr/admin/maintenance/');
		expect(await page.getByTestId('console-user').getAttribute('data-role')).toBe('owner');
		expect(await page.locator('h1').textContent()).toBe(fr.console_maintenance_heading);
		// The session is a cookie of the server's origin, HttpOnly: the page's scripts never see it.
		expect(await page.evaluate(() => document.cookie)).toBe('');
		expect((await meWith(await cookieHeader(context))).status).toBe(200);
		await context.close();
	});
});

describe('logging in with Discord', () => {
	it('brings a listed user back to the console page asked for, with their role', async () => {
		const { page, context } = await loginWithDiscord(VIEWER, '/de/admin/incidents/');
		expect(new URL(page.url()).pathname).toBe('/de/admin/incidents/');
		expect(new URL(page.url()).search).toBe('');
		expect(await page.getByTestId('console-user').getAttribute('data-role')).toBe('viewer');
		expect(await page.getByTestId('console-role').textContent()).toBe(messages('de').console_role_viewer);
		await context.close();
	});

	it('refuses a Discord user SHARDBEAT_OPERATORS does not list, saying so', async () => {
		const { page, context } = await open('/admin/');
		discord.user = STRANGER;
		await page.getByTestId('login-discord').click();
		await expect.poll(() => page.getByTestId('login-notice').textContent(), { timeout: 15_000 }).toContain(en.console_login_error_not_an_operator);
		// The refusal is shown once and kept out of the address bar.
		expect(new URL(page.url()).searchParams.has('login_error')).toBe(false);
		expect(await page.getByTestId('console-user').count()).toBe(0);
		await context.close();
	});
});

describe('an editor posts an incident', () => {
	it('reaches a public page in each language, opened before the post, within 2 s and without a reload', async () => {
		const publicPages = await Promise.all(
			LOCALES.map(async (locale) => {
				const { page, context } = await open(locale === 'en' ? '/' : `/${locale}/`);
				await page.locator('[data-testid=banner][data-state=operational]').waitFor({ timeout: 30_000 });
				// A reload would lose this mark.
				await page.evaluate(() => ((window as unknown as { unreloaded: boolean }).unreloaded = true));
				return { locale, page, context };
			})
		);
		const { page, context } = await loginWithDiscord(EDITOR, '/admin/incidents/');
		await page.getByTestId('incident-new').click();
		await page.getByTestId('incident-title').fill('Slow logins in Europe');
		await page.getByTestId('incident-message').fill('We are looking into slow logins.');
		await choose(page, 'incident-impact', en.impact_major!);
		await page.getByTestId('incident-clusters').fill('1, 2');
		const posted = Date.now();
		await page.getByTestId('form-submit').click();
		const card = page.getByTestId('console-incident').filter({ hasText: 'Slow logins in Europe' });
		await card.waitFor();
		const id = Number(await card.getAttribute('data-incident'));
		for (const { locale, page: pub } of publicPages) {
			const notice = pub.locator(`[data-testid=notice-incident][data-incident="${id}"]`);
			await notice.waitFor({ timeout: Math.max(1, posted + 2_000 - Date.now()) });
			expect(await notice.textContent(), locale).toContain('Slow logins in Europe');
			expect(await pub.evaluate(() => (window as unknown as { unreloaded?: boolean }).unreloaded)).toBe(true);
		}
		expect(Date.now() - posted).toBeLessThan(2_000);
		await Promise.all([context.close(), ...publicPages.map((p) => p.context.close())]);
	});
});

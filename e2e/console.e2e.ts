import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CONSOLE_API, CSRF_HEADER, type AuditPage, type ConsoleMe } from '#shared';
import type { Locale } from '#i18n/runtime';
import { freePort } from '../scripts/stack.ts';
import { startTestStack, type Stack } from '#testing/stack';
import { launchChromium } from '#testing/browser';
import { fill, messages } from '#testing/messages';
import { startDiscordOAuth, type DiscordOAuthStandIn, type DiscordOAuthUser } from '#testing/discord/oauth';
import { consoleConfig, DISCORD_APP, EDITOR, OPERATOR_KEY, OWNER, STRANGER, VIEWER } from '#testing/console/fixture';

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
	discord = await startDiscordOAuth({ ...DISCORD_APP, redirectUris: () => [`${stack.serverUrl}${CONSOLE_API}/login/discord/callback`] });
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
		async ({ url, method, body, header, path }) => {
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

/** Picks `label` in the bits-ui select `testid` with the keyboard alone: open, arrow to it, Enter. */
async function choose(page: Page, testid: string, label: string): Promise<void> {
	await page.getByTestId(testid).focus();
	await page.keyboard.press('Enter');
	const option = page.getByRole('option', { name: label, exact: true });
	await option.waitFor();
	for (let i = 0; i < 12 && (await option.getAttribute('data-highlighted')) === null; i++) await page.keyboard.press('ArrowDown');
	await page.keyboard.press('Enter');
	await option.waitFor({ state: 'detached' });
	expect(await page.getByTestId(testid).textContent()).toContain(label);
}

/** Presses Tab until `testid` has focus (at most 60 times), and checks the focus is visible. */
async function tabTo(page: Page, testid: string): Promise<void> {
	for (let i = 0; i < 60; i++) {
		if ((await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) === testid) {
			const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
			expect(outline, `focus on ${testid} is visible`).not.toBe('none');
			return;
		}
		await page.keyboard.press('Tab');
	}
	throw new Error(`Tab never reached ${testid}`);
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

describe('an editor runs an incident, templates and maintenance from the console', () => {
	let editor: { context: BrowserContext; page: Page };
	beforeAll(async () => {
		editor = await loginWithDiscord(EDITOR, '/admin/templates/');
	});
	afterAll(() => editor.context.close());

	it('saves a template, and fills a new incident from it', async () => {
		const { page } = editor;
		await page.getByTestId('template-new').click();
		await page.getByTestId('template-name').fill('Gateway degraded');
		await page.getByTestId('template-title').fill('Discord gateway degraded');
		await page.getByTestId('template-message').fill('Discord’s gateway is slow; shards reconnect on their own.');
		await page.getByTestId('form-submit').click();
		await page.getByTestId('template').filter({ hasText: 'Gateway degraded' }).waitFor();

		await page.getByTestId('console-nav').getByRole('link', { name: en.console_nav_incidents }).click();
		await page.getByTestId('incident-new').click();
		await choose(page, 'template-picker', 'Gateway degraded');
		expect(await page.getByTestId('incident-title').inputValue()).toBe('Discord gateway degraded');
		expect(await page.getByTestId('incident-message').inputValue()).toBe('Discord’s gateway is slow; shards reconnect on their own.');
		await page.getByTestId('form-submit').click();
		await page.getByTestId('console-incident').filter({ hasText: 'Discord gateway degraded' }).waitFor();
	});

	it('names the field a form refuses, and sends nothing', async () => {
		const { page } = editor;
		const before = await page.getByTestId('console-incident').count();
		await page.getByTestId('incident-new').click();
		await page.getByTestId('incident-clusters').fill('1, two');
		await page.getByTestId('form-submit').click();
		const errors = page.getByTestId('incident-dialog').getByTestId('field-error');
		expect(await errors.allTextContents()).toEqual([en.console_error_required, en.console_error_required, en.console_error_invalid_clusters]);
		expect(await page.getByTestId('incident-title').getAttribute('aria-invalid')).toBe('true');
		await page.keyboard.press('Escape');
		await page.getByTestId('incident-dialog').waitFor({ state: 'detached' });
		// Focus is back on the button that opened the dialog.
		expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('incident-new');
		expect(await page.getByTestId('console-incident').count()).toBe(before);
	});

	it('posts an update, edits its text, resolves, writes a postmortem, renames and annotates', async () => {
		const { page } = editor;
		const card = page.getByTestId('console-incident').filter({ hasText: 'Discord gateway degraded' });
		await card.getByTestId('incident-post-update').click();
		await choose(page, 'update-status', en.incident_status_identified!);
		await page.getByTestId('update-message').fill('Discord confirmed the problem.');
		await page.getByTestId('form-submit').click();
		await card.getByText('Discord confirmed the problem.').waitFor();
		expect(await card.getAttribute('data-status')).toBe('identified');

		await card.getByTestId('edit-update').first().click();
		await page.getByTestId('update-message').fill('Discord confirmed the problem on their status page.');
		await page.getByTestId('form-submit').click();
		await card.getByText('Discord confirmed the problem on their status page.').waitFor();

		await card.getByTestId('incident-resolve').click();
		await page.getByTestId('update-message').fill('Logins are fast again.');
		await page.getByTestId('form-submit').click();
		await expect.poll(() => card.getAttribute('data-status')).toBe('resolved');

		await card.getByTestId('incident-postmortem').click();
		await page.getByTestId('update-message').fill('A Discord gateway incident; nothing to change on our side.');
		await page.getByTestId('form-submit').click();
		await card.getByTestId('incident-postmortem-text').waitFor();

		await card.getByTestId('incident-rename').click();
		await page.getByTestId('incident-title').fill('Discord gateway slow');
		await page.getByTestId('incident-note-field').fill('Only Europe was affected.');
		await page.getByTestId('form-submit').click();
		const renamed = page.getByTestId('console-incident').filter({ hasText: 'Discord gateway slow' });
		await renamed.getByTestId('incident-note').waitFor();
		expect(await renamed.getByTestId('incident-note').textContent()).toBe('Only Europe was affected.');

		// The public incident history shows what the console added.
		const id = await renamed.getAttribute('data-incident');
		const { page: history, context: historyContext } = await open('/fr/incidents/');
		const entry = history.locator(`#incident-${id}`);
		await entry.waitFor({ timeout: 30_000 });
		expect(await entry.locator('h3').textContent()).toBe('Discord gateway slow');
		expect(await entry.getByTestId('incident-note').textContent()).toBe('Only Europe was affected.');
		expect(await entry.getByTestId('incident-postmortem').textContent()).toContain('A Discord gateway incident; nothing to change on our side.');
		expect(await entry.getByTestId('incident-updates').textContent()).toContain('Discord confirmed the problem on their status page.');
		await historyContext.close();
	});

	it('schedules maintenance, edits it, ends one early and cancels another; public pages follow at once', async () => {
		const { page } = editor;
		const { page: pub, context: pubContext } = await open('/');
		await pub.locator('[data-testid=banner]').waitFor({ timeout: 30_000 });
		await page.getByTestId('console-nav').getByRole('link', { name: en.console_nav_maintenance }).click();

		const schedule = async (title: string, startInMin: number) => {
			await page.getByTestId('maintenance-new').click();
			await page.getByTestId('window-title').fill(title);
			const local = (ms: number) => page.evaluate((at) => {
				const d = new Date(at);
				const two = (n: number) => String(n).padStart(2, '0');
				return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
			}, ms);
			const start = Math.floor((Date.now() + startInMin * 60_000) / 60_000) * 60_000;
			await page.getByTestId('window-starts').fill(await local(start));
			await page.getByTestId('window-ends').fill(await local(start + 3_600_000));
			await page.getByTestId('form-submit').click();
			await page.getByTestId('maintenance-window').filter({ hasText: title }).waitFor();
		};
		await schedule('Database upgrade', 120);
		await schedule('Gateway restart', -1);
		const upcoming = page.getByTestId('windows-upcoming').getByTestId('maintenance-window').filter({ hasText: 'Database upgrade' });
		const running = page.getByTestId('windows-in-progress').getByTestId('maintenance-window').filter({ hasText: 'Gateway restart' });
		await upcoming.waitFor();
		await running.waitFor();
		// The public page was open before: the pushed list shows both without a reload.
		await pub.getByText('Database upgrade').waitFor({ timeout: 2_000 });
		await pub.getByText('Gateway restart').waitFor({ timeout: 2_000 });

		await upcoming.getByTestId('window-edit').click();
		await page.getByTestId('window-title').fill('Database upgrade (PostgreSQL 17)');
		await page.getByTestId('form-submit').click();
		await page.getByTestId('maintenance-window').filter({ hasText: 'PostgreSQL 17' }).waitFor();
		await pub.getByText('Database upgrade (PostgreSQL 17)').waitFor({ timeout: 2_000 });

		await running.getByTestId('window-end').click();
		await page.getByTestId('confirm-action').click();
		await running.waitFor({ state: 'detached' });
		await page.getByTestId('maintenance-window').filter({ hasText: 'PostgreSQL 17' }).getByTestId('window-cancel').click();
		await page.getByTestId('confirm-action').click();
		await page.getByTestId('maintenance-window').waitFor({ state: 'detached' });
		await pub.getByText('Gateway restart').waitFor({ state: 'detached', timeout: 2_000 });
		await pub.getByText('Database upgrade (PostgreSQL 17)').waitFor({ state: 'detached', timeout: 2_000 });
		await pubContext.close();
	});
});

describe('a viewer', () => {
	it('sees no edit controls, and the server refuses a direct edit', async () => {
		const { page, context } = await loginWithDiscord(VIEWER, '/admin/incidents/');
		await page.getByTestId('console-incident').first().waitFor();
		for (const control of ['incident-new', 'incident-post-update', 'incident-resolve', 'incident-rename', 'incident-delete', 'edit-update']) {
			expect(await page.getByTestId(control).count(), control).toBe(0);
		}
		expect(await page.getByTestId('console-nav').locator('[data-section]').evaluateAll((links) => links.map((l) => l.getAttribute('data-section')))).toEqual(['fleet', 'incidents', 'maintenance', 'templates', 'subscribers']);
		const refused = await callFromPage(page, 'POST', '/incidents', { title: 'Sneaky', message: 'A viewer tries to post.' });
		expect(refused).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'forbidden_role' }) } });
		// Subscribers: the counts, but no search box; and the server refuses a search.
		await page.getByTestId('console-nav').locator('[data-section=subscribers]').click();
		await page.getByTestId('subscriber-counts').waitFor();
		expect(await page.getByTestId('subscriber-query').count()).toBe(0);
		expect(await page.getByTestId('search-editor-only').textContent()).toBe(en.console_subscribers_editor_only);
		expect(await callFromPage(page, 'POST', '/subscribers/search', { email: 'someone@example.com' })).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'forbidden_role' }) } });
		const incidents = (await (await fetch(`${stack.serverUrl}${CONSOLE_API}/incidents`, { headers: { Authorization: `Bearer ${OPERATOR_KEY}` } })).json()) as { title: string }[];
		expect(incidents.length).toBeGreaterThan(0);
		expect(incidents.some((i) => i.title === 'Sneaky')).toBe(false);
		await context.close();
	});
});

describe('an owner', () => {
	let owner: { context: BrowserContext; page: Page };
	beforeAll(async () => {
		owner = await loginWithDiscord(OWNER, '/admin/');
	});
	afterAll(() => owner.context.close());

	it('sees the fleet in full detail, and retires a stopped cluster after confirming', async () => {
		const { page } = owner;
		await page.locator('[data-testid=cluster-card]').first().waitFor({ timeout: 15_000 });
		// Full detail: pings and guild counts.
		expect(await page.getByTestId('fleet-totals').textContent()).toMatch(/\d+\s?ms/);
		stack.fleet.kill(2);
		const retire = page.getByTestId('retire-2');
		await retire.waitFor({ timeout: 15_000 });
		await retire.click();
		await page.getByTestId('confirm-dialog').waitFor();
		// Cancel first: nothing happens.
		await page.keyboard.press('Escape');
		await page.getByTestId('confirm-dialog').waitFor({ state: 'detached' });
		expect(await page.locator('[data-testid=cluster-card][data-cluster="2"]').count()).toBe(1);
		await retire.click();
		await page.getByTestId('confirm-action').click();
		await page.locator('[data-testid=cluster-card][data-cluster="2"]').waitFor({ state: 'detached', timeout: 5_000 });
		const status = (await (await fetch(`${stack.serverUrl}/api/status`)).json()) as { clusters: { id: number }[] };
		expect(status.clusters.map((c) => c.id)).not.toContain(2);
	});

	it('deletes an incident, and public pages drop it at once', async () => {
		const { page } = owner;
		const { page: pub, context: pubContext } = await open('/');
		await page.goto(`${stack.page.url}/admin/incidents/`);
		const card = page.getByTestId('console-incident').filter({ hasText: 'Slow logins in Europe' });
		await card.waitFor();
		const id = await card.getAttribute('data-incident');
		await pub.locator(`[data-testid=notice-incident][data-incident="${id}"]`).waitFor({ timeout: 30_000 });
		await card.getByTestId('incident-delete').click();
		await page.getByTestId('confirm-action').click();
		await card.waitFor({ state: 'detached' });
		await pub.locator(`[data-testid=notice-incident][data-incident="${id}"]`).waitFor({ state: 'detached', timeout: 2_000 });
		await pubContext.close();
	});
});

describe('sessions end at once', () => {
	it('on logout: the console shows the login, and the old cookie is refused', async () => {
		const { page, context } = await loginWithDiscord(EDITOR, '/admin/');
		const cookie = await cookieHeader(context);
		expect((await meWith(cookie)).status).toBe(200);
		await page.getByTestId('logout').click();
		await expect.poll(() => page.getByTestId('login-notice').textContent()).toBe(en.console_logged_out);
		expect((await meWith(cookie)).status).toBe(401);
		await context.close();
	});

	it('when an owner revokes it: the revoked console shows the login by itself, and its cookie is refused', async () => {
		const victim = await loginWithDiscord(VIEWER, '/admin/');
		await victim.page.getByTestId('console-connection').and(victim.page.locator('[data-connection=live]')).waitFor({ timeout: 15_000 });
		const cookie = await cookieHeader(victim.context);
		const me = (await (await meWith(cookie)).json()) as ConsoleMe;
		const owner = await loginWithKey('/admin/sessions/');
		const row = owner.page.locator(`[data-testid=session][data-session="${me.sessionId}"]`);
		await row.getByTestId('session-revoke').click();
		await owner.page.getByTestId('confirm-action').click();
		await row.waitFor({ state: 'detached' });
		expect((await meWith(cookie)).status).toBe(401);
		// No click needed: the server cut its live connection, and the console noticed.
		await expect.poll(() => victim.page.getByTestId('login-notice').textContent(), { timeout: 15_000 }).toBe(en.console_session_ended);
		await Promise.all([victim.context.close(), owner.context.close()]);
	});

	it('when it expires: the next request is refused and the console asks to log in again', async () => {
		const { page, context } = await loginWithKey('/admin/templates/');
		const cookie = await cookieHeader(context);
		const me = (await (await meWith(cookie)).json()) as ConsoleMe;
		skew += me.idleExpiresAt - Date.now() + 1_000;
		try {
			expect((await meWith(cookie)).status).toBe(401);
			// Its next request is refused; the console may even notice first, through its live connection.
			await page.getByTestId('console-nav').getByRole('link', { name: en.console_nav_incidents }).click({ timeout: 2_000 }).catch(() => undefined);
			await expect.poll(() => page.getByTestId('login-notice').textContent(), { timeout: 15_000 }).toBe(en.console_session_ended);
		} finally {
			skew = 0;
		}
		await context.close();
	});
});

describe('the audit log', () => {
	it('shows who did each action, when and from which session', async () => {
		const { page, context } = await loginWithKey('/admin/audit/');
		await page.getByTestId('audit-entry').first().waitFor();
		const shown = new Set(await page.getByTestId('audit-entry').evaluateAll((entries) => entries.map((e) => e.getAttribute('data-action'))));
		const api = (await (await fetch(`${stack.serverUrl}/api/v1/operator/audit?limit=200`, { headers: { Authorization: `Bearer ${OPERATOR_KEY}` } })).json()) as AuditPage;
		for (const action of [
			'session.login',
			'session.login_refused',
			'session.logout',
			'session.revoke',
			'incident.create',
			'incident.update',
			'incident.resolve',
			'incident.edit_update',
			'incident.postmortem',
			'incident.rename',
			'incident.delete',
			'template.create',
			'maintenance.schedule',
			'maintenance.edit',
			'maintenance.end',
			'maintenance.cancel',
			'cluster.retire'
		] as const) {
			expect(shown.has(action), action).toBe(true);
			expect(api.entries.some((e) => e.action === action), action).toBe(true);
		}
		// Each entry of a person names them and their session.
		const create = page.locator('[data-testid=audit-entry][data-action="incident.create"]').last();
		expect(await create.textContent()).toContain(fill(en.console_audit_by!, { name: 'ed' }));
		await context.close();
	});
});

describe('from the keyboard alone', () => {
	it('logs in with the key, posts an incident through the dialog and logs out', async () => {
		const { page, context } = await open('/es/admin/incidents/');
		const es = messages('es');
		await tabTo(page, 'login-key');
		await page.keyboard.type(OPERATOR_KEY);
		await page.keyboard.press('Enter');
		await page.getByTestId('console-user').waitFor();
		await tabTo(page, 'incident-new');
		await page.keyboard.press('Enter');
		await page.getByTestId('incident-dialog').waitFor();
		// Focus moved into the dialog, and Tab stays there.
		expect(await page.evaluate(() => !!document.activeElement?.closest('[role=dialog]'))).toBe(true);
		await tabTo(page, 'incident-title');
		await page.keyboard.type('Teclado solamente');
		await tabTo(page, 'incident-message');
		await page.keyboard.type('Publicado sin ratón.');
		await choose(page, 'incident-status', es.incident_status_monitoring!);
		await tabTo(page, 'form-submit');
		await page.keyboard.press('Enter');
		const card = page.getByTestId('console-incident').filter({ hasText: 'Teclado solamente' });
		await card.waitFor();
		expect(await card.getAttribute('data-status')).toBe('monitoring');
		await tabTo(page, 'logout');
		await page.keyboard.press('Enter');
		await expect.poll(() => page.getByTestId('login-notice').textContent()).toBe(es.console_logged_out);
		await context.close();
	});
});

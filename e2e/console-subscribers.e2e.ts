import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Locale } from '#i18n/runtime';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { OPERATOR_KEY } from '#testing/console/fixture';
import { startSmtpSink, type SmtpSink } from '#testing/mail/smtp-sink';
import { fill, messages } from '#testing/messages';
import { startTestStack, type Stack } from '#testing/stack';

/*
 * Issue 18's operator part in Chromium: an address subscribes through the API (its confirmation
 * mail reaches a real SMTP server on loopback), then the console shows the count, finds the
 * address (masked), removes it after a confirmation, and the audit log says so. Screenshots of
 * the subscribers page in every language, light and dark, at 1280 and 360 px.
 */
const LOCALES: Locale[] = ['en', 'de', 'fr', 'es'];
const ADDRESS = 'Ada.Lovelace@Mail.Test';
// Evaluated through the DevTools protocol, which the page's Content-Security-Policy (rightly) does not let a script tag do.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let stack: Stack;
let browser: Browser;
let smtp: SmtpSink;

beforeAll(async () => {
	smtp = await startSmtpSink();
	stack = await startTestStack({
		fleet: { clusters: 100, shardsPerCluster: 16, intervalMs: 2_000, reconnectChance: 0, deathChance: 0 },
		config: { heartbeatIntervalMs: 2_000, operatorSecret: OPERATOR_KEY, consoleKeyLogin: true, smtpUrl: smtp.url, mailFrom: 'Shardbeat Status <status@shardbeat.test>' }
	});
	await stack.server.history.whenReady();
	browser = await launchChromium();
}, 240_000);

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
	await smtp?.close();
});

async function subscribe(body: unknown): Promise<void> {
	const res = await fetch(`${stack.serverUrl}/api/v1/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	expect(res.status, await res.clone().text()).toBe(202);
}

/** The console's subscribers page in `locale`, logged in with the operator key. */
async function consoleAt(locale: Locale, width = 1280, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
	const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme });
	await page.goto(`${stack.page.url}${locale === 'en' ? '' : `/${locale}`}/admin/subscribers/`);
	await page.getByTestId('login-key').fill(OPERATOR_KEY);
	await page.getByTestId('login-key-submit').click();
	await page.getByTestId('console-user').waitFor({ timeout: 15_000 });
	await page.getByTestId('subscriber-counts').waitFor({ timeout: 15_000 });
	return page;
}

/** axe-core's serious and critical violations on the page as it is now. */
async function axe(page: Page): Promise<string[]> {
	await page.evaluate(AXE);
	const result = await page.evaluate(() => (window as unknown as { axe: { run: (o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run({ resultTypes: ['violations'] }));
	return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

const emailRow = (page: Page) => page.locator('[data-testid=subscriber-counts] tr[data-kind=email]');

describe('subscribers in the console', () => {
	it('counts a new subscription, finds it masked, removes it after confirming, and the audit log shows both', async () => {
		await subscribe({ email: ADDRESS, scope: { kind: 'clusters', clusterIds: [3, 7] }, locale: 'de' });
		await smtp.waitFor(1);
		expect(smtp.mails[0]!.to).toEqual(['ada.lovelace@mail.test']);

		const en = messages('en');
		const page = await consoleAt('en');
		expect(await page.locator('h1').textContent()).toBe(en.console_subscribers_heading);
		expect(await page.locator('[data-testid=console-nav] [aria-current=page]').textContent()).toBe(en.console_subscribers_nav);
		expect(await emailRow(page).getByTestId('count-unconfirmed').textContent()).toBe('1');
		expect(await emailRow(page).getByTestId('count-confirmed').textContent()).toBe('0');

		// A search that finds nobody says so.
		await page.getByTestId('subscriber-query').fill('someone.else@mail.test');
		await page.getByTestId('subscriber-query').press('Enter');
		await expect.poll(() => page.getByTestId('search-none').textContent()).toBe(en.console_subscribers_search_none);
		// What is not an address is refused in words, not found.
		await page.getByTestId('subscriber-query').fill('not an address');
		await page.getByTestId('subscriber-query').press('Enter');
		await expect.poll(() => page.getByTestId('search-error').textContent()).toContain(en.console_subscribers_search_invalid);

		// The keyboard alone: type, Enter.
		await page.getByTestId('subscriber-query').fill(ADDRESS);
		await page.getByTestId('subscriber-query').press('Enter');
		const result = page.getByTestId('subscriber');
		await result.waitFor();
		expect(await result.getByTestId('subscriber-target').textContent()).toBe('a…@mail.test');
		expect((await result.textContent())!.toLowerCase()).not.toContain('lovelace');
		expect(await result.textContent()).toContain(fill(en.console_subscribers_scope_clusters!, { clusters: '3, 7' }));
		await page.screenshot({ path: `${SCREENSHOTS}console-subscribers-found.png` });

		// Remove, confirmed in the dialog, with the keyboard: focus the button, Enter, then the dialog's action.
		await result.getByTestId('subscriber-remove').focus();
		await page.keyboard.press('Enter');
		const dialog = page.getByTestId('confirm-dialog');
		await dialog.waitFor();
		expect(await dialog.getByRole('heading').first().textContent()).toBe(fill(en.console_subscribers_remove_title!, { target: 'a…@mail.test' }));
		await page.screenshot({ path: `${SCREENSHOTS}console-subscribers-confirm.png` });
		await dialog.getByTestId('confirm-action').click();
		await dialog.waitFor({ state: 'detached' });
		await expect.poll(() => page.getByTestId('subscriber-removed').textContent()).toBe(fill(en.console_subscribers_removed!, { target: 'a…@mail.test' }));
		await expect.poll(() => emailRow(page).getByTestId('count-unconfirmed').textContent()).toBe('0');
		// Gone for good: searching again finds nobody.
		await page.getByTestId('subscriber-search').click();
		await expect.poll(() => page.getByTestId('search-none').textContent()).toBe(en.console_subscribers_search_none);

		await page.locator('[data-testid=console-nav] [data-section=audit]').click();
		const removed = page.locator('[data-testid=audit-entry][data-action="subscriber.remove"]');
		await removed.waitFor({ timeout: 15_000 });
		expect(await removed.textContent()).toContain(en.console_subscribers_audit_remove);
		// Three searches went through (nobody, the address, the address again); the refused one is not an action.
		expect(await page.locator('[data-testid=audit-entry][data-action="subscriber.search"]').count()).toBe(3);
		expect((await page.getByTestId('audit').textContent())!.toLowerCase()).not.toContain('lovelace');
		await page.context().close();
	});

	it.each(LOCALES)('in %s: light and dark, 1280 and 360 px, with a result; nothing wider than the screen', async (locale) => {
		await subscribe({ email: `screens-${locale}@mail.test`, scope: { kind: 'bot' }, locale });
		const t = messages(locale);
		for (const width of [1280, 360]) {
			for (const scheme of ['light', 'dark'] as const) {
				const page = await consoleAt(locale, width, scheme);
				expect(await page.locator('h1').textContent()).toBe(t.console_subscribers_heading);
				await page.getByTestId('subscriber-query').fill(`screens-${locale}@mail.test`);
				await page.getByTestId('subscriber-query').press('Enter');
				await page.getByTestId('subscriber').waitFor();
				expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${locale} ${width} ${scheme}`).toBe(true);
				await page.screenshot({ path: `${SCREENSHOTS}console-subscribers-${locale}-${scheme}-${width}.png`, fullPage: true });
				await page.context().close();
			}
		}
	});

	it.each(['light', 'dark'] as const)('has no serious or critical axe-core violation, with a result and with the removal dialog (%s)', async (scheme) => {
		await subscribe({ email: `axe-${scheme}@mail.test`, scope: { kind: 'guild', guild: '175928847299117063' }, locale: 'es' });
		const page = await consoleAt('en', 1280, scheme);
		expect(await axe(page), 'counts').toEqual([]);
		await page.getByTestId('subscriber-query').fill(`axe-${scheme}@mail.test`);
		await page.getByTestId('subscriber-query').press('Enter');
		await page.getByTestId('subscriber').waitFor();
		expect(await axe(page), 'a result').toEqual([]);
		await page.getByTestId('subscriber-remove').click();
		await page.getByTestId('confirm-dialog').waitFor();
		expect(await axe(page), 'the removal dialog').toEqual([]);
		// The check can fail: a button without a name is a serious violation.
		await page.evaluate(() => document.body.append(document.createElement('button')));
		expect((await axe(page)).some((v) => v.startsWith('button-name'))).toBe(true);
		await page.context().close();
	});
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { guildIdsForShard } from '#testing/discord/snowflakes';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { startSmtpSink, type SmtpSink } from '#testing/mail/smtp-sink';
import { fill, messages } from '#testing/messages';
import { startTestStack, type Stack } from '#testing/stack';

/*
 * Issue 18 in Chromium: the Subscribe form on the page with a big fleet (each locale, light and
 * dark, 360 px), a subscription sent from it, the confirmation mail received by a real SMTP
 * server on loopback, and its link followed and confirmed in the browser: a page the server
 * answers itself, whose button (not the opening) confirms.
 */
let stack: Stack;
let browser: Browser;
let smtp: SmtpSink;
const GUILD = guildIdsForShard(37, 800, 1)[0]!;
// Evaluated through the DevTools protocol, which the pages' Content-Security-Policy (rightly) does not let a script tag do.
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.1 A/AA violations inside `selector` (rule ids and how many nodes each). */
async function axeViolations(page: Page, selector: string): Promise<string[]> {
	await page.evaluate(AXE);
	return page.evaluate(async (sel) => {
		const axe = (window as unknown as { axe: { run(context: string, options: object): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
		const result = await axe.run(sel, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
		return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
	}, selector);
}

beforeAll(async () => {
	smtp = await startSmtpSink();
	stack = await startTestStack({
		fleet: { clusters: 50, shardsPerCluster: 16, intervalMs: 2_000, reconnectChance: 0, deathChance: 0, seed: 7 },
		config: { smtpUrl: smtp.url, mailFrom: 'Shardbeat Status <status@shardbeat.test>' }
	});
	browser = await launchChromium();
}, 240_000);

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
	await smtp?.close();
});

async function open(path: string, colorScheme: 'light' | 'dark', width = 360): Promise<Page> {
	const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme });
	await page.goto(stack.page.url + path);
	await page.locator('[data-testid=cluster-card]').first().waitFor({ timeout: 60_000 });
	return page;
}

describe('the Subscribe form', () => {
	const locales = [
		['/', 'en'],
		['/de/', 'de'],
		['/fr/', 'fr'],
		['/es/', 'es']
	] as const;

	it.each(locales)('%s: in its language, at 360 px, light and dark, with an 800-shard fleet', async (path, locale) => {
		const t = messages(locale);
		for (const scheme of ['light', 'dark'] as const) {
			const page = await open(path, scheme);
			await page.screenshot({ path: `${SCREENSHOTS}subscribe-header-${locale}-${scheme}-360.png` });
			// The header's link leads to the form.
			await page.getByTestId('subscribe-link').click();
			const form = page.getByTestId('subscribe');
			expect(await form.locator('h2').textContent()).toBe(t.subscribe_title);
			await page.getByTestId('subscribe-email').fill('name@example.test');
			await page.getByTestId('scope-guild').check();
			await page.getByTestId('subscribe-guild').fill('12345');
			await page.getByTestId('subscribe-submit').click();
			await expect.poll(() => page.getByTestId('subscribe-error').getAttribute('data-error')).toBe('not_a_snowflake');
			// Nothing spills past the phone's width.
			expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
			await form.screenshot({ path: `${SCREENSHOTS}subscribe-${locale}-${scheme}-360.png` });
			// Labels, contrast (light and dark), the error announced: nothing axe-core finds.
			expect(await axeViolations(page, '#subscribe')).toEqual([]);
			await page.close();
		}
	});
});

describe('subscribing by mail, confirmed in the browser', () => {
	it('the page subscribes by keyboard; the mail arrives; its link shows a page whose button confirms', async () => {
		const page = await open('/de/', 'light', 1280);
		await page.getByTestId('subscribe-link').focus();
		await page.keyboard.press('Enter');
		await page.getByTestId('subscribe-email').focus();
		await page.keyboard.type('leser@example.test');
		// Radios by keyboard: Tab into the scope group, arrows to "My server".
		await page.getByTestId('scope-bot').focus();
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('ArrowRight');
		expect(await page.getByTestId('scope-guild').isChecked()).toBe(true);
		await page.getByTestId('subscribe-guild').focus();
		await page.keyboard.type(`https://discord.com/channels/${GUILD}/175928847299117063/175928847299117064`);
		// The honeypot is out of the tab order: Tab from the server field goes to the button.
		await page.keyboard.press('Tab');
		expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('subscribe-submit');
		await page.keyboard.press('Enter');
		const outcome = page.getByTestId('subscribe-outcome');
		await outcome.waitFor();
		expect(await outcome.textContent()).toContain('leser@example.test');
		await page.close();

		await smtp.waitFor(1);
		const mail = smtp.mails.at(-1)!;
		expect(mail.to).toEqual(['leser@example.test']);
		expect(mail.subject).toBe(fill(messages('de').subscribe_confirm_subject!, { bot: 'Shardbeat' }));
		const link = /(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/subscriptions\/confirm\?token=[\w-]{43})/.exec(mail.text!)![1]!;

		for (const scheme of ['light', 'dark'] as const) {
			const confirm = await browser.newPage({ viewport: { width: 360, height: 640 }, colorScheme: scheme });
			await confirm.goto(link);
			expect(await confirm.locator('html').getAttribute('lang')).toBe('de');
			expect(await confirm.getByTestId('confirm').textContent()).toBe(messages('de').subscribe_page_confirm_button);
			await confirm.screenshot({ path: `${SCREENSHOTS}subscribe-confirm-de-${scheme}-360.png`, fullPage: true });
			await confirm.close();
		}
		const counts = async () => (await stack.server.subscriptions.service.counts()).email;
		// Opening the link twice confirmed nothing.
		expect(await counts()).toEqual({ confirmed: 0, unconfirmed: 1 });

		const confirm = await browser.newPage({ viewport: { width: 360, height: 640 }, colorScheme: 'dark' });
		await confirm.goto(link);
		await confirm.getByTestId('confirm').click();
		await confirm.locator('[data-outcome=confirmed]').waitFor();
		await confirm.screenshot({ path: `${SCREENSHOTS}subscribe-confirmed-de-dark-360.png`, fullPage: true });
		expect(await counts()).toEqual({ confirmed: 1, unconfirmed: 0 });
		const [row] = await stack.server.history.db.selectFrom('subscribers').select(['scope_kind', 'guild_id', 'locale']).execute();
		expect(row).toEqual({ scope_kind: 'guild', guild_id: GUILD, locale: 'de' });
		await confirm.close();

		// The mail's "unsubscribe" link in a browser: the manage page (a GET changes nothing), its button leaves.
		const unsubscribe = /(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/subscriptions\/unsubscribe\?token=[\w-]{43})/.exec(mail.text!)![1]!;
		for (const scheme of ['light', 'dark'] as const) {
			const manage = await browser.newPage({ viewport: { width: 360, height: 800 }, colorScheme: scheme });
			await manage.goto(unsubscribe);
			expect(await manage.getByTestId('unsubscribe').textContent()).toBe(messages('de').subscribe_page_unsubscribe_button);
			expect(await axeViolations(manage, 'main')).toEqual([]);
			await manage.screenshot({ path: `${SCREENSHOTS}subscribe-manage-de-${scheme}-360.png`, fullPage: true });
			await manage.close();
		}
		expect(await counts()).toEqual({ confirmed: 1, unconfirmed: 0 });
		const manage = await browser.newPage({ viewport: { width: 360, height: 800 } });
		await manage.goto(unsubscribe);
		await manage.getByTestId('unsubscribe').click();
		await manage.locator('[data-outcome=unsubscribed]').waitFor();
		expect(await counts()).toEqual({ confirmed: 0, unconfirmed: 0 });
		expect(await stack.server.history.db.selectFrom('subscribers').selectAll().execute()).toEqual([]);
		await manage.close();
	});
});

import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestStack, type Stack } from '#testing/stack';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { messages } from '#testing/messages';

/*
 * The compact list with a 1,000 × 16 fleet (16,000 shards, 1,000 real reporter sockets): the
 * default view there, windowed to a few dozen rows, accessible, in every locale, light and dark,
 * at 1280 and 360 px. Clusters 7 and 500 are stopped.
 */
let stack: Stack;
let browser: Browser;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

beforeAll(async () => {
	stack = await startTestStack({ fleet: { clusters: 1_000, shardsPerCluster: 16, reconnectChance: 0.01, deathChance: 0, seed: 3 } });
	stack.fleet.kill(7);
	stack.fleet.kill(500);
	browser = await launchChromium();
}, 240_000);

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
});

async function open(path: string, width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
	// bypassCSP: only so the test can inject axe-core; the page's own scripts are unaffected.
	const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme, bypassCSP: true });
	await page.goto(stack.page.url + path);
	await expect.poll(() => page.locator('[data-testid=compact-row]').count(), { timeout: 60_000 }).toBeGreaterThan(5);
	return page;
}

it.each([
	['/', 'en'],
	['/de/', 'de'],
	['/fr/', 'fr'],
	['/es/', 'es']
] as const)('%s: the compact list is the default at 1,000 clusters, windowed, under the DOM budget (%s)', async (path, locale) => {
	const t = messages(locale);
	for (const width of [1280, 360]) {
		for (const scheme of ['light', 'dark'] as const) {
			const page = await open(path, width, scheme);
			expect(await page.locator('[data-testid=cluster-card]').count()).toBe(0);
			expect(await page.locator('table caption').textContent()).toBe(t.compact_caption);
			await page.locator('#clusters-heading').evaluate((h) => h.scrollIntoView());
			await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))); // the window follows the scroll on the next frame
			const dom = await page.evaluate(() => ({ elements: document.getElementsByTagName('*').length, rows: document.querySelectorAll('[data-testid=compact-row]').length }));
			expect(dom.rows).toBeLessThan(80);
			expect(dom.elements).toBeLessThan(5_000);
			// No sideways scrolling of the page itself at 360 px: the table scrolls in its own box if it must.
			expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
			await page.screenshot({ path: `${SCREENSHOTS}compact-${locale}-${width}-${scheme}.png` });
			await page.close();
		}
	}
});

it('sorted by health, the stopped clusters come first; a deep link opens one, and axe finds nothing serious', async () => {
	for (const [width, scheme] of [
		[1280, 'light'],
		[360, 'dark']
	] as const) {
		const page = await open('/?cluster=500', width, scheme);
		const row = page.locator('[data-testid=compact-row][data-cluster="500"]');
		await expect.poll(() => row.getAttribute('data-highlighted'), { timeout: 20_000 }).toBe('true');
		expect(await row.getAttribute('data-lifecycle')).toBe('stopped');
		await page.screenshot({ path: `${SCREENSHOTS}compact-deep-link-${width}-${scheme}.png` });

		await page.addScriptTag({ path: AXE });
		const violations = await page.evaluate(async () => {
			const axe = (window as unknown as { axe: { run: (ctx: unknown, o: unknown) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe;
			const result = await axe.run({ include: [['#clusters']] }, { resultTypes: ['violations'] });
			return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.nodes.length})`);
		});
		expect(violations).toEqual([]);

		await page.locator('th button[data-sort=health]').click();
		const first = await page.locator('[data-testid=compact-row]').evaluateAll((rows) => rows.slice(0, 2).map((r) => r.getAttribute('data-cluster')));
		expect(first.sort()).toEqual(['500', '7']);
		await page.close();
	}
});

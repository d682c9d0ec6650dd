import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestStack, type Stack } from '#testing/stack';
import { launchChromium, SCREENSHOTS } from '#testing/browser';

/* A 1,000 × 16 fleet (16,000 shards, 1,000 real reporter sockets) on the page, light and dark. */
let stack: Stack;
let browser: Browser;

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

it('renders all 16,000 shards and a screenshot in light and dark', async () => {
	for (const scheme of ['light', 'dark'] as const) {
		const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, colorScheme: scheme });
		// The cards, every tile drawn (above 100 clusters the compact list is the default: compact-big-fleet.e2e.ts).
		await page.addInitScript(() => localStorage.setItem('shardbeat:cluster-view', 'cards'));
		await page.goto(stack.page.url + '/');
		await page.locator('[data-testid=cluster-card]').first().waitFor({ timeout: 60_000 });
		await expect.poll(() => page.locator('.tile[data-shard]').count(), { timeout: 30_000 }).toBe(16_000);
		expect(await page.getByTestId('banner').getAttribute('data-state')).toBe('degraded');
		expect(await page.locator('#cluster-7').getAttribute('data-lifecycle')).toBe('stopped');
		await page.screenshot({ path: `${SCREENSHOTS}big-fleet-${scheme}.png` });

		await page.getByTestId('filter-unhealthy').check();
		await page.getByTestId('sort').selectOption('health');
		const first = await page.locator('[data-testid=cluster-card]').first().getAttribute('data-health');
		expect(first).toBe('down');
		await page.screenshot({ path: `${SCREENSHOTS}big-fleet-unhealthy-${scheme}.png` });
		await page.close();
	}
});

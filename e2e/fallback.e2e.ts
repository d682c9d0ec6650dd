import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort, serveDev, serveWorker, type Service } from '../scripts/stack.ts';
import { launchChromium, SCREENSHOTS } from '#testing/browser';

/*
 * No status server at all: the dev page falls back to labelled demo data; the production
 * worker says plainly that the server cannot be reached and never shows made-up clusters.
 */
let browser: Browser;
let nowhere: string;
const services: Service[] = [];

beforeAll(async () => {
	browser = await launchChromium();
	nowhere = `http://127.0.0.1:${await freePort()}`; // a port nothing listens on
});
afterAll(async () => {
	await browser?.close();
	for (const s of services) await s.stop();
});

describe('without a status server', () => {
	it('dev shows demo data with a visible badge', async () => {
		const dev = await serveDev(await freePort(), { PUBLIC_SHARDBEAT_URL: nowhere });
		services.push(dev);
		const page = await browser.newPage();
		await page.goto(dev.url + '/', { timeout: 60_000 });
		await page.getByTestId('demo-badge').waitFor({ timeout: 60_000 });
		expect(await page.getByTestId('demo-badge').textContent()).toBe('Demo data');
		expect(await page.locator('[data-testid=cluster-card]').count()).toBeGreaterThan(0);
		expect(await page.getByTestId('unreachable').count()).toBe(0);
		await page.screenshot({ path: `${SCREENSHOTS}dev-demo.png`, fullPage: true });
		await page.close();
	});

	it('production says the server cannot be reached, with no mock data', async () => {
		const worker = await serveWorker(await freePort(), { PUBLIC_SHARDBEAT_URL: nowhere });
		services.push(worker);
		const page = await browser.newPage();
		await page.goto(worker.url + '/');
		await page.getByTestId('unreachable').waitFor({ timeout: 30_000 });
		expect(await page.getByTestId('unreachable').textContent()).toContain('The status server cannot be reached');
		expect(await page.getByTestId('unreachable').textContent()).toContain('No status has been received yet');
		expect(await page.getByTestId('connection').getAttribute('data-connection')).toBe('offline');
		await page.waitForTimeout(1_500);
		expect(await page.getByTestId('demo-badge').count()).toBe(0);
		expect(await page.locator('[data-testid=cluster-card]').count()).toBe(0);
		expect(await page.getByTestId('banner').getAttribute('data-state')).toBe('unknown');
		await page.screenshot({ path: `${SCREENSHOTS}prod-unreachable.png`, fullPage: true });
		await page.close();
	});
});

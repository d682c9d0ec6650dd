import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { startFleetPage, type FleetPage, type FleetShape } from '#testing/page/fleet-page';

/*
 * Screenshots of the fleet overview at 1,000 × 16 and 3,125 × 16 (50,000 shards), light and dark,
 * at 1280 and 360 px, and in each locale at 360 px; with a few stopped, down, degraded, slow and
 * maintenance clusters so every look is on screen. Each one also checks what it shows.
 */
let browser: Browser;
beforeAll(async () => {
	browser = await launchChromium();
});
afterAll(async () => {
	await browser?.close();
});

const fleets: { name: string; shape: FleetShape; stopped: number[]; maintenance: number[] }[] = [
	{
		name: '1000x16',
		shape: { clusters: 1_000, shardsPerCluster: 16, degraded: [12, 40, 977], down: [300], slow: Array.from({ length: 40 }, (_, i) => 600 + i) },
		stopped: [7, 500],
		maintenance: [820]
	},
	{
		name: '50000',
		shape: { clusters: 3_125, shardsPerCluster: 16, degraded: [12, 40, 2977], down: [300], slow: Array.from({ length: 120 }, (_, i) => 1_600 + i) },
		stopped: [7, 1_500],
		maintenance: [820]
	}
];

describe.each(fleets)('fleet overview screenshots: $name', ({ name, shape, stopped, maintenance }) => {
	let fleet: FleetPage;
	beforeAll(async () => {
		fleet = await startFleetPage({ ...shape, degraded: [...(shape.degraded ?? []), ...maintenance] });
		await fleet.stop(stopped);
		await fleet.maintenance(maintenance);
	}, 120_000);
	afterAll(async () => {
		await fleet?.close();
	});

	const shots = [
		...(['light', 'dark'] as const).flatMap((scheme) => [1280, 360].map((width) => ({ locale: 'en', scheme, width }))),
		...(name === '1000x16' ? (['de', 'fr', 'es'] as const).flatMap((locale) => (['light', 'dark'] as const).map((scheme) => ({ locale, scheme, width: 360 }))) : [])
	];
	it.each(shots)('$locale, $scheme, $width px', async ({ locale, scheme, width }) => {
		const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme });
		try {
			await page.goto(`${fleet.pageUrl}/${locale === 'en' ? '' : `${locale}/`}`);
			const canvas = page.getByTestId('overview-canvas');
			await expect.poll(() => canvas.getAttribute('data-clusters'), { timeout: 60_000 }).toBe(String(shape.clusters));
			// The maintenance window arrives with the history.
			await expect.poll(() => page.locator('[data-testid=overview-summary] li[data-frame=maintenance]').getAttribute('data-count'), { timeout: 30_000 }).toBe('1');
			expect(await page.locator('[data-testid=overview-summary] li[data-frame=stopped]').getAttribute('data-count')).toBe('2');
			const box = await page.getByTestId('overview').boundingBox();
			expect(box!.width).toBeLessThanOrEqual(width);
			await page.screenshot({ path: `${SCREENSHOTS}overview-${name}-${locale}-${scheme}-${width}.png` });
			if (locale === 'en' && width === 1280) {
				// The overview alone at twice the pixels, to see its frames and stripes up close.
				const sharp = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme, deviceScaleFactor: 2 });
				try {
					await sharp.goto(`${fleet.pageUrl}/`);
					await sharp.waitForFunction(() => document.querySelector('[data-testid=overview-summary] li[data-frame=maintenance]') !== null, undefined, { timeout: 60_000 });
					await sharp.getByTestId('overview').screenshot({ path: `${SCREENSHOTS}overview-${name}-closeup-${scheme}.png` });
				} finally {
					await sharp.close();
				}
			}
			if (locale === 'en') {
				await page.getByTestId('overview-colour-latency').check({ force: true });
				await page.screenshot({ path: `${SCREENSHOTS}overview-${name}-latency-${scheme}-${width}.png` });
			}
		} finally {
			await page.close();
		}
	});
});

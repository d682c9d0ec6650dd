import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '#testing/browser';
import { shapedHeartbeat, startFleetPage, type FleetPage, type FleetShape } from '#testing/page/fleet-page';

/*
 * The fleet overview in Chromium against a real server and the built page: a 60 × 16 fleet, big
 * enough cells to point at single shards, with cluster 5 stopped, 9 degraded, 14 slow and 20 in
 * maintenance. Run `npx vite build` first.
 */
const SHAPE: FleetShape = { clusters: 60, shardsPerCluster: 16, degraded: [9, 20], slow: [14] };
let fleet: FleetPage;
let browser: Browser;
let page: Page;

beforeAll(async () => {
	fleet = await startFleetPage(SHAPE);
	await fleet.stop([5]);
	await fleet.maintenance([20]);
	browser = await launchChromium();
}, 120_000);
afterAll(async () => {
	await browser?.close();
	await fleet?.close();
});

async function open(options: { width?: number; scheme?: 'light' | 'dark'; bypassCSP?: boolean } = {}): Promise<Page> {
	const p = await browser.newPage({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.scheme ?? 'light', bypassCSP: options.bypassCSP ?? false });
	await p.goto(fleet.pageUrl + '/');
	// Every cluster, and the maintenance window, which comes with the history a moment after the fleet.
	await p.waitForFunction(
		() => document.querySelector('[data-testid=overview-canvas]')?.getAttribute('data-clusters') === '60' && document.querySelector('[data-testid=overview-summary] li[data-frame=maintenance]') !== null,
		undefined,
		{ timeout: 60_000 }
	);
	return p;
}

/** The cursor's box, which frames cluster `id` once the cursor is on it (a summary link puts it there). */
async function cursorOn(p: Page, id: number) {
	const box = await p.getByTestId('overview-cursor').boundingBox();
	expect(await p.getByTestId('overview-cursor').getAttribute('data-cluster')).toBe(String(id));
	return box!;
}

/** Mean colour of the canvas over a page-space box (the cells of one block), as [r, g, b]. */
function meanColour(p: Page, box: { x: number; y: number; width: number; height: number }): Promise<number[]> {
	return p.evaluate((b) => {
		const canvas = document.querySelector<HTMLCanvasElement>('[data-testid=overview-canvas]')!;
		const r = canvas.getBoundingClientRect();
		const k = canvas.width / r.width;
		// Inside the frame: a few px in from the cursor's box.
		const data = canvas.getContext('2d')!.getImageData(Math.round((b.x - r.left + 5) * k), Math.round((b.y - r.top + 5) * k), Math.round((b.width - 10) * k), Math.round((b.height - 10) * k)).data;
		const sum: [number, number, number] = [0, 0, 0];
		let n = 0;
		for (let i = 0; i < data.length; i += 4) {
			if (data[i + 3] === 0) continue;
			sum[0] += data[i]!;
			sum[1] += data[i + 1]!;
			sum[2] += data[i + 2]!;
			n++;
		}
		return sum.map((s) => Math.round(s / Math.max(1, n)));
	}, box);
}
const distance = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

/** Puts the cursor on cluster `id` through the keyboard: Home, then right arrows. */
async function moveTo(p: Page, id: number) {
	await p.getByTestId('overview-cursor').focus();
	await p.keyboard.press('Home');
	for (let i = 0; i < id; i++) await p.keyboard.press('ArrowRight');
}

describe('fleet overview in Chromium', () => {
	beforeAll(async () => {
		page = await open();
	}, 90_000);
	afterAll(async () => page?.close());

	it('summarises the problems in words, with a link to each problem cluster', async () => {
		const summary = page.getByTestId('overview-summary');
		expect(await summary.locator('li[data-frame=healthy]').textContent()).toContain('57 clusters healthy');
		expect((await summary.locator('li[data-frame=stopped]').textContent())!.replace(/\s+/g, ' ')).toContain('1 cluster stopped: 5');
		expect((await summary.locator('li[data-frame=degraded]').textContent())!.replace(/\s+/g, ' ')).toContain('1 cluster degraded: 9');
		expect(await summary.locator('li[data-frame=maintenance] a').getAttribute('href')).toBe('#cluster-20');
	});

	it('costs the keyboard one tab stop for the whole canvas: the toggle, each problem link, the cursor, and out', async () => {
		await page.getByTestId('overview-colour-health').focus();
		const stops: string[] = [];
		for (let i = 0; i < 20; i++) {
			await page.keyboard.press('Tab');
			const inside = await page.evaluate(() => document.activeElement?.closest('[data-testid=overview]') !== null);
			if (!inside) break;
			stops.push(await page.evaluate(() => `${document.activeElement?.getAttribute('data-testid')}:${document.activeElement?.getAttribute('data-cluster') ?? ''}`));
		}
		expect(stops).toEqual(['overview-problem:5', 'overview-problem:9', 'overview-problem:20', 'overview-cursor:' + (await page.getByTestId('overview-cursor').getAttribute('data-cluster'))]);
	});

	it('arrow keys move across clusters and the focused cluster gets the tiles’ tooltip', async () => {
		await moveTo(page, 0);
		const cursor = page.getByTestId('overview-cursor');
		expect(await cursor.getAttribute('data-cluster')).toBe('0');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('ArrowRight');
		expect(await cursor.getAttribute('data-cluster')).toBe('2');
		const perRow = Number(await page.getByTestId('overview-canvas').getAttribute('data-per-row'));
		await page.keyboard.press('ArrowDown');
		expect(await cursor.getAttribute('data-cluster')).toBe(String(2 + perRow));
		await page.keyboard.press('ArrowUp');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('ArrowRight');
		await page.keyboard.press('ArrowRight');
		expect(await cursor.getAttribute('data-cluster')).toBe('5');
		expect(await cursor.getAttribute('aria-label')).toBe('Cluster 5: Stopped, 0/16 shards ready');
		const tooltip = page.getByTestId('shard-tooltip');
		await tooltip.waitFor();
		expect((await tooltip.textContent())!.replace(/\s+/g, ' ')).toContain('Cluster 5');
		expect(await tooltip.textContent()).toContain('Stopped');
	});

	it('hovering a shard cell gives that shard’s tooltip, as on the tiles', async () => {
		await page.getByTestId('overview-colour-health').focus(); // the cursor's tooltip closes
		await moveTo(page, 9);
		const box = await cursorOn(page, 9);
		await page.getByTestId('overview-colour-health').focus();
		// Cluster 9 runs shards 144–159, 4 to a row; the second cell of the first row is shard 145 (resuming).
		const cell = Number(await page.getByTestId('overview-canvas').getAttribute('data-cell'));
		await page.mouse.move(box.x + 3 + cell * 1.5 + 1, box.y + 3 + cell / 2);
		const tooltip = page.getByTestId('shard-tooltip');
		await expect.poll(async () => (await tooltip.textContent())?.replace(/\s+/g, ' ') ?? '').toContain('Shard 145 · Cluster 9');
		expect(await tooltip.textContent()).toContain('Resuming');
		await page.mouse.move(0, 0);
	});

	it('Enter scrolls to the cluster’s card and highlights it', async () => {
		await moveTo(page, 40);
		await page.keyboard.press('Enter');
		const card = page.locator('#cluster-40');
		await expect.poll(() => card.getAttribute('data-highlighted')).toBe('true');
		await expect.poll(() => card.evaluate((el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().top < innerHeight)).toBe(true);
		expect(await page.evaluate(() => document.activeElement?.id)).toBe('cluster-40');
	});

	it('a click on a block, and a summary link, open their cluster the same way', async () => {
		await page.evaluate(() => scrollTo(0, 0));
		await page.locator('[data-testid=overview-problem][data-cluster="9"]').click();
		await expect.poll(() => page.locator('#cluster-9').getAttribute('data-highlighted')).toBe('true');
		await page.evaluate(() => scrollTo(0, 0));
		const canvas = await page.getByTestId('overview-canvas').boundingBox();
		await page.mouse.click(canvas!.x + 4, canvas!.y + 4); // cluster 0's first cell
		await expect.poll(() => page.locator('#cluster-0').getAttribute('data-highlighted')).toBe('true');
	});

	it('draws a stopped cluster and one in maintenance unlike a healthy one, and unlike each other', async () => {
		await page.evaluate(() => scrollTo(0, 0));
		const looks: Record<string, number[]> = {};
		for (const [name, id] of [['healthy', 1], ['stopped', 5], ['maintenance', 20]] as const) {
			await moveTo(page, id);
			expect(await page.getByTestId('overview-cursor').getAttribute('data-frame')).toBe(name);
			looks[name] = await meanColour(page, await cursorOn(page, id));
		}
		expect(distance(looks.healthy!, looks.stopped!)).toBeGreaterThan(40);
		expect(distance(looks.healthy!, looks.maintenance!)).toBeGreaterThan(40);
		expect(distance(looks.stopped!, looks.maintenance!)).toBeGreaterThan(40);
	});

	it('the latency toggle recolours the overview and the tiles by ping band; stopped keeps its look', async () => {
		await moveTo(page, 14);
		const slowBox = await cursorOn(page, 14);
		const healthSlow = await meanColour(page, slowBox);
		await moveTo(page, 5);
		const stoppedBox = await cursorOn(page, 5);
		const healthStopped = await meanColour(page, stoppedBox);
		await moveTo(page, 1);
		const fastBox = await cursorOn(page, 1);

		await page.getByTestId('overview-colour-latency').check({ force: true });
		expect(await page.getByTestId('overview-canvas').getAttribute('data-colour-by')).toBe('latency');
		expect(await page.locator('#clusters [data-colour-by]').getAttribute('data-colour-by')).toBe('latency');
		const latencySlow = await meanColour(page, slowBox);
		const latencyFast = await meanColour(page, fastBox);
		expect(distance(healthSlow, latencySlow)).toBeGreaterThan(40);
		expect(distance(latencySlow, latencyFast)).toBeGreaterThan(40);
		expect(distance(healthStopped, await meanColour(page, stoppedBox))).toBeLessThan(3);
		// Cluster 14's tiles are slow and coloured so; cluster 1's are fast.
		const tileColour = (shard: number) => page.locator(`.tile[data-shard="${shard}"]`).evaluate((el) => getComputedStyle(el).backgroundColor);
		expect(await page.locator('.tile[data-shard="224"]').getAttribute('data-band')).toBe('slow');
		expect(await page.locator('.tile[data-shard="16"]').getAttribute('data-band')).toBe('fast');
		const slowTile = await tileColour(224);
		const fastTile = await tileColour(16);
		expect(slowTile).not.toBe(fastTile);
		await page.getByTestId('overview-colour-health').check({ force: true });
		expect(await tileColour(224)).toBe(await tileColour(16));
	});

	it('a delta shows in the overview: a cluster going degraded gets its frame and its line', async () => {
		await fleet.server.fleet.apply(shapedHeartbeat({ ...SHAPE, degraded: [33] }, 33, 1), null, Date.now());
		await fleet.server.flush();
		await expect.poll(() => page.locator('[data-testid=overview-problem][data-cluster="33"]').count(), { timeout: 10_000 }).toBe(1);
		await moveTo(page, 33);
		expect(await page.getByTestId('overview-cursor').getAttribute('data-frame')).toBe('degraded');
	});
});

describe('fleet overview on a phone', () => {
	it('a tap shows the cluster’s tooltip, a second tap on it opens its card', async () => {
		const p = await browser.newPage({ viewport: { width: 360, height: 800 }, hasTouch: true, isMobile: true });
		try {
			await p.goto(fleet.pageUrl + '/');
			await p.waitForFunction(() => document.querySelector('[data-testid=overview-canvas]')?.getAttribute('data-clusters') === '60', undefined, { timeout: 60_000 });
			const canvas = (await p.getByTestId('overview-canvas').boundingBox())!;
			const cell = Number(await p.getByTestId('overview-canvas').getAttribute('data-cell'));
			// Cluster 1: the second block of the first row.
			const perRow = Number(await p.getByTestId('overview-canvas').getAttribute('data-per-row'));
			expect(perRow).toBeGreaterThan(1);
			const pitch = canvas.width / perRow;
			const at = { x: canvas.x + pitch * 1.5, y: canvas.y + cell * 2 };
			await p.touchscreen.tap(at.x, at.y);
			const tooltip = p.getByTestId('shard-tooltip');
			await expect.poll(async () => (await tooltip.textContent())?.replace(/\s+/g, ' ') ?? '').toContain('Cluster 1');
			expect(await p.locator('#cluster-1').getAttribute('data-highlighted')).not.toBe('true');
			await p.touchscreen.tap(at.x, at.y);
			await expect.poll(() => p.locator('#cluster-1').getAttribute('data-highlighted')).toBe('true');
		} finally {
			await p.close();
		}
	});
});

describe('accessibility (axe-core)', () => {
	const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
	it.each([
		{ width: 1280, scheme: 'light' },
		{ width: 360, scheme: 'dark' }
	] as const)('no serious or critical violations at $width px, $scheme, with the overview in both views', async ({ width, scheme }) => {
		// axe is injected as a script, which the page's Content Security Policy rightly refuses.
		const p = await open({ width, scheme, bypassCSP: true });
		try {
			await p.addScriptTag({ content: await axeSource });
			const run = () =>
				p.evaluate(async () => {
					const result = await (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document, { resultTypes: ['violations'] });
					return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
				});
			expect(await run()).toEqual([]);
			await p.getByTestId('overview-colour-latency').check({ force: true });
			expect(await run()).toEqual([]);
		} finally {
			await p.close();
		}
	}, 120_000);
});

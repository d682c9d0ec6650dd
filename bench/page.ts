import type { Page } from 'playwright-core';
import { createShardbeatServer } from '../server/app.ts';
import { createLogger } from '../server/log.ts';
import { buildPage, freePort, serveWorker } from '../scripts/stack.ts';
import { launchChromium } from '#testing/browser';
import { testServerConfig } from '#testing/server/config';
import { BENCH_BOT_SECRET, BENCH_TOKEN_SECRET, benchHeartbeat } from './fleet-shape.ts';
import { percentile } from './wire-client.ts';

export interface PageFigures {
	shards: number;
	/** Full snapshot arriving → 1,000s of tiles painted, ms. */
	firstRenderMs: number;
	/** Full snapshot arriving → every card in the DOM and painted (cards after the first screen come a chunk per frame), ms. */
	completeMs: number;
	/** Full snapshot arriving → the first screen's DOM built (before layout and paint), ms. */
	firstApplyMs: number;
	/** One pushed delta (one shard changes) arriving → DOM updated, ms: median and worst of the runs. */
	deltaMedianMs: number;
	deltaWorstMs: number;
	/** …and → the next frame painted (includes waiting for that frame). */
	deltaPaintedMs: number;
	/** The fleet overview (a canvas): full snapshot arriving → every shard drawn on it, and → that frame painted, ms. */
	overviewDrawnMs: number;
	overviewPaintedMs: number;
	/** One pushed delta arriving → its cluster redrawn on the overview, ms: median and worst. */
	overviewDeltaMedianMs: number;
	overviewDeltaWorstMs: number;
	/** Of those, the canvas drawing alone (the rest is decoding the update and what the page does before): first, and median per delta. */
	overviewFirstDrawMs: number;
	overviewDeltaDrawMs: number;
	/** Elements the overview costs (its section, summary, legend and cursor; the canvas is one). */
	overviewElements: number;
	/** The alternative, measured in the same page: one element per cluster (cluster colour only, no shards) built → painted, ms, and its elements. */
	perClusterElementsMs: number;
	perClusterElements: number;
}

/** The overview's User Timing measure for the update that arrived at `start`. */
async function overviewMeasure(page: Page, start: number): Promise<{ total: number; draw: number }> {
	const handle = await page.waitForFunction(
		(at) => {
			const total = performance.getEntriesByName('shardbeat:overview').find((e) => e.startTime === at)?.duration;
			const draw = performance.getEntriesByName('shardbeat:overview-draw').at(-1)?.duration;
			return total === undefined || draw === undefined ? null : { total, draw };
		},
		start,
		{ timeout: 30_000, polling: 20 }
	);
	return (await handle.jsonValue()) as { total: number; draw: number };
}

/**
 * The design the overview did not take, timed in the same page: one absolutely positioned element
 * per cluster, coloured by the cluster's health, built and painted (rAF, then a task).
 */
function perClusterElements(page: Page, clusters: number): Promise<{ ms: number; elements: number }> {
	return page.evaluate(
		(n) =>
			new Promise<{ ms: number; elements: number }>((resolve) => {
				const start = performance.now();
				const box = document.createElement('div');
				box.style.cssText = 'position:relative;width:1232px';
				const colours = ['#15803d', '#b45309', '#dc2626'];
				for (let i = 0; i < n; i++) {
					const cell = document.createElement('div');
					cell.dataset.cluster = String(i);
					cell.style.cssText = `position:absolute;left:${(i % 51) * 24}px;top:${Math.floor(i / 51) * 24}px;width:19px;height:19px;background:${colours[i % 97 === 0 ? 1 : 0]}`;
					box.append(cell);
				}
				document.querySelector('main')!.prepend(box);
				requestAnimationFrame(() =>
					setTimeout(() => {
						const ms = performance.now() - start;
						box.remove();
						resolve({ ms, elements: n });
					})
				);
			}),
		clusters
	);
}

/** The page's own User Timing measures, once a render newer than `after` has been measured. */
async function nextRender(page: Page, after: number, timeoutMs: number): Promise<{ start: number; duration: number; apply: number }> {
	const handle = await page.waitForFunction(
		(prev) => {
			const render = performance.getEntriesByName('shardbeat:render').at(-1);
			const apply = performance.getEntriesByName('shardbeat:apply').at(-1);
			return render && apply && render.startTime > prev && apply.startTime === render.startTime
				? { start: render.startTime, duration: render.duration, apply: apply.duration }
				: null;
		},
		after,
		{ timeout: timeoutMs, polling: 50 }
	);
	return (await handle.jsonValue()) as { start: number; duration: number; apply: number };
}

/**
 * The built page under wrangler in Debian's Chromium, against a real server holding 16,000 and
 * then 50,000 shards: how long from the data arriving to the grid painted, and per delta.
 */
export async function benchPage(fleets: { clusters: number; shardsPerCluster: number }[], options: { build: boolean; deltas: number }): Promise<PageFigures[]> {
	if (options.build) await buildPage();
	const pagePort = await freePort();
	const server = createShardbeatServer(
		testServerConfig({ botSecret: BENCH_BOT_SECRET, tokenSecret: BENCH_TOKEN_SECRET, allowedOrigins: [`http://127.0.0.1:${pagePort}`] }),
		{ logger: createLogger('error') }
	);
	const serverUrl = await server.listen(0, '127.0.0.1');
	const worker = await serveWorker(pagePort, { PUBLIC_SHARDBEAT_URL: serverUrl });
	const browser = await launchChromium();
	const figures: PageFigures[] = [];
	try {
		for (const { clusters, shardsPerCluster } of fleets) {
			const total = clusters * shardsPerCluster;
			const now = Date.now();
			for (let c = 0; c < clusters; c++) server.fleet.apply(benchHeartbeat(c, shardsPerCluster, total), null, now);
			await server.flush();

			const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
			// These figures are the cards' (every tile drawn); the compact list's DOM size is page-dom.ts's.
			await page.addInitScript(() => localStorage.setItem('shardbeat:cluster-view', 'cards'));
			await page.goto(worker.url + '/');
			const first = await nextRender(page, -1, 180_000);
			const complete = (await (
				await page.waitForFunction(() => performance.getEntriesByName('shardbeat:complete').at(-1)?.duration, undefined, { timeout: 180_000, polling: 50 })
			).jsonValue()) as number;
			const tiles = await page.locator('.shard-grid .tile').count();
			if (tiles !== total) throw new Error(`page drew ${tiles} tiles, expected ${total}`);

			const overviewFirst = await overviewMeasure(page, first.start);
			const overviewPaintedMs = (await (
				await page.waitForFunction(() => performance.getEntriesByName('shardbeat:overview-painted').at(-1)?.duration, undefined, { timeout: 30_000, polling: 20 })
			).jsonValue()) as number;
			const overviewElements = await page.evaluate(() => document.querySelectorAll('[data-testid=overview], [data-testid=overview] *').length);

			const deltas: number[] = [];
			const painted: number[] = [];
			const overviewDeltas: number[] = [];
			const overviewDeltaDraws: number[] = [];
			let last = first.start;
			for (let i = 1; i <= options.deltas; i++) {
				// One shard of one cluster changes, as a gateway ping drift would.
				server.fleet.apply(benchHeartbeat((i * 97) % clusters, shardsPerCluster, total, i), null, Date.now());
				await server.flush();
				const render = await nextRender(page, last, 30_000);
				deltas.push(render.apply);
				painted.push(render.duration);
				const overview = await overviewMeasure(page, render.start);
				overviewDeltas.push(overview.total);
				overviewDeltaDraws.push(overview.draw);
				last = render.start;
			}
			figures.push({
				shards: total,
				firstRenderMs: first.duration,
				firstApplyMs: first.apply,
				completeMs: complete,
				deltaMedianMs: percentile([...deltas], 50),
				deltaWorstMs: Math.max(...deltas),
				deltaPaintedMs: percentile([...painted], 50),
				overviewDrawnMs: overviewFirst.total,
				overviewPaintedMs,
				overviewFirstDrawMs: overviewFirst.draw,
				overviewDeltaDrawMs: percentile([...overviewDeltaDraws], 50),
				overviewDeltaMedianMs: percentile([...overviewDeltas], 50),
				overviewDeltaWorstMs: Math.max(...overviewDeltas),
				overviewElements,
				...(await perClusterElements(page, clusters).then((r) => ({ perClusterElementsMs: r.ms, perClusterElements: r.elements })))
			});
			await page.close();
		}
	} finally {
		await browser.close();
		await worker.stop();
		await server.close();
	}
	return figures;
}

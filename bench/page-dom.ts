import type { Browser, Page } from 'playwright-core';
import { createShardbeatServer } from '../server/app.ts';
import { createLogger } from '../server/log.ts';
import { buildPage, freePort, serveWorker } from '../scripts/stack.ts';
import { launchChromium } from '#testing/browser';
import { testServerConfig } from '#testing/server/config';
import { BENCH_BOT_SECRET, BENCH_TOKEN_SECRET, benchHeartbeat } from './fleet-shape.ts';

/** The page's DOM size in one view: what the browser holds, whatever is on screen. */
export interface DomFigures {
	view: 'compact' | 'compact, one row open' | 'compact, scrolled to the middle' | 'cards (all drawn)';
	/** Elements in the whole document (`document.getElementsByTagName('*')`). */
	elements: number;
	/** Compact rows or cluster cards in the DOM. */
	clusters: number;
	/** Shard tiles in the DOM. */
	tiles: number;
}

export interface PageDomFigures {
	shards: number;
	clusterCount: number;
	views: DomFigures[];
}

async function count(page: Page, view: DomFigures['view']): Promise<DomFigures> {
	return {
		view,
		...(await page.evaluate(() => ({
			elements: document.getElementsByTagName('*').length,
			clusters: document.querySelectorAll('[data-testid=compact-row], [data-testid=clusters] [data-testid=cluster-card]').length,
			tiles: document.querySelectorAll('.tile[data-shard]').length
		})))
	};
}

async function open(browser: Browser, url: string, view: 'cards' | 'compact'): Promise<Page> {
	const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
	await page.addInitScript((v) => localStorage.setItem('shardbeat:cluster-view', v), view);
	await page.goto(url);
	return page;
}

/**
 * The DOM size of the whole status page (built worker under wrangler, Debian Chromium) with a
 * `clusters` × `shardsPerCluster` fleet: in the compact list (windowed: only rows near the
 * viewport exist), with a row open, scrolled halfway down, and the cards view for comparison.
 */
export async function benchPageDom(clusters: number, shardsPerCluster: number, options: { build: boolean }): Promise<PageDomFigures> {
	if (options.build) await buildPage();
	const pagePort = await freePort();
	const server = createShardbeatServer(
		testServerConfig({ botSecret: BENCH_BOT_SECRET, tokenSecret: BENCH_TOKEN_SECRET, allowedOrigins: [`http://127.0.0.1:${pagePort}`] }),
		{ logger: createLogger('error') }
	);
	const serverUrl = await server.listen(0, '127.0.0.1');
	const worker = await serveWorker(pagePort, { PUBLIC_SHARDBEAT_URL: serverUrl });
	const browser = await launchChromium();
	const total = clusters * shardsPerCluster;
	const views: DomFigures[] = [];
	try {
		const now = Date.now();
		for (let c = 0; c < clusters; c++) server.fleet.apply(benchHeartbeat(c, shardsPerCluster, total), null, now);
		await server.flush();

		const compact = await open(browser, worker.url + '/', 'compact');
		await compact.locator('[data-testid=compact-row]').first().waitFor({ timeout: 120_000 });
		views.push(await count(compact, 'compact'));
		await compact.locator('[data-row-button]').nth(3).click();
		await compact.locator('[data-testid=compact-expanded] .tile').first().waitFor();
		views.push(await count(compact, 'compact, one row open'));
		await compact.evaluate(() => scrollTo(0, document.documentElement.scrollHeight / 2));
		await compact.waitForFunction(() => Number(document.querySelector('[data-testid=compact-row]')?.getAttribute('aria-rowindex')) > 100);
		views.push(await count(compact, 'compact, scrolled to the middle'));
		await compact.close();

		const cards = await open(browser, worker.url + '/', 'cards');
		await cards.waitForFunction((n) => document.querySelectorAll('.tile[data-shard]').length === n, total, { timeout: 180_000, polling: 100 });
		views.push(await count(cards, 'cards (all drawn)'));
		await cards.close();
	} finally {
		await browser.close();
		await worker.stop();
		await server.close();
	}
	return { shards: total, clusterCount: clusters, views };
}

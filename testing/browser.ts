import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PageView } from './server/views.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = new URL('../screenshots/', import.meta.url).pathname;

/** Debian's Chromium, headless, with the flags this sandboxed, offline machine needs. */
export async function launchChromium(): Promise<Browser> {
	if (!existsSync(CHROMIUM)) {
		throw new Error(`No Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH.`);
	}
	mkdirSync(SCREENSHOTS, { recursive: true });
	return chromium.launch({
		executablePath: CHROMIUM,
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync']
	});
}

/**
 * What the status page in `page` shows now, read in one step in the page (so from one rendered
 * state): compare it with the server's views with `contradictions` (testing/server/views.ts).
 */
export function readStatusPage(page: Page): Promise<PageView> {
	return page.evaluate(() => {
		const one = (testId: string) => document.querySelector<HTMLElement>(`[data-testid=${testId}]`);
		const banner = one('banner');
		const words = (el: Element | null) => el?.textContent?.replace(/\s+/g, ' ').trim() ?? null;
		return {
			locale: document.documentElement.lang,
			connection: one('connection')?.dataset.connection ?? 'none',
			state: banner?.dataset.maintenance === 'true' ? 'maintenance' : (banner?.dataset.state ?? 'none'),
			shardsUp: words(one('shards-up')),
			incidents: [...document.querySelectorAll<HTMLElement>('[data-testid=notice-incident]')].map((n) => Number(n.dataset.incident)),
			clusters: [...document.querySelectorAll<HTMLElement>('[data-testid=cluster-card]')].map(
				(c) => `${c.dataset.cluster}:${c.dataset.awaiting === 'true' ? 'awaiting' : c.dataset.lifecycle === 'stopped' ? 'stopped' : 'live'}`
			)
		};
	});
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FleetHistory, Incident } from '#shared';
import { incidentTitle, updateText } from '#shared/i18n/incident-text';
import type { Locale } from '#i18n/runtime';
import { startTestStack, type Stack } from '#testing/stack';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { messages } from '#testing/messages';
import { parseXml } from '#testing/xml';

/*
 * An automatic incident's timeline on the real product, in each language: the server derives it
 * from recorded transitions (written here as the recorder would have, half an hour ago: shards
 * failing in two clusters, recovering in steps), stores it as facts, and the page, the feeds and
 * the API word it alike. Screenshots of the timeline in en, de, fr and es, light and dark, at
 * 360 px and on a desktop, go to screenshots/incident-timeline-*.png.
 */
const TZ = 'Europe/Berlin';
const LOCALES: Locale[] = ['en', 'de', 'fr', 'es'];
let stack: Stack;
let browser: Browser;
let incident: Incident;

beforeAll(async () => {
	stack = await startTestStack({
		fleet: { clusters: 3, shardsPerCluster: 4, intervalMs: 1_000, reconnectChance: 0, deathChance: 0 },
		config: { heartbeatIntervalMs: 1_000 }
	});
	const { history } = stack.server;
	await history.whenReady();
	// On a minute, 40 minutes ago: seconds from here on.
	const base = Math.floor(Date.now() / 60_000) * 60_000 - 40 * 60_000;
	const row = (second: number, shard: number, state: string) => ({ at: base + second * 1_000, cluster_id: Math.floor(shard / 4), shard_id: shard, state });
	await history.db
		.insertInto('shard_transitions')
		.values([
			...Array.from({ length: 12 }, (_, shard) => row(0, shard, 'ready')),
			row(10, 4, 'disconnected'),
			row(10, 5, 'disconnected'),
			row(70, 8, 'disconnected'),
			row(72, 9, 'disconnected'),
			row(75, 10, 'disconnected'),
			row(200, 4, 'ready'),
			row(200, 5, 'ready'),
			row(320, 8, 'ready'),
			row(600, 9, 'ready'),
			row(600, 10, 'ready')
		])
		.execute();
	await history.monitor.check();
	history.service.invalidate();
	const fleet = (await (await fetch(`${stack.serverUrl}/api/v1/history?tz=${TZ}`)).json()) as FleetHistory;
	incident = fleet.incidents.find((i) => i.source === 'auto')!;
	browser = await launchChromium();
});

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
});

describe('an automatic incident’s timeline', () => {
	it('is stored as facts: opened, worsened, improved twice, resolved, one update per minute at most', () => {
		expect(incident).toMatchObject({ status: 'resolved', titleFacts: { shardCount: 5, clusterIds: [1, 2] }, clusterIds: [1, 2], shardIds: [4, 5, 8, 9, 10] });
		expect(incident.updates.map((u) => [u.kind, u.shardsDown, u.clusterIdsDown])).toEqual([
			['opened', [4, 5], [1]],
			['worsened', [4, 5, 8, 9, 10], [1, 2]],
			['improved', [8, 9, 10], [2]],
			['improved', [9, 10], [2]],
			['resolved', [], []]
		]);
	});

	it.each(LOCALES)('reads the same in %s on the page and in the feed, and is screenshotted', async (locale) => {
		const path = locale === 'en' ? '/incidents/' : `/${locale}/incidents/`;
		const title = incidentTitle(incident, locale);
		const updates = [...incident.updates].reverse().map((u) => updateText(u, locale));

		// The feed in this language says what the page says.
		const rss = parseXml(await (await fetch(`${stack.serverUrl}/feeds/incidents.rss?lang=${locale}`)).text());
		const item = [...rss.getElementsByTagName('item')].find((i) => i.getElementsByTagName('link')[0]!.textContent!.endsWith(`#incident-${incident.id}`))!;
		expect(item.getElementsByTagName('title')[0]!.textContent).toBe(`[${messages(locale).incident_status_resolved}] ${title}`);
		for (const text of updates) expect(item.getElementsByTagName('description')[0]!.textContent).toContain(text.replace(/&/g, '&amp;'));

		for (const width of [360, 1280]) {
			for (const scheme of ['light', 'dark'] as const) {
				const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme: scheme, timezoneId: TZ });
				await page.goto(`${stack.page.url}${path}`);
				const entry = page.locator(`#incident-${incident.id}`);
				await entry.waitFor({ timeout: 30_000 });
				expect((await entry.locator('h3').textContent())!.trim()).toBe(title);
				const shown = (await entry.locator('[data-testid=incident-updates] > li p').allTextContents()).map((t) => t.replace(/[ \t\n]+/g, ' ').trim());
				expect(shown.map((t) => t.slice(t.indexOf(' – ') + 3))).toEqual(updates);
				expect(shown[0]!.startsWith(`${messages(locale).incident_status_resolved} – `)).toBe(true);
				// The entry never spills out of a phone's width.
				expect(await entry.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
				await entry.screenshot({ path: `${SCREENSHOTS}incident-timeline-${locale}-${scheme}-${width}.png` });
				await page.close();
			}
		}
	});
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { lastLocalDays, localDay, type ClusterHistory, type Incident, type MaintenanceWindow } from '#shared';
import { DEV_OPERATOR_SECRET } from '../server/config.ts';
import { startTestStack, type Stack } from '#testing/stack';
import { formatDay, formatDayHeading } from '../src/lib/format/format.ts';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { fill, messages } from '#testing/messages';

/*
 * Uptime history and incidents on the real product: server with its history database, a
 * simulated 3 × 4 fleet, and the built worker under wrangler, in Debian's Chromium. The browser
 * lives in Berlin, so the page asks for Berlin days and the server cuts them there.
 */
const TZ = 'Europe/Berlin';
let stack: Stack;
let browser: Browser;
let incident: Incident;

async function operator<T>(path: string, body: unknown): Promise<T> {
	const res = await fetch(stack.serverUrl + path, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${DEV_OPERATOR_SECRET}` },
		body: JSON.stringify(body)
	});
	if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
	return (await res.json()) as T;
}

beforeAll(async () => {
	stack = await startTestStack({
		fleet: { clusters: 3, shardsPerCluster: 4, intervalMs: 1_000, reconnectChance: 0, deathChance: 0 },
		config: { heartbeatIntervalMs: 1_000, operatorSecret: DEV_OPERATOR_SECRET }
	});
	// The history database opens beside the live server; wait until it answers.
	for (let tries = 0; (await fetch(`${stack.serverUrl}/api/v1/history?tz=${TZ}`)).status !== 200; tries++) {
		if (tries > 120) throw new Error('GET /api/v1/history never answered 200');
		await new Promise((r) => setTimeout(r, 250));
	}
	incident = await operator<Incident>('/api/v1/operator/incidents', {
		title: 'Slow replies on cluster 1',
		status: 'investigating',
		message: 'Commands on cluster 1 answer slowly; we are looking into it.',
		impact: 'minor',
		clusterIds: [1]
	});
	incident = await operator<Incident>(`/api/v1/operator/incidents/${incident.id}/updates`, {
		status: 'identified',
		message: 'A slow database query; a fix is rolling out.'
	});
	browser = await launchChromium();
});

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
});

async function open(path: string, options: { colorScheme?: 'light' | 'dark'; ready?: string } = {}): Promise<Page> {
	const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: options.colorScheme ?? 'light', timezoneId: TZ });
	await page.goto(stack.page.url + path);
	await page.locator(options.ready ?? '[data-testid=banner][data-state=operational]').first().waitFor({ timeout: 30_000 });
	return page;
}

const today = () => localDay(Date.now(), TZ);
const yesterday = () => lastLocalDays(Date.now(), 2, TZ)[0]!.day;

describe('status page', () => {
	it('draws the 90-day strip, with one tooltip on hover and on keyboard focus', async () => {
		const page = await open('/');
		const strip = page.locator('[data-testid=history] [data-testid=uptime-bars]');
		const bars = strip.locator('.uptime-bar');
		await expect.poll(() => bars.count(), { timeout: 20_000 }).toBe(90);
		expect(await bars.last().getAttribute('data-day')).toBe(today());
		expect(await bars.first().getAttribute('data-day')).toBe(lastLocalDays(Date.now(), 90, TZ)[0]!.day);
		// A fleet that just started: today is tracked, the days before are not.
		expect(await bars.last().getAttribute('data-level')).toMatch(/^(up|minor|partial|major)$/);
		expect(await bars.nth(88).getAttribute('data-level')).toBe('none');
		expect(await strip.locator('ol').getAttribute('aria-label')).toMatch(/^Shardbeat, last 90 days: .+ uptime, downtime on \d+ days$/);
		expect(await page.locator('[data-testid=history] [data-testid=uptime-figures] [data-period]').count()).toBe(4);

		// Hover: today's date, its downtime and the incident posted today.
		await bars.last().hover();
		const tooltip = page.getByTestId('bar-tooltip');
		await tooltip.waitFor();
		const hovered = (await tooltip.textContent())!;
		expect(hovered).toContain(formatDay(today(), 'en'));
		expect(hovered).toMatch(/No downtime recorded|\d+ (min|hr) down/);
		expect(hovered).toContain('Incidents that day');
		expect(hovered).toContain('Slow replies on cluster 1');
		await page.screenshot({ path: `${SCREENSHOTS}history-tooltip.png`, clip: { x: 0, y: 0, width: 1280, height: 900 } });

		await page.mouse.move(0, 0);
		await expect.poll(() => tooltip.count()).toBe(0);

		// Keyboard: the strip is one tab stop (today); arrow keys walk the days.
		await bars.last().focus();
		await tooltip.waitFor();
		await page.keyboard.press('ArrowLeft');
		await expect.poll(() => tooltip.textContent()).toContain(formatDay(yesterday(), 'en'));
		expect(await tooltip.textContent()).toContain('No data');
		expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.day)).toBe(yesterday());
		expect(await page.getByTestId('bar-tooltip').count()).toBe(1);
		await page.close();
	});

	it('shows the open incident with its latest update near the banner', async () => {
		const page = await open('/');
		const notice = page.locator(`[data-testid=notice-incident][data-incident="${incident.id}"]`);
		await notice.waitFor({ timeout: 20_000 });
		const text = (await notice.textContent())!.replace(/\s+/g, ' ');
		expect(text).toContain('Active incident');
		expect(text).toContain('Slow replies on cluster 1');
		expect(text).toContain('Identified – A slow database query; a fix is rolling out.');
		expect(await notice.locator('a').getAttribute('href')).toBe(`/incidents/#incident-${incident.id}`);
		await page.close();
	});

	it('shows a cluster’s uptime, bars and 24-hour ping in its details', async () => {
		// Wait until the server has a ping bucket for cluster 1, so the sparkline has a line to draw.
		await expect
			.poll(async () => ((await (await fetch(`${stack.serverUrl}/api/v1/history/clusters/1?tz=${TZ}`)).json()) as ClusterHistory).ping?.some((p) => p !== null), {
				timeout: 60_000,
				interval: 1_000
			})
			.toBe(true);
		const page = await open('/', { colorScheme: 'dark' });
		await page.locator('#cluster-1 button[aria-haspopup=dialog]').click();
		const details = page.getByTestId('cluster-details');
		await expect.poll(() => details.locator('[data-testid=cluster-uptime-bars] .uptime-bar').count(), { timeout: 20_000 }).toBe(90);
		expect(await details.locator('[data-testid=uptime-figures] [data-period]').count()).toBe(4);
		expect(await details.getByTestId('sparkline-stats').textContent()).toMatch(/Min \d+ ms · Avg \d+ ms · Max \d+ ms/);
		expect(await details.locator('[data-testid=sparkline] polyline').count()).toBeGreaterThan(0);
		expect(await details.locator('[data-testid=sparkline] svg').getAttribute('aria-label')).toMatch(/^Ping over the last 24 hours: minimum \d+ ms/);
		await page.screenshot({ path: `${SCREENSHOTS}history-details-dark.png` });
		await page.close();
	});
});

describe('incident history page', () => {
	const cases = [
		['/incidents/', 'en'],
		['/de/incidents/', 'de'],
		['/fr/incidents/', 'fr'],
		['/es/incidents/', 'es']
	] as const;

	it.each(cases)('%s lists the last 30 days in %s, with the posted incident today', async (path, locale) => {
		const t = messages(locale);
		const res = await fetch(stack.page.url + path);
		expect(res.status).toBe(200);
		expect(await res.text()).toContain(`<html lang="${locale}"`);

		for (const scheme of ['light', 'dark'] as const) {
			const page = await open(path, { colorScheme: scheme, ready: '[data-testid=incident-days]' });
			expect(await page.locator('html').getAttribute('lang')).toBe(locale);
			expect((await page.locator('h1').textContent())!.trim()).toBe(t.incident_history);
			expect(await page.title()).toBe(fill(t.incidents_page_title!, { bot: 'Shardbeat' }));

			const days = page.getByTestId('incident-day');
			expect(await days.count()).toBe(30);
			expect(await days.first().getAttribute('data-day')).toBe(today());
			expect((await days.first().locator('h2').textContent())!.trim()).toBe(formatDayHeading(today(), locale));

			const entry = page.locator(`#incident-${incident.id}`);
			expect(await entry.evaluate((el) => el.closest<HTMLElement>('[data-testid=incident-day]')!.dataset.day)).toBe(today());
			expect((await entry.locator('h3').textContent())!.trim()).toBe('Slow replies on cluster 1');
			expect((await entry.getByTestId('incident-status').textContent())!.trim()).toBe(t.incident_status_identified);
			expect((await entry.getByTestId('incident-impact').textContent())!.trim()).toBe(t.impact_minor);
			const updates = entry.locator('[data-testid=incident-updates] > li');
			expect(await updates.count()).toBe(2);
			expect(await updates.first().textContent()).toContain(`${t.incident_status_identified} – A slow database query; a fix is rolling out.`);
			expect(await updates.last().textContent()).toContain(t.incident_status_investigating);

			// Every other day is quiet, in this locale's words.
			const quiet = page.getByTestId('no-incidents');
			expect(await quiet.count()).toBe(29);
			expect(new Set(await quiet.allTextContents())).toEqual(new Set([t.no_incidents_day]));

			// The language switcher keeps this page.
			for (const other of ['en', 'de', 'fr', 'es']) {
				expect(await page.locator(`nav a[hreflang=${other}]`).getAttribute('href')).toBe(other === 'en' ? '/incidents/' : `/${other}/incidents/`);
			}
			expect(await page.getByTestId('back-link').getAttribute('href')).toBe(locale === 'en' ? '/' : `/${locale}/`);
			await page.screenshot({ path: `${SCREENSHOTS}incidents-${locale}-${scheme}.png`, fullPage: true });
			await page.close();
		}
	});

	it('the status page links to it in the visitor’s language, and to the incident’s anchor', async () => {
		const page = await open('/de/');
		expect(await page.getByTestId('incidents-link').getAttribute('href')).toBe('/de/incidents/');
		const view = page.locator(`[data-testid=notice-incident][data-incident="${incident.id}"] a`);
		await view.waitFor({ timeout: 20_000 });
		await view.click();
		await page.waitForURL(`**/de/incidents/#incident-${incident.id}`);
		const entry = page.locator(`#incident-${incident.id}`);
		await entry.waitFor();
		// The incidents arrive after load; the page jumps to the anchor once they are drawn.
		await expect.poll(() => entry.evaluate((el) => el.getBoundingClientRect().top >= 0 && el.getBoundingClientRect().top < innerHeight)).toBe(true);
		expect(await page.locator('html').getAttribute('lang')).toBe('de');
		await page.close();
	});
});

describe('maintenance', () => {
	it('badges the cluster under maintenance, and the banner says maintenance when that explains the trouble', async () => {
		const now = Date.now();
		await operator<MaintenanceWindow>('/api/v1/operator/maintenance', {
			title: 'Moving cluster 2 to a new host',
			message: 'Cluster 2 restarts on new hardware.',
			startsAt: now - 60_000,
			endsAt: now + 3_600_000,
			clusterIds: [2]
		});
		await operator<MaintenanceWindow>('/api/v1/operator/maintenance', {
			title: 'Gateway library upgrade',
			startsAt: now + 2 * 86_400_000,
			endsAt: now + 2 * 86_400_000 + 3_600_000,
			clusterIds: null
		});

		const page = await open('/');
		await page.locator('#cluster-2 [data-testid=maintenance-badge]').waitFor({ timeout: 20_000 });
		expect(await page.locator('[data-testid=maintenance-badge]').count()).toBe(1);
		expect(await page.locator('[data-testid=notice-maintenance][data-maintenance-state=active]').textContent()).toContain('Moving cluster 2 to a new host');
		expect(await page.locator('[data-testid=notice-maintenance][data-maintenance-state=upcoming]').textContent()).toContain('Gateway library upgrade');
		// Healthy under maintenance: the banner still says operational.
		expect(await page.getByTestId('banner').getAttribute('data-maintenance')).toBe('false');

		stack.fleet.kill(2);
		await page.locator('#cluster-2[data-lifecycle=stopped]').waitFor({ timeout: 25_000 });
		await page.locator('[data-testid=banner][data-maintenance=true]').waitFor({ timeout: 5_000 });
		expect((await page.locator('#overall-headline').textContent())!.trim()).toBe('Under maintenance');
		expect(await page.title()).toBe('Maintenance · Shardbeat status');
		await page.screenshot({ path: `${SCREENSHOTS}maintenance-en-light.png`, fullPage: true });

		stack.fleet.revive(2);
		await page.locator('[data-testid=banner][data-state=operational][data-maintenance=false]').waitFor({ timeout: 25_000 });
		await page.close();
	});
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { isShardUp } from '#shared';
import { startTestStack, type Stack } from '#testing/stack';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { fill, messages } from '#testing/messages';

/*
 * The real product on loopback: server, a simulated 4 × 4 fleet over real sockets, and the
 * built Cloudflare worker under wrangler dev, driven by Debian's Chromium.
 */
let stack: Stack;
let browser: Browser;
let polls = 0;

beforeAll(async () => {
	stack = await startTestStack({
		fleet: { clusters: 4, shardsPerCluster: 4, intervalMs: 1_000, reconnectChance: 0, deathChance: 0 },
		config: { heartbeatIntervalMs: 1_000 }
	});
	stack.server.io.of('/viewer').on('connection', (socket) => socket.on('get-cluster-status', () => polls++));
	browser = await launchChromium();
});

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
});

async function open(path = '/', options: { colorScheme?: 'light' | 'dark'; width?: number } = {}): Promise<Page> {
	const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
	await page.goto(stack.page.url + path);
	await page.locator('[data-testid=banner][data-state=operational]').waitFor({ timeout: 30_000 });
	return page;
}

describe('locales', () => {
	const cases = [
		['/', 'en'],
		['/de/', 'de'],
		['/fr/', 'fr'],
		['/es/', 'es']
	] as const;

	it.each(cases)('%s answers 200 and renders %s', async (path, locale) => {
		const t = messages(locale);
		const res = await fetch(stack.page.url + path);
		expect(res.status).toBe(200);
		const html = await res.text();
		// Server-rendered shell: lang, title, description and hreflang alternates before any script runs.
		expect(html).toContain(`<html lang="${locale}"`);
		expect(html).toContain(fill(t.meta_description!, { bot: 'Shardbeat' }).replaceAll('&', '&amp;').slice(0, 30));
		for (const alt of ['en', 'de', 'fr', 'es', 'x-default']) expect(html).toContain(`hreflang="${alt}"`);

		for (const scheme of ['light', 'dark'] as const) {
			const page = await open(path, { colorScheme: scheme });
			expect(await page.locator('html').getAttribute('lang')).toBe(locale);
			expect(await page.locator('h1').textContent()).toBe(fill(t.heading!, { bot: 'Shardbeat' }));
			expect(await page.locator('#overall-headline').textContent()).toBe(t.overall_operational);
			expect(await page.title()).toBe(fill(t.page_title!, { state: t.state_operational!, bot: 'Shardbeat' }));
			await page.screenshot({ path: `${SCREENSHOTS}${locale}-${scheme}.png`, fullPage: true });
			await page.close();
		}
	});

	it('the language switcher keeps the current page', async () => {
		const page = await open('/fr/?sort=health');
		const german = page.locator('nav a[hreflang=de]');
		expect(await german.getAttribute('href')).toBe('/de/?sort=health');
		await german.click();
		await page.waitForURL('**/de/?sort=health');
		expect(await page.locator('html').getAttribute('lang')).toBe('de');
		await page.close();
	});
});

describe('live data', () => {
	it('draws exactly the shards the server reports', async () => {
		const page = await open();
		const snapshot = stack.server.snapshot();
		expect(await page.locator('[data-testid=cluster-card]').count()).toBe(snapshot.clusters.length);
		for (const cluster of snapshot.clusters) {
			const states = await page.locator(`#cluster-${cluster.id} .tile`).evaluateAll((tiles) => tiles.map((t) => [Number((t as HTMLElement).dataset.shard), (t as HTMLElement).dataset.state]));
			expect(states).toEqual(cluster.shardIds.map((id) => [id, cluster.shards.find((s) => s.id === id)?.state ?? 'missing']));
		}
		const up = snapshot.clusters.flatMap((c) => c.shards).filter((s) => isShardUp(s.state)).length;
		expect(await page.getByTestId('shards-up').textContent()).toBe(`${up} of 16 shards up`);
		await page.close();
	});

	it('a killed cluster turns down, and banner, favicon and title follow without a reload', async () => {
		const page = await open();
		await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
		expect(await page.locator('link[rel=icon]').getAttribute('href')).toContain('favicon-operational');

		stack.fleet.kill(1);
		await page.locator('#cluster-1[data-lifecycle=stopped]').waitFor({ timeout: 25_000 });
		expect(await page.getByTestId('banner').getAttribute('data-state')).toBe('degraded');
		expect(await page.getByTestId('shards-up').textContent()).toBe('12 of 16 shards up');
		expect(await page.locator('link[rel=icon]').getAttribute('href')).toContain('favicon-degraded');
		expect(await page.title()).toBe('Degraded · Shardbeat status');
		expect(await page.locator('#cluster-1 .tile[data-kind=down]').count()).toBe(4);
		expect(await page.getByTestId('announcer').textContent()).toContain('Status changed: Degraded');
		expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);

		stack.fleet.revive(1);
		await page.locator('[data-testid=banner][data-state=operational]').waitFor({ timeout: 25_000 });
		expect(await page.locator('link[rel=icon]').getAttribute('href')).toContain('favicon-operational');
		await page.close();
	});

	it('a hidden tab sends no polls, and showing it sends one at once', async () => {
		const context = await browser.newContext();
		// Headless Chromium keeps every page visible (bringToFront and minimising change nothing),
		// so the OS's part is played here: the real page code sees the real events.
		await context.addInitScript(() => {
			let hidden = false;
			Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
			Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
			(window as unknown as { setTabHidden: (h: boolean) => void }).setTabHidden = (h) => {
				hidden = h;
				document.dispatchEvent(new Event('visibilitychange'));
				if (!h) window.dispatchEvent(new Event('focus'));
			};
		});
		await context.clock.install();
		const page = await context.newPage();
		await page.goto(stack.page.url + '/');
		await page.locator('[data-testid=banner][data-state=operational]').waitFor({ timeout: 30_000 });
		const setHidden = (h: boolean) => page.evaluate((v) => (window as unknown as { setTabHidden: (h: boolean) => void }).setTabHidden(v), h);

		// Visible: the 15-s cycle runs.
		let before = polls;
		await page.clock.fastForward(16_000);
		await expect.poll(() => polls - before, { timeout: 5_000 }).toBe(1);

		// Hidden: 40 s pass (two and a half cycles) without a single poll.
		await setHidden(true);
		before = polls;
		await page.clock.fastForward(20_000);
		await page.clock.fastForward(20_000);
		await new Promise((r) => setTimeout(r, 500));
		expect(polls - before).toBe(0);

		// Shown and focused (two events at once): exactly one poll, at once.
		before = polls;
		await setHidden(false);
		await expect.poll(() => polls - before, { timeout: 3_000 }).toBe(1);
		await new Promise((r) => setTimeout(r, 500));
		expect(polls - before).toBe(1);

		// The cycle restarted from that poll: the next one comes a full interval later.
		await page.clock.fastForward(10_000);
		await new Promise((r) => setTimeout(r, 300));
		expect(polls - before).toBe(1);
		await page.clock.fastForward(6_000);
		await expect.poll(() => polls - before, { timeout: 3_000 }).toBe(2);
		await context.close();
	});
});

describe('find my shard and tooltips', () => {
	it('finds the shard and cluster for a known guild ID', async () => {
		const page = await open();
		// (81384788765712384 >> 22) % 16 = 2, served by cluster 0 in a 4 × 4 fleet.
		await page.getByTestId('find-input').fill('81384788765712384');
		await page.getByTestId('find-input').press('Enter');
		await expect.poll(() => page.getByTestId('find-outcome').textContent()).toBe('Server 81384788765712384 is on shard 2 in cluster 0: Ready.');
		expect(await page.locator('#cluster-0 .tile[data-shard="2"]').getAttribute('aria-current')).toBe('true');

		await page.getByTestId('find-input').fill('https://discord.com/channels/@me/1/2');
		await page.getByTestId('find-input').press('Enter');
		await expect.poll(() => page.getByTestId('find-outcome').getAttribute('data-error')).toBe('direct_message_link');
		await page.close();
	});

	it('shows one shared tooltip on hover and on keyboard focus', async () => {
		const page = await open();
		await page.locator('#cluster-2 .tile[data-shard="9"]').hover();
		const tooltip = page.getByTestId('shard-tooltip');
		await tooltip.waitFor();
		expect(await tooltip.textContent()).toContain('Shard 9 · Cluster 2');
		expect(await tooltip.textContent()).toMatch(/Ready.*\d+ ms/);

		await page.mouse.move(0, 0);
		await page.locator('#cluster-0 .tile[data-shard="0"]').focus();
		await page.keyboard.press('ArrowRight');
		await expect.poll(() => tooltip.textContent()).toContain('Shard 1 · Cluster 0');
		expect(await page.getByTestId('shard-tooltip').count()).toBe(1);
		await page.screenshot({ path: `${SCREENSHOTS}tooltip.png` });
		await page.close();
	});

	it('the theme toggle overrides the system preference and is remembered', async () => {
		const page = await open('/', { colorScheme: 'dark' });
		const up = () => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--up').trim());
		expect(await up()).toBe('#22c55e');
		await page.locator('label:has([data-testid=theme-light])').click();
		expect(await up()).toBe('#15803d');
		await page.reload();
		await page.locator('[data-testid=banner][data-state=operational]').waitFor();
		expect(await up()).toBe('#15803d');
		expect(await page.getByTestId('theme-light').isChecked()).toBe(true);
		await page.locator('label:has([data-testid=theme-system])').click();
		expect(await up()).toBe('#22c55e');
		await page.close();
	});

	it('works at 360 px wide', async () => {
		const page = await open('/', { width: 360 });
		const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
		expect(overflow).toBeLessThanOrEqual(0);
		await page.screenshot({ path: `${SCREENSHOTS}en-360.png`, fullPage: true });
		await page.close();
	});
});

describe('security headers', () => {
	it('serves a CSP with no unsafe-inline scripts, and the page runs under it without a violation', async () => {
		const res = await fetch(`${stack.page.url}/de/`);
		const csp = res.headers.get('content-security-policy') ?? '';
		expect(csp).toMatch(/script-src[^;]*'self'/);
		expect(csp).toMatch(/script-src[^;]*'sha256-/);
		expect(csp).not.toContain('unsafe-inline');
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).toContain("object-src 'none'");
		expect(res.headers.get('x-content-type-options')).toBe('nosniff');
		expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');

		const page = await browser.newPage({ colorScheme: 'dark' });
		const violations: string[] = [];
		page.on('console', (m) => {
			if (/Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
		});
		await page.addInitScript(() => localStorage.setItem('shardbeat-theme', 'dark'));
		await page.goto(`${stack.page.url}/de/`);
		await page.locator('[data-testid=banner][data-state=operational]').waitFor({ timeout: 30_000 });
		// The theme script (a file now, not inline) still ran before paint.
		expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
		expect(violations).toEqual([]);
		await page.close();
	});
});

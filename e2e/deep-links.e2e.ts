import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestStack, type Stack } from '#testing/stack';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { fill, messages } from '#testing/messages';
import { guildIdsForShard } from '#testing/discord/snowflakes';
import { freePort, serveWorker, type Service } from '../scripts/stack.ts';
import fc from 'fast-check';
import { nastyString, rawNumber } from '#testing/fuzz/arbitraries';

/*
 * Deep links (?cluster=, ?shard=, ?guild=), their link previews in the server-rendered HTML, and
 * the compact list, on the real product: server, a simulated 120 × 4 fleet over real sockets
 * (more than 100 clusters, so the compact list is the default), the built worker under wrangler,
 * Debian's Chromium. Cluster 5 is stopped.
 */
const CLUSTERS = 120;
const SHARDS = 4;
/** A bot name with every character HTML escapes, to see it come through the og: tags intact. */
const BOT = `Ping & "Pong" <b>`;
let stack: Stack;
let browser: Browser;

beforeAll(async () => {
	stack = await startTestStack({ fleet: { clusters: CLUSTERS, shardsPerCluster: SHARDS, reconnectChance: 0, deathChance: 0 }, botName: BOT });
	stack.fleet.kill(5);
	browser = await launchChromium();
	// The previews below name the bot's state with cluster 5 down: wait until the server calls it stopped.
	await vi.waitFor(
		async () => {
			const status = (await (await fetch(`${stack.serverUrl}/api/status`)).json()) as { clusters: { id: number; lifecycle: string }[] };
			if (status.clusters.find((c) => c.id === 5)?.lifecycle !== 'stopped') throw new Error('cluster 5 is not stopped yet');
		},
		{ timeout: 60_000, interval: 250 }
	);
}, 240_000);

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
});

const LOCALES = [
	['/', 'en'],
	['/de/', 'de'],
	['/fr/', 'fr'],
	['/es/', 'es']
] as const;

async function open(path: string, options: { view?: 'cards' | 'compact'; width?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
	const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
	if (options.view) await page.addInitScript((view) => localStorage.setItem('shardbeat:cluster-view', view), options.view);
	await page.goto(stack.page.url + path);
	await page.locator('[data-testid=banner][data-state]').waitFor({ timeout: 30_000 });
	return page;
}

/** True when `selector`'s element is inside the viewport. */
const inView = (page: Page, selector: string) =>
	page.evaluate((s) => {
		const r = document.querySelector(s)?.getBoundingClientRect();
		return !!r && r.bottom > 0 && r.top < innerHeight;
	}, selector);

/**
 * The raw HTML of `path`, parsed by a real HTML parser (the browser's, scripts off): the content of
 * every <meta property|name=…>, and what markup an attacker could have slipped in (elements that
 * should not exist, event-handler attributes, links that do not stay on this site).
 */
async function metaTags(path: string): Promise<{ html: string; tags: Record<string, string>; injected: string[] }> {
	const html = await (await fetch(stack.page.url + path)).text();
	const page = await browser.newPage({ javaScriptEnabled: false });
	await page.setContent(html);
	const { tags, injected } = await page.evaluate(() => {
		const all = [...document.querySelectorAll('*')];
		return {
			tags: Object.fromEntries([...document.querySelectorAll('meta[property], meta[name]')].map((m) => [m.getAttribute('property') ?? m.getAttribute('name'), m.getAttribute('content')])),
			injected: [
				...[...document.querySelectorAll('img, b, iframe, object, embed')].map((e) => `<${e.tagName}>`),
				...all.flatMap((e) => [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => `${e.tagName}[${a.name}]`)),
				...[...document.querySelectorAll('script')].filter((s) => /alert\(/.test(s.textContent ?? '')).map(() => '<script>alert'),
				...[...document.querySelectorAll('[href]')].map((e) => e.getAttribute('href')!).filter((h) => !/^(\/|\.\/|#|http:\/\/127\.0\.0\.1:)/.test(h))
			]
		};
	});
	await page.close();
	return { html, tags, injected };
}

describe('link previews in the server-rendered HTML', () => {
	it.each(LOCALES)('%s?cluster=12 names the bot, the cluster and the states in %s', async (path, locale) => {
		const t = messages(locale);
		await expect.poll(async () => (await metaTags(`${path}?cluster=12`)).tags['og:title'], { timeout: 20_000 }).toBe(fill(t.links_title_cluster!, { cluster: 12, health: t.health_healthy!, bot: BOT }));
		const { tags } = await metaTags(`${path}?cluster=12&utm_source=x#frag`);
		expect(tags['og:site_name']).toBe(BOT);
		expect(tags['og:url']).toBe(`${stack.page.url}${path}?cluster=12`);
		expect(tags['og:type']).toBe('website');
		expect(tags['og:description']).toContain(fill(t.links_description_cluster!, { cluster: 12, health: t.health_healthy!, up: SHARDS, total: SHARDS, state: t.state_outage! }).slice(0, 20));
		// Cluster 5 is stopped: the whole bot is down a cluster, which the summary calls an outage or degraded.
		expect([t.state_outage, t.state_degraded].some((s) => tags['og:description']!.includes(s!))).toBe(true);
		expect(tags['twitter:card']).toBe('summary');
		expect(tags['twitter:title']).toBe(tags['og:title']);
	});

	it.each(LOCALES)('%s without a link, and with ?shard= and ?guild=, in %s', async (path, locale) => {
		const t = messages(locale);
		const plain = (await metaTags(path)).tags;
		expect(plain['og:url']).toBe(stack.page.url + path);
		expect(plain['og:title']).toMatch(new RegExp(`${BOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
		const shard = (await metaTags(`${path}?shard=9`)).tags;
		expect(shard['og:title']).toBe(fill(t.links_title_shard!, { shard: 9, bot: BOT }));
		expect(shard['og:url']).toBe(`${stack.page.url}${path}?shard=9`);
		const guild = guildIdsForShard(9, CLUSTERS * SHARDS, 1)[0]!;
		const g = (await metaTags(`${path}?guild=${guild}`)).tags;
		expect(g['og:title']).toBe(fill(t.links_title_guild!, { guild, bot: BOT }));
		expect(g['og:url']).toBe(`${stack.page.url}${path}?guild=${guild}`);
	});

	it.each([
		'?cluster="><script>alert(1)</script>',
		'?shard=<img src=x onerror=alert(1)>',
		'?guild=javascript:alert(1)',
		'?cluster=1%22%20onload%3D%22alert(1)',
		'?guild=%3C/title%3E%3Cscript%3Ealert(1)%3C/script%3E'
	])('a hostile %s is ignored: no markup of it reaches the HTML', async (query) => {
		const { html, tags, injected } = await metaTags(`/${query}`);
		expect(injected).toEqual([]);
		expect(html).not.toMatch(/<script>alert|<img src=x/i);
		expect(tags['og:url']).toBe(`${stack.page.url}/`);
		expect(Object.values(tags).join(' ')).not.toMatch(/alert|script|img/i);
	});

	it('fuzzed queries: the worker always answers 200, and og:url only ever carries a validated link', async () => {
		const value = fc.oneof(nastyString.filter((v) => v.length < 2_000), rawNumber, fc.constantFrom('12', '0', '81384788765712384'));
		const query = fc.array(fc.tuple(fc.constantFrom('cluster', 'shard', 'guild', 'Cluster', 'guild[]', 'x'), value), { maxLength: 4 });
		await fc.assert(
			fc.asyncProperty(query, async (pairs) => {
				const search = new URLSearchParams(pairs).toString();
				const response = await fetch(`${stack.page.url}/de/?${search}`);
				expect(response.status).toBe(200);
				const html = await response.text();
				const url = /<meta property="og:url" content="([^"]*)"/.exec(html)?.[1];
				expect(url).toMatch(new RegExp(`^${stack.page.url.replace(/[.]/g, '\\.')}/de/(\\?(cluster|shard|guild)=\\d+)?$`));
			}),
			{ numRuns: 40 }
		);
	});

	it('the bot name is escaped, not interpreted', async () => {
		const { html, tags, injected } = await metaTags('/?cluster=1');
		expect(injected).toEqual([]);
		expect(tags['og:site_name']).toBe(BOT);
		expect(html).toContain('<meta property="og:site_name" content="Ping &amp; &quot;Pong&quot; &lt;b>"');
	});
});

describe('link previews when the status server does not answer', () => {
	let hung: Server;
	const sockets: Socket[] = [];
	const workers: Service[] = [];
	afterAll(async () => {
		await Promise.all(workers.map((w) => w.stop()));
		sockets.forEach((s) => s.destroy());
		hung?.close();
	});

	it('renders the preview without a state, for a closed port and for a server that never answers', async () => {
		// Accepts connections and never answers: only the timeout ends the wait.
		hung = createServer((socket) => sockets.push(socket));
		await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
		const hungUrl = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
		const closedUrl = `http://127.0.0.1:${await freePort()}`;
		const t = messages('de');
		for (const url of [closedUrl, hungUrl]) {
			const worker = await serveWorker(await freePort(), { PUBLIC_SHARDBEAT_URL: url, PUBLIC_SHARDBEAT_BOT_NAME: 'Botty' });
			workers.push(worker);
			const response = await fetch(`${worker.url}/de/?cluster=3`);
			expect(response.status).toBe(200);
			const html = await response.text();
			expect(html).toContain(`<meta property="og:title" content="${fill(t.heading!, { bot: 'Botty' })}"`);
			expect(html).toContain(`<meta property="og:url" content="${worker.url}/de/?cluster=3"`);
			for (const state of [t.state_operational, t.state_degraded, t.state_outage]) expect(html).not.toContain(`content="${state}`);
		}
	});
});

describe('deep links on the page', () => {
	it.each(LOCALES)('%s?cluster=77 opens on cluster 77, highlighted, in the compact list and in the cards (%s)', async (path, locale) => {
		const compact = await open(`${path}?cluster=77`);
		expect(await compact.locator('html').getAttribute('lang')).toBe(locale);
		const row = compact.locator('[data-testid=compact-row][data-cluster="77"]');
		await expect.poll(() => row.getAttribute('data-highlighted'), { timeout: 20_000 }).toBe('true');
		expect(await inView(compact, '[data-testid=compact-row][data-cluster="77"]')).toBe(true);
		expect(await compact.locator('[data-testid=compact-expanded] [data-testid=cluster-card]').getAttribute('data-cluster')).toBe('77');
		expect(await compact.evaluate(() => document.activeElement?.getAttribute('data-row-button'))).toBe('77');
		if (locale === 'en') await compact.screenshot({ path: `${SCREENSHOTS}deep-link-compact-light.png` });
		await compact.close();

		const cards = await open(`${path}?cluster=77`, { view: 'cards', colorScheme: 'dark' });
		const card = cards.locator('#cluster-77');
		await expect.poll(() => card.getAttribute('data-highlighted'), { timeout: 20_000 }).toBe('true');
		await expect.poll(() => inView(cards, '#cluster-77')).toBe(true);
		if (locale === 'en') await cards.screenshot({ path: `${SCREENSHOTS}deep-link-cards-dark.png` });
		await cards.close();
	});

	it('?shard= opens on the shard’s tile, in its cluster', async () => {
		const page = await open('/fr/?shard=402', { view: 'cards' });
		const tile = page.locator('#cluster-100 .tile[data-shard="402"]');
		await expect.poll(() => tile.getAttribute('aria-current'), { timeout: 20_000 }).toBe('true');
		await expect.poll(() => inView(page, '#cluster-100 .tile[data-shard="402"]')).toBe(true);
		expect(await page.evaluate(() => document.activeElement?.getAttribute('data-shard'))).toBe('402');
		await page.close();
	});

	it('survives the language switcher', async () => {
		const page = await open('/?cluster=90');
		await expect.poll(() => page.locator('[data-testid=compact-row][data-cluster="90"]').getAttribute('data-highlighted'), { timeout: 20_000 }).toBe('true');
		await page.getByRole('link', { name: 'Español' }).click();
		await page.waitForURL(/\/es\/\?cluster=90$/);
		expect(await page.locator('html').getAttribute('lang')).toBe('es');
		await expect.poll(() => page.locator('[data-testid=compact-row][data-cluster="90"]').getAttribute('data-highlighted'), { timeout: 20_000 }).toBe('true');
		await page.close();
	});

	it('a link to a cluster or shard the fleet lacks says so, and a malformed one is ignored', async () => {
		const t = messages('de');
		const page = await open('/de/?cluster=4000', { view: 'cards' });
		await expect.poll(() => page.getByTestId('missed-link').textContent(), { timeout: 20_000 }).toContain(fill(t.links_not_found_cluster!, { cluster: 4000 }));
		await page.close();
		const bad = await open('/?cluster=12abc', { view: 'cards' });
		await bad.locator('[data-testid=cluster-card]').first().waitFor();
		expect(await bad.locator('[data-highlighted=true]').count()).toBe(0);
		expect(await bad.getByTestId('missed-link').count()).toBe(0);
		await bad.close();
	});

	it('find-my-shard offers the ?guild= link, and the link opens on the answer', async () => {
		const guild = guildIdsForShard(402, CLUSTERS * SHARDS, 1)[0]!;
		const page = await open('/de/', { view: 'cards' });
		await page.locator('[data-testid=cluster-card]').first().waitFor();
		await page.getByTestId('find-input').fill(guild);
		await page.getByTestId('find-input').press('Enter');
		const href = await page.getByTestId('share-href').getAttribute('href');
		expect(href).toBe(`${stack.page.url}/de/?guild=${guild}`);
		await page.close();

		const t = messages('de');
		const shared = await open(href!.slice(stack.page.url.length));
		await expect.poll(() => shared.getByTestId('find-outcome').textContent(), { timeout: 20_000 }).toContain(
			fill(t.find_result!, { guild, shard: 402, cluster: 100, state: t.shard_state_ready! })
		);
		await expect.poll(() => shared.locator('[data-testid=compact-row][data-cluster="100"]').getAttribute('data-highlighted')).toBe('true');
		expect(await shared.locator(`#cluster-100 .tile[data-shard="402"]`).getAttribute('aria-current')).toBe('true');
		await shared.close();
	});
});

describe('the compact list', () => {
	it('is the default above 100 clusters, sorts, filters, opens rows, and the choice is remembered', async () => {
		const page = await open('/');
		await page.getByTestId('compact-list').waitFor({ timeout: 20_000 });
		expect(await page.locator('[data-testid=cluster-card]').count()).toBe(0);
		// Windowed: far fewer rows than clusters in the DOM, yet the table is as tall as all of them.
		// The window fills in once the table's place on the page is known (the overview sits above it).
		await expect.poll(() => page.locator('[data-testid=compact-row]').count()).toBeGreaterThan(5);
		const rows = await page.locator('[data-testid=compact-row]').count();
		expect(rows).toBeLessThan(CLUSTERS / 2);
		expect(await page.getByTestId('compact-list').evaluate((t) => t.getBoundingClientRect().height)).toBeGreaterThanOrEqual(CLUSTERS * 40);

		await page.locator('th button[data-sort=health]').click();
		expect(await page.locator('[data-testid=compact-row]').first().getAttribute('data-cluster')).toBe('5');
		expect(await page.locator('th[aria-sort=descending] button[data-sort=health]').count()).toBe(1);
		await page.getByTestId('filter-unhealthy').check();
		expect(await page.locator('[data-testid=compact-row]').evaluateAll((r) => r.map((e) => e.getAttribute('data-cluster')))).toEqual(['5']);
		await page.getByTestId('filter-unhealthy').uncheck();
		await page.locator('th button[data-sort=id]').click();

		// Keyboard: one tab stop into the rows, arrows move, Enter opens the row's card.
		await page.locator('[data-row-button="0"]').focus();
		await page.keyboard.press('ArrowDown');
		await page.keyboard.press('ArrowDown');
		await page.keyboard.press('Enter');
		expect(await page.locator('[data-row-button="2"]').getAttribute('aria-expanded')).toBe('true');
		expect(await page.locator('[data-testid=compact-expanded] .tile').count()).toBe(SHARDS);
		await page.keyboard.press('End');
		expect(await page.evaluate(() => document.activeElement?.getAttribute('data-row-button'))).toBe(String(CLUSTERS - 1));
		await page.locator(`[data-row-button="${CLUSTERS - 1}"]`).click();
		expect(await page.locator(`[data-row-button="${CLUSTERS - 1}"]`).getAttribute('aria-expanded')).toBe('true');
		expect(await page.locator('[data-row-button="2"]').count()).toBe(0); // scrolled out of the window

		await page.getByTestId('view-cards').check({ force: true });
		await page.locator('[data-testid=cluster-card]').first().waitFor();
		expect(await page.evaluate(() => localStorage.getItem('shardbeat:cluster-view'))).toBe('cards');
		await page.reload();
		await page.locator('[data-testid=cluster-card]').first().waitFor({ timeout: 20_000 });
		expect(await page.getByTestId('compact-list').count()).toBe(0);
		await page.getByTestId('view-compact').check({ force: true });
		await page.reload();
		await page.getByTestId('compact-list').waitFor({ timeout: 20_000 });
		await page.close();
	});
});

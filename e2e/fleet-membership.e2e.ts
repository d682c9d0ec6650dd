import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Incident, StatusSummary } from '#shared';
import type { ShardbeatServer } from '../server/app.ts';
import { launchChromium, readStatusPage, SCREENSHOTS } from '#testing/browser';
import { until } from '#testing/faults/scenarios';
import { METRICS_TOKEN } from '#testing/server/harness';
import { contradictions, publicViews, type PublicViews } from '#testing/server/views';
import { startTestStack, type Stack } from '#testing/stack';

/*
 * Issue 15 in Chromium: a big fleet runs and dies, then a small one runs on the same history,
 * with the server restarted in between or not (a re-shard). At each step the page in Chromium
 * (its banner, "N of M shards up", its active-incident notices and cluster cards), the summary,
 * `/api/status`, the history, the feed and `/metrics` must agree (`contradictions`), and the
 * page must end with no active incident, within one incident check of the new fleet being up.
 * The whole product on loopback: server on an SQLite file, simulated fleets, built worker under
 * wrangler. Liveness, incidents and their checks run on short intervals so nothing waits long;
 * incident checks are counted, so "one check" is a check, not a guess at how long one takes.
 */
const INTERVAL_MS = 1_000;
const MISSED = 3;
const CHECK_MS = 1_000;
const THRESHOLD_MS = 3_000;
/** How long the views get to agree after a change: far more than a check and the page's catch-up. */
const AGREE_MS = 30_000;

interface Layout {
	clusters: number;
	shardsPerCluster: number;
}

let browser: Browser;
let dir: string;
let stack: Stack | undefined;

beforeAll(async () => {
	browser = await launchChromium();
	dir = mkdtempSync(join(tmpdir(), 'shardbeat-membership-'));
});

afterEach(async () => {
	await stack?.stop();
	stack = undefined;
});

afterAll(async () => {
	await browser?.close();
	rmSync(dir, { recursive: true, force: true });
});

/** The incident monitor's checks, counted as they begin and end (its timer calls `check`). */
function countChecks(server: ShardbeatServer): { started: number; done: number } {
	const counter = { started: 0, done: 0 };
	const monitor = server.history.monitor;
	const check = monitor.check.bind(monitor);
	monitor.check = () => {
		const n = ++counter.started;
		return check().finally(() => (counter.done = Math.max(counter.done, n)));
	};
	return counter;
}

/** A stack whose server records into `<name>.sqlite`, running `fleet`, its history answering. */
async function startScenario(name: string, fleet: Layout): Promise<Stack> {
	stack = await startTestStack({
		fleet: { ...fleet, intervalMs: INTERVAL_MS, reconnectChance: 0, deathChance: 0 },
		config: {
			heartbeatIntervalMs: INTERVAL_MS,
			missedHeartbeats: MISSED,
			incidentThresholdMs: THRESHOLD_MS,
			// Every answer fresh: the agreement is between views, not between their caches.
			statusMaxAgeS: 0,
			metricsToken: METRICS_TOKEN,
			database: join(dir, `${name}.sqlite`),
			// A restart marks every cluster the history knew stopped, with a warning each: expected here.
			logLevel: 'error'
		},
		serverOptions: { incidentCheckIntervalMs: CHECK_MS }
	});
	await stack.server.history.whenReady();
	return stack;
}

async function openPage(path: string, options: { width: number; colorScheme: 'light' | 'dark' }): Promise<Page> {
	const page = await browser.newPage({ viewport: { width: options.width, height: 900 }, colorScheme: options.colorScheme });
	await page.goto(stack!.page.url + path);
	await page.locator('[data-testid=banner]').waitFor({ timeout: 30_000 });
	return page;
}

/**
 * Reads every view, the page last, until they agree and `expected` holds twice in a row (a
 * state the server and the page have settled in, not one passing by), and returns the last.
 * Fails after `AGREE_MS` with what each view said.
 */
async function agreed(page: Page, what: string, expected: (v: PublicViews) => boolean): Promise<PublicViews> {
	let last: PublicViews | undefined;
	let inARow = 0;
	try {
		await until(
			async () => {
				const v = await publicViews(stack!.serverUrl);
				v.page = await readStatusPage(page);
				last = v;
				inARow = contradictions(v).length === 0 && expected(v) ? inARow + 1 : 0;
				return inARow === 2;
			},
			AGREE_MS,
			what
		);
	} catch (err) {
		throw new Error(`${(err as Error).message}; ${explain(last)}`);
	}
	return last!;
}

function explain(v: PublicViews | undefined): string {
	if (!v) return 'no views read';
	const { summary, page } = v;
	return JSON.stringify({
		contradictions: contradictions(v),
		summary: summary.status,
		activeIncidents: summary.activeIncidents.map((i) => ({ id: i.id, source: i.source, shards: i.shardIds.length })),
		clusters: v.status.clusters.length,
		page: page && { ...page, clusters: page.clusters.length }
	});
}

/**
 * The whole page in one viewport as tall as the page: cards off screen skip painting
 * (`content-visibility: auto`), so a full-page capture of a short viewport shows them blank.
 */
async function screenshotWhole(page: Page, path: string): Promise<void> {
	const { width } = page.viewportSize()!;
	await page.setViewportSize({ width, height: await page.evaluate(() => document.documentElement.scrollHeight) });
	await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
	await page.screenshot({ path });
}

const summaryOf = async (): Promise<StatusSummary> => (await fetch(`${stack!.serverUrl}/api/v1/summary`)).json() as Promise<StatusSummary>;
const allUp = (s: StatusSummary, shards: number) => s.status.state === 'operational' && s.status.shardsUp === shards && s.status.shardsTotal === shards;
const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Issue 15's scenario: `big` runs and dies (an incident opens), the server restarts on the same
 * history or not, `small` runs. Returns the page (still open) and the incident.
 */
async function bigThenSmall(name: string, big: Layout, small: Layout, restart: boolean): Promise<{ page: Page; incident: Incident; views: PublicViews }> {
	const s = await startScenario(name, big);
	let checks = countChecks(s.server);
	const bigShards = big.clusters * big.shardsPerCluster;
	const smallShards = small.clusters * small.shardsPerCluster;
	const page = await openPage('/', { width: 1280, colorScheme: 'light' });

	let v = await agreed(page, `the ${big.clusters} × ${big.shardsPerCluster} fleet up everywhere`, (v) => allUp(v.summary, bigShards) && v.status.clusters.length === big.clusters && v.summary.activeIncidents.length === 0);
	expect(v.page).toMatchObject({ state: 'operational', incidents: [] });

	// The bot's processes all die: one automatic incident covering every shard opens.
	s.fleet.stop();
	v = await agreed(
		page,
		'the fleet down and its incident shown',
		(v) => v.summary.status.state === 'outage' && v.summary.activeIncidents.length === 1 && v.summary.activeIncidents[0]!.shardIds.length === bigShards
	);
	const incident = v.summary.activeIncidents[0]!;
	expect(incident).toMatchObject({ source: 'auto', shardIds: ids(bigShards) });
	expect(v.page).toMatchObject({ state: 'outage', incidents: [incident.id] });
	expect(v.status.clusters.every((c) => c.lifecycle === 'stopped')).toBe(true);
	await page.screenshot({ path: `${SCREENSHOTS}membership-${name}-outage.png` });

	if (restart) {
		await s.stopServer();
		await s.startServer();
		checks = countChecks(s.server);
		// Past the start-up grace, the clusters the history knew are back on every view, stopped,
		// and the incident is still open: nothing came back.
		v = await agreed(
			page,
			'the restarted server showing the fleet of its history, stopped',
			(v) => v.status.clusters.length === big.clusters && v.status.clusters.every((c) => c.lifecycle === 'stopped') && v.summary.status.shardsTotal === bigShards
		);
		expect(v.summary.status).toMatchObject({ state: 'outage', shardsUp: 0 });
		expect(v.summary.activeIncidents.map((i) => i.id)).toEqual([incident.id]);
		expect(v.page).toMatchObject({ state: 'outage', incidents: [incident.id] });
	}

	// The bot comes back re-sharded: `small` runs. Once the server reads every shard up, the next
	// incident check leaves no incident open.
	await s.startFleet(small);
	await until(async () => allUp(await summaryOf(), smallShards), AGREE_MS, `the summary reading ${smallShards} of ${smallShards} shards up`);
	const after = checks.started;
	await until(() => checks.done > after, AGREE_MS, 'one incident check begun once every shard was up');
	expect((await summaryOf()).activeIncidents).toEqual([]);

	v = await agreed(page, 'the page with the new fleet up and no active incident', (v) => allUp(v.summary, smallShards) && v.summary.activeIncidents.length === 0);
	expect(v.page).toMatchObject({ state: 'operational', incidents: [] });
	expect(v.status.clusters.map((c) => c.id)).toEqual(ids(small.clusters));
	expect(v.history.incidents.find((i) => i.id === incident.id)).toMatchObject({ status: 'resolved', resolvedAt: expect.any(Number) });
	expect(v.feed.find((i) => i.id === incident.id)?.status).toBe('resolved');
	return { page, incident, views: v };
}

describe('a big fleet dies, then a small one runs on the same history', () => {
	it('50 × 16, the server restarts, then 8 × 4: the page ends operational, 32 of 32 up, no active incident', { timeout: 180_000 }, async () => {
		const { page } = await bigThenSmall('restart-50x16-8x4', { clusters: 50, shardsPerCluster: 16 }, { clusters: 8, shardsPerCluster: 4 }, true);
		await page.close();

		// A visitor who arrives now, on a phone, in English and German, light and dark.
		for (const [path, locale] of [
			['/', 'en'],
			['/de/', 'de']
		] as const) {
			for (const colorScheme of ['light', 'dark'] as const) {
				const fresh = await openPage(path, { width: 360, colorScheme });
				const v = await agreed(fresh, `${path} at 360 px, ${colorScheme}`, (v) => allUp(v.summary, 32) && v.page!.clusters.length === 8);
				expect(v.page).toMatchObject({ locale, state: 'operational', incidents: [] });
				await screenshotWhole(fresh, `${SCREENSHOTS}membership-${locale}-${colorScheme}-360.png`);
				await fresh.close();
			}
		}
	});

	it('50 × 16, then 8 × 4 without a restart (a re-shard): the incident resolves and every view agrees', { timeout: 180_000 }, async () => {
		const { page } = await bigThenSmall('reshard-50x16-8x4', { clusters: 50, shardsPerCluster: 16 }, { clusters: 8, shardsPerCluster: 4 }, false);
		await page.close();
	});

	it('4 × 4 dies, the server restarts, 2 × 4 reports: operational, 8 of 8 up, no active incident', { timeout: 180_000 }, async () => {
		const { page, views } = await bigThenSmall('restart-4x4-2x4', { clusters: 4, shardsPerCluster: 4 }, { clusters: 2, shardsPerCluster: 4 }, true);
		expect(views.summary.status).toMatchObject({ state: 'operational', shardsUp: 8, shardsTotal: 8 });
		await page.close();
	});
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestStack, type Stack } from '#testing/stack';
// The constant alone: the store's runes only run when one is constructed, which this file never does.
import { RESTART_GRACE_MS } from '../src/lib/status/status-store.svelte.ts';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { sleep, until } from '#testing/faults/scenarios';
import { fill, messages } from '#testing/messages';

/*
 * A deploy restarts the status server while bots and visitors are connected. The page must say
 * "Reconnecting…" and then show live data again by itself (no reload), and the restart alone must
 * never make a cluster look down: not on the page, and not in the new server's fleet, whose
 * start-up grace keeps silence from counting before a cluster could have reported to it.
 * The whole product on loopback: server, simulated 4 × 4 fleet, built worker under wrangler, Chromium.
 */
const CLUSTERS = 4;
const SHARDS = 4;
const INTERVAL_MS = 1_000;
const MISSED = 3;
const en = messages('en');

/** What the page showed at one moment; the observer keeps one entry per change. */
interface Sample {
	at: number;
	banner: string | null;
	connection: string | null;
	connectionText: string;
	/** `id:lifecycle:health` per cluster card, in page order. */
	cards: string[];
	downTiles: number;
	/** Cards marked as kept from before the drop, not yet reported by the server. */
	awaiting: number;
}

let stack: Stack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
	stack = await startTestStack({
		fleet: { clusters: CLUSTERS, shardsPerCluster: SHARDS, intervalMs: INTERVAL_MS, reconnectChance: 0, deathChance: 0 },
		config: { heartbeatIntervalMs: INTERVAL_MS, missedHeartbeats: MISSED }
	});
	browser = await launchChromium();
});

afterAll(async () => {
	await context?.close();
	await browser?.close();
	await stack?.stop();
});

/**
 * Records every state the page shows, in the page itself: a MutationObserver catches changes the
 * moment Svelte makes them, and a 100-ms timer covers anything an observer could coalesce. Polling
 * from the test over CDP would miss a state that lasts less than one round trip.
 */
function observePage(): void {
	const log: Sample[] = [];
	(window as unknown as { __samples: Sample[] }).__samples = log;
	let last = '';
	const sample = () => {
		const banner = document.querySelector<HTMLElement>('[data-testid=banner]');
		const connection = document.querySelector<HTMLElement>('[data-testid=connection]');
		const s: Sample = {
			at: Date.now(),
			banner: banner?.dataset.state ?? null,
			connection: connection?.dataset.connection ?? null,
			connectionText: connection?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
			cards: [...document.querySelectorAll<HTMLElement>('[data-testid=cluster-card]')].map((c) => `${c.dataset.cluster}:${c.dataset.lifecycle}:${c.dataset.health}`),
			downTiles: document.querySelectorAll('[data-testid=cluster-card] .tile[data-kind=down]').length,
			awaiting: document.querySelectorAll('[data-testid=cluster-card][data-awaiting=true]').length
		};
		const key = JSON.stringify({ ...s, at: 0 });
		if (key !== last) {
			last = key;
			log.push(s);
		}
	};
	const start = () => {
		new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
		setInterval(sample, 100);
		sample();
	};
	if (document.body) start();
	else document.addEventListener('DOMContentLoaded', start);
}

const samples = (page: Page) => page.evaluate(() => (window as unknown as { __samples: Sample[] }).__samples);

/** Waits for `recovered`, and says what the page showed instead when it does not come. */
async function waitRecovered(page: Page, ms: number, what: string): Promise<void> {
	let last: Sample | undefined;
	try {
		await until(async () => recovered((last = (await samples(page)).at(-1))), ms, what);
	} catch (err) {
		throw new Error(`${(err as Error).message}; the page showed ${JSON.stringify(last)}`);
	}
}

/** Live data again: connected, operational, every cluster card running and healthy. */
function recovered(s: Sample | undefined): boolean {
	return (
		s !== undefined &&
		s.connection === 'live' &&
		s.banner === 'operational' &&
		s.cards.length === CLUSTERS &&
		s.cards.every((c) => c.endsWith(':running:healthy')) &&
		s.downTiles === 0 &&
		s.awaiting === 0
	);
}

interface Restart {
	/** ms from closing the server to the page saying "Reconnecting…". */
	reconnectingMs: number;
	/** ms from the new server listening to the page showing its data, every cluster reported. */
	liveMs: number;
	/** ms from the new server listening to it publishing every cluster running. */
	fleetMs: number;
	/** Clusters the new server had published when the page first asked it. */
	knownAtFirstPoll: number;
	downMs: number;
	reloads: number;
	shownDown: number;
	banners: string[];
}

/**
 * Opens the page, restarts the server under it and checks everything the page showed meanwhile.
 * `holdBots`: the new server lets the bots in only after the page is back and has its first
 * answer, one every 300 ms, so the page certainly meets a server that knows none of the fleet yet
 * (with a real fleet's jittered reconnects, pages and bots come back in any order).
 */
async function restartUnderPage(name: string, holdBots: boolean): Promise<Restart> {
	context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
	await context.addInitScript(observePage);
	const page = await context.newPage();
	await page.goto(stack.page.url + '/');
	const url = page.url();
	await page.locator('[data-testid=banner][data-state=operational]').waitFor({ timeout: 30_000 });
	await waitRecovered(page, 30_000, 'four running, healthy cluster cards');

	// Any navigation of the main frame from here on (a reload, a redirect) counts.
	let navigations = 0;
	page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations++);
	await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
	// Answers to the page's polls as they reach the browser: socket.io acks on /viewer, binary ones
	// (`46<attachments>-`, a snapshot's bytes) included.
	let answers = 0;
	let firstAnswerAt = 0;
	page.on('websocket', (ws) =>
		ws.on('framereceived', (f) => {
			if (typeof f.payload !== 'string' || !/^4(3|6\d+-)\/viewer,/.test(f.payload)) return;
			if (answers++ === 0) firstAnswerAt = Date.now();
		})
	);

	// --- Stop: the page loses the server, the fleet's reporters start retrying with backoff.
	const oldServer = stack.server;
	const stoppedAt = Date.now();
	await stack.stopServer();
	answers = 0;
	firstAnswerAt = 0;
	const connection = page.getByTestId('connection');
	const reconnecting = connection.filter({ hasText: en.conn_reconnecting! });
	await reconnecting.waitFor({ timeout: 15_000 });
	if (!holdBots) {
		await page.screenshot({ path: `${SCREENSHOTS}restart-reconnecting.png`, fullPage: true });
		// The screenshot shows "Reconnecting…" only if the page still says so after it was taken.
		expect(await connection.getAttribute('data-connection')).toBe('reconnecting');
	}

	// --- A new server on the same port with the same secrets, so the page's token stays valid.
	const serverStops: number[] = [];
	const knownAtPoll: number[] = [];
	const heldBots: (() => void)[] = [];
	let botsLetIn = !holdBots;
	const server = await stack.startServer({
		beforeListen(s) {
			// Every way a server calls a cluster stopped (silence, a bot's socket closing) goes through fleet.stop.
			const stop = s.fleet.stop.bind(s.fleet);
			s.fleet.stop = (id: number) => (serverStops.push(id), stop(id));
			s.io.of('/bot').use((_socket, next) => (botsLetIn ? next() : heldBots.push(() => next())));
			s.io.of('/viewer').on('connection', (socket) => socket.on('get-cluster-status', () => knownAtPoll.push(s.feed.status.clusters.length)));
		}
	});
	const startedAt = Date.now();
	expect(server).not.toBe(oldServer);
	expect(stack.server).toBe(server);
	// What the new server publishes to every viewer, checked on its own clock.
	const published = new Set<number>();
	let fleetBackAt = 0;
	const watchFeed = setInterval(() => {
		const clusters = server.feed.status.clusters;
		for (const c of clusters) if (c.lifecycle === 'stopped') published.add(c.id);
		if (!fleetBackAt && clusters.length === CLUSTERS && clusters.every((c) => c.lifecycle === 'running')) fleetBackAt = Date.now();
	}, 50);

	try {
		if (holdBots) {
			await until(() => server.stats.polls > 0 && answers > 0, 30_000, "the new server's answer to reach the page");
			// Ample time for the page to apply and draw that answer (an empty fleet) and the observer to see it.
			await sleep(1_000);
			expect(server.fleet.size, 'clusters the new server knew when the page came back').toBe(0);
			// Every card is kept, and says it is waiting for the server to hear from its cluster.
			expect(await page.locator('[data-testid=cluster-card][data-awaiting=true]').count()).toBe(CLUSTERS);
			await page.screenshot({ path: `${SCREENSHOTS}restart-awaiting.png`, fullPage: true });
			botsLetIn = true;
			for (const letIn of heldBots.splice(0)) {
				letIn();
				await sleep(300);
			}
		}
		await waitRecovered(page, 60_000, 'the page to show live data from the new server');
		expect(await reconnecting.count()).toBe(0);
		expect(await connection.textContent()).toContain(en.conn_live);
		expect(await page.getByTestId('shards-up').textContent()).toBe(fill(en.shards_up!, { up: CLUSTERS * SHARDS, total: CLUSTERS * SHARDS }));
		if (!holdBots) await page.screenshot({ path: `${SCREENSHOTS}restart-live.png`, fullPage: true });

		// Past the new server's start-up grace and a whole silence timeout after it (a cluster the
		// restart made it forget would have been called stopped by now), and past the page's own
		// grace for clusters its first answer lacked: what the page shows at the end is the server's.
		const pageBackAt = (await samples(page)).find((s) => s.at >= startedAt && s.connection === 'live')!.at;
		await sleep(Math.max(0, startedAt + 2 * MISSED * INTERVAL_MS + 2_000 - Date.now(), pageBackAt + RESTART_GRACE_MS + 1_500 - Date.now()));
		await stack.fleet.connected(5_000);
	} finally {
		clearInterval(watchFeed);
	}

	const log = await samples(page);
	const after = log.filter((s) => s.at >= stoppedAt);
	const firstReconnecting = after.find((s) => s.connection === 'reconnecting');
	// Live again means the new server's data on screen: the socket being back is not enough.
	const liveAgain = log.find((s) => s.at >= firstAnswerAt && recovered(s));
	const shownDown = new Set(after.flatMap((s) => s.cards.filter((c) => /:stopped:|:down$/.test(c)).map((c) => c.split(':')[0])));
	const banners = [...new Set(after.map((s) => s.banner ?? 'none'))];
	const connections = after.map((s) => s.connection).filter((c, i, all) => c !== all[i - 1]);
	const trail = () => `${name}: what the page showed after the stop (ms since): ${JSON.stringify(after.map(({ at, ...s }) => ({ t: at - stoppedAt, ...s })))}`;

	// "Reconnecting…", then live, and nothing in between that looked like the fleet failing.
	expect(firstReconnecting?.connectionText, trail()).toContain(en.conn_reconnecting);
	expect(connections, trail()).toEqual(['reconnecting', 'live']);
	expect(liveAgain, trail()).toBeDefined();
	expect(recovered(log.at(-1)), trail()).toBe(true);
	expect([...shownDown], `clusters shown stopped or down; ${trail()}`).toEqual([]);
	expect(after.filter((s) => s.downTiles > 0), `shard tiles shown down; ${trail()}`).toEqual([]);
	// Every cluster stays on screen: a restarted server's first, partial answer is not the fleet.
	expect(after.filter((s) => s.cards.length !== CLUSTERS), `clusters missing from the page; ${trail()}`).toEqual([]);
	expect(banners, `banner states after the stop; ${trail()}`).toEqual(['operational']);

	// No reload: the same document (marker, observer log from before the stop), no navigation.
	expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
	expect(log[0]!.at).toBeLessThan(stoppedAt);
	expect(navigations, 'main-frame navigations after the first load').toBe(0);
	expect(page.url()).toBe(url);

	// The new server never called a cluster stopped, and serves every one of them running.
	expect(serverStops, 'clusters the new server marked stopped').toEqual([]);
	expect(fleetBackAt, 'the new server heard from every cluster').toBeGreaterThan(0);
	expect(knownAtPoll.length, 'polls the page sent the new server').toBeGreaterThan(0);
	if (holdBots) expect(knownAtPoll[0], 'clusters published when the page first asked').toBe(0);
	expect([...published], 'clusters the new server published stopped').toEqual([]);
	const status = (await (await fetch(`${stack.serverUrl}/api/status`)).json()) as { clusters: { id: number; lifecycle: string }[] };
	expect(status.clusters.map((c) => `${c.id}:${c.lifecycle}`)).toEqual(Array.from({ length: CLUSTERS }, (_, id) => `${id}:running`));

	await context.close();
	return {
		reconnectingMs: firstReconnecting!.at - stoppedAt,
		liveMs: liveAgain!.at - startedAt,
		fleetMs: fleetBackAt - startedAt,
		knownAtFirstPoll: knownAtPoll[0]!,
		downMs: startedAt - stoppedAt,
		reloads: navigations,
		shownDown: shownDown.size,
		banners
	};
}

const report = (r: Restart) =>
	`page showed "${en.conn_reconnecting}" after ${r.reconnectingMs} ms; live again ${r.liveMs} ms after the new server started ` +
	`(server down ${r.downMs} ms; it had published ${r.knownAtFirstPoll} of ${CLUSTERS} clusters at the page's first poll, all ${r.fleetMs} ms after it started); ${r.reloads} reloads; ${r.shownDown} clusters shown down; banner states seen: ${r.banners.join(', ')}`;

describe('server restart under a connected fleet and page', () => {
	it('the page goes "Reconnecting…", then back to live data without a reload; no cluster is shown down', async () => {
		console.log(`[restart] ${report(await restartUnderPage('restart', false))}`);
	});

	it('the same when the page is back before any bot has reported to the new server', async () => {
		console.log(`[restart] page first: ${report(await restartUnderPage('page first', true))}`);
	});
});

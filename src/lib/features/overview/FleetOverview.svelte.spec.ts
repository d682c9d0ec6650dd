import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, tick } from 'svelte';
import type { FleetStatus, MaintenanceWindow } from '#shared';
import { cluster, fleet, FIXTURE_T0, range } from '#testing/fixtures/cluster';
import { cleanupMounted, mountComponent } from '#testing/page/mount';
import { SilentResizeObserver } from '#testing/page/resize-observer-stub';
import FleetOverview from './FleetOverview.svelte';
import { FleetOverviewState } from './overview.svelte.ts';

/*
 * The overview's accessible layer and state in jsdom: jsdom draws no canvas, so these check what
 * the page says and does (summary, links, cursor, keys, tooltip, toggle); the pixels are checked
 * in Chromium (e2e/overview.e2e.ts).
 */
beforeEach(() => {
	vi.stubGlobal('ResizeObserver', SilentResizeObserver);
	// jsdom has no media queries; the overview only listens for the system theme changing.
	vi.stubGlobal('matchMedia', () => ({ matches: false, addEventListener() {}, removeEventListener() {} }));
});
afterEach(() => {
	cleanupMounted();
	vi.unstubAllGlobals();
	localStorage.clear(); // the colour choice is remembered
});

/** 30 clusters of 4 shards: 3 stopped, 7 and 21 degraded, 12 down (live, nothing ready), 18 degraded in maintenance. */
function thirty(): FleetStatus {
	return fleet(
		range(0, 30).map((id) => {
			const shardIds = range(id * 4, 4);
			// A stopped cluster's shards are disconnected, as the server sends them (`stoppedCopy`).
			if (id === 3) return cluster({ id, shardIds, lifecycle: 'stopped', states: ['disconnected', 'disconnected', 'disconnected', 'disconnected'] });
			if (id === 7 || id === 21 || id === 18) return cluster({ id, shardIds, states: ['ready', 'resuming', 'ready', null] });
			if (id === 12) return cluster({ id, shardIds, states: ['idle', 'idle', 'idle', 'idle'] });
			return cluster({ id, shardIds, readyPing: id === 25 ? 900 : 60 });
		})
	);
}
const maintenance: MaintenanceWindow = { id: 1, title: 'Upgrade', message: '', startsAt: FIXTURE_T0 - 1, endsAt: FIXTURE_T0 + 3_600_000, clusterIds: [18] };

function render(status: FleetStatus = thirty()) {
	const data = $state({ status });
	const overview = new FleetOverviewState({ status: () => data.status, activeWindows: () => [maintenance], bands: () => [200, 400] });
	overview.width = 600;
	const onactivate = vi.fn();
	const root = mountComponent(FleetOverview, { overview, locale: 'en', onactivate });
	return { root, overview, onactivate, data };
}

const q = (root: HTMLElement, testid: string) => root.querySelector<HTMLElement>(`[data-testid="${testid}"]`)!;
const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
function press(el: HTMLElement, key: string) {
	const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
	el.dispatchEvent(event);
	flushSync();
	return event;
}

describe('FleetOverview', () => {
	it('draws nothing before the fleet arrives', () => {
		const overview = new FleetOverviewState({ status: () => null });
		const root = mountComponent(FleetOverview, { overview, locale: 'en', onactivate: () => {} });
		expect(root.querySelector('[data-testid="overview"]')).toBeNull();
	});

	it('summarises in words: healthy count, then each problem with its cluster ids, worst first', () => {
		const { root } = render();
		const lines = [...q(root, 'overview-summary').querySelectorAll('li')].map((li) => [li.dataset.frame, text(li)]);
		expect(lines).toEqual([
			['healthy', '25 clusters healthy'],
			['stopped', '1 cluster stopped: 3'],
			['down', '1 cluster down: 12'],
			['degraded', '2 clusters degraded: 7, 21'],
			['maintenance', '1 cluster in maintenance: 18']
		]);
	});

	it('links each problem cluster; a link opens it and moves the cursor there', () => {
		const { root, onactivate, overview } = render();
		const links = [...root.querySelectorAll<HTMLAnchorElement>('[data-testid="overview-problem"]')];
		expect(links.map((a) => a.getAttribute('href'))).toEqual(['#cluster-3', '#cluster-12', '#cluster-7', '#cluster-21', '#cluster-18']);
		const click = new MouseEvent('click', { bubbles: true, cancelable: true });
		links[3]!.dispatchEvent(click);
		flushSync();
		expect(click.defaultPrevented).toBe(true);
		expect(onactivate).toHaveBeenCalledWith(21, null);
		expect(overview.activeCluster?.id).toBe(21);
	});

	it('lists at most 12 ids a line and says how many more', () => {
		const many = fleet(range(0, 40).map((id) => (id >= 10 ? cluster({ id, shardIds: [id], lifecycle: 'stopped', states: ['disconnected'] }) : cluster({ id, shardIds: [id] }))));
		const { root } = render(many);
		const stopped = q(root, 'overview-summary').querySelector('li[data-frame="stopped"]')!;
		expect(stopped.querySelectorAll('a')).toHaveLength(12);
		// 18 is in maintenance, and listed there.
		expect(text(stopped)).toBe('29 clusters stopped: 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 21, 22 and 17 more');
	});

	it('is one tab stop, a cursor labelled with the cluster it is on, which arrow keys move', () => {
		const { root, overview } = render();
		const tabStops = [...root.querySelectorAll<HTMLElement>('button, a, input, [tabindex]')].filter((el) => el.tabIndex >= 0 && el.dataset.testid !== 'overview-problem' && !(el instanceof HTMLInputElement));
		expect(tabStops.map((el) => el.dataset.testid)).toEqual(['overview-cursor']);
		const cursor = q(root, 'overview-cursor');
		expect(cursor.getAttribute('aria-label')).toBe('Cluster 0: Healthy, 4/4 shards ready');
		expect(cursor.getAttribute('aria-describedby')).toBe('overview-help');
		expect(text(root.querySelector('#overview-help'))).toContain('Arrow keys move between clusters');

		press(cursor, 'ArrowRight');
		press(cursor, 'ArrowRight');
		press(cursor, 'ArrowRight');
		expect(cursor.dataset.cluster).toBe('3');
		expect(cursor.dataset.frame).toBe('stopped');
		expect(cursor.getAttribute('aria-label')).toBe('Cluster 3: Stopped, 0/4 shards ready');
		// Told to a screen reader, which may not re-read a focused element's new name.
		expect(text(root.querySelector('[aria-live="polite"]'))).toBe('Cluster 3: Stopped, 0/4 shards ready');

		const perRow = overview.layout.perRow;
		expect(press(cursor, 'ArrowDown').defaultPrevented).toBe(true);
		expect(cursor.dataset.cluster).toBe(String(3 + perRow));
		press(cursor, 'End');
		expect(cursor.dataset.cluster).toBe('29');
		press(cursor, 'Home');
		expect(cursor.dataset.cluster).toBe('0');
		expect(press(cursor, 'a').defaultPrevented).toBe(false);
	});

	it('Enter (a click on the cursor) opens the cluster under it', () => {
		const { root, onactivate } = render();
		const cursor = q(root, 'overview-cursor');
		press(cursor, 'End');
		cursor.click();
		expect(onactivate).toHaveBeenCalledWith(29, null);
	});

	it('gives the focused cursor the tiles’ tooltip, describing its cluster', async () => {
		const { root } = render();
		const cursor = q(root, 'overview-cursor');
		press(cursor, 'ArrowRight');
		press(cursor, 'ArrowRight');
		cursor.dispatchEvent(new FocusEvent('focus'));
		flushSync();
		await tick();
		const tooltip = document.querySelector('[data-testid="shard-tooltip"]');
		expect(text(tooltip)).toContain('Cluster 2');
		expect(text(tooltip)).toContain('4/4 shards ready');
		cursor.dispatchEvent(new FocusEvent('blur'));
		flushSync();
		await tick();
		expect(document.querySelector('[data-testid="shard-tooltip"]')?.getAttribute('data-state') ?? 'closed').toBe('closed');
	});

	it('frames maintenance and stopped clusters apart from healthy ones (the cursor carries the frame)', () => {
		const { root, overview } = render();
		const frameOf = (id: number) => {
			overview.moveTo(id);
			flushSync();
			return q(root, 'overview-cursor').dataset.frame;
		};
		expect([frameOf(0), frameOf(3), frameOf(18), frameOf(12), frameOf(7)]).toEqual(['healthy', 'stopped', 'maintenance', 'down', 'degraded']);
	});

	it('the colour toggle switches the view, and with it the legend', () => {
		const { root, overview } = render();
		const legend = () => text(q(root, 'overview-legend'));
		expect(legend()).toContain('Connecting or resuming');
		const latency = q(root, 'overview-colour-latency') as HTMLInputElement;
		latency.click();
		flushSync();
		expect(overview.colourBy).toBe('latency');
		expect(q(root, 'overview-canvas').dataset.colourBy).toBe('latency');
		expect(legend()).toContain('under 200 ms');
		expect(legend()).toContain('400 ms or slower');
		expect(legend()).not.toContain('Connecting or resuming');
	});

	it('follows the fleet: a delta that stops a cluster adds it to the summary and the cursor’s words', () => {
		const { root, data, overview } = render();
		const next = thirty();
		next.clusters[1] = cluster({ id: 1, shardIds: range(4, 4), lifecycle: 'stopped', states: ['disconnected', 'disconnected', 'disconnected', 'disconnected'] });
		data.status = next;
		flushSync();
		expect(text(q(root, 'overview-summary').querySelector('li[data-frame="stopped"]'))).toBe('2 clusters stopped: 1, 3');
		overview.moveTo(1);
		flushSync();
		expect(q(root, 'overview-cursor').getAttribute('aria-label')).toBe('Cluster 1: Stopped, 0/4 shards ready');
	});
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync, tick } from 'svelte';
import type { FleetStatus } from '#shared';
import { cleanupMounted, mountComponent } from '#testing/page/mount';
import { cluster, fleet, FIXTURE_T0, range } from '#testing/fixtures/cluster';
import { ClusterList } from '$lib/features/clusters/cluster-list.svelte';
import { ClusterFocus } from '$lib/features/clusters/cluster-focus.svelte';
import CompactList from './CompactList.svelte';
import { OVERSCAN, ROW_HEIGHT } from './compact-window.svelte.ts';

/* *.svelte.spec.ts: the fleet is $state, so a test can change it after mount. */

/**
 * jsdom lays nothing out: this gives the table body a place on a scrolling page (its top 300 px
 * down, the viewport 800 px tall) and makes `scrollTo` move it, so the window follows scrolling.
 */
function fakeLayout() {
	let y = 0;
	vi.stubGlobal('innerHeight', 800);
	vi.stubGlobal('scrollTo', (options: ScrollToOptions) => {
		y = options.top ?? 0;
	});
	vi.stubGlobal('matchMedia', () => ({ matches: true }));
	// bind:offsetHeight observes the open row's card; jsdom has no layout to observe.
	vi.stubGlobal(
		'ResizeObserver',
		class {
			observe() {}
			unobserve() {}
			disconnect() {}
		}
	);
	const rect = HTMLElement.prototype.getBoundingClientRect;
	HTMLElement.prototype.getBoundingClientRect = function (this: HTMLElement) {
		return this.tagName === 'TBODY' ? ({ top: 300 - y } as DOMRect) : rect.call(this);
	};
	Object.defineProperty(window, 'scrollY', { configurable: true, get: () => y });
	return {
		scroll(to: number) {
			y = to;
			window.dispatchEvent(new Event('scroll'));
			vi.advanceTimersToNextFrame();
			flushSync();
		},
		restore() {
			HTMLElement.prototype.getBoundingClientRect = rect;
		}
	};
}

/** 1,000 clusters of 16 shards; cluster 7 is stopped, 500 degraded. */
function bigFleet(): FleetStatus {
	return fleet(
		range(0, 1_000).map((id) =>
			cluster({
				id,
				firstShard: id * 16,
				states: range(0, 16).map((i) => (id === 500 && i === 3 ? 'reconnecting' : 'ready')),
				lifecycle: id === 7 ? 'stopped' : 'running',
				lastHeartbeatAt: id === 7 ? FIXTURE_T0 - 120_000 : FIXTURE_T0,
				guilds: 12_345
			})
		),
		{ totalShards: 16_000 }
	);
}

describe('CompactList', () => {
	let layout: ReturnType<typeof fakeLayout>;
	beforeEach(() => {
		vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame'] });
		layout = fakeLayout();
	});
	afterEach(() => {
		cleanupMounted();
		layout.restore();
		vi.unstubAllGlobals();
		vi.useRealTimers();
	});

	function render(status: FleetStatus = bigFleet()) {
		const state = $state({ status });
		const list = new ClusterList(() => state.status);
		const focus = new ClusterFocus(list, () => state.status);
		const root = mountComponent(CompactList, { list, focus, store: { awaiting: new Set<number>(), now: FIXTURE_T0 }, activeWindows: [], locale: 'en' });
		const rows = () => [...root.querySelectorAll<HTMLElement>('[data-testid=compact-row]')];
		const ids = () => rows().map((r) => Number(r.dataset.cluster));
		const spacers = () => [...root.querySelectorAll<HTMLElement>('tr[aria-hidden=true]')].reduce((n, tr) => n + parseFloat(tr.style.height), 0);
		const button = (id: number) => root.querySelector<HTMLButtonElement>(`[data-row-button="${id}"]`)!;
		/** Each cell's text as a screen reader gets it (aria-hidden parts left out). */
		const cells = (id: number) =>
			[...root.querySelector(`[data-testid=compact-row][data-cluster="${id}"]`)!.children].map((c) => {
				const copy = c.cloneNode(true) as HTMLElement;
				copy.querySelectorAll('[aria-hidden=true]').forEach((e) => e.remove());
				return copy.textContent!.replace(/\s+/g, ' ').trim();
			});
		return { root, list, focus, state, rows, ids, spacers, button, cells };
	}

	it('draws only the rows near the viewport, and spacers for the rest', () => {
		const { ids, spacers } = render();
		// Viewport 0..800 with the body at 300: 500 px of rows (13 rows) plus the overscan below.
		expect(ids()).toEqual(range(0, Math.ceil(500 / ROW_HEIGHT) + OVERSCAN));
		expect(spacers()).toBe((1_000 - ids().length) * ROW_HEIGHT);
		layout.scroll(300 + 400 * ROW_HEIGHT);
		expect(ids()[0]).toBe(400 - OVERSCAN);
		expect(ids()).toContain(419);
		expect(spacers()).toBe((1_000 - ids().length) * ROW_HEIGHT);
	});

	it('shows a row per cluster: id, health, shards up, ping, servers, last heartbeat when stopped', () => {
		const { cells } = render();
		expect(cells(0)).toEqual(['Cluster 0', 'Healthy', '16 / 16', '40 ms', '12.3K', '—']);
		expect(cells(7)).toEqual(['Cluster 7', 'Stopped', '0 / 16', '—', '12.3K', '2 minutes ago']);
	});

	it('sorts with the column headers, and says so to assistive technology', () => {
		const { root, ids, list } = render();
		const header = (sort: string) => root.querySelector<HTMLButtonElement>(`[data-sort=${sort}]`)!;
		expect(header('id').closest('th')!.getAttribute('aria-sort')).toBe('ascending');
		header('health').click();
		flushSync();
		expect(list.sort).toBe('health');
		expect(header('health').closest('th')!.getAttribute('aria-sort')).toBe('descending');
		expect(header('id').closest('th')!.hasAttribute('aria-sort')).toBe(false);
		expect(ids().slice(0, 2)).toEqual([7, 500]);
	});

	it('follows the unhealthy-only filter', () => {
		const { ids, list, spacers } = render();
		list.onlyUnhealthy = true;
		flushSync();
		expect(ids()).toEqual([7, 500]);
		expect(spacers()).toBe(0);
	});

	it('opens a row to show its cluster’s card, and closes it again', async () => {
		const { root, button } = render();
		button(3).click();
		await tick();
		await tick();
		flushSync();
		expect(button(3).getAttribute('aria-expanded')).toBe('true');
		const card = root.querySelector<HTMLElement>('[data-testid=compact-expanded] [data-testid=cluster-card]')!;
		expect(card.dataset.cluster).toBe('3');
		expect(card.querySelectorAll('.tile')).toHaveLength(16);
		button(3).click();
		flushSync();
		expect(button(3).getAttribute('aria-expanded')).toBe('false');
		expect(root.querySelector('[data-testid=compact-expanded]')).toBeNull();
	});

	it('is one tab stop, with arrow keys, Home and End across every row', async () => {
		const { button, ids } = render();
		const tabStops = () => ids().filter((id) => button(id).tabIndex === 0);
		expect(tabStops()).toEqual([0]);
		button(0).focus();
		const key = async (k: string) => {
			document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
			await tick();
			flushSync();
		};
		await key('ArrowDown');
		expect(document.activeElement).toBe(button(1));
		expect(tabStops()).toEqual([1]);
		await key('End');
		expect(document.activeElement).toBe(button(999));
		expect(ids()).not.toContain(0);
		await key('ArrowDown');
		expect(document.activeElement).toBe(button(999));
		await key('Home');
		expect(document.activeElement).toBe(button(0));
	});

	it('focusing a cluster from elsewhere draws its row, opens it and puts focus on it (or on its shard)', async () => {
		const { focus, button, root, ids } = render();
		await focus.focusCluster(640);
		flushSync();
		expect(ids()).toContain(640);
		expect(document.activeElement).toBe(button(640));
		expect(button(640).getAttribute('aria-expanded')).toBe('true');
		await focus.focusShard(500 * 16 + 3);
		flushSync();
		const tile = root.querySelector<HTMLElement>(`#cluster-500 .tile[data-shard="${500 * 16 + 3}"]`)!;
		expect(document.activeElement).toBe(tile);
		expect(tile.getAttribute('aria-current')).toBe('true');
	});
});

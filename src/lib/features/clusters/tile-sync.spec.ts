import { describe, expect, it } from 'vitest';
import type { ShardState } from '#shared';
import { cluster } from '#testing/fixtures/cluster';
import { syncTiles } from './tile-sync.ts';

const text = { name: (id: number) => `Shard ${id}`, state: (s: ShardState | 'missing') => `<${s}>` };

/** Shards from `first` upwards in `states` (`null`: assigned, not reported), no ping, one guild each. */
const clusterOf = (states: (ShardState | null)[], first = 0) => cluster({ states: states.map((s) => (s === null ? null : [s, null])), firstShard: first, guildsPerShard: 1 });

const tiles = (grid: HTMLElement) => [...grid.querySelectorAll<HTMLButtonElement>('button.tile')];

describe('syncTiles', () => {
	it('draws one button per assigned shard, labelled and marked by kind, with one tab stop', () => {
		const grid = document.createElement('div');
		syncTiles(grid, clusterOf(['ready', 'reconnecting', 'disconnected', null]), { focusIndex: 1, found: 2 }, text);
		expect(tiles(grid).map((t) => [t.dataset.shard, t.dataset.state, t.dataset.kind, t.tabIndex])).toEqual([
			['0', 'ready', 'up', -1],
			['1', 'reconnecting', 'transitional', 0],
			['2', 'disconnected', 'down', -1],
			['3', 'missing', 'missing', -1]
		]);
		// Labels come from translations; they are escaped, never parsed as markup.
		expect(tiles(grid)[0]!.getAttribute('aria-label')).toBe('Shard 0: <ready>');
		expect(grid.querySelector('ready')).toBeNull();
		expect(tiles(grid).map((t) => t.getAttribute('aria-current'))).toEqual([null, null, 'true', null]);
	});

	it('patches a changed shard on the same element, so a focused tile keeps its focus', () => {
		const grid = document.createElement('div');
		document.body.append(grid);
		syncTiles(grid, clusterOf(['ready', 'ready', 'ready']), { focusIndex: 0, found: null }, text);
		const before = tiles(grid);
		before[1]!.focus();

		syncTiles(grid, clusterOf(['ready', 'resuming', 'ready']), { focusIndex: 1, found: null }, text);
		const after = tiles(grid);
		expect(after.every((t, i) => t === before[i])).toBe(true);
		expect(document.activeElement).toBe(before[1]);
		expect(after[1]!.dataset.state).toBe('resuming');
		expect(after[1]!.textContent).toBe('↻');
		expect(after[1]!.getAttribute('aria-label')).toBe('Shard 1: <resuming>');
		expect(after.map((t) => t.tabIndex)).toEqual([-1, 0, -1]);
		grid.remove();
	});

	it('redraws when the shard list itself changes (re-shard)', () => {
		const grid = document.createElement('div');
		syncTiles(grid, clusterOf(['ready', 'ready']), { focusIndex: 0, found: null }, text);
		const old = tiles(grid);
		syncTiles(grid, clusterOf(['ready', 'ready', 'ready'], 8), { focusIndex: 0, found: 9 }, text);
		expect(tiles(grid).map((t) => t.dataset.shard)).toEqual(['8', '9', '10']);
		expect(tiles(grid).some((t) => old.includes(t))).toBe(false);
		expect(tiles(grid)[1]!.getAttribute('aria-current')).toBe('true');
	});

	it("marks each tile with its ping band, and re-marks it when a ping crosses a band's edge", () => {
		const grid = document.createElement('div');
		const pings = (ps: (number | null)[]) => cluster({ states: ps.map((p): [ShardState, number | null] => ['ready', p]), guildsPerShard: 1 });
		syncTiles(grid, pings([50, 250, 900, null]), { focusIndex: 0, found: null }, text, [100, 500]);
		expect(tiles(grid).map((t) => t.dataset.band)).toEqual(['fast', 'ok', 'slow', 'none']);
		const first = tiles(grid)[0];
		syncTiles(grid, pings([150, 250, 90, 30]), { focusIndex: 0, found: null }, text, [100, 500]);
		expect(tiles(grid).map((t) => t.dataset.band)).toEqual(['ok', 'ok', 'fast', 'fast']);
		expect(tiles(grid)[0]).toBe(first);
	});
});

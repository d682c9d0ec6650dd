import { describe, expect, it } from 'vitest';
import type { ClusterStatus, ShardState } from '#shared';
import { syncTiles } from './tile-sync';

const text = { name: (id: number) => `Shard ${id}`, state: (s: ShardState | 'missing') => `<${s}>` };

function cluster(states: (ShardState | null)[], first = 0): Pick<ClusterStatus, 'shardIds' | 'shards'> {
	const shardIds = states.map((_, i) => first + i);
	const shards = states.flatMap((state, i) => (state === null ? [] : [{ id: first + i, state, ping: null, guilds: 1 }]));
	return { shardIds, shards };
}

const tiles = (grid: HTMLElement) => [...grid.querySelectorAll<HTMLButtonElement>('button.tile')];

describe('syncTiles', () => {
	it('draws one button per assigned shard, labelled and marked by kind, with one tab stop', () => {
		const grid = document.createElement('div');
		syncTiles(grid, cluster(['ready', 'reconnecting', 'disconnected', null]), { focusIndex: 1, found: 2 }, text);
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
		syncTiles(grid, cluster(['ready', 'ready', 'ready']), { focusIndex: 0, found: null }, text);
		const before = tiles(grid);
		before[1]!.focus();

		syncTiles(grid, cluster(['ready', 'resuming', 'ready']), { focusIndex: 1, found: null }, text);
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
		syncTiles(grid, cluster(['ready', 'ready']), { focusIndex: 0, found: null }, text);
		const old = tiles(grid);
		syncTiles(grid, cluster(['ready', 'ready', 'ready'], 8), { focusIndex: 0, found: 9 }, text);
		expect(tiles(grid).map((t) => t.dataset.shard)).toEqual(['8', '9', '10']);
		expect(tiles(grid).some((t) => old.includes(t))).toBe(false);
		expect(tiles(grid)[1]!.getAttribute('aria-current')).toBe('true');
	});
});

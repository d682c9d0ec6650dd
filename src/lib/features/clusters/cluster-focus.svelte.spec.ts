import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FleetStatus } from '#shared';
import { cluster, fleet, range } from '#testing/fixtures/cluster';
import { ClusterFocus, type ClusterRevealer } from './cluster-focus.svelte.ts';
import { ClusterList, FIRST_CARDS } from './cluster-list.svelte.ts';

/* *.svelte.spec.ts: ClusterList and ClusterFocus hold runes. */

/** `n` clusters of one shard each (cluster i runs shard i); cluster 5 is degraded, the rest healthy. */
const many = (n: number): FleetStatus => fleet(range(0, n).map((id) => cluster({ id, shardIds: [id], states: [id === 5 ? 'reconnecting' : 'ready'] })));

/** A card like ClusterCard's: an element with the card's id and the shard tiles. */
function drawCard(id: number, shards: number[]): HTMLElement {
	const card = document.createElement('article');
	card.id = `cluster-${id}`;
	card.tabIndex = -1;
	card.innerHTML = shards.map((s) => `<button class="tile" data-shard="${s}"></button>`).join('');
	document.body.append(card);
	return card;
}

describe('ClusterFocus', () => {
	const scrolled: Element[] = [];
	beforeEach(() => {
		vi.stubGlobal('matchMedia', () => ({ matches: true }));
		Element.prototype.scrollIntoView = function (this: Element) {
			scrolled.push(this);
		};
	});
	afterEach(() => {
		vi.unstubAllGlobals();
		scrolled.length = 0;
		document.body.innerHTML = '';
	});

	function setup(status: FleetStatus | null = many(FIRST_CARDS + 50)) {
		const list = new ClusterList(() => status);
		return { list, focus: new ClusterFocus(list, () => status) };
	}

	it('draws cards up to the target, scrolls to the card, highlights it and moves focus there', async () => {
		const { list, focus } = setup();
		const card = drawCard(60, [60]);
		expect(await focus.focusCluster(60)).toBe('focused');
		expect(list.shown).toBeGreaterThanOrEqual(61);
		expect(focus.target).toEqual({ clusterId: 60, shardId: null });
		expect(focus.isTarget(60)).toBe(true);
		expect(focus.isTarget(61)).toBe(false);
		expect(scrolled).toEqual([card]);
		expect(document.activeElement).toBe(card);
	});

	it('scrolls to the shard tile and focuses it when a shard is asked for', async () => {
		const { focus } = setup();
		const card = drawCard(3, [3]);
		await focus.focusCluster(3, 3);
		const tile = card.querySelector('.tile');
		expect(focus.shardOf(3)).toBe(3);
		expect(focus.shardOf(4)).toBeNull();
		expect(scrolled).toEqual([tile]);
		expect(document.activeElement).toBe(tile);
	});

	it('ignores a shard the cluster does not run, and still focuses the cluster', async () => {
		const { focus } = setup();
		drawCard(3, [3]);
		expect(await focus.focusCluster(3, 4)).toBe('focused');
		expect(focus.target).toEqual({ clusterId: 3, shardId: null });
	});

	it('clears the unhealthy-only filter when it hides the target, and keeps it when it does not', async () => {
		const { list, focus } = setup();
		list.onlyUnhealthy = true;
		await focus.focusCluster(5);
		expect(list.onlyUnhealthy).toBe(true);
		await focus.focusCluster(7);
		expect(list.onlyUnhealthy).toBe(false);
		expect(list.clusters.some((c) => c.id === 7)).toBe(true);
	});

	it.each([
		{ name: 'before data arrives', status: null, clusterId: 1, outcome: 'no_data' },
		{ name: 'for a cluster the fleet does not have', status: many(3), clusterId: 99, outcome: 'unknown_cluster' }
	] as const)('does nothing $name', async ({ status, clusterId, outcome }) => {
		const { list, focus } = setup(status);
		list.onlyUnhealthy = true;
		expect(await focus.focusCluster(clusterId)).toBe(outcome);
		expect(focus.target).toBeNull();
		expect(list.onlyUnhealthy).toBe(true);
		expect(scrolled).toEqual([]);
	});

	it('focusShard finds the live cluster running the shard', async () => {
		const status = fleet([cluster({ id: 20, shardIds: [2], lifecycle: 'stopped' }), cluster({ id: 7, shardIds: [2, 3] })]);
		const { focus } = setup(status);
		expect(await focus.focusShard(2)).toBe('focused');
		expect(focus.target).toEqual({ clusterId: 7, shardId: 2 });
		expect(await focus.focusShard(9)).toBe('unknown_shard');
		expect(focus.target).toEqual({ clusterId: 7, shardId: 2 });
		expect(await setup(null).focus.focusShard(2)).toBe('no_data');
	});

	it('hands the reveal to the view on screen, with the target’s index in the sorted list, until it lets go', async () => {
		const { list, focus } = setup(many(10));
		list.sort = 'health'; // cluster 5 (degraded) first
		const row = document.createElement('tr');
		const revealer = vi.fn<ClusterRevealer>(async () => row);
		const release = focus.useRevealer(revealer);
		await focus.focusCluster(5);
		expect(revealer).toHaveBeenLastCalledWith({ clusterId: 5, shardId: null }, 0);
		await focus.focusCluster(0);
		expect(revealer).toHaveBeenLastCalledWith({ clusterId: 0, shardId: null }, 1);
		release();
		const card = drawCard(2, [2]);
		await focus.focusCluster(2);
		expect(revealer).toHaveBeenCalledTimes(2);
		expect(scrolled).toEqual([card]);
	});

	it('counts every request, so the same cluster focused twice can replay its highlight', async () => {
		const { focus } = setup(many(3));
		await focus.focusCluster(1);
		await focus.focusCluster(1);
		expect(focus.count).toBe(2);
		focus.clear();
		expect(focus.target).toBeNull();
	});
});

describe('ClusterFocus.reveal (find-my-shard)', () => {
	beforeEach(() => {
		vi.stubGlobal('matchMedia', () => ({ matches: true }));
		Element.prototype.scrollIntoView = () => {};
	});
	afterEach(() => {
		vi.unstubAllGlobals();
		document.body.innerHTML = '';
	});

	it('keeps the found cluster in the filtered list, highlights its shard and leaves keyboard focus in the search box', async () => {
		const status = many(FIRST_CARDS + 10);
		const list = new ClusterList(() => status);
		const focus = new ClusterFocus(list, () => status);
		const input = document.createElement('input');
		document.body.append(input);
		input.focus();
		drawCard(40, [40]);
		list.onlyUnhealthy = true;
		await focus.reveal({ guildId: '1', shardId: 40, clusterId: 40 });
		expect(list.onlyUnhealthy).toBe(true);
		expect(list.clusters.map((c) => c.id)).toEqual([5, 40]);
		expect(focus.target).toEqual({ clusterId: 40, shardId: 40 });
		expect(document.activeElement).toBe(input);
		await focus.reveal({ guildId: '1', shardId: 40, clusterId: null });
		expect(focus.target).toBeNull();
		await focus.reveal(null);
		expect(list.found).toBeNull();
		expect(list.clusters.map((c) => c.id)).toEqual([5]);
	});
});

import { afterEach, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import type { FleetStatus } from '#shared';
import { cluster, fleet, range } from '#testing/fixtures/cluster';
import { COLOUR_STORAGE_KEY, FleetOverviewState } from './overview.svelte.ts';

/* *.svelte.spec.ts: FleetOverviewState holds runes. */
afterEach(() => localStorage.clear());

const tenClusters = (): FleetStatus => fleet(range(0, 10).map((id) => cluster({ id, shardIds: range(id * 2, 2) })));

describe('FleetOverviewState', () => {
	it('remembers the colour choice in this browser, and ignores a stored value it does not know', () => {
		expect(new FleetOverviewState({ status: () => null }).colourBy).toBe('health');
		const first = new FleetOverviewState({ status: () => null });
		first.colourBy = 'latency';
		expect(localStorage.getItem(COLOUR_STORAGE_KEY)).toBe('latency');
		expect(new FleetOverviewState({ status: () => null }).colourBy).toBe('latency');
		localStorage.setItem(COLOUR_STORAGE_KEY, 'rainbow');
		expect(new FleetOverviewState({ status: () => null }).colourBy).toBe('health');
	});

	it('orders clusters by id whatever order they come in', () => {
		const shuffled = fleet([3, 1, 2].map((id) => cluster({ id, shardIds: [id] })));
		const overview = new FleetOverviewState({ status: () => shuffled });
		expect(overview.clusters.map((c) => c.id)).toEqual([1, 2, 3]);
	});

	it('keeps the focus stop on a cluster as the fleet shrinks, and moves it by id', () => {
		const data = $state({ status: tenClusters() });
		const overview = new FleetOverviewState({ status: () => data.status });
		overview.width = 200;
		overview.moveTo(9);
		expect(overview.activeCluster?.id).toBe(9);
		overview.moveTo(42); // not in the fleet: stays
		expect(overview.activeCluster?.id).toBe(9);
		data.status = fleet(tenClusters().clusters.slice(0, 4));
		flushSync();
		expect(overview.activeCluster?.id).toBe(3);
	});

	it('points at the shard under a point where cells are big enough, and at nothing off the blocks', () => {
		const overview = new FleetOverviewState({ status: () => tenClusters() });
		overview.width = 1_000;
		expect(overview.layout.shardLevel).toBe(true);
		const hit = overview.pointAt(overview.layout.frame + 1, overview.layout.frame + 1);
		expect(hit).toEqual({ index: 0, slot: 0 });
		expect(overview.shardAt(hit)).toBe(0);
		expect(overview.pointAt(-5, 0)).toBeNull();
		expect(overview.hover).toBeNull();
	});
});

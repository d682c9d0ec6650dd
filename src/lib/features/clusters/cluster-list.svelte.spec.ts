import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import type { FleetStatus } from '#shared';
import { cluster, fleet, range } from '#testing/fixtures/cluster';
import { CARDS_PER_FRAME, ClusterList, FIRST_CARDS } from './cluster-list.svelte.ts';

/* *.svelte.spec.ts: runes here, so a test can own an effect root and change the fleet. */

const many = (n: number) => fleet(range(0, n).map((id) => cluster({ id, shardIds: [id] })));

describe('ClusterList', () => {
	afterEach(() => vi.useRealTimers());

	it('filters to unhealthy clusters, keeping the found one, and sorts', () => {
		const status = fleet([cluster({ id: 2, states: ['ready'] }), cluster({ id: 1, states: ['reconnecting'] }), cluster({ id: 3, states: ['ready'] })]);
		const list = new ClusterList(() => status);
		expect(list.clusters.map((c) => c.id)).toEqual([1, 2, 3]);
		list.onlyUnhealthy = true;
		expect(list.clusters.map((c) => c.id)).toEqual([1]);
		list.found = { guildId: '1', shardId: 0, clusterId: 3 };
		list.sort = 'health';
		expect(list.clusters.map((c) => c.id)).toEqual([1, 3]);
	});

	it('groups conflicts by every cluster they name', () => {
		const conflict = { shardId: 4, clusterIds: [1, 2] };
		const list = new ClusterList(() => fleet([], { conflicts: [conflict] }));
		expect([...list.conflictsByCluster]).toEqual([
			[1, [conflict]],
			[2, [conflict]]
		]);
	});

	it('draws a screenful first, then a chunk per frame, and reports completion of a big fleet', () => {
		vi.useFakeTimers({ toFake: ['requestAnimationFrame', 'cancelAnimationFrame'] });
		const total = FIRST_CARDS + CARDS_PER_FRAME + 5;
		let status = $state<FleetStatus>(many(total));
		const list = new ClusterList(() => status);
		const onComplete = vi.fn();
		const stop = $effect.root(() => list.drawInChunks(onComplete));
		flushSync();
		expect(list.visible).toHaveLength(FIRST_CARDS);
		vi.advanceTimersToNextFrame();
		flushSync();
		expect(list.visible).toHaveLength(FIRST_CARDS + CARDS_PER_FRAME);
		expect(onComplete).not.toHaveBeenCalled();
		vi.advanceTimersToNextFrame();
		flushSync();
		expect(list.visible).toHaveLength(total);
		expect(onComplete).toHaveBeenCalledTimes(1);
		stop();
	});

	it('a small fleet is drawn at once and never reported complete', () => {
		const list = new ClusterList(() => many(3));
		const onComplete = vi.fn();
		const stop = $effect.root(() => list.drawInChunks(onComplete));
		flushSync();
		expect(list.visible).toHaveLength(3);
		expect(onComplete).not.toHaveBeenCalled();
		stop();
	});
});

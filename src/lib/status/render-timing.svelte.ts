import { tick } from 'svelte';
import type { FleetStatus } from '#shared';

/*
 * User Timing for the benchmark (bench/): how long from data arriving to the page showing it.
 * `updateArrivedAt` is `performance.now()` when the last applied update arrived (0: none yet).
 */

/** Measures `name` from `start` to the frame after the next one is painted (rAF, then a task). */
function measureAfterPaint(name: string, start: number, clear: boolean): void {
	requestAnimationFrame(() =>
		setTimeout(() => {
			if (clear) performance.clearMeasures(name);
			performance.measure(name, { start, end: performance.now() });
		})
	);
}

/**
 * For every applied update: data arrival → every component's DOM updated (`shardbeat:apply`),
 * and → the next frame painted (`shardbeat:render`). Call during a component's initialisation
 * (it sets up an `$effect`).
 */
export function measureUpdates(store: { readonly status: FleetStatus | null; readonly updateArrivedAt: number }): void {
	$effect(() => {
		if (!store.status || store.updateArrivedAt === 0) return;
		const start = store.updateArrivedAt;
		void tick().then(() => {
			performance.clearMeasures('shardbeat:apply');
			performance.measure('shardbeat:apply', { start, end: performance.now() });
		});
		measureAfterPaint('shardbeat:render', start, true);
	});
}

/**
 * `shardbeat:complete`, once: from `start` (the update that began a big fleet's drawing) to the
 * frame painted after its last card. The returned function measures on its first call only.
 */
export function measureCompleteOnce(): (start: number) => void {
	let measured = false;
	return (start) => {
		if (measured) return;
		measured = true;
		measureAfterPaint('shardbeat:complete', start, false);
	};
}

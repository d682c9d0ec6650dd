import { describe, expect, it } from 'vitest';
import { cluster, fleet } from '#testing/fixtures/cluster';
import { TileTooltip } from './tile-tooltip.svelte.ts';

function grid(clusterId: number, shards: number[]) {
	const el = document.createElement('div');
	el.dataset.cluster = String(clusterId);
	el.innerHTML = shards.map((id) => `<button class="tile" data-shard="${id}"><span></span></button>`).join('');
	return el;
}
const on = (target: Element) => ({ target }) as unknown as Event;

describe('TileTooltip', () => {
	const status = fleet([cluster({ id: 1, shardIds: [0, 1] }), cluster({ id: 2, shardIds: [2] })]);

	it('anchors to the tile an event happened on (or inside) and finds its cluster', () => {
		const tooltip = new TileTooltip(() => status);
		const two = grid(2, [2]);
		tooltip.show(on(two.querySelector('span')!));
		expect(tooltip.anchor).toBe(two.querySelector('.tile'));
		expect(tooltip.cluster?.id).toBe(2);
	});

	it('ignores events off the tiles; hides only for the anchored tile', () => {
		const tooltip = new TileTooltip(() => status);
		const one = grid(1, [0, 1]);
		const [a, b] = one.querySelectorAll('.tile');
		tooltip.show(on(one));
		expect(tooltip.anchor).toBeNull();
		tooltip.show(on(a!));
		tooltip.hide(on(b!));
		expect(tooltip.anchor).toBe(a);
		tooltip.hide(on(a!));
		expect(tooltip.anchor).toBeNull();
		expect(tooltip.cluster).toBeUndefined();
		tooltip.show(on(b!));
		tooltip.close();
		expect(tooltip.anchor).toBeNull();
	});
});

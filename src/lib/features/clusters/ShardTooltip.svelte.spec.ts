import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, tick } from 'svelte';
import type { ClusterStatus } from '#shared';
import { cluster, shard } from '#testing/fixtures/cluster';
import { cleanupMounted, mountComponent } from '#testing/page/mount';
import ShardTooltip from './ShardTooltip.svelte';

afterEach(cleanupMounted);

/** Opens the tooltip on a tile of shard 3 of `c`, and returns its text. */
async function tooltipFor(c: ClusterStatus): Promise<{ text: string; line: string | null }> {
	const tile = document.createElement('button');
	tile.className = 'tile';
	tile.dataset.shard = '3';
	document.body.append(tile);
	mountComponent(ShardTooltip, { anchor: tile, cluster: c, locale: 'en', onclose: () => {} });
	await tick();
	flushSync();
	const tooltip = document.querySelector<HTMLElement>('[data-testid="shard-tooltip"]');
	if (!tooltip) throw new Error('the tooltip did not open');
	return {
		text: (tooltip.textContent ?? '').replace(/\s+/g, ' ').trim(),
		line: tooltip.querySelector('[data-testid="unavailable-servers"]')?.textContent ?? null
	};
}

describe('ShardTooltip: unavailable servers', () => {
	const withShard3 = (over: Parameters<typeof shard>[2]) => cluster({ id: 2, shardIds: [3], shards: [shard(3, 'ready', { guilds: 1_500, ...over })] });
	it.each([
		{ name: 'many: the count, in the plural', over: { unavailableGuilds: 1_234 }, line: '1,234 unavailable servers' },
		{ name: 'one: the singular', over: { unavailableGuilds: 1 }, line: '1 unavailable server' },
		{ name: 'none: no line', over: { unavailableGuilds: 0 }, line: null },
		{ name: 'an older reporter without the count: no line', over: {}, line: null }
	])('$name', async ({ over, line }) => {
		const shown = await tooltipFor(withShard3(over));
		expect(shown.text).toContain('Shard 3 · Cluster 2');
		expect(shown.text).toContain('Servers 1,500');
		expect(shown.line).toBe(line);
	});
});

describe('ShardTooltip: anchored by the fleet overview', () => {
	/** Opens the tooltip on a point (no element, as on the overview's canvas) and returns its text. */
	async function openAt(c: ClusterStatus, shard: number | null): Promise<string> {
		const anchor = { getBoundingClientRect: () => DOMRect.fromRect({ x: 10, y: 10, width: 4, height: 4 }) };
		mountComponent(ShardTooltip, { anchor, cluster: c, shard, locale: 'en', onclose: () => {} });
		await tick();
		flushSync();
		const tooltip = document.querySelector<HTMLElement>('[data-testid="shard-tooltip"]');
		if (!tooltip) throw new Error('the tooltip did not open');
		return (tooltip.textContent ?? '').replace(/\s+/g, ' ').trim();
	}

	it('describes the whole cluster when no shard is meant', async () => {
		const c = cluster({ id: 7, states: [['ready', 100], ['resuming', null], ['ready', 300]], guildsPerShard: 1_000 });
		const text = await openAt(c, null);
		expect(text).toContain('Cluster 7');
		expect(text).not.toMatch(/Shard \d/);
		expect(text).toContain('Degraded');
		expect(text).toContain('2/3 shards ready');
		expect(text).toContain('Avg. ping 200 ms');
		expect(text).toContain('Servers 3,000');
	});

	it('says Stopped, not a health, for a stopped cluster', async () => {
		const text = await openAt(cluster({ id: 4, lifecycle: 'stopped', states: ['disconnected', 'disconnected'] }), null);
		expect(text).toContain('Stopped');
		expect(text).toContain('0/2 shards ready');
	});

	it('describes the shard it is told, without an element to read it from', async () => {
		const text = await openAt(cluster({ id: 2, shardIds: [3, 4], states: ['ready', 'idle'] }), 4);
		expect(text).toContain('Shard 4 · Cluster 2');
		expect(text).toContain('Idle');
	});
});

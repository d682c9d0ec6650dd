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

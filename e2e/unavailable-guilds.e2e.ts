import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestStack, type Stack } from '#testing/stack';
import { launchChromium, SCREENSHOTS } from '#testing/browser';
import { messages } from '#testing/messages';

/*
 * A Discord outage on a big fleet (64 × 16 = 1,024 shards over real sockets): Discord marks
 * guilds unavailable on a third of the shards, which stay ready. At 360 px, in every locale,
 * light and dark, the shard tooltip and the cluster details say how many servers are unavailable,
 * in the locale's plural form, and screenshots of both are kept.
 */
let stack: Stack;
let browser: Browser;
/** The first cluster with a shard of 2+ unavailable guilds (a plural), that shard, and the cluster's total. */
let target: { cluster: number; shard: number; shardCount: number; clusterCount: number };

beforeAll(async () => {
	stack = await startTestStack({
		fleet: { clusters: 64, shardsPerCluster: 16, intervalMs: 1_000, reconnectChance: 0, deathChance: 0, seed: 11 },
		config: { heartbeatIntervalMs: 1_000 }
	});
	stack.fleet.discordOutage({ shardShare: 1 / 3, guildShare: 0.05 });
	await stack.fleet.flush();
	await stack.server.flush();
	const found = stack.fleet.clusters
		.map((c) => c.report())
		.map((r) => ({ r, shard: r.shards.find((s) => (s.unavailableGuilds ?? 0) >= 2) }))
		.find(({ shard }) => shard !== undefined)!;
	target = {
		cluster: found.r.clusterId,
		shard: found.shard!.id,
		shardCount: found.shard!.unavailableGuilds!,
		clusterCount: found.r.shards.reduce((n, s) => n + (s.unavailableGuilds ?? 0), 0)
	};
	browser = await launchChromium();
}, 180_000);

afterAll(async () => {
	await browser?.close();
	await stack?.stop();
});

/** "N unavailable servers" as the locale's message file and Intl say it. */
function expected(locale: string, count: number): string {
	const [message] = messages(locale).unavailable_servers as unknown as [{ match: Record<string, string> }];
	const form = new Intl.PluralRules(locale).select(count) === 'one' ? message.match['countPlural=one']! : message.match['countPlural=*']!;
	return form.replace('{shown}', new Intl.NumberFormat(locale).format(count));
}

describe.each([
	['/', 'en'],
	['/de/', 'de'],
	['/fr/', 'fr'],
	['/es/', 'es']
] as const)('%s (%s) at 360 px', (path, locale) => {
	it.each(['light', 'dark'] as const)('%s: the tooltip and the cluster details say how many servers are unavailable', async (scheme) => {
		const page = await browser.newPage({ viewport: { width: 360, height: 760 }, colorScheme: scheme });
		await page.goto(stack.page.url + path);
		// The guilds are unavailable, the shards are not: the fleet stays operational.
		await page.locator('[data-testid=banner][data-state=operational]').waitFor({ timeout: 60_000 });
		await expect.poll(() => page.locator('.tile[data-shard]').count(), { timeout: 30_000 }).toBe(1_024);

		const tile = page.locator(`#cluster-${target.cluster} .tile[data-shard="${target.shard}"]`);
		await tile.scrollIntoViewIfNeeded();
		await tile.hover();
		const tooltip = page.getByTestId('shard-tooltip');
		await expect.poll(() => tooltip.getByTestId('unavailable-servers').textContent()).toBe(expected(locale, target.shardCount));
		expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
		await page.screenshot({ path: `${SCREENSHOTS}unavailable-tooltip-${locale}-${scheme}.png` });

		await page.mouse.move(0, 0);
		await page.locator(`#cluster-${target.cluster} button[aria-haspopup=dialog]`).click();
		const details = page.getByTestId('cluster-details');
		await expect.poll(() => details.getByTestId('unavailable-servers').textContent()).toBe(expected(locale, target.clusterCount));
		await page.screenshot({ path: `${SCREENSHOTS}unavailable-details-${locale}-${scheme}.png` });
		await page.close();
	});
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync, tick } from 'svelte';
import type { ComponentProps } from 'svelte';
import type { ClusterLifecycle, ClusterStatus, ShardConflict, ShardStatus } from '#shared';
import { HistoryState } from '$lib/status/history-state.svelte';
import { demoHistory } from '$lib/status/demo-history';
import ClusterCard from './ClusterCard.svelte';
import { cleanupMounted, mountComponent } from '#testing/page/mount';
import { cluster, shard, type ClusterSpec } from '#testing/fixtures/cluster';

/* *.svelte.spec.ts: props are a $state object, so a test can change them after mount. */

const NOW = Date.UTC(2025, 5, 1, 12);

type Props = ComponentProps<typeof ClusterCard>;

/** Cluster 4: shards 8 and 9 ready (40 and 60 ms), started 3h 4m 30s ago, heard from 2 s ago. */
const makeCluster = (overrides: ClusterSpec = {}): ClusterStatus =>
	cluster({
		id: 4,
		shardIds: [8, 9],
		shards: [shard(8, 'ready', { guilds: 5_000 }), shard(9, 'ready', { readyPing: 60, guilds: 7_345 })],
		guilds: 12_345,
		members: 2_500_000,
		startedAt: NOW - (3 * 3_600_000 + 4 * 60_000 + 30_000), // 3h 4m 30s ago
		lastHeartbeatAt: NOW - 2_000,
		...overrides
	});

// Also empties <body>, where bits-ui portals popover content.
afterEach(cleanupMounted);

function render(overrides: Partial<Props> = {}) {
	const props = $state<Props>({ cluster: makeCluster(), now: NOW, locale: 'en', ...overrides });
	const target = mountComponent(ClusterCard, props);
	const card = target.querySelector<HTMLElement>('[data-testid="cluster-card"]')!;
	const clean = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
	/** The <dd> that follows the <dt> with this text. */
	const field = (label: string) => {
		const dt = [...card.querySelectorAll('dt')].find((d) => clean(d.textContent) === label);
		return dt?.nextElementSibling as HTMLElement | undefined;
	};
	return { props, card, clean, field, text: () => clean(card.textContent) };
}

describe('ClusterCard', () => {
	it('names the cluster and labels the card with it', () => {
		const { card, clean } = render();
		const heading = card.querySelector('h3')!;
		expect(clean(heading.textContent)).toBe('Cluster 4');
		expect(card.getAttribute('aria-labelledby')).toBe(heading.id);
		expect(card.id).toBe('cluster-4');
		expect(card.dataset.cluster).toBe('4');
		expect(card.dataset.lifecycle).toBe('running');
	});

	it('shows a Maintenance badge only while under maintenance', () => {
		const { props, card } = render({ cluster: makeCluster({ lifecycle: 'stopped' }) });
		expect(card.querySelector('[data-testid="maintenance-badge"]')).toBeNull();
		expect(card.dataset.maintenance).toBe('false');
		props.maintenance = true;
		flushSync();
		expect(card.querySelector('[data-testid="maintenance-badge"]')!.textContent!.trim()).toBe('Maintenance');
		expect(card.dataset.maintenance).toBe('true');
	});

	it('says a card is kept from before a reconnect, and explains it, only while awaiting a report', () => {
		const { props, card } = render();
		expect(card.querySelector('[data-testid="awaiting-badge"]')).toBeNull();
		expect(card.dataset.awaiting).toBe('false');
		props.awaiting = true;
		flushSync();
		const badge = card.querySelector<HTMLElement>('[data-testid="awaiting-badge"]')!;
		expect(badge.textContent!.trim()).toBe('Awaiting report');
		expect(badge.title).toBe('Shown as last seen before the connection dropped; the server has not heard from this cluster since.');
		expect(card.dataset.awaiting).toBe('true');
		props.awaiting = false;
		flushSync();
		expect(card.querySelector('[data-testid="awaiting-badge"]')).toBeNull();
	});

	it.each([
		{ name: 'every shard ready', shards: ['ready', 'ready'], lifecycle: 'running', health: 'healthy', label: 'Healthy', ready: '2/2 shards ready' },
		{ name: 'one shard resuming', shards: ['ready', 'resuming'], lifecycle: 'running', health: 'degraded', label: 'Degraded', ready: '1/2 shards ready' },
		{ name: 'one shard not reported', shards: ['ready', null], lifecycle: 'starting', health: 'degraded', label: 'Degraded', ready: '1/2 shards ready' },
		{ name: 'no shard ready', shards: ['idle', 'disconnected'], lifecycle: 'running', health: 'down', label: 'Down', ready: '0/2 shards ready' }
	] as const)('$name → data-health="$health", "$label", "$ready"', ({ shards, lifecycle, health, label, ready }) => {
		const list: ShardStatus[] = [];
		shards.forEach((state, i) => {
			if (state) list.push({ id: 8 + i, state, ping: state === 'ready' ? 50 : null, guilds: 10 });
		});
		const { card, text } = render({ cluster: makeCluster({ lifecycle, shards: list }) });
		expect(card.dataset.health).toBe(health);
		const header = card.querySelector('header')!.textContent!;
		expect(header).toContain(label);
		expect(text()).toContain(ready);
		expect(text()).not.toContain('last heard');
	});

	it.each([
		{ lifecycle: 'starting', label: 'Starting' },
		{ lifecycle: 'running', label: 'Running' },
		{ lifecycle: 'stopped', label: 'Stopped' }
	] satisfies { lifecycle: ClusterLifecycle; label: string }[])('shows the $lifecycle lifecycle as "$label"', ({ lifecycle, label }) => {
		const { card, clean } = render({ cluster: makeCluster({ lifecycle }) });
		const badges = [...card.querySelectorAll('header span')].map((s) => clean(s.textContent));
		expect(badges).toContain(label);
		expect(card.dataset.lifecycle).toBe(lifecycle);
	});

	it('counts only assigned shards as ready', () => {
		const cluster = makeCluster();
		cluster.shards.push({ id: 99, state: 'ready', ping: 10, guilds: 1 });
		const { text, card } = render({ cluster });
		expect(text()).toContain('2/2 shards ready');
		expect(card.dataset.health).toBe('healthy');
	});

	it('shows uptime, servers, members and average ping; no last heartbeat while live (it would lag)', () => {
		const { field } = render();
		expect(field('Uptime')!.textContent!.trim()).toBe('3h 4m');
		expect(field('Servers')!.textContent!.trim()).toBe('12.3K');
		expect(field('Servers')!.title).toBe('12,345');
		expect(field('Members')!.textContent!.trim()).toBe('2.5M');
		expect(field('Members')!.title).toBe('2,500,000');
		expect(field('Avg. ping')!.textContent!.trim()).toBe('50 ms');
		expect(field('Last heartbeat')).toBeUndefined();
	});

	it.each([
		{ pings: [40, 60], expected: '50 ms' },
		{ pings: [41, 42], expected: '42 ms' }, // 41.5 rounds to a whole millisecond
		{ pings: [null, 87], expected: '87 ms' }, // shards without a ping are left out, not counted as 0
		{ pings: [null, null], expected: '—' }
	])('average ping of $pings reads "$expected"', ({ pings, expected }) => {
		const shards = pings.map((ping, i) => ({ id: 8 + i, state: 'ready' as const, ping, guilds: 10 }));
		const { field } = render({ cluster: makeCluster({ shards }) });
		expect(field('Avg. ping')!.textContent!.trim()).toBe(expected);
	});

	it('formats numbers for the locale', () => {
		const { field } = render({ locale: 'de' });
		expect(field('Members')!.title).toBe('2.500.000');
		expect(field('Avg. ping')!.textContent!.trim()).toBe('50 ms');
	});

	describe('a stopped cluster', () => {
		const stopped = () =>
			makeCluster({
				lifecycle: 'stopped',
				lastHeartbeatAt: NOW - 95_000,
				shards: [
					{ id: 8, state: 'disconnected', ping: null, guilds: 5_000 },
					{ id: 9, state: 'disconnected', ping: null, guilds: 7_345 }
				]
			});

		it('says when it was last heard instead of counting ready shards', () => {
			const { text, card } = render({ cluster: stopped() });
			expect(text()).toContain('Stopped · last heard 1 minute ago');
			expect(text()).not.toContain('shards ready');
			expect(card.dataset.health).toBe('down');
			expect(card.querySelector('header')!.textContent).toContain('Down');
		});

		it('shows no uptime and no ping', () => {
			const { field } = render({ cluster: stopped() });
			expect(field('Uptime')!.textContent!.trim()).toBe('—');
			expect(field('Avg. ping')!.textContent!.trim()).toBe('—');
			expect(field('Last heartbeat')!.textContent!.trim()).toBe('1 minute ago');
		});

		it('is down even if its last report had ready shards', () => {
			const { card } = render({ cluster: makeCluster({ lifecycle: 'stopped' }) });
			expect(card.dataset.health).toBe('down');
		});
	});

	it('follows `now` as time passes', () => {
		const { props, field } = render();
		props.now = NOW + 60_000;
		flushSync();
		expect(field('Uptime')!.textContent!.trim()).toBe('3h 5m');
	});

	it('follows a cluster that goes from healthy to degraded', () => {
		const { props, card, text } = render();
		expect(card.dataset.health).toBe('healthy');
		props.cluster = makeCluster({ shards: [{ id: 8, state: 'ready', ping: 40, guilds: 1 }, { id: 9, state: 'reconnecting', ping: null, guilds: 1 }] });
		flushSync();
		expect(card.dataset.health).toBe('degraded');
		expect(text()).toContain('1/2 shards ready');
		expect(card.querySelector('.tile[data-shard="9"]')!.getAttribute('data-kind')).toBe('transitional');
	});

	it('draws the shard grid', () => {
		const { card } = render();
		const tiles = [...card.querySelectorAll<HTMLElement>('.tile')];
		expect(tiles.map((t) => t.dataset.shard)).toEqual(['8', '9']);
	});

	it('highlights the found shard', () => {
		const plain = render();
		expect(plain.card.className).not.toContain('ring-4');
		expect(plain.card.querySelector('[aria-current]')).toBeNull();
		plain.props.found = 9;
		flushSync();
		expect(plain.card.className).toContain('ring-4');
		expect(plain.card.querySelector('.tile[data-shard="9"]')!.getAttribute('aria-current')).toBe('true');
	});

	describe('details popover', () => {
		it('has a trigger named for the cluster', () => {
			const { card, clean } = render();
			const trigger = card.querySelector('button[aria-label="Details for cluster 4"]')!;
			expect(trigger).not.toBeNull();
			expect(clean(trigger.textContent)).toBe('Details');
			expect(document.querySelector('[data-testid="cluster-details"]')).toBeNull();
		});

		it('opens with state counts and conflicts', async () => {
			const cluster = makeCluster({
				shardIds: [8, 9, 10, 11],
				shards: [
					{ id: 8, state: 'ready', ping: 40, guilds: 1 },
					{ id: 9, state: 'ready', ping: 90, guilds: 1 },
					{ id: 10, state: 'resuming', ping: null, guilds: 1 }
				]
			});
			const { card, clean } = render({ cluster, conflicts: [{ shardId: 9, clusterIds: [4, 6] }] });
			card.querySelector<HTMLButtonElement>('button[aria-label="Details for cluster 4"]')!.click();
			flushSync();
			await tick();
			flushSync();
			const details = document.querySelector<HTMLElement>('[data-testid="cluster-details"]');
			expect(details).not.toBeNull();
			const text = clean(details!.textContent);
			expect(text).toContain('Cluster 4');
			expect(text).toContain('Running · Degraded');
			expect(text).toContain('8–11');
			expect(text).toContain('40 ms – 90 ms');
			expect(text).toContain('Ready2');
			expect(text).toContain('Resuming1');
			expect(text).toContain('Not reported1');
			expect(text).toContain('Shards reported by more than one cluster: 9');
		});

		/** Opens cluster 4's details and returns the unavailable-servers line, if any. */
		async function unavailableLine(counts: (number | undefined)[]): Promise<string | null> {
			const shards = counts.map((n, i) => shard(8 + i, 'ready', n === undefined ? {} : { unavailableGuilds: n }));
			const { card } = render({ cluster: makeCluster({ shardIds: shards.map((s) => s.id), shards }) });
			card.querySelector<HTMLButtonElement>('button[aria-label="Details for cluster 4"]')!.click();
			flushSync();
			await tick();
			flushSync();
			const details = document.querySelector<HTMLElement>('[data-testid="cluster-details"]')!;
			return details.querySelector('[data-testid="unavailable-servers"]')?.textContent ?? null;
		}
		it.each([
			{ name: 'the cluster’s total over its shards', counts: [3, 0, 1_200], line: '1,203 unavailable servers' },
			{ name: 'the singular for one', counts: [0, 1], line: '1 unavailable server' },
			{ name: 'no line when none is unavailable', counts: [0, 0], line: null },
			{ name: 'no line when the reporter does not send the count', counts: [undefined, undefined], line: null }
		])('unavailable servers: $name', async ({ counts, line }) => {
			expect(await unavailableLine(counts)).toBe(line);
		});
	});
});

describe('ClusterCard details with history', () => {
	it('fetches the cluster’s history when opened and shows its uptime, 90 bars and ping', async () => {
		const requests: string[] = [];
		const history = new HistoryState({
			serverUrl: 'http://status.test',
			timeZone: 'UTC',
			fetch: (async (input: RequestInfo | URL) => {
				requests.push(String(input));
				return new Response(JSON.stringify(demoHistory.cluster(4, NOW, 'UTC')), { status: 200 });
			}) as typeof fetch
		});
		const { card, clean } = render({ history });
		expect(requests).toEqual([]); // nothing fetched for a closed card
		card.querySelector<HTMLButtonElement>('button[aria-label="Details for cluster 4"]')!.click();
		flushSync();
		await vi.waitFor(() => expect(document.querySelectorAll('[data-testid="cluster-uptime-bars"] .uptime-bar')).toHaveLength(90));
		expect(requests).toEqual(['http://status.test/api/v1/history/clusters/4?tz=UTC']);
		const panel = document.querySelector<HTMLElement>('[data-testid="cluster-history"]')!;
		expect(clean(panel.querySelector('[data-testid="uptime-figures"]')!.textContent)).toMatch(/^Last 24 hours .*Last 90 days \d/);
		expect(panel.querySelector('[data-testid="sparkline"] svg')!.getAttribute('aria-label')).toMatch(/^Ping over the last 24 hours: minimum \d+ ms/);
	});
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import type { ClusterLifecycle, ClusterStatus, FleetStatus, ShardState } from '#shared';
import type { FoundShard } from '$lib/status/shard-view';
import FindShard from './FindShard.svelte';
import { cleanupMounted, mountComponent } from '#testing/page/mount';
import { cluster as buildCluster, fleet as buildFleet } from '#testing/fixtures/cluster';

/* *.svelte.spec.ts: props are a $state object, so a test can swap the fleet status after mount. */

const GUILD = '81384788765712384'; // (id >> 22) % 16 === 2, % 5 === 3

/**
 * A cluster owning `shardIds`. With no `states`, every shard is reported ready; otherwise only the
 * shards named in `states` are reported (the rest are assigned but missing).
 */
const cluster = (id: number, shardIds: number[], states: Record<number, ShardState> = {}, lifecycle: ClusterLifecycle = 'running'): ClusterStatus =>
	buildCluster({ id, lifecycle, shardIds, states: shardIds.map((s) => (s in states || Object.keys(states).length === 0 ? [states[s] ?? 'ready', 40] : null)), guilds: 10 * shardIds.length, members: 100, startedAt: 0, lastHeartbeatAt: 0 });

/** 16 shards over four clusters with deliberately unordered ids: shard 2 lives in cluster 7. */
const fleet = (): FleetStatus =>
	buildFleet([cluster(3, [0, 1, 4, 5]), cluster(7, [2, 3, 6, 7]), cluster(1, [8, 9, 10, 11]), cluster(9, [12, 13, 14, 15])], { totalShards: 16, generatedAt: 0 });

afterEach(cleanupMounted);

function render(status: FleetStatus | null = fleet(), extra: { guild?: string | null; pageUrl?: URL | null } = {}) {
	const onfound = vi.fn<(found: FoundShard | null) => void>();
	const props = $state<{ status: FleetStatus | null; onfound: typeof onfound; guild?: string | null; pageUrl?: URL | null }>({ status, onfound, ...extra });
	const target = mountComponent(FindShard, props);
	const input = target.querySelector<HTMLInputElement>('[data-testid="find-input"]')!;
	const form = target.querySelector('form')!;
	const outcome = target.querySelector<HTMLElement>('[data-testid="find-outcome"]')!;
	return {
		root: target,
		props,
		onfound,
		input,
		outcome,
		text: () => outcome.textContent!.replace(/\s+/g, ' ').trim(),
		/** Types `value` (so bind:value updates) and submits the form. */
		find(value: string) {
			input.value = value;
			input.dispatchEvent(new Event('input', { bubbles: true }));
			flushSync();
			const event = new SubmitEvent('submit', { bubbles: true, cancelable: true });
			form.dispatchEvent(event);
			flushSync();
			return event;
		}
	};
}

describe('FindShard', () => {
	it('renders the form with an empty outcome', () => {
		const { root, input, text, onfound } = render();
		expect(input.value).toBe('');
		expect(input.getAttribute('aria-invalid')).toBe('false');
		expect(text()).toBe('');
		expect(onfound).not.toHaveBeenCalled();
		expect(root.querySelector('button[type="submit"]')!.textContent!.trim()).toBe('Find');
	});

	it('finds the shard and the cluster that owns it for a server ID', () => {
		const { find, onfound, text, input, outcome } = render();
		const event = find(GUILD);
		expect(event.defaultPrevented).toBe(true);
		expect(onfound).toHaveBeenCalledTimes(1);
		expect(onfound).toHaveBeenLastCalledWith({ guildId: GUILD, shardId: 2, clusterId: 7 });
		expect(text()).toBe(`Server ${GUILD} is on shard 2 in cluster 7: Ready.`);
		expect(input.getAttribute('aria-invalid')).toBe('false');
		expect(outcome.dataset.error).toBeUndefined();
	});

	it('uses the fleet’s shard count', () => {
		const status = buildFleet([cluster(0, [0, 1]), cluster(1, [2, 3]), cluster(2, [4])], { totalShards: 5, generatedAt: 0 });
		const { find, onfound, text } = render(status);
		find(GUILD);
		expect(onfound).toHaveBeenLastCalledWith({ guildId: GUILD, shardId: 3, clusterId: 1 });
		expect(text()).toBe(`Server ${GUILD} is on shard 3 in cluster 1: Ready.`);
	});

	it.each([
		`https://discord.com/channels/${GUILD}/1/2`,
		`https://discord.com/channels/${GUILD}/1`,
		`https://canary.discord.com/channels/${GUILD}/123456789012345678/123456789012345679`,
		`  ${GUILD}  `
	])('reads the server from %s', (value) => {
		const { find, onfound, text } = render();
		find(value);
		expect(onfound).toHaveBeenLastCalledWith({ guildId: GUILD, shardId: 2, clusterId: 7 });
		expect(text()).toBe(`Server ${GUILD} is on shard 2 in cluster 7: Ready.`);
	});

	it('submits through the button too', () => {
		const { root, input, onfound, text } = render();
		input.value = GUILD;
		input.dispatchEvent(new Event('input', { bubbles: true }));
		flushSync();
		root.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
		flushSync();
		expect(onfound).toHaveBeenLastCalledWith({ guildId: GUILD, shardId: 2, clusterId: 7 });
		expect(text()).toContain('is on shard 2 in cluster 7');
	});

	it('names the shard’s current state', () => {
		const status = fleet();
		status.clusters[1] = cluster(7, [2, 3, 6, 7], { 2: 'reconnecting', 3: 'ready', 6: 'ready', 7: 'ready' });
		const { find, text } = render(status);
		find(GUILD);
		expect(text()).toBe(`Server ${GUILD} is on shard 2 in cluster 7: Reconnecting.`);
	});

	it('says "Not reported" for an assigned shard the cluster has not reported', () => {
		const status = fleet();
		status.clusters[1] = cluster(7, [2, 3], { 3: 'ready' });
		const { find, text, onfound } = render(status);
		find(GUILD);
		expect(onfound).toHaveBeenLastCalledWith({ guildId: GUILD, shardId: 2, clusterId: 7 });
		expect(text()).toBe(`Server ${GUILD} is on shard 2 in cluster 7: Not reported.`);
	});

	it('keeps the answer in step with live data', () => {
		const { find, text, props } = render();
		find(GUILD);
		expect(text()).toContain(': Ready.');
		const next = fleet();
		next.clusters[1] = cluster(7, [2, 3, 6, 7], { 2: 'resuming', 3: 'ready', 6: 'ready', 7: 'ready' });
		props.status = next;
		flushSync();
		expect(text()).toBe(`Server ${GUILD} is on shard 2 in cluster 7: Resuming.`);
	});

	it('prefers a live cluster over a stopped one that still lists the shard', () => {
		const status = fleet();
		status.clusters.unshift(cluster(20, [2], { 2: 'disconnected' }, 'stopped'));
		const { find, onfound, text } = render(status);
		find(GUILD);
		expect(onfound).toHaveBeenLastCalledWith({ guildId: GUILD, shardId: 2, clusterId: 7 });
		expect(text()).toBe(`Server ${GUILD} is on shard 2 in cluster 7: Ready.`);
	});

	it('falls back to a stopped cluster when it is the only one listing the shard', () => {
		const status = fleet();
		status.clusters[1] = cluster(7, [2, 3, 6, 7], { 2: 'disconnected', 3: 'disconnected', 6: 'disconnected', 7: 'disconnected' }, 'stopped');
		const { find, onfound, text } = render(status);
		find(GUILD);
		expect(onfound).toHaveBeenLastCalledWith({ guildId: GUILD, shardId: 2, clusterId: 7 });
		expect(text()).toBe(`Server ${GUILD} is on shard 2 in cluster 7: Disconnected.`);
	});

	it('says so when no cluster reports the shard', () => {
		const status = fleet();
		status.clusters.splice(1, 1); // cluster 7, the owner of shard 2, never started
		const { find, onfound, text } = render(status);
		find(GUILD);
		expect(onfound).toHaveBeenLastCalledWith({ guildId: GUILD, shardId: 2, clusterId: null });
		expect(text()).toBe(`Server ${GUILD} is on shard 2, which no cluster is reporting.`);
	});

	describe('errors', () => {
		it.each([
			{ name: 'letters', value: 'abc', error: 'not_a_snowflake', message: 'That is not a server ID: server IDs are 17 to 20 digits long.' },
			{ name: 'too few digits', value: '1234567890123456', error: 'not_a_snowflake', message: 'That is not a server ID: server IDs are 17 to 20 digits long.' },
			{
				name: 'a direct-message link',
				value: 'https://discord.com/channels/@me/123456789012345678/123456789012345679',
				error: 'direct_message_link',
				message: 'That link points to a direct message, which has no server. Paste a link to a message in a server.'
			},
			{ name: 'empty input', value: '', error: 'empty', message: 'Enter a server ID or a message link.' },
			{ name: 'only spaces', value: '   ', error: 'empty', message: 'Enter a server ID or a message link.' }
		])('$name → $error', ({ value, error, message }) => {
			const { find, onfound, text, input, outcome } = render();
			find(value);
			expect(onfound).toHaveBeenCalledTimes(1);
			expect(onfound).toHaveBeenLastCalledWith(null);
			expect(text()).toBe(message);
			expect(outcome.dataset.error).toBe(error);
			expect(input.getAttribute('aria-invalid')).toBe('true');
		});

		it.each([
			{ name: 'no status yet', status: null },
			{ name: 'no shard count yet', status: { clusters: [], totalShards: 0, conflicts: [], generatedAt: 0 } }
		])('a valid ID with $name → no_data', ({ status }) => {
			const { find, onfound, text, outcome } = render(status);
			find(GUILD);
			expect(onfound).toHaveBeenLastCalledWith(null);
			expect(text()).toBe('Shard data has not arrived yet; try again in a moment.');
			expect(outcome.dataset.error).toBe('no_data');
		});

		it('an error replaces an earlier answer, and a later answer clears the error', () => {
			const { find, onfound, text, input, outcome } = render();
			find(GUILD);
			expect(text()).toContain('is on shard 2');

			find('abc');
			expect(onfound).toHaveBeenLastCalledWith(null);
			expect(text()).toBe('That is not a server ID: server IDs are 17 to 20 digits long.');
			expect(text()).not.toContain('is on shard');

			find(`https://discord.com/channels/${GUILD}/1/2`);
			expect(onfound).toHaveBeenLastCalledWith({ guildId: GUILD, shardId: 2, clusterId: 7 });
			expect(text()).toBe(`Server ${GUILD} is on shard 2 in cluster 7: Ready.`);
			expect(outcome.dataset.error).toBeUndefined();
			expect(input.getAttribute('aria-invalid')).toBe('false');
			expect(onfound).toHaveBeenCalledTimes(3);
		});
	});

	describe('links', () => {
		it('answers a ?guild= link once the shard count arrives, as if typed', () => {
			const { props, onfound, text, input } = render(null, { guild: GUILD });
			expect(onfound).not.toHaveBeenCalled();
			props.status = fleet();
			flushSync();
			expect(input.value).toBe(GUILD);
			expect(onfound).toHaveBeenCalledExactlyOnceWith({ guildId: GUILD, shardId: 2, clusterId: 7 });
			expect(text()).toBe(`Server ${GUILD} is on shard 2 in cluster 7: Ready.`);
			props.status = fleet();
			flushSync();
			expect(onfound).toHaveBeenCalledTimes(1);
		});

		it('offers a link to the answer, on the page’s own path and language, and none for an error', () => {
			const { find, root } = render(fleet(), { pageUrl: new URL('https://status.example/fr/?cluster=3#x') });
			expect(root.querySelector('[data-testid=share-link]')).toBeNull();
			find(GUILD);
			expect(root.querySelector('[data-testid=share-href]')!.getAttribute('href')).toBe(`https://status.example/fr/?guild=${GUILD}`);
			find('abc');
			expect(root.querySelector('[data-testid=share-link]')).toBeNull();
		});

		it('copies the link where the browser allows', async () => {
			const writeText = vi.fn(async () => {});
			vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
			try {
				const { find, root } = render(fleet(), { pageUrl: new URL('https://status.example/') });
				find(GUILD);
				root.querySelector<HTMLButtonElement>('[data-testid=share-link] button')!.click();
				await vi.waitFor(() => expect(root.querySelector('[data-testid=share-link] [role=status]')!.textContent).toBe('Link copied'));
				expect(writeText).toHaveBeenCalledWith(`https://status.example/?guild=${GUILD}`);
			} finally {
				vi.unstubAllGlobals();
			}
		});
	});
});

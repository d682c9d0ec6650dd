import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import type { FleetStatus } from '#shared';
import { cluster, fleet } from '#testing/fixtures/cluster';
import { ClusterFocus } from '$lib/features/clusters/cluster-focus.svelte';
import { ClusterList } from '$lib/features/clusters/cluster-list.svelte';
import { DeepLinkLanding } from './deep-link.svelte.ts';
import type { DeepLink } from './deep-link.ts';

/* *.svelte.spec.ts: the fleet is $state, so a test can make it arrive after the page starts. */

const status = fleet([cluster({ id: 3, shardIds: [0, 1] }), cluster({ id: 7, shardIds: [2, 3] })], { totalShards: 4 });

function land(link: DeepLink | null) {
	let current = $state<FleetStatus | null>(null);
	const focus = new ClusterFocus(new ClusterList(() => current), () => current);
	const landing = new DeepLinkLanding(link, () => current, focus);
	const stop = $effect.root(() => landing.follow());
	flushSync();
	return {
		landing,
		/** How often the landing focused a cluster, and where the highlight is. */
		focused: () => ({ times: focus.count, target: focus.target }),
		stop,
		arrive(next: FleetStatus | null) {
			current = next;
			flushSync();
		}
	};
}

describe('DeepLinkLanding', () => {
	it.each<{ link: DeepLink; call: [number, number | null] }>([
		{ link: { kind: 'cluster', clusterId: 7 }, call: [7, null] },
		{ link: { kind: 'shard', shardId: 1 }, call: [3, 1] }
	])('follows $link once the fleet arrives, and only once', ({ link, call }) => {
		const { focused, arrive, landing, stop } = land(link);
		expect(focused().times).toBe(0);
		arrive(fleet([])); // a fleet with no clusters yet says nothing about the link
		expect(focused().times).toBe(0);
		arrive(status);
		expect(focused()).toEqual({ times: 1, target: { clusterId: call[0], shardId: call[1] } });
		arrive({ ...status, generatedAt: status.generatedAt + 1 });
		expect(focused().times).toBe(1);
		expect(landing.missed).toBeNull();
		stop();
	});

	it.each<DeepLink>([
		{ kind: 'cluster', clusterId: 9 },
		{ kind: 'shard', shardId: 40 }
	])('says when %o lands nowhere', (link) => {
		const { focused, arrive, landing, stop } = land(link);
		arrive(status);
		expect(focused().times).toBe(0);
		expect(landing.missed).toEqual(link);
		stop();
	});

	it('leaves a guild link to find-my-shard, and does nothing without a link', () => {
		const guild = land({ kind: 'guild', guildId: '81384788765712384' });
		guild.arrive(status);
		expect(guild.focused().times).toBe(0);
		expect(guild.landing.guild).toBe('81384788765712384');
		guild.stop();
		const none = land(null);
		none.arrive(status);
		expect(none.focused().times).toBe(0);
		expect(none.landing.guild).toBeNull();
		none.stop();
	});
});

import { describe, expect, it } from 'vitest';
import { decodeDelta, decodeFull, encodeDelta, encodeFull, type ClusterStatus, type ShardStatus } from '#shared';
import { cluster, FIXTURE_T0, shard } from '#testing/fixtures/cluster';
import { redactCluster, redactUpdate } from './redaction.ts';

const AT = FIXTURE_T0;

describe('redactCluster', () => {
	const cases: [name: string, given: ShardStatus, kept: ShardStatus][] = [
		['a ready shard loses its ping and guilds', shard(0, 'ready', { readyPing: 55, guilds: 1_200 }), { id: 0, state: 'ready', ping: null, guilds: 0 }],
		['unavailable guilds go with the guild count', shard(0, 'ready', { guilds: 1_200, unavailableGuilds: 40 }), { id: 0, state: 'ready', ping: null, guilds: 0 }],
		['a count of 0 is dropped too (not turned into a figure)', shard(0, 'resuming', { guilds: 9, unavailableGuilds: 0 }), { id: 0, state: 'resuming', ping: null, guilds: 0 }],
		['a shard with nothing to hide stays as it is', shard(0, 'idle', { guilds: 0 }), { id: 0, state: 'idle', ping: null, guilds: 0 }]
	];
	it.each(cases)('%s', (_, given, kept) => {
		const redacted = redactCluster(cluster({ id: 1, shards: [given], members: 700 }));
		expect(redacted).toMatchObject({ guilds: 0, members: 0 });
		expect(redacted.shards).toEqual([kept]);
		expect('unavailableGuilds' in redacted.shards[0]!).toBe(false);
	});
});

describe('redactUpdate', () => {
	const before = cluster({ id: 3, states: ['ready', 'ready'] });
	const counted: ClusterStatus = { ...before, shards: before.shards.map((s, i) => (i === 1 ? { ...s, unavailableGuilds: 6 } : s)) };

	it('a full update with unavailable guilds carries none once redacted', () => {
		const update = { kind: 'full' as const, version: 2, at: AT, data: encodeFull([counted], AT) };
		const [redacted] = decodeFull(redactUpdate(update, () => undefined).data, AT);
		expect(redacted).toEqual(redactCluster(counted));
		expect(redacted!.shards.some((s) => 'unavailableGuilds' in s)).toBe(false);
	});

	it('a patch that moved only an unavailable-guild count stays a patch of that shard, without the count', () => {
		const update = { kind: 'delta' as const, from: 1, version: 2, at: AT, data: encodeDelta(new Map([[3, new Set([1])]]), () => counted, AT) };
		const publicCopy = redactCluster(before);
		const entries = decodeDelta(redactUpdate(update, () => publicCopy).data, AT, () => publicCopy);
		expect(entries).toEqual([{ kind: 'set', cluster: redactCluster(counted), change: new Set([1]) }]);
	});
});

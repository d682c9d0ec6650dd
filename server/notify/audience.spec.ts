import { describe, expect, it } from 'vitest';
import { spreadingIncident } from '#testing/fixtures/incident';
import type { NoticeScope, SubscriberScope } from './contract.ts';
import { defaultScope, fleetScope, noticeConcerns } from './audience.ts';

// Guild 81384788765712384 is served by shard 2 of 16 (and of 8).
const GUILD: SubscriberScope = { kind: 'guild', guildId: '81384788765712384' };
const all: NoticeScope = { clusterIds: null, shardIds: null, totalShards: 16 };
const c1s2: NoticeScope = { clusterIds: [1], shardIds: [2, 3], totalShards: 16 };
const c2s9: NoticeScope = { clusterIds: [2], shardIds: [9], totalShards: 16 };

describe('noticeConcerns', () => {
	it.each<[string, NoticeScope, SubscriberScope, boolean]>([
		['whole bot reaches a guild subscriber', all, GUILD, true],
		['whole bot reaches a clusters subscriber', all, { kind: 'clusters', clusterIds: [7] }, true],
		['a bot subscriber hears any incident', c2s9, { kind: 'bot' }, true],
		['clusters: one of mine', c1s2, { kind: 'clusters', clusterIds: [0, 1] }, true],
		['clusters: none of mine', c2s9, { kind: 'clusters', clusterIds: [0, 1] }, false],
		['clusters: shards only, clusters unknown', { clusterIds: null, shardIds: [2], totalShards: 16 }, { kind: 'clusters', clusterIds: [1] }, false],
		['guild: its shard is down', c1s2, GUILD, true],
		['guild: another shard', c2s9, GUILD, false],
		['guild: shard count unknown', { ...c1s2, totalShards: 0 }, GUILD, false],
		['guild: clusters without a shard list', { clusterIds: [1], shardIds: null, totalShards: 16 }, GUILD, false]
	])('%s', (_, scope, subscription, expected) => expect(noticeConcerns(scope, subscription)).toBe(expected));
});

describe('defaultScope', () => {
	it.each<[string, Parameters<typeof defaultScope>[0], NoticeScope]>([
		['an incident: its clusters and shards', { type: 'incident.opened', incident: spreadingIncident({ clusterIds: [3], shardIds: [12, 13] }) }, { clusterIds: [3], shardIds: [12, 13], totalShards: 0 }],
		['an incident on nothing listed: the whole bot', { type: 'incident.opened', incident: spreadingIncident({ clusterIds: [], shardIds: [] }) }, { clusterIds: null, shardIds: null, totalShards: 0 }],
		['maintenance of clusters', { type: 'maintenance.started', maintenance: { id: 1, title: 't', message: '', startsAt: 0, endsAt: 1, clusterIds: [4] } }, { clusterIds: [4], shardIds: null, totalShards: 0 }],
		['maintenance of the whole bot', { type: 'maintenance.ended', maintenance: { id: 1, title: 't', message: '', startsAt: 0, endsAt: 1, clusterIds: null } }, { clusterIds: null, shardIds: null, totalShards: 0 }],
		['a subscription message', { type: 'subscription.confirm', subscriberId: 4 }, { clusterIds: null, shardIds: null, totalShards: 0 }]
	])('%s', (_, notice, expected) => expect(defaultScope(notice)).toEqual(expected));
});

describe('fleetScope', () => {
	const fleet = { totalShards: 16, clusters: [{ id: 0, shardIds: [0, 1, 2, 3] }, { id: 1, shardIds: [4, 5, 6, 7] }] } as unknown as Parameters<typeof fleetScope>[1];
	const maintenance = (clusterIds: number[] | null) => ({ type: 'maintenance.started' as const, maintenance: { id: 1, title: 't', message: '', startsAt: 0, endsAt: 1, clusterIds } });
	it.each<[string, Parameters<typeof fleetScope>[0], NoticeScope]>([
		['an automatic incident keeps its shards, with the shard count', { type: 'incident.opened', incident: spreadingIncident() }, { clusterIds: [2, 5], shardIds: [11, 12, 40, 41], totalShards: 16 }],
		['an operator incident on cluster 0 touches its shards', { type: 'incident.opened', incident: spreadingIncident({ source: 'operator', clusterIds: [0], shardIds: [] }) }, { clusterIds: [0], shardIds: [0, 1, 2, 3], totalShards: 16 }],
		['maintenance of cluster 1 touches its shards', maintenance([1]), { clusterIds: [1], shardIds: [4, 5, 6, 7], totalShards: 16 }],
		['maintenance of a cluster the fleet does not have', maintenance([9]), { clusterIds: [9], shardIds: null, totalShards: 16 }],
		['maintenance of the whole bot', maintenance(null), { clusterIds: null, shardIds: null, totalShards: 16 }]
	])('%s', (_, notice, expected) => expect(fleetScope(notice, fleet)).toEqual(expected));

	it('reaches the guild on shard 2 for maintenance of cluster 0, not of cluster 1', () => {
		expect(noticeConcerns(fleetScope(maintenance([0]), fleet), GUILD)).toBe(true);
		expect(noticeConcerns(fleetScope(maintenance([1]), fleet), GUILD)).toBe(false);
	});
});

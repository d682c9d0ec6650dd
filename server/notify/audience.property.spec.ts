import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shardForGuild, type FleetStatus } from '#shared';
import { cluster as buildCluster, fleet as buildFleet } from '#testing/fixtures/cluster';
import { fleetScope, noticeConcerns } from './audience.ts';
import type { IncidentNotice } from '../history/incident-notice.ts';

/*
 * "Tell me when my server is affected" as properties of the fan-out's audience: a guild
 * subscriber hears an operator incident about some clusters exactly when one of those clusters
 * runs, at the notice's time, the shard Discord assigns the guild for the shard count then, so
 * the same subscription follows its guild through any re-shard. (Table cases: audience.spec.ts.)
 */

/** A fleet of `totalShards` shards dealt to clusters 0.. in runs of `perCluster`. */
function layout(totalShards: number, perCluster: number): FleetStatus {
	const clusters = [];
	for (let first = 0, id = 0; first < totalShards; first += perCluster, id++) {
		const shardIds = Array.from({ length: Math.min(perCluster, totalShards - first) }, (_, i) => first + i);
		clusters.push(buildCluster({ id, lifecycle: 'running', shardIds, states: shardIds.map(() => ['ready', 40] as const), guilds: 0, members: 0, startedAt: 0, lastHeartbeatAt: 0 }));
	}
	return buildFleet(clusters, { totalShards, generatedAt: 0 });
}

const incidentAbout = (clusterIds: number[]): IncidentNotice => ({
	type: 'incident.opened',
	incident: { id: 1, source: 'operator', title: 't', status: 'investigating', impact: 'minor', startedAt: 0, resolvedAt: null, clusterIds, shardIds: [], updates: [] }
});

const guildId = fc.bigInt({ min: 1n << 40n, max: (1n << 63n) - 1n }).map(String).filter((id) => id.length >= 17);
const fleetShape = fc.record({ totalShards: fc.integer({ min: 1, max: 512 }), perCluster: fc.integer({ min: 1, max: 64 }) });

describe('noticeConcerns with fleetScope: a guild subscriber', () => {
	it('hears an incident about some clusters exactly when one of them runs its guild’s shard at the time', () => {
		fc.assert(
			fc.property(guildId, fleetShape, fc.uniqueArray(fc.nat(600), { minLength: 1, maxLength: 6 }), (guild, shape, named) => {
				const fleet = layout(shape.totalShards, shape.perCluster);
				const shard = shardForGuild(guild, shape.totalShards);
				const owner = fleet.clusters.find((c) => c.shardIds.includes(shard))!.id;
				const heard = noticeConcerns(fleetScope(incidentAbout(named), fleet), { kind: 'guild', guildId: guild });
				expect(heard).toBe(named.includes(owner));
			})
		);
	});

	it('follows its guild through a re-shard: the same subscription, judged by the layout of each notice', () => {
		fc.assert(
			fc.property(guildId, fleetShape, fleetShape, (guild, before, after) => {
				for (const shape of [before, after]) {
					const fleet = layout(shape.totalShards, shape.perCluster);
					const owner = fleet.clusters.find((c) => c.shardIds.includes(shardForGuild(guild, shape.totalShards)))!.id;
					const others = fleet.clusters.map((c) => c.id).filter((id) => id !== owner);
					expect(noticeConcerns(fleetScope(incidentAbout([owner]), fleet), { kind: 'guild', guildId: guild })).toBe(true);
					if (others.length > 0) expect(noticeConcerns(fleetScope(incidentAbout(others), fleet), { kind: 'guild', guildId: guild })).toBe(false);
				}
			})
		);
	});
});

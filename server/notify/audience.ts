import { shardForGuild } from '#shared';
import type { FleetStatus, MaintenanceWindow } from '#shared';
import type { IncidentNotice } from '../history/incident-notice.ts';
import type { Notice, NoticeScope, SubscriberScope } from './contract.ts';

/**
 * What a notice touches, from the notice alone: an incident's clusters and shards, a maintenance's
 * clusters; empty lists and null mean the whole bot. `totalShards` 0: the shard count is unknown
 * here, so guild subscribers hear only whole-bot notices (the server passes the fleet's own scope).
 */
export function defaultScope(notice: Notice): NoticeScope {
	if ('incident' in notice) return incidentScope(notice, 0);
	if ('maintenance' in notice) return maintenanceScope(notice.maintenance, [], 0);
	return { clusterIds: null, shardIds: null, totalShards: 0 };
}

/**
 * A notice's scope against the fleet as it is now: the bot's shard count, and for clusters named
 * without shards (an operator incident, a maintenance) the shards those clusters run, so guild
 * subscribers can be matched.
 */
export function fleetScope(notice: Notice, fleet: Pick<FleetStatus, 'clusters' | 'totalShards'>): NoticeScope {
	const shardsOf = (clusterIds: readonly number[]) => fleet.clusters.filter((c) => clusterIds.includes(c.id)).flatMap((c) => c.shardIds).sort((a, b) => a - b);
	if ('incident' in notice) {
		const scope = incidentScope(notice, fleet.totalShards);
		if (scope.clusterIds && !scope.shardIds) {
			const shards = shardsOf(scope.clusterIds);
			return shards.length > 0 ? { ...scope, shardIds: shards } : scope;
		}
		return scope;
	}
	if ('maintenance' in notice) return maintenanceScope(notice.maintenance, shardsOf(notice.maintenance.clusterIds ?? []), fleet.totalShards);
	return { clusterIds: null, shardIds: null, totalShards: fleet.totalShards };
}

/** An incident's scope: its clusters and shards (none listed: the whole bot). */
export function incidentScope(notice: IncidentNotice, totalShards: number): NoticeScope {
	const { clusterIds, shardIds } = notice.incident;
	if (clusterIds.length === 0 && shardIds.length === 0) return { clusterIds: null, shardIds: null, totalShards };
	return { clusterIds: [...clusterIds], shardIds: shardIds.length > 0 ? [...shardIds] : null, totalShards };
}

/** A maintenance's scope: its clusters, and the shards they run now (`shardsOfClusters`), so guild subscribers can be matched. */
export function maintenanceScope(maintenance: MaintenanceWindow, shardsOfClusters: readonly number[], totalShards: number): NoticeScope {
	if (maintenance.clusterIds === null) return { clusterIds: null, shardIds: null, totalShards };
	return { clusterIds: [...maintenance.clusterIds], shardIds: shardsOfClusters.length > 0 ? [...shardsOfClusters] : null, totalShards };
}

/**
 * Whether a subscriber with `subscription` hears a notice touching `scope`. Whole-bot notices
 * reach everyone; a clusters subscriber hears of its clusters; a guild subscriber hears when the
 * shard serving its guild (of the shard count when the notice was made) is touched, and never
 * when that cannot be known (no shard list or no shard count): no mail rather than a wrong one.
 */
export function noticeConcerns(scope: NoticeScope, subscription: SubscriberScope): boolean {
	const wholeBot = scope.clusterIds === null && scope.shardIds === null;
	if (wholeBot || subscription.kind === 'bot') return true;
	if (subscription.kind === 'clusters') return scope.clusterIds !== null && subscription.clusterIds.some((c) => scope.clusterIds!.includes(c));
	if (scope.shardIds === null || scope.totalShards < 1) return false;
	return scope.shardIds.includes(shardForGuild(subscription.guildId, scope.totalShards));
}

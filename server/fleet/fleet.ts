import type { ChangeSet, ClusterChange, ClusterLifecycle, ClusterStatus, FleetStatus, Heartbeat, ShardConflict, ShardReport, ShardStatus } from '#shared';
import { deriveTotalShards, isShardUp, mergeChange } from '#shared';

interface ClusterRecord {
	status: ClusterStatus;
	/** The bot socket that last reported this cluster; its disconnect stops the cluster. */
	socketId: string | null;
	lastUptimeMs: number;
	/** The shard conflicts last reported for this cluster, so a conflict is logged once, not per heartbeat. */
	conflictKey: string;
}

export interface ApplyResult {
	cluster: ClusterStatus;
	conflicts: ShardConflict[];
	/** True when this heartbeat changed the set of conflicts touching the cluster. */
	conflictsChanged: boolean;
	lifecycleChanged: boolean;
}

/**
 * A cluster the history says was in the fleet before this server started (see
 * `HistoryRepository.members`): expected, not yet heard from.
 */
export interface ExpectedCluster {
	id: number;
	shardIds: number[];
	totalShards: number;
	lastHeartbeatAt: number;
}

/** What `Fleet.retire` did: `retired`, or why not (`unknown`: no such cluster; `live`: it is not stopped). */
export type RetireOutcome = { outcome: 'retired'; shardIds: number[] } | { outcome: 'unknown' } | { outcome: 'live'; lifecycle: ClusterLifecycle; lastHeartbeatAt: number };

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
const ascending = (ids: readonly number[]) => ids.every((id, i) => i === 0 || ids[i - 1]! < id);
const ascendingById = (items: readonly { id: number }[]) => items.every((s, i) => i === 0 || items[i - 1]!.id < s.id);
const sameIds = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((id, i) => id === b[i]);

/** A reported shard as the fleet keeps it: copied (the heartbeat may be reused), ping in whole ms. */
function shardStatus(s: ShardReport): ShardStatus {
	// Whole milliseconds: finer than any gateway measures, and what the wire format carries.
	const status: ShardStatus = { id: s.id, state: s.state, ping: s.ping === undefined ? null : Math.round(s.ping), guilds: s.guilds };
	// Only when reported: an older reporter's silence is not a count of 0.
	if (s.unavailableGuilds !== undefined) status.unavailableGuilds = s.unavailableGuilds;
	return status;
}

/**
 * The fleet as the server knows it: one record per cluster id, plus which live cluster claims
 * which shard. Pure state, no timers or sockets, so liveness and transport stay separate.
 */
export class Fleet {
	readonly #clusters = new Map<number, ClusterRecord>();
	/** shard id → ids of live clusters that claim it. */
	readonly #claims = new Map<number, Set<number>>();
	/** Ids of stopped clusters, so pruning on the heartbeat path looks at them alone. */
	readonly #stopped = new Set<number>();
	/**
	 * Clusters the history says were in the fleet before a restart and that have not reported
	 * since, as they would be shown stopped. Unseen until `stop` reveals one (the start-up grace is
	 * over); dropped when one reports, or when a re-shard supersedes it (which removes it from the
	 * history too).
	 */
	readonly #expected = new Map<number, ClusterStatus>();
	#totalShards = 0;
	/** What changed since the last `takeChanges()`: the publisher turns it into a version. */
	#changes: ChangeSet = new Map();
	/** Clusters heard from since the last `takeTouched()`, changed or not, and when. */
	#touched = new Map<number, number>();

	get size(): number {
		return this.#clusters.size;
	}

	get(clusterId: number): ClusterStatus | undefined {
		return this.#clusters.get(clusterId)?.status;
	}

	/** Records a validated heartbeat. `now` is when the server received it. */
	apply(hb: Heartbeat, socketId: string | null, now: number): ApplyResult {
		const prev = this.#clusters.get(hb.clusterId);
		const wasLive = prev !== undefined && prev.status.lifecycle !== 'stopped';
		// A smaller uptime than last time means the process restarted between two heartbeats.
		const newSession = !wasLive || hb.uptimeMs < prev.lastUptimeMs;
		const shardIds = ascending(hb.shardIds) ? hb.shardIds.slice() : [...hb.shardIds].sort((a, b) => a - b);
		// Claims only move when the cluster's shard list does, which is rare: skip the work otherwise.
		const sameClaims = wasLive && sameIds(prev.status.shardIds, shardIds);
		if (wasLive && !sameClaims) this.#unclaim(prev.status);

		const shards: ShardStatus[] = hb.shards.map(shardStatus);
		if (!ascendingById(shards)) shards.sort(byId);
		// Validation guarantees every reported shard is assigned, once: all ready means all reported and ready.
		const allReady = shards.length === shardIds.length && shards.every((s) => isShardUp(s.state));
		// `running` once every shard has been ready in this session; a later reconnect is shown as
		// degraded health, not as the cluster starting over.
		const lifecycle: ClusterLifecycle = allReady || (!newSession && prev.status.lifecycle === 'running') ? 'running' : 'starting';

		const status: ClusterStatus = {
			id: hb.clusterId,
			lifecycle,
			shardIds,
			shards,
			guilds: hb.guilds,
			members: hb.members,
			totalShards: hb.totalShards,
			startedAt: newSession || !prev ? Math.round(now - hb.uptimeMs) : prev.status.startedAt,
			lastHeartbeatAt: now
		};
		const record: ClusterRecord = { status, socketId, lastUptimeMs: hb.uptimeMs, conflictKey: prev?.conflictKey ?? '' };
		this.#clusters.set(hb.clusterId, record);
		this.#stopped.delete(hb.clusterId);
		this.#expected.delete(hb.clusterId);
		if (!sameClaims) this.#claim(status);
		this.#totalShards = hb.totalShards;
		this.#touched.set(hb.clusterId, now);
		const change = changeBetween(prev?.status, status);
		if (change) this.#record(hb.clusterId, change);

		const conflicts = this.#conflictsOf(status);
		const key = conflicts.map((c) => `${c.shardId}:${c.clusterIds.join(',')}`).join(';');
		const conflictsChanged = key !== record.conflictKey;
		record.conflictKey = key;
		this.#pruneSuperseded();
		return { cluster: status, conflicts, conflictsChanged, lifecycleChanged: prev?.status.lifecycle !== lifecycle };
	}

	/**
	 * Marks a cluster stopped. Its shards are shown disconnected with no ping, so a dead process
	 * never looks frozen at its last good state; `lastHeartbeatAt` is kept so the page can say when.
	 */
	stop(clusterId: number): boolean {
		const record = this.#clusters.get(clusterId);
		if (!record) return this.#reveal(clusterId);
		if (record.status.lifecycle === 'stopped') return false;
		this.#unclaim(record.status);
		record.status = stoppedCopy(record.status);
		record.socketId = null;
		record.conflictKey = '';
		this.#stopped.add(clusterId);
		this.#record(clusterId, 'full');
		return true;
	}

	/**
	 * Clusters the history says were in the fleet before this server started. Those not heard from
	 * yet are kept out of sight until `stop` reveals them (a restart alone must not show a cluster
	 * down); those a re-shard has already superseded leave the fleet now.
	 */
	expect(clusters: readonly ExpectedCluster[]): void {
		for (const c of clusters) {
			if (this.#clusters.has(c.id) || this.#expected.has(c.id)) continue;
			const shards = c.shardIds.map((id) => ({ id, state: 'disconnected' as const, ping: null, guilds: 0 }));
			const shardIds = [...c.shardIds].sort((a, b) => a - b);
			this.#expected.set(c.id, { id: c.id, lifecycle: 'stopped', shardIds, shards, guilds: 0, members: 0, totalShards: c.totalShards, startedAt: c.lastHeartbeatAt, lastHeartbeatAt: c.lastHeartbeatAt });
		}
		this.#pruneSuperseded();
	}

	/** Whether `clusterId` is expected from before a restart and not heard from yet. */
	isExpected(clusterId: number): boolean {
		return this.#expected.has(clusterId);
	}

	/** An expected cluster becomes a stopped one, shown and counted as down. */
	#reveal(clusterId: number): boolean {
		const status = this.#expected.get(clusterId);
		if (!status) return false;
		this.#expected.delete(clusterId);
		this.#clusters.set(clusterId, { status, socketId: null, lastUptimeMs: 0, conflictKey: '' });
		this.#stopped.add(clusterId);
		this.#record(clusterId, 'full');
		return true;
	}

	/**
	 * An operator says a stopped cluster is gone for good: it leaves the fleet (and the history, as
	 * a removal) now. Should it report again, it simply rejoins. `committed` is the cluster as the
	 * shared fleet has it (scaled out, another instance may hold its record), used when this one
	 * does not know it.
	 */
	retire(clusterId: number, committed?: ClusterStatus): RetireOutcome {
		const status = this.#clusters.get(clusterId)?.status ?? this.#expected.get(clusterId) ?? committed;
		if (!status) return { outcome: 'unknown' };
		if (status.lifecycle !== 'stopped') return { outcome: 'live', lifecycle: status.lifecycle, lastHeartbeatAt: status.lastHeartbeatAt };
		this.#clusters.delete(clusterId);
		this.#stopped.delete(clusterId);
		this.#expected.delete(clusterId);
		this.#record(clusterId, 'removed');
		return { outcome: 'retired', shardIds: status.shardIds };
	}

	/** Stops the clusters whose latest report came over `socketId` (which just disconnected). */
	stopSocket(socketId: string): number[] {
		const stopped: number[] = [];
		for (const [id, record] of this.#clusters) {
			if (record.socketId === socketId && this.stop(id)) stopped.push(id);
		}
		return stopped;
	}

	/** Hands over the changes since the last call and starts a new set. */
	takeChanges(): ChangeSet {
		const changes = this.#changes;
		this.#changes = new Map();
		return changes;
	}

	/** Hands over which clusters were heard from (and when) since the last call; scaled out, Redis keeps these last-seen times. */
	takeTouched(): Map<number, number> {
		const touched = this.#touched;
		this.#touched = new Map();
		return touched;
	}

	/** Puts back changes that could not be committed, under any that arrived since. */
	restoreChanges(changes: ChangeSet): void {
		for (const [id, change] of changes) {
			const later = this.#changes.get(id);
			this.#changes.set(id, later === undefined ? change : mergeChange(change, later));
		}
	}

	get pendingChanges(): number {
		return this.#changes.size;
	}

	#record(clusterId: number, change: ClusterChange): void {
		this.#changes.set(clusterId, mergeChange(this.#changes.get(clusterId), change));
	}

	snapshot(now = Date.now()): FleetStatus {
		const clusters = [...this.#clusters.values()].map((r) => r.status).sort(byId);
		const conflicts: ShardConflict[] = [];
		for (const [shardId, owners] of this.#claims) {
			if (owners.size > 1) conflicts.push({ shardId, clusterIds: [...owners].sort((a, b) => a - b) });
		}
		conflicts.sort((a, b) => a.shardId - b.shardId);
		return { clusters, totalShards: this.#totalShards, conflicts, generatedAt: now };
	}

	#claim(status: ClusterStatus): void {
		for (const id of status.shardIds) {
			let owners = this.#claims.get(id);
			if (!owners) this.#claims.set(id, (owners = new Set()));
			owners.add(status.id);
		}
	}

	#unclaim(status: ClusterStatus): void {
		for (const id of status.shardIds) {
			const owners = this.#claims.get(id);
			owners?.delete(status.id);
			if (owners?.size === 0) this.#claims.delete(id);
		}
	}

	#conflictsOf(status: ClusterStatus): ShardConflict[] {
		const out: ShardConflict[] = [];
		for (const id of status.shardIds) {
			const owners = this.#claims.get(id);
			if (owners && owners.size > 1) out.push({ shardId: id, clusterIds: [...owners].sort((a, b) => a - b) });
		}
		return out;
	}

	/*
	 * After a re-shard (say 10 clusters become 8), the old clusters would otherwise stay "stopped"
	 * forever. A stopped cluster is dropped once every one of its shards is served by a live
	 * cluster or lies beyond the bot's current shard count; so is one expected from before a
	 * restart. The removal is recorded: their shards leave the fleet's history at this instant.
	 * The shard count is the one viewers see (`deriveTotalShards`: the newest live cluster's), so
	 * a shard the banner no longer counts never stays down in the history.
	 */
	#pruneSuperseded(): void {
		if (this.#stopped.size === 0 && this.#expected.size === 0) return;
		// Before any report the bot's shard count is unknown, and nothing can be called superseded.
		const total = deriveTotalShards(Array.from(this.#clusters.values(), (r) => r.status));
		if (total <= 0) return;
		const superseded = (shardIds: readonly number[]) => shardIds.every((s) => s >= total || (this.#claims.get(s)?.size ?? 0) > 0);
		for (const id of this.#stopped) {
			if (superseded(this.#clusters.get(id)!.status.shardIds)) {
				this.#clusters.delete(id);
				this.#stopped.delete(id);
				this.#record(id, 'removed');
			}
		}
		for (const [id, status] of this.#expected) {
			if (superseded(status.shardIds)) {
				this.#expected.delete(id);
				this.#record(id, 'removed');
			}
		}
	}
}

/**
 * A stopped cluster as viewers see it: every shard disconnected with no ping and no unavailable
 * guilds (both describe a gateway session the dead process no longer has), so it never looks
 * frozen at its last state; `lastHeartbeatAt` stays to say when it was last heard.
 */
export function stoppedCopy(status: ClusterStatus): ClusterStatus {
	return { ...status, lifecycle: 'stopped', shards: status.shards.map(({ unavailableGuilds: _gone, ...s }) => ({ ...s, state: 'disconnected', ping: null })) };
}

/**
 * How `next` differs from `prev` for viewers: the whole cluster when its shape changed (new,
 * restarted, re-sharded, lifecycle), the indexes of shards whose state, ping, guilds or unavailable
 * guilds moved (a count reported for the first time, or no longer, moves too), an
 * empty patch when only the cluster's counters moved, or null when nothing a viewer sees did
 * (a heartbeat that only proves the cluster is alive costs viewers nothing).
 */
export function changeBetween(prev: ClusterStatus | undefined, next: ClusterStatus): ClusterChange | null {
	if (
		!prev ||
		prev.lifecycle !== next.lifecycle ||
		prev.startedAt !== next.startedAt ||
		prev.totalShards !== next.totalShards ||
		prev.shards.length !== next.shards.length ||
		!sameIds(prev.shardIds, next.shardIds) ||
		prev.shards.some((s, i) => s.id !== next.shards[i]!.id)
	) {
		return 'full';
	}
	const moved = new Set<number>();
	next.shards.forEach((s, i) => {
		const p = prev.shards[i]!;
		if (p.state !== s.state || p.ping !== s.ping || p.guilds !== s.guilds || p.unavailableGuilds !== s.unavailableGuilds) moved.add(i);
	});
	if (moved.size > 0 || prev.guilds !== next.guilds || prev.members !== next.members) return moved;
	return null;
}

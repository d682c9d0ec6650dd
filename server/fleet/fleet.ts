import type { ClusterLifecycle, ClusterStatus, FleetStatus, Heartbeat, ShardConflict, ShardStatus } from '#shared';
import { readyShardCount } from '#shared';

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

const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;

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
	#totalShards = 0;

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
		if (wasLive) this.#unclaim(prev.status);

		const shardIds = [...hb.shardIds].sort((a, b) => a - b);
		const shards: ShardStatus[] = hb.shards
			.map((s) => ({ id: s.id, state: s.state, ping: s.ping ?? null, guilds: s.guilds }))
			.sort(byId);
		const allReady = readyShardCount({ shardIds, shards }) === shardIds.length;
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
			startedAt: newSession || !prev ? Math.round(now - hb.uptimeMs) : prev.status.startedAt,
			lastHeartbeatAt: now
		};
		const record: ClusterRecord = { status, socketId, lastUptimeMs: hb.uptimeMs, conflictKey: prev?.conflictKey ?? '' };
		this.#clusters.set(hb.clusterId, record);
		this.#stopped.delete(hb.clusterId);
		this.#claim(status);
		this.#totalShards = hb.totalShards;

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
		if (!record || record.status.lifecycle === 'stopped') return false;
		this.#unclaim(record.status);
		record.status = {
			...record.status,
			lifecycle: 'stopped',
			shards: record.status.shards.map((s) => ({ ...s, state: 'disconnected', ping: null }))
		};
		record.socketId = null;
		record.conflictKey = '';
		this.#stopped.add(clusterId);
		return true;
	}

	/** Stops the clusters whose latest report came over `socketId` (which just disconnected). */
	stopSocket(socketId: string): number[] {
		const stopped: number[] = [];
		for (const [id, record] of this.#clusters) {
			if (record.socketId === socketId && this.stop(id)) stopped.push(id);
		}
		return stopped;
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
	 * cluster or lies beyond the bot's current shard count.
	 */
	#pruneSuperseded(): void {
		for (const id of this.#stopped) {
			const shardIds = this.#clusters.get(id)!.status.shardIds;
			const superseded = shardIds.every((s) => s >= this.#totalShards || (this.#claims.get(s)?.size ?? 0) > 0);
			if (superseded) {
				this.#clusters.delete(id);
				this.#stopped.delete(id);
			}
		}
	}
}

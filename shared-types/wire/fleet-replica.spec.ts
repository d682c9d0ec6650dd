import { describe, expect, it } from 'vitest';
import { cluster as fixtureCluster, range } from '#testing/fixtures/cluster';
import type { ClusterStatus, ShardStatus } from '../cluster.ts';
import { WireFormatError } from './bytes.ts';
import { FleetReplica, type ApplyOutcome } from './fleet-replica.ts';
import { encodeDelta, encodeFull, mergeChange, type ChangeSet, type ClusterChange, type FleetUpdate } from './fleet-update.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/** A running cluster reporting every shard it owns, unless `over` says otherwise (`over` wins over the figures built from its own shards). */
const cluster = (id: number, shardIds: number[], over: Partial<ClusterStatus> = {}): ClusterStatus => ({
	...fixtureCluster({ id, shardIds, readyPing: (sid) => 40 + sid, guildsPerShard: (sid) => 1_000 + sid, members: 100_000 * shardIds.length, totalShards: 16, startedAt: T0 - 3_600_000, lastHeartbeatAt: T0 - 2_000 }),
	...over
});

/** `c` with shard index `i` replaced by `over` (and the counters nudged, as a heartbeat would). */
function withShard(c: ClusterStatus, i: number, over: Partial<ShardStatus>): ClusterStatus {
	return { ...c, members: c.members + 1, shards: c.shards.map((s, k) => (k === i ? { ...s, ...over } : s)) };
}

function full(version: number, clusters: ClusterStatus[], at = T0 + version): FleetUpdate {
	return { kind: 'full', version, at, data: encodeFull(clusters, at) };
}

/** A delta whose values are read from `source`, the sender's clusters at `version`. */
function delta(from: number, version: number, changes: [number, ClusterChange][], source: ClusterStatus[], at = T0 + version): FleetUpdate {
	const byId = new Map(source.map((c) => [c.id, c]));
	return { kind: 'delta', from, version, at, data: encodeDelta(new Map(changes), (id) => byId.get(id), at) };
}

function replicaWith(version: number, clusters: ClusterStatus[]): FleetReplica {
	const replica = new FleetReplica();
	expect(replica.apply(full(version, clusters))).toBe('applied');
	return replica;
}

const ids = (r: FleetReplica) => r.status.clusters.map((c) => c.id);

describe('FleetReplica', () => {
	const fleet = [cluster(1, range(0, 4)), cluster(2, range(4, 4)), cluster(3, range(8, 4))];

	it('applies a full snapshot', () => {
		const replica = new FleetReplica();
		expect(replica.version).toBe(0);
		expect(replica.apply(full(5, fleet, T0))).toBe<ApplyOutcome>('applied');
		expect(replica.version).toBe(5);
		expect(replica.status).toEqual({ clusters: fleet, totalShards: 16, conflicts: [], generatedAt: T0 });
		expect(replica.get(2)).toEqual(fleet[1]);
		expect(replica.get(4)).toBeUndefined();
		expect(replica.lastChanges).toBeNull();
	});

	it('a one-shard patch replaces only that cluster, and only that shard in it', () => {
		const replica = replicaWith(1, fleet);
		const before = replica.status.clusters;
		const patched = withShard(fleet[1]!, 2, { state: 'reconnecting', ping: null });

		expect(replica.apply(delta(1, 2, [[2, new Set([2])]], [fleet[0]!, patched, fleet[2]!]))).toBe('applied');

		const after = replica.status.clusters;
		expect(after[0]).toBe(before[0]);
		expect(after[2]).toBe(before[2]);
		expect(after[1]).not.toBe(before[1]);
		expect(after[1]).toEqual(patched);
		expect(after[1]!.shards.filter((_, i) => i !== 2)).toEqual(before[1]!.shards.filter((_, i) => i !== 2));
		expect(replica.get(2)).toBe(after[1]);
		expect(replica.lastChanges).toEqual(new Map([[2, new Set([2])]]));
	});

	it('adds a cluster in id order and drops a removed one', () => {
		const replica = replicaWith(1, [fleet[0]!, fleet[2]!]);
		const added = cluster(2, range(4, 4));

		expect(replica.apply(delta(1, 2, [[2, 'full']], [fleet[0]!, added, fleet[2]!]))).toBe('applied');
		expect(ids(replica)).toEqual([1, 2, 3]);
		expect(replica.get(3)).toEqual(fleet[2]);

		expect(replica.apply(delta(2, 3, [[1, 'removed']], [added, fleet[2]!]))).toBe('applied');
		expect(ids(replica)).toEqual([2, 3]);
		expect(replica.get(1)).toBeUndefined();
		expect(replica.get(3)).toEqual(fleet[2]);
	});

	it('adds and removes in one delta', () => {
		const replica = replicaWith(1, fleet);
		const added = cluster(0, range(12, 2));
		expect(replica.apply(delta(1, 2, [[2, 'removed'], [0, 'full']], [added, fleet[0]!, fleet[2]!]))).toBe('applied');
		expect(ids(replica)).toEqual([0, 1, 3]);
		expect(replica.get(0)).toEqual(added);
	});

	it('reports a gap for a delta that starts after its version, and changes nothing', () => {
		const replica = replicaWith(1, fleet);
		const status = replica.status;
		const patched = withShard(fleet[0]!, 0, { ping: 7 });
		expect(replica.apply(delta(2, 3, [[1, new Set([0])]], [patched]))).toBe('gap');
		expect(replica.version).toBe(1);
		expect(replica.status).toBe(status);
	});

	it.each([
		['ends at its version', 2, 3],
		['ends before its version', 1, 2]
	])('is current for a delta that %s', (_, from, to) => {
		const replica = replicaWith(3, fleet);
		const status = replica.status;
		const patched = withShard(fleet[0]!, 0, { ping: 7 });
		expect(replica.apply(delta(from, to, [[1, new Set([0])]], [patched]))).toBe('current');
		expect(replica.version).toBe(3);
		expect(replica.status).toBe(status);
	});

	describe('a delta from 1 to 3 applies at any version in [1, 3)', () => {
		// The sender's history: what each version changed, and the clusters after it.
		const v1 = fleet;
		const c1v2 = withShard(v1[0]!, 0, { ping: 99 });
		const c4 = cluster(4, range(12, 4), { startedAt: T0 - 60_000, totalShards: 20 });
		const v2 = [c1v2, v1[1]!, v1[2]!, c4];
		const c1v3 = withShard(c1v2, 2, { state: 'resuming', ping: null });
		const v3 = [c1v3, v1[2]!, withShard(c4, 1, { guilds: 5 })];
		const steps: [ChangeSet, ClusterStatus[]][] = [
			[new Map(v1.map((c) => [c.id, 'full'])), v1],
			[new Map<number, ClusterChange>([[1, new Set([0])], [4, 'full']]), v2],
			[new Map<number, ClusterChange>([[1, new Set([2])], [2, 'removed'], [4, new Set([1])]]), v3]
		];
		const updates = steps.map(([changes, source], i) => delta(i, i + 1, [...changes], source));

		const server = new FleetReplica();
		for (const u of updates) server.apply(u);

		const merged: ChangeSet = new Map();
		for (const [changes] of steps.slice(1)) for (const [id, change] of changes) merged.set(id, mergeChange(merged.get(id), change));
		const catchUp = delta(1, 3, [...merged], v3);

		it.for([1, 2])('client at %d', (held) => {
			const client = new FleetReplica();
			for (const u of updates.slice(0, held)) expect(client.apply(u)).toBe('applied');
			expect(client.version).toBe(held);

			expect(client.apply(catchUp)).toBe('applied');
			expect(client.version).toBe(3);
			expect(server.version).toBe(3);
			expect(client.status).toEqual(server.status);
			expect(client.status.clusters).toEqual([c1v3, v3[1], v3[2]]);
			expect(client.status.generatedAt).toBe(catchUp.at);
		});

		it('client already at 3', () => {
			expect(server.apply(catchUp)).toBe('current');
		});
	});

	it('ignores a full snapshot older than what it holds', () => {
		const replica = replicaWith(5, fleet);
		const status = replica.status;
		expect(replica.apply(full(4, [fleet[0]!]))).toBe('current');
		expect(replica.version).toBe(5);
		expect(replica.status).toBe(status);
	});

	describe("'unchanged'", () => {
		const at = T0 + 5; // when replicaWith(5) was generated
		const cases: [name: string, version: number, when: number, outcome: ApplyOutcome, generatedAt: number][] = [
			['at its version, later: vouches for the data', 5, at + 60_000, 'current', at + 60_000],
			['at its version, earlier: keeps the later time', 5, at - 60_000, 'current', at],
			['behind its version', 4, at + 60_000, 'current', at],
			['ahead of its version', 6, at + 60_000, 'gap', at]
		];
		it.each(cases)('%s', (_, version, when, outcome, generatedAt) => {
			const replica = replicaWith(5, fleet);
			const clusters = replica.status.clusters;
			expect(replica.apply({ kind: 'unchanged', version, at: when })).toBe(outcome);
			expect(replica.version).toBe(5);
			expect(replica.status.generatedAt).toBe(generatedAt);
			expect(replica.status.clusters).toBe(clusters);
		});
	});

	it('derives conflicts and the shard count, and re-derives them when a delta stops a cluster', () => {
		const older = cluster(1, range(0, 4), { startedAt: T0 - 60_000, totalShards: 8 });
		const newer = cluster(2, range(3, 3), { startedAt: T0 - 30_000, totalShards: 12 });
		const replica = replicaWith(1, [older, newer]);
		expect(replica.status.conflicts).toEqual([{ shardId: 3, clusterIds: [1, 2] }]);
		expect(replica.status.totalShards).toBe(12);

		const stopped: ClusterStatus = { ...newer, lifecycle: 'stopped', shards: newer.shards.map((s) => ({ ...s, state: 'disconnected', ping: null })) };
		expect(replica.apply(delta(1, 2, [[2, 'full']], [older, stopped]))).toBe('applied');
		expect(replica.status.conflicts).toEqual([]);
		expect(replica.status.totalShards).toBe(8);
	});

	describe('undecodable bytes', () => {
		const good = encodeFull(fleet, T0);
		const cases: [name: string, update: FleetUpdate][] = [
			['a truncated snapshot', { kind: 'full', version: 2, at: T0, data: good.subarray(0, good.length - 3) }],
			['a snapshot with trailing bytes', { kind: 'full', version: 2, at: T0, data: new Uint8Array([...good, 1]) }],
			['a delta with an unknown entry kind', { kind: 'delta', from: 1, version: 2, at: T0, data: new Uint8Array([1, 7]) }],
			['a delta patching a cluster it does not have', delta(1, 2, [[9, new Set([0])]], [cluster(9, [0])])]
		];
		it.each(cases)('%s throws WireFormatError and keeps the old state', (_, update) => {
			const replica = replicaWith(1, fleet);
			const status = replica.status;
			expect(() => replica.apply(update)).toThrow(WireFormatError);
			expect(replica.version).toBe(1);
			expect(replica.status).toBe(status);
		});
	});

	it('an update listing a cluster twice throws and leaves the copy usable', () => {
		const replica = replicaWith(1, fleet);
		const status = replica.status;
		const twice = cluster(5, [20]);
		expect(() => replica.apply(full(2, [twice, twice]))).toThrow(WireFormatError);
		expect(replica.version).toBe(1);
		expect(replica.status).toBe(status);
		// "Treat as a gap": the next delta against the old version must still find its clusters.
		expect(replica.get(1)).toBe(status.clusters[0]);
		expect(replica.get(5)).toBeUndefined();
		const patched = withShard(fleet[0]!, 1, { ping: 3 });
		expect(replica.apply(delta(1, 2, [[1, new Set([1])]], [patched]))).toBe('applied');
		expect(replica.get(1)?.shards[1]?.ping).toBe(3);
	});
});

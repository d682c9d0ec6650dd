import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FleetReplica, type ChangeSet, type ClusterStatus } from '#shared';
import { Fleet } from '../fleet/fleet.ts';
import { createLogger } from '../log.ts';
import { heartbeat } from '#testing/server/harness';
import { FleetFeed } from '../feed/fleet-feed.ts';
import { MemoryFleetLog, type CommittedUpdate, type FleetLog } from './fleet-log.ts';
import { Publisher } from './publisher.ts';

const INTERVAL = 500;
const START = Date.UTC(2026, 10, 21, 12, 0, 0);

/** Fails the first `failures` commits, then behaves like `inner`. */
class FlakyLog implements FleetLog {
	constructor(
		private readonly inner: FleetLog,
		private failures: number
	) {}
	touch = (seen: Map<number, number>) => this.inner.touch(seen);
	start = () => this.inner.start();
	health = () => this.inner.health();
	close = () => this.inner.close();
	async commit(changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, at: number): Promise<CommittedUpdate | null> {
		if (this.failures-- > 0) throw new Error('redis is down');
		return this.inner.commit(changes, get, at);
	}
}

function setup(wrap: (log: FleetLog) => FleetLog = (log) => log) {
	const fleet = new Fleet();
	const feed = new FleetFeed();
	const memory = new MemoryFleetLog(feed);
	const commit = vi.spyOn(memory, 'commit');
	const pushes: CommittedUpdate[] = [];
	const lines: { level: number; msg: string; clusters?: number }[] = [];
	const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
	const publisher = new Publisher({ fleet, log: wrap(memory), push: (u) => pushes.push(u), intervalMs: INTERVAL, logger, now: () => Date.now() });
	/** Cluster `id` owning four shards, shard `id * 4` at `ping`. */
	const beat = (id: number, ping = 40) => {
		const shardIds = [0, 1, 2, 3].map((k) => id * 4 + k);
		const shards = heartbeat(id, shardIds).shards.map((s, k) => (k === 0 ? { ...s, ping } : s));
		fleet.apply(heartbeat(id, shardIds, 64, { shards, uptimeMs: 60_000 + Date.now() - START }), null, Date.now());
	};
	return { fleet, feed, commit, pushes, lines, publisher, beat };
}

const tick = () => vi.advanceTimersByTimeAsync(INTERVAL);

beforeEach(() => {
	vi.useFakeTimers({ now: START });
});
afterEach(() => {
	vi.useRealTimers();
});

describe('Publisher', () => {
	it('commits everything heard between two ticks as one version and one push', async () => {
		const { fleet, feed, commit, pushes, publisher, beat } = setup();
		publisher.start();
		for (let id = 1; id <= 10; id++) beat(id);
		await tick();
		expect(commit).toHaveBeenCalledTimes(1);
		expect(pushes).toHaveLength(1);
		const previous = pushes[0]!.version;

		for (let n = 0; n < 200; n++) {
			await vi.advanceTimersByTimeAsync(1); // heartbeats spread across the interval, short of the next tick
			beat((n % 10) + 1, 41 + n);
		}
		await vi.advanceTimersByTimeAsync(INTERVAL - 200);

		expect(commit).toHaveBeenCalledTimes(2);
		expect(pushes).toHaveLength(2);
		expect(pushes[1]).toMatchObject({ kind: 'delta', from: previous, version: previous + 1 });
		expect(feed.version).toBe(previous + 1);
		const viewer = new FleetReplica();
		for (const u of pushes) expect(viewer.apply(u)).toBe('applied');
		expect(viewer.status.clusters).toEqual(fleet.snapshot().clusters);
		await publisher.close();
	});

	it('pushes nothing while nothing changes', async () => {
		const { commit, pushes, publisher, beat } = setup();
		publisher.start();
		await vi.advanceTimersByTimeAsync(10 * INTERVAL);
		expect(commit).not.toHaveBeenCalled();

		beat(1);
		await tick();
		expect(pushes).toHaveLength(1);
		// Later heartbeats that only prove the cluster alive are not news.
		for (let n = 0; n < 5; n++) {
			beat(1);
			await tick();
		}
		expect(commit).toHaveBeenCalledTimes(1);
		expect(pushes).toHaveLength(1);
		await publisher.close();
	});

	it('puts back the changes of a failed commit, logs it, and commits them on the next tick', async () => {
		const { fleet, feed, pushes, lines, publisher, beat } = setup((log) => new FlakyLog(log, 1));
		publisher.start();
		beat(1);
		beat(2);
		await tick();

		expect(pushes).toHaveLength(0);
		expect(fleet.pendingChanges).toBe(2);
		expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: expect.stringMatching(/could not commit/), clusters: 2 }));

		beat(3);
		await tick();
		expect(pushes).toHaveLength(1);
		expect(fleet.pendingChanges).toBe(0);
		const viewer = new FleetReplica();
		expect(viewer.apply(pushes[0]!)).toBe('applied');
		expect(viewer.status.clusters.map((c) => c.id)).toEqual([1, 2, 3]);
		expect(viewer.status).toEqual(feed.status);
		await publisher.close();
	});

	it('runs one commit at a time: a slow commit delays the next batch', async () => {
		let release: () => void = () => {};
		const slow = (log: FleetLog): FleetLog => ({
			...log,
			touch: (seen) => log.touch(seen),
			start: () => log.start(),
			health: () => log.health(),
			commit: async (...args) => {
				await new Promise<void>((resolve) => (release = resolve));
				return log.commit(...args);
			},
			close: () => log.close()
		});
		const { commit, pushes, publisher, beat } = setup(slow);
		publisher.start();
		beat(1);
		await tick();
		beat(2);
		await tick();
		await tick();
		expect(pushes).toHaveLength(0);
		expect(commit).not.toHaveBeenCalled();

		release();
		await vi.advanceTimersByTimeAsync(0);
		expect(pushes).toHaveLength(1);
		await tick();
		release();
		await vi.advanceTimersByTimeAsync(0);
		expect(pushes.map((u) => u.version)).toEqual([1, 2]);
		await publisher.close();
	});

	it('close() clears its timer', async () => {
		const { pushes, publisher, beat } = setup();
		expect(vi.getTimerCount()).toBe(0);
		publisher.start();
		publisher.start();
		expect(vi.getTimerCount()).toBe(1);
		await publisher.close();
		expect(vi.getTimerCount()).toBe(0);

		beat(1);
		await vi.advanceTimersByTimeAsync(10 * INTERVAL);
		expect(pushes).toHaveLength(0);
	});
});

import { describe, expect, it } from 'vitest';
import { FleetReplica, type FleetUpdate } from '#shared';
import { Fleet } from '../fleet/fleet.ts';
import { heartbeat } from '#testing/server/harness';
import { FleetFeed, type FleetFeedOptions } from './fleet-feed.ts';
import { MemoryFleetLog } from '../store/fleet-log.ts';
import type { CommittedUpdate } from './fleet-feed.ts';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);

/** One version each: what the fleet heard between two commits. */
const SCRIPT: ((fleet: Fleet, now: number) => void)[] = [
	(f, now) => {
		f.apply(heartbeat(1, [0, 1, 2, 3], 12), 'a', now);
		f.apply(heartbeat(2, [4, 5, 6, 7], 12), 'b', now);
	},
	(f, now) => {
		const shards = heartbeat(1, [0, 1, 2, 3]).shards.map((s) => (s.id === 2 ? { ...s, state: 'resuming' as const } : s));
		f.apply(heartbeat(1, [0, 1, 2, 3], 12, { shards, uptimeMs: 61_000 }), 'a', now);
	},
	(f, now) => void f.apply(heartbeat(3, [8, 9, 10, 11], 12), 'c', now),
	(f) => void f.stop(2),
	(f, now) => void f.apply(heartbeat(1, [0, 1, 2, 3], 12, { members: 9_999, uptimeMs: 63_000 }), 'a', now),
	(f, now) => {
		const shards = heartbeat(3, [8, 9, 10, 11]).shards.map((s) => (s.id === 9 ? { ...s, ping: 300 } : s));
		f.apply(heartbeat(3, [8, 9, 10, 11], 12, { shards, uptimeMs: 62_000 }), 'c', now);
	}
];

/** A feed at `versions` versions, fed by a Fleet through a MemoryFleetLog, plus every update it committed. */
async function feedAt(versions: number, options?: FleetFeedOptions) {
	const fleet = new Fleet();
	const feed = new FleetFeed(options);
	const log = new MemoryFleetLog(feed);
	const updates: CommittedUpdate[] = [];
	let now = T0;
	const commit = async (step: (fleet: Fleet, now: number) => void) => {
		now += 1_000;
		step(fleet, now);
		updates.push(await log.commit(fleet.takeChanges(), (id) => fleet.get(id), now));
	};
	for (const step of SCRIPT.slice(0, versions)) await commit(step);
	expect(feed.version).toBe(versions);
	return { fleet, feed, updates, commit };
}

/** A viewer that heard every update up to `version`. */
function clientAt(updates: readonly FleetUpdate[], version: number): FleetReplica {
	const replica = new FleetReplica();
	for (const u of updates.slice(0, version)) expect(replica.apply(u)).toBe('applied');
	return replica;
}

const LATER = T0 + 3_600_000;

describe('FleetFeed.answer', () => {
	it.each([undefined, 0])('since %s → the full snapshot', async (since) => {
		const { feed } = await feedAt(3);
		const update = feed.answer(since, LATER);
		expect(update).toMatchObject({ kind: 'full', version: 3 });
		const replica = new FleetReplica();
		expect(replica.apply(update)).toBe('applied');
		expect(replica.status).toEqual(feed.status);
	});

	it('since the current version → a small "unchanged" vouched for now', async () => {
		const { feed } = await feedAt(3);
		const update = feed.answer(3, LATER);
		expect(update).toEqual({ kind: 'unchanged', version: 3, at: LATER });
		expect(JSON.stringify(update).length).toBeLessThanOrEqual(120);
	});

	it('since a version ahead of ours (another instance) → unchanged at ours', async () => {
		const { feed } = await feedAt(3);
		expect(feed.answer(7, LATER)).toEqual({ kind: 'unchanged', version: 3, at: LATER });
	});

	it.for([1, 2, 3, 4, 5])('since %d → a delta that brings that viewer to version 6', async (since) => {
		const { feed, updates } = await feedAt(6);
		const update = feed.answer(since, LATER);
		expect(update).toMatchObject({ kind: 'delta', from: since, version: 6 });
		const client = clientAt(updates, since);
		expect(client.apply(update)).toBe('applied');
		expect(client.version).toBe(6);
		expect(client.status).toEqual(feed.status);
	});

	it('builds each answer once per version and shares it', async () => {
		const { feed, commit } = await feedAt(4);
		const delta = feed.answer(2, LATER);
		expect(feed.answer(2, LATER + 5_000)).toBe(delta);
		const full = feed.answer(undefined, LATER);
		expect(feed.answer(undefined, LATER + 5_000)).toBe(full);

		await commit(SCRIPT[4]!);
		const next = feed.answer(2, LATER);
		expect(next).not.toBe(delta);
		expect(next).toMatchObject({ kind: 'delta', from: 2, version: 5 });
		expect(feed.answer(undefined, LATER)).not.toBe(full);
	});

	describe('with a history of 3 versions, at version 6', () => {
		const cases: [since: number, kind: FleetUpdate['kind']][] = [
			[1, 'full'],
			[2, 'full'],
			[3, 'delta'],
			[4, 'delta'],
			[5, 'delta'],
			[6, 'unchanged']
		];
		it.each(cases)('since %d → %s', async (since, kind) => {
			const { feed, updates } = await feedAt(6, { historyLength: 3 });
			const update = feed.answer(since, LATER);
			expect(update.kind).toBe(kind);
			if (update.kind === 'unchanged') return;
			const client = clientAt(updates, since);
			expect(client.apply(update)).toBe('applied');
			expect(client.status).toEqual(feed.status);
		});
	});

	it('a feed with no versions yet answers any since with its (empty) snapshot', async () => {
		const { feed } = await feedAt(0);
		// A page left open across a server restart asks this. At version 0 the feed must not vouch
		// for the page's copy ('unchanged' is kept for version > 0), and a delta from 5 to 0 is
		// no delta at all; what is left is the snapshot.
		expect(feed.answer(5, LATER)).toMatchObject({ kind: 'full', version: 0 });
	});

	it('after a restart (a new starting version), a page holding the old server\'s version gets a snapshot that replaces its copy', async () => {
		const before = await feedAt(4);
		const page = clientAt(before.updates, 4);
		// The restarted server starts above every version the old one handed out.
		const restarted = new FleetFeed({ initialVersion: 1_000 });
		const fleet = new Fleet();
		await new MemoryFleetLog(restarted).commit((fleet.apply(heartbeat(9, [0, 1], 2), 'z', LATER), fleet.takeChanges()), (id) => fleet.get(id), LATER);

		const update = restarted.answer(page.version, LATER);
		expect(update).toMatchObject({ kind: 'full', version: 1_001 });
		expect(page.apply(update)).toBe('applied');
		expect(page.status.clusters.map((c) => c.id)).toEqual([9]);
	});
});

describe('FleetFeed.json', () => {
	it('is the current status, stamped with the time asked and the version', async () => {
		const { feed } = await feedAt(4);
		const { clusters, totalShards, conflicts } = feed.status;
		expect(JSON.parse(feed.json(LATER))).toEqual({ generatedAt: LATER, version: 4, clusters, totalShards, conflicts });
		expect(JSON.parse(feed.json(LATER + 1))).toMatchObject({ generatedAt: LATER + 1, version: 4 });
	});

	it('follows the version', async () => {
		const { feed, commit } = await feedAt(4);
		const before = JSON.parse(feed.json(LATER));
		await commit(SCRIPT[4]!);
		const after = JSON.parse(feed.json(LATER));
		expect(after.version).toBe(5);
		expect(after.clusters).toEqual(feed.status.clusters);
		expect(after.clusters).not.toEqual(before.clusters);
	});
});

describe('FleetFeed.full', () => {
	it('is rebuilt only when the version moves', async () => {
		const { feed, commit } = await feedAt(2);
		const first = feed.full();
		expect(feed.full()).toBe(first);
		expect(first.version).toBe(2);

		await commit(SCRIPT[2]!);
		const second = feed.full();
		expect(second).not.toBe(first);
		expect(second.version).toBe(3);
		expect(feed.full()).toBe(second);
		const replica = new FleetReplica();
		replica.apply(second);
		expect(replica.status).toEqual(feed.status);
	});
});

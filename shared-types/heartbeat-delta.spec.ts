import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceSnapshot, applyHeartbeatDelta, changedShards, snapshotHeartbeat, type HeartbeatDelta } from './heartbeat-delta.ts';
import { PROTOCOL_VERSION, type Heartbeat, type ShardReport } from './heartbeat.ts';
import { SHARD_STATES } from './shard-state.ts';

const shard = (id: number, over: Partial<ShardReport> = {}): ShardReport => ({ id, state: 'ready', ping: 40, guilds: 10, unavailableGuilds: 0, ...over });
const hb = (over: Partial<Heartbeat> = {}): Heartbeat => ({
	v: PROTOCOL_VERSION,
	clusterId: 1,
	totalShards: 4,
	shardIds: [0, 1, 2],
	shards: [shard(0), shard(1), shard(2)],
	guilds: 30,
	members: 300,
	uptimeMs: 1_000,
	...over
});
const delta = (base: number, shards: ShardReport[], over: Partial<HeartbeatDelta> = {}): HeartbeatDelta => ({
	v: PROTOCOL_VERSION,
	clusterId: 1,
	seq: base + 1,
	base,
	shards,
	guilds: 30,
	members: 300,
	uptimeMs: 1_000,
	...over
});

describe('changedShards', () => {
	it.each<{ name: string; next: Heartbeat; expected: ShardReport[] | undefined }>([
		{ name: 'nothing changed', next: hb({ uptimeMs: 6_000, members: 301 }), expected: [] },
		{ name: 'a ping', next: hb({ shards: [shard(0), shard(1, { ping: 41 }), shard(2)] }), expected: [shard(1, { ping: 41 })] },
		{ name: 'a ping became unknown', next: hb({ shards: [shard(0, { ping: undefined }), shard(1), shard(2)] }), expected: [shard(0, { ping: undefined })] },
		{ name: 'state and guilds', next: hb({ shards: [shard(0, { state: 'reconnecting' }), shard(1), shard(2, { guilds: 11, unavailableGuilds: 1 })] }), expected: [shard(0, { state: 'reconnecting' }), shard(2, { guilds: 11, unavailableGuilds: 1 })] },
		{ name: 'another cluster id', next: hb({ clusterId: 2 }), expected: undefined },
		{ name: 'another totalShards', next: hb({ totalShards: 5 }), expected: undefined },
		{ name: 'another shardIds', next: hb({ shardIds: [0, 1, 3] }), expected: undefined },
		{ name: 'a shard stopped reporting', next: hb({ shards: [shard(0), shard(1)] }), expected: undefined },
		{ name: 'shards reordered', next: hb({ shards: [shard(1), shard(0), shard(2)] }), expected: undefined }
	])('$name', ({ next, expected }) => {
		expect(changedShards(hb(), next)).toEqual(expected);
	});
});

describe('applyHeartbeatDelta', () => {
	it('puts the delta shards in place by id and takes the cluster-level fields from the delta', () => {
		const base = hb();
		const applied = applyHeartbeatDelta(base, delta(3, [shard(2, { ping: 99 })], { guilds: 31, members: 310, uptimeMs: 6_000 }));
		expect(applied).toEqual({ ok: true, heartbeat: hb({ shards: [shard(0), shard(1), shard(2, { ping: 99 })], guilds: 31, members: 310, uptimeMs: 6_000 }) });
		expect(base).toEqual(hb());
	});

	it.each([
		{ name: 'a shard the base does not report', shards: [shard(3)], field: 'shards[0].id', message: /not reported in the base/ },
		{ name: 'a shard twice', shards: [shard(1), shard(1, { ping: 1 })], field: 'shards[1].id', message: /reported twice/ }
	])('refuses $name, naming the field', ({ shards, field, message }) => {
		const applied = applyHeartbeatDelta(hb(), delta(3, shards));
		expect(applied).toMatchObject({ ok: false, field });
		expect(applied.ok || applied.message).toMatch(message);
	});

	// More than 8 shards in a delta take the indexed path; the same refusals, the same fields.
	const wide = hb({ totalShards: 12, shardIds: Array.from({ length: 12 }, (_, i) => i), shards: Array.from({ length: 12 }, (_, i) => shard(i)) });
	it.each([
		{ name: 'all twelve shards changed', shards: Array.from({ length: 12 }, (_, i) => shard(11 - i, { ping: i })), field: undefined },
		{ name: 'a shard the base does not report', shards: [...Array.from({ length: 9 }, (_, i) => shard(i)), shard(12)], field: 'shards[9].id' },
		{ name: 'a shard twice', shards: [...Array.from({ length: 9 }, (_, i) => shard(i)), shard(4, { ping: 1 })], field: 'shards[9].id' }
	])('a delta of more than 8 shards: $name', ({ shards, field }) => {
		const applied = applyHeartbeatDelta(wide, delta(3, shards));
		if (field) return expect(applied).toMatchObject({ ok: false, field });
		expect(applied).toMatchObject({ ok: true });
		expect(applied.ok && applied.heartbeat.shards.map((s) => [s.id, s.ping])).toEqual(Array.from({ length: 12 }, (_, i) => [i, 11 - i]));
	});
});

const shardArb = (id: number) =>
	fc.record(
		{ id: fc.constant(id), state: fc.constantFrom(...SHARD_STATES), ping: fc.integer({ min: 0, max: 500 }), guilds: fc.integer({ min: 0, max: 3 }), unavailableGuilds: fc.constant(0) },
		{ requiredKeys: ['id', 'state', 'guilds'] }
	);
/** A cluster's heartbeats over time: mostly the same shards with a few fields changed, sometimes another shard set. */
const heartbeats = fc.array(
	// Up to 12 shards, so that deltas of more than 8 (applied through an index by id) occur too.
	fc.integer({ min: 1, max: 12 }).chain((n) =>
		fc.tuple(fc.tuple(...Array.from({ length: n }, (_, i) => shardArb(i))), fc.array(fc.boolean(), { minLength: n, maxLength: n })).map(
			// Some shards frozen, as the discord.js source hands them out (kept by identity in snapshots).
			([shards, frozen]): Heartbeat => ({
				v: PROTOCOL_VERSION,
				clusterId: 1,
				totalShards: 8,
				shardIds: shards.map((s) => s.id),
				shards: shards.map((s, i) => (frozen[i] ? Object.freeze({ ...s }) : s)),
				guilds: 0,
				members: 0,
				uptimeMs: 0
			})
		)
	),
	{ minLength: 1, maxLength: 30 }
);

describe('deltas against full heartbeats', () => {
	it('the view rebuilt from deltas equals every full heartbeat, for any sequence of changes', () => {
		fc.assert(
			fc.property(heartbeats, (sequence) => {
				let view: Heartbeat | undefined;
				let sent: Heartbeat | undefined;
				for (const next of sequence) {
					const changed = sent && changedShards(sent, next);
					if (view && changed) {
						const applied = applyHeartbeatDelta(view, delta(0, changed, { guilds: next.guilds, members: next.members, uptimeMs: next.uptimeMs }));
						if (!applied.ok) throw new Error(applied.message);
						view = applied.heartbeat;
					} else view = next;
					// The reporter's way: the snapshot advanced by the changed shards only, when there was a delta.
					if (sent && changed) advanceSnapshot(sent, next, changed);
					else sent = snapshotHeartbeat(next);
					expect(view).toEqual(next);
					expect(sent.shards).toEqual(next.shards);
					// Only a frozen object is ever shared with the source; every other one is a copy.
					expect(sent.shards.every((s, i) => s !== next.shards[i] || Object.isFrozen(s))).toBe(true);
				}
			})
		);
	});

	it('a source that hands out the same frozen objects again: no change, known without comparing fields', () => {
		const frozen = hb({ shardIds: Object.freeze([0, 1, 2]) as number[], shards: [0, 1, 2].map((id) => Object.freeze(shard(id))) });
		const snap = snapshotHeartbeat(frozen);
		expect(snap.shards.every((s, i) => s === frozen.shards[i])).toBe(true);
		expect(snap.shardIds).toBe(frozen.shardIds);
		expect(changedShards(snap, { ...frozen, shards: [...frozen.shards] })).toEqual([]);
		const moved = Object.freeze(shard(1, { ping: 77 }));
		expect(changedShards(snap, { ...frozen, shards: [frozen.shards[0]!, moved, frozen.shards[2]!] })).toEqual([moved]);
	});

	it('a snapshot is not changed by a source that mutates its objects afterwards', () => {
		const source = hb();
		const snap = snapshotHeartbeat(source);
		source.shards[0]!.ping = 1;
		source.shardIds.push(3);
		expect(changedShards(snap, { ...source, shardIds: [0, 1, 2] })).toEqual([source.shards[0]]);
	});
});

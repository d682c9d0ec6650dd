import type { ClusterLifecycle, ClusterStatus, ShardStatus } from '../cluster.ts';
import { SHARD_STATES, type ShardState } from '../shard-state.ts';
import { ByteReader, ByteWriter, WireFormatError } from './bytes.ts';

/*
 * One cluster in a few bytes per shard. Shard ids travel as runs (clusters usually own a
 * contiguous block), a shard's state and ping share one varint, and times are offsets from a
 * base the envelope carries. Every field of `ClusterStatus` survives the round trip exactly.
 *
 * Unavailable guilds came later, and data written before them still decodes: a shard list that
 * carries none is written exactly as before. One that does is flagged (a bit of the lifecycle
 * byte for a whole cluster, its own entry kind for a patch), and then each shard's state-and-ping
 * varint is doubled plus `more`: `more` 0 means 0 unavailable, 1 that a varint follows, 0 for
 * "not reported" or the count plus one. The usual case, none unavailable, costs no byte at all:
 * doubled, a ping under 512 ms still fits two bytes and any ping (at most 60,000) three.
 */

const LIFECYCLES: readonly ClusterLifecycle[] = ['starting', 'running', 'stopped'];
/** Set on the lifecycle byte when the cluster's shards carry unavailable guilds. */
const UNAVAILABLE_FLAG = 0x80;
const STATE_CODE = new Map<ShardState, number>(SHARD_STATES.map((s, i) => [s, i]));
/** 9 states fit in 4 bits; the ping (plus one, 0 meaning none) sits above them. */
const STATE_BITS = 16;

function statePing(shard: ShardStatus): number {
	const code = STATE_CODE.get(shard.state);
	if (code === undefined) throw new WireFormatError(`unknown shard state ${String(shard.state)}`);
	return (shard.ping === null ? 0 : shard.ping + 1) * STATE_BITS + code;
}

/** Whether any of these shards reports unavailable guilds: the writer then uses the flagged form. */
export function carriesUnavailable(shards: readonly (ShardStatus | undefined)[]): boolean {
	return shards.some((s) => s?.unavailableGuilds !== undefined);
}

function writeShard(w: ByteWriter, shard: ShardStatus, flagged: boolean): void {
	const unavailable = shard.unavailableGuilds;
	if (!flagged) w.uint(statePing(shard));
	else {
		w.uint(statePing(shard) * 2 + (unavailable === 0 ? 0 : 1));
		if (unavailable !== 0) w.uint(unavailable === undefined ? 0 : unavailable + 1);
	}
	w.uint(shard.guilds);
}

function readShard(r: ByteReader, id: number, flagged: boolean): ShardStatus {
	let packed = r.uint();
	let unavailable = -1;
	if (flagged) {
		const more = packed % 2;
		packed = (packed - more) / 2;
		unavailable = more === 0 ? 0 : r.uint() - 1;
	}
	const state = SHARD_STATES[packed % STATE_BITS];
	if (state === undefined) throw new WireFormatError(`unknown shard state code ${packed % STATE_BITS}`);
	const ping = Math.floor(packed / STATE_BITS);
	const shard: ShardStatus = { id, state, ping: ping === 0 ? null : ping - 1, guilds: r.uint() };
	if (unavailable >= 0) shard.unavailableGuilds = unavailable;
	return shard;
}

/** Writes the whole cluster. `base` is the envelope's time; times are stored relative to it. */
export function writeCluster(w: ByteWriter, c: ClusterStatus, base: number): void {
	const lifecycle = LIFECYCLES.indexOf(c.lifecycle);
	if (lifecycle < 0) throw new WireFormatError(`cluster ${c.id}: unknown lifecycle ${String(c.lifecycle)}`);
	const flagged = carriesUnavailable(c.shards);
	w.uint(c.id);
	w.byte(flagged ? lifecycle | UNAVAILABLE_FLAG : lifecycle);
	w.int(base - c.startedAt);
	w.int(base - c.lastHeartbeatAt);
	w.uint(c.totalShards);
	w.uint(c.guilds);
	w.uint(c.members);

	const runs: [number, number][] = [];
	for (const id of c.shardIds) {
		const last = runs.at(-1);
		if (last && id === last[0] + last[1]) last[1]++;
		else runs.push([id, 1]);
	}
	w.uint(runs.length);
	let end = 0;
	for (const [start, length] of runs) {
		// Runs are ascending, so each start is an offset from the previous run's end.
		w.uint(start - end);
		w.uint(length - 1);
		end = start + length;
	}

	w.uint(c.shards.length);
	// Usually every assigned shard is reported, so the ids need not be repeated.
	if (c.shards.length === c.shardIds.length) {
		c.shards.forEach((shard, i) => {
			if (shard.id !== c.shardIds[i]) throw new WireFormatError(`cluster ${c.id}: shard ${shard.id} is not among its shardIds (or out of order)`);
		});
	} else {
		let prev = -1;
		let j = 0;
		for (const shard of c.shards) {
			while (j < c.shardIds.length && c.shardIds[j] !== shard.id) j++;
			if (j === c.shardIds.length) throw new WireFormatError(`cluster ${c.id}: shard ${shard.id} is not among its shardIds (or out of order)`);
			w.uint(j - prev - 1);
			prev = j;
		}
	}
	for (const shard of c.shards) writeShard(w, shard, flagged);
}

export function readCluster(r: ByteReader, base: number): ClusterStatus {
	const id = r.uint();
	const code = r.byte();
	const flagged = (code & UNAVAILABLE_FLAG) !== 0;
	const lifecycle = LIFECYCLES[code & ~UNAVAILABLE_FLAG];
	if (lifecycle === undefined) throw new WireFormatError(`cluster ${id}: unknown lifecycle code`);
	const startedAt = base - r.int();
	const lastHeartbeatAt = base - r.int();
	const totalShards = r.uint();
	const guilds = r.uint();
	const members = r.uint();

	const shardIds: number[] = [];
	let end = 0;
	for (let runs = r.uint(); runs > 0; runs--) {
		const start = end + r.uint();
		const length = r.uint() + 1;
		if (shardIds.length + length > 1_000_000) throw new WireFormatError(`cluster ${id}: implausible shard count`);
		for (let k = 0; k < length; k++) shardIds.push(start + k);
		end = start + length;
	}

	const count = r.uint();
	if (count > shardIds.length) throw new WireFormatError(`cluster ${id}: more shards than shard ids`);
	let ids: number[] = shardIds;
	if (count !== shardIds.length) {
		ids = [];
		let prev = -1;
		for (let k = 0; k < count; k++) {
			prev += r.uint() + 1;
			const sid = shardIds[prev];
			if (sid === undefined) throw new WireFormatError(`cluster ${id}: shard index out of range`);
			ids.push(sid);
		}
	}
	const shards = ids.map((sid) => readShard(r, sid, flagged));
	return { id, lifecycle, shardIds, shards, guilds, members, totalShards, startedAt, lastHeartbeatAt };
}

/**
 * Writes only some shards of a cluster (by index into `shards`) plus the counters that move
 * with them. Valid only against a copy with the same shard list, which the sender guarantees
 * by sending the whole cluster whenever that list or the lifecycle changes. `flagged` must be
 * `carriesUnavailable` of those shards; the reader learns it from the entry's kind.
 */
export function writePatch(w: ByteWriter, c: ClusterStatus, indexes: readonly number[], base: number, flagged: boolean): void {
	w.uint(c.id);
	w.int(base - c.lastHeartbeatAt);
	w.uint(c.guilds);
	w.uint(c.members);
	w.uint(indexes.length);
	let prev = -1;
	for (const i of indexes) {
		const shard = c.shards[i];
		if (shard === undefined || i <= prev) throw new WireFormatError(`cluster ${c.id}: bad patch index ${i}`);
		w.uint(i - prev - 1);
		prev = i;
		writeShard(w, shard, flagged);
	}
}

/** Reads a patch's cluster id, then applies the rest to `lookup(id)`, returning a new object. */
export function readPatch(r: ByteReader, base: number, lookup: (id: number) => ClusterStatus | undefined, flagged: boolean, touched?: Set<number>): ClusterStatus {
	const id = r.uint();
	const old = lookup(id);
	if (!old) throw new WireFormatError(`patch for cluster ${id}, which this copy does not have`);
	const lastHeartbeatAt = base - r.int();
	const guilds = r.uint();
	const members = r.uint();
	const shards = old.shards.slice();
	let prev = -1;
	for (let n = r.uint(); n > 0; n--) {
		prev += r.uint() + 1;
		const was = shards[prev];
		if (was === undefined) throw new WireFormatError(`patch for cluster ${id}: shard index ${prev} out of range`);
		shards[prev] = readShard(r, was.id, flagged);
		touched?.add(prev);
	}
	return { ...old, lastHeartbeatAt, guilds, members, shards };
}


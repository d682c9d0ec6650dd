import type { ClusterStatus } from '../cluster.ts';
import { ByteReader, ByteWriter, WireFormatError, type WireBytes } from './bytes.ts';
import { carriesUnavailable, readCluster, readPatch, writeCluster, writePatch } from './cluster-codec.ts';

/**
 * What changed about one cluster since some version: the whole cluster (new, restarted,
 * re-sharded, stopped), some of its shards (by index into `shards`), or its removal.
 */
export type ClusterChange = 'full' | 'removed' | ReadonlySet<number>;

/** Changes keyed by cluster id. */
export type ChangeSet = Map<number, ClusterChange>;

/**
 * The answer to a poll and the payload of a push. Versions count fleet states: every change the
 * server commits gets the next one, so a client can tell "nothing new" from "missed something".
 *
 * - `unchanged`: the client's version is current; `at` is the server time that vouches for it.
 * - `full`: every cluster, when the client has nothing or is too far behind for a delta.
 * - `delta`: what changed between `from` and `version`. A client holding any version in
 *   `[from, version)` can apply it, because it carries current values, not increments.
 *
 * `data` is binary (see `cluster-codec.ts`), or base64 of it in pushes, which then fit one
 * WebSocket frame instead of two; times inside it are offsets from `at`.
 */
export type FleetUpdate =
	| { kind: 'unchanged'; version: number; at: number }
	| { kind: 'full'; version: number; at: number; data: WireBytes }
	| { kind: 'delta'; from: number; version: number; at: number; data: WireBytes };

/** Arguments of `get-cluster-status`: the version the client already holds, if any. */
export interface StatusRequest {
	since?: number;
}

/** `patchUnavailable`: a patch whose shards carry unavailable guilds (see `cluster-codec.ts`); older data never has it. */
const ENTRY = { full: 0, patch: 1, removed: 2, patchUnavailable: 3 } as const;

/** Folds `next` into `prev`: a whole cluster or a removal wins over shard patches, which merge. */
export function mergeChange(prev: ClusterChange | undefined, next: ClusterChange): ClusterChange {
	if (next === 'full' || next === 'removed' || prev === undefined) return next;
	if (prev === 'full' || prev === 'removed') return 'full';
	return new Set([...prev, ...next]);
}

/** Every cluster, ascending by id. */
export function encodeFull(clusters: readonly ClusterStatus[], at: number): Uint8Array {
	const w = new ByteWriter(64 + clusters.length * 96);
	w.uint(clusters.length);
	for (const c of clusters) writeCluster(w, c, at);
	return w.finish();
}

/*
 * A delta is its entries back to back, with no count in front: entries can then be committed
 * one by one (scaled out, Redis keeps only those whose conditions hold) and joined as bytes.
 */

/** One delta entry: the current value of cluster `id` as `change` says, read from `get`. */
export function encodeDeltaEntry(id: number, change: ClusterChange, get: (id: number) => ClusterStatus | undefined, at: number, w = new ByteWriter(128)): ByteWriter {
	const cluster = get(id);
	if (change === 'removed' || !cluster) {
		w.byte(ENTRY.removed);
		w.uint(id);
	} else if (change === 'full') {
		w.byte(ENTRY.full);
		writeCluster(w, cluster, at);
	} else {
		const indexes = [...change].filter((i) => i < cluster.shards.length).sort((a, b) => a - b);
		const flagged = carriesUnavailable(indexes.map((i) => cluster.shards[i]));
		w.byte(flagged ? ENTRY.patchUnavailable : ENTRY.patch);
		writePatch(w, cluster, indexes, at, flagged);
	}
	return w;
}

/** The current value of everything `changes` names, read from `get`. */
export function encodeDelta(changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, at: number): Uint8Array {
	const w = new ByteWriter(256);
	for (const [id, change] of changes) encodeDeltaEntry(id, change, get, at, w);
	return w.finish();
}

/** Joins separately encoded entries into one delta. */
export function joinDelta(entries: readonly Uint8Array[]): Uint8Array {
	const out = new Uint8Array(entries.reduce((n, e) => n + e.byteLength, 0));
	let at = 0;
	for (const e of entries) {
		out.set(e, at);
		at += e.byteLength;
	}
	return out;
}

export function decodeFull(data: WireBytes, at: number): ClusterStatus[] {
	const r = new ByteReader(data);
	const clusters: ClusterStatus[] = [];
	for (let n = r.uint(); n > 0; n--) clusters.push(readCluster(r, at));
	if (!r.done) throw new WireFormatError('trailing bytes after the last cluster');
	return clusters;
}

/** One decoded delta entry: a cluster's new value, or the id of a removed one. */
export type DeltaEntry = { kind: 'set'; cluster: ClusterStatus; change: 'full' | ReadonlySet<number> } | { kind: 'removed'; id: number };

/** Decodes a delta against the clusters the client holds (a patch needs the cluster it patches). */
export function decodeDelta(data: WireBytes, at: number, lookup: (id: number) => ClusterStatus | undefined): DeltaEntry[] {
	const r = new ByteReader(data);
	const entries: DeltaEntry[] = [];
	while (!r.done) {
		const kind = r.byte();
		if (kind === ENTRY.full) entries.push({ kind: 'set', cluster: readCluster(r, at), change: 'full' });
		else if (kind === ENTRY.patch || kind === ENTRY.patchUnavailable) {
			const indexes = new Set<number>();
			entries.push({ kind: 'set', cluster: readPatch(r, at, lookup, kind === ENTRY.patchUnavailable, indexes), change: indexes });
		}
		else if (kind === ENTRY.removed) entries.push({ kind: 'removed', id: r.uint() });
		else throw new WireFormatError(`unknown delta entry kind ${kind}`);
	}
	return entries;
}

import { Redis } from 'ioredis';
import {
	ByteReader,
	ByteWriter,
	encodeDeltaEntry,
	encodeFull,
	joinDelta,
	readCluster,
	writeCluster,
	type ChangeSet,
	type ClusterStatus
} from '#shared';
import type { CommittedUpdate, FleetFeed } from '../feed/fleet-feed.ts';
import type { FleetLog } from './fleet-log.ts';
import { stoppedCopy } from '../fleet/fleet.ts';
import type { Logger } from '../log.ts';
import { COMMIT_LUA, STALE_LUA, TOUCH_LUA } from './redis-scripts.ts';
import { monotonicNow } from '../clock.ts';

export interface RedisFleetLogOptions {
	url: string;
	feed: FleetFeed;
	logger: Logger;
	/** A cluster nobody has heard from for this long is stopped by whichever instance sweeps first. */
	timeoutMs: number;
	/**
	 * Told what this instance's commits changed (only what Redis applied), so history records
	 * each transition once however many instances replay it.
	 */
	record?: (changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, at: number) => void;
	/** Commits this instance makes outside the publisher (sweeps) are pushed through here. */
	push: (update: CommittedUpdate) => void;
	/** Key prefix, so several Shardbeat deployments can share one Redis. Default `shardbeat:`. */
	prefix?: string;
	sweepIntervalMs?: number;
}

type CommitReply = [number, number[], number];
interface Commands {
	shardbeatCommit(version: string, records: string, seen: string, ...args: (string | Buffer)[]): Promise<CommitReply>;
	shardbeatTouch(seen: string, ...ids: string[]): Promise<number>;
	shardbeatStale(seen: string, timeoutMs: string): Promise<[number, ...string[]]>;
}

/*
 * Scaled out, Redis holds the fleet and hands out versions. It keeps:
 *   <prefix>version   the fleet version (starts at the first instance's start time in ms)
 *   <prefix>clusters  hash: cluster id → the cluster, encoded (`cluster-codec.ts`)
 *   <prefix>seen      sorted set: cluster id → when any instance last heard it (ms on Redis's
 *                     clock, `TIME` read inside the scripts: one clock for every instance)
 * and publishes every committed change on <prefix>updates as "version:at:delta". Each instance
 * keeps a replica (its FleetFeed) by applying those in order; a gap or a reconnect reloads the
 * replica from the hash. Viewers get pushes through Socket.io's Redis adapter.
 */
export class RedisFleetLog implements FleetLog {
	readonly #o: Required<Omit<RedisFleetLogOptions, 'record'>> & Pick<RedisFleetLogOptions, 'record'>;
	readonly #redis: Redis & Commands;
	readonly #sub: Redis;
	readonly #keys: { version: string; clusters: string; seen: string; channel: string };
	/** Set while the replica reloads; messages meanwhile wait here, in order. */
	#pending: Buffer[] | null = null;
	#sweepTimer: ReturnType<typeof setInterval> | undefined;
	#sweeping = false;
	#closed = false;
	/** When the sweep may begin (monotonic): the start-up grace. */
	#graceEndsAt = Infinity;
	/**
	 * Per cluster, when this instance last wrote its last-seen (Redis ms, as the script returned
	 * it): a stop this instance commits applies only if nobody has heard the cluster since.
	 */
	readonly #wroteSeenAt = new Map<number, number>();
	/** The latest `at` committed by any instance: history's timestamps never run backwards. */
	#lastAt = 0;

	constructor(options: RedisFleetLogOptions) {
		this.#o = { prefix: 'shardbeat:', sweepIntervalMs: 1_000, ...options };
		const p = this.#o.prefix;
		this.#keys = { version: `${p}version`, clusters: `${p}clusters`, seen: `${p}seen`, channel: `${p}updates` };
		// Commands fail fast while Redis is away (the publisher retries), instead of queueing forever.
		this.#redis = new Redis(this.#o.url, { maxRetriesPerRequest: 1, lazyConnect: true }) as Redis & Commands;
		this.#redis.defineCommand('shardbeatCommit', { numberOfKeys: 3, lua: COMMIT_LUA });
		this.#redis.defineCommand('shardbeatTouch', { numberOfKeys: 1, lua: TOUCH_LUA });
		this.#redis.defineCommand('shardbeatStale', { numberOfKeys: 1, lua: STALE_LUA });
		this.#sub = this.#redis.duplicate();
		for (const [name, client] of [['commands', this.#redis], ['subscriber', this.#sub]] as const) {
			client.on('error', (err: Error) => this.#o.logger.warn({ err: err.message, client: name }, 'redis error'));
		}
	}

	/** The command connection, shared with Socket.io's Redis adapter for publishing. */
	get client(): Redis {
		return this.#redis;
	}

	async start(): Promise<void> {
		// The adapter may already have woken a lazy connection with its first command.
		if (this.#redis.status === 'wait') await this.#redis.connect();
		if (this.#sub.status === 'wait') await this.#sub.connect();
		this.#sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.#onMessage(message));
		// After any reconnect, messages may have been missed: reload.
		this.#sub.on('ready', () => void this.#resync());
		await this.#sub.subscribe(this.#keys.channel);
		await this.#resync();
		this.#graceEndsAt = monotonicNow() + this.#o.timeoutMs;
		this.#sweepTimer = setInterval(() => void this.#sweep(), this.#o.sweepIntervalMs);
		this.#sweepTimer.unref?.();
	}

	health() {
		const storeOk = this.#redis.status === 'ready' && this.#sub.status === 'ready';
		return { store: 'redis' as const, storeOk, ...(storeOk ? {} : { storeDetail: `redis ${this.#redis.status}; serving the last known fleet` }) };
	}

	/** Raises the clusters' last-seen to Redis's now (the times in `seen` are this instance's wall clock: unused). */
	async touch(seen: Map<number, number>): Promise<void> {
		const ids = [...seen.keys()];
		const now = Number(await this.#redis.shardbeatTouch(this.#keys.seen, ...ids.map(String)));
		for (const id of ids) this.#wroteSeenAt.set(id, now);
	}

	/** `at` as committed: this instance's wall clock, but never before a version already committed (a clock stepped back, or behind another instance's). */
	#stamp(at: number): number {
		return (this.#lastAt = Math.max(this.#lastAt, at));
	}

	async commit(changes: ChangeSet, get: (id: number) => ClusterStatus | undefined, wallAt: number): Promise<CommittedUpdate | null> {
		const at = this.#stamp(wallAt);
		const args: (string | Buffer)[] = [String(Date.now()), this.#keys.channel, String(at), String(changes.size)];
		const entries: Uint8Array[] = [];
		for (const [id, change] of changes) {
			const cluster = get(id);
			const entry = encodeDeltaEntry(id, change, get, at).finish();
			entries.push(entry);
			if (change === 'removed' || !cluster) {
				// Only if nobody has heard it for a whole timeout: it may be live on another instance.
				args.push(String(id), 'r', String(this.#o.timeoutMs), '', Buffer.from(entry));
			} else if (cluster.lifecycle === 'stopped') {
				// Stopped here (silent or disconnected): only if nobody has heard it since we last did.
				// Never written by us (its touch failed): stop it whoever heard it, as before.
				args.push(String(id), 's', String(this.#wroteSeenAt.get(id) ?? Number.MAX_SAFE_INTEGER), Buffer.from(encodeRecord(cluster)), Buffer.from(entry));
			} else {
				args.push(String(id), 'u', '', Buffer.from(encodeRecord(cluster)), Buffer.from(entry));
			}
		}
		return this.#commitArgs(args, entries, at, [...changes], get);
	}

	async #commitArgs(
		args: (string | Buffer)[],
		entries: Uint8Array[],
		at: number,
		changes: [number, ChangeSet extends Map<number, infer C> ? C : never][],
		get: (id: number) => ClusterStatus | undefined
	): Promise<CommittedUpdate | null> {
		const [version, applied, redisNow] = await this.#redis.shardbeatCommit(this.#keys.version, this.#keys.clusters, this.#keys.seen, ...args);
		for (const i of applied) {
			const [id, change] = changes[i]!;
			const cluster = change === 'removed' ? undefined : get(id);
			if (!cluster || cluster.lifecycle === 'stopped') this.#wroteSeenAt.delete(id);
			else this.#wroteSeenAt.set(id, redisNow);
		}
		if (applied.length === 0) return null;
		this.#o.record?.(new Map(applied.map((i) => changes[i]!)), get, at);
		return { kind: 'delta', from: version - 1, version, at, data: joinDelta(applied.map((i) => entries[i]!)) };
	}

	#onMessage(message: Buffer): void {
		if (this.#pending) {
			this.#pending.push(message);
			return;
		}
		const first = message.indexOf(0x3a);
		const second = message.indexOf(0x3a, first + 1);
		const version = Number(message.subarray(0, first).toString());
		const at = Number(message.subarray(first + 1, second).toString());
		this.#lastAt = Math.max(this.#lastAt, at);
		const feed = this.#o.feed;
		if (version <= feed.version) return;
		if (version !== feed.version + 1) {
			this.#o.logger.warn({ have: feed.version, got: version }, 'missed fleet versions; reloading from redis');
			void this.#resync();
			(this.#pending as Buffer[] | null)?.push(message);
			return;
		}
		try {
			feed.apply({ kind: 'delta', from: version - 1, version, at, data: message.subarray(second + 1) });
		} catch (err) {
			this.#o.logger.error({ err }, 'undecodable fleet update from redis; reloading');
			void this.#resync();
		}
	}

	/** Reloads the replica from Redis in one atomic read, then applies what arrived meanwhile. */
	async #resync(): Promise<void> {
		if (this.#pending || this.#closed) return;
		this.#pending = [];
		try {
			await this.#redis.set(this.#keys.version, String(Date.now()), 'NX');
			const [[, version], [, records]] = (await this.#redis.multi().get(this.#keys.version).hgetallBuffer(this.#keys.clusters).exec()) as [
				[null, string],
				[null, Record<string, Buffer>]
			];
			const clusters = Object.values(records)
				.map((bytes) => decodeRecord(bytes))
				.sort((a, b) => a.id - b.id);
			const at = Date.now();
			this.#o.feed.apply({ kind: 'full', version: Number(version), at, data: encodeFull(clusters, at) });
		} catch (err) {
			this.#o.logger.warn({ err: (err as Error).message }, 'could not reload the fleet from redis; serving what this instance knows');
		} finally {
			const pending = this.#pending ?? [];
			this.#pending = null;
			for (const message of pending) this.#onMessage(message);
		}
	}

	/** Stops clusters nobody has heard from in a whole timeout, e.g. those of an instance that died. */
	async #sweep(): Promise<void> {
		if (this.#sweeping || this.#closed || this.#redis.status !== 'ready') return;
		// Start-up grace (monotonic): a freshly (re)started instance lets its bots reconnect before it calls anyone silent.
		if (monotonicNow() < this.#graceEndsAt) return;
		this.#sweeping = true;
		try {
			// Silence by Redis's clock, the one every instance wrote last-seen times with.
			const [, ...stale] = await this.#redis.shardbeatStale(this.#keys.seen, String(this.#o.timeoutMs));
			if (stale.length === 0) return;
			const now = this.#stamp(Date.now());
			const args: (string | Buffer)[] = [String(now), this.#keys.channel, String(now), '0'];
			const entries: Uint8Array[] = [];
			const stoppedById = new Map<number, ClusterStatus>();
			// One round trip for every stale cluster's record, not one each.
			const ids = stale.filter((_, i) => i % 2 === 0);
			const records = await this.#redis.hmgetBuffer(this.#keys.clusters, ...ids);
			for (let i = 0; i < stale.length; i += 2) {
				const id = stale[i]!;
				const bytes = records[i / 2];
				const cluster = bytes ? decodeRecord(bytes) : undefined;
				if (!cluster || cluster.lifecycle === 'stopped') {
					await this.#redis.zrem(this.#keys.seen, id);
					continue;
				}
				const stopped = stoppedCopy(cluster);
				stoppedById.set(stopped.id, stopped);
				entries.push(encodeDeltaEntry(stopped.id, 'full', () => stopped, now).finish());
				args.push(id, 's', stale[i + 1]!, Buffer.from(encodeRecord(stopped)), Buffer.from(entries.at(-1)!));
			}
			if (entries.length === 0) return;
			args[3] = String(entries.length);
			const update = await this.#commitArgs(args, entries, now, [...stoppedById.keys()].map((id) => [id, 'full'] as const), (id) => stoppedById.get(id));
			if (update) {
				this.#o.logger.warn({ clusters: ids.map(Number) }, 'clusters went silent; marked stopped');
				this.#o.push(update);
			}
		} catch (err) {
			this.#o.logger.warn({ err: (err as Error).message }, 'liveness sweep failed; retrying');
		} finally {
			this.#sweeping = false;
		}
	}

	async close(): Promise<void> {
		this.#closed = true;
		clearInterval(this.#sweepTimer);
		this.#sub.disconnect();
		await this.#redis.quit().catch(() => this.#redis.disconnect());
	}
}

/** A cluster as Redis stores it: the wire encoding with absolute times. */
function encodeRecord(cluster: ClusterStatus): Uint8Array {
	const w = new ByteWriter(64 + cluster.shards.length * 4);
	writeCluster(w, cluster, 0);
	return w.finish();
}

function decodeRecord(bytes: Uint8Array): ClusterStatus {
	return readCluster(new ByteReader(bytes), 0);
}

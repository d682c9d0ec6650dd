import type { Redis } from 'ioredis';
import { LUA_NOW, redisMs } from '../clock.ts';

/**
 * How many viewer sockets one client IP may hold at once. `acquire` claims a slot for one socket
 * (atomically: two handshakes cannot both take the last slot); `release` gives it back and is
 * safe to call twice, because a socket is released both when it disconnects and when its
 * connection closes before the handshake finished.
 */
export interface ConnectionCap {
	readonly limit: number;
	acquire(ip: string, socketId: string): Promise<boolean>;
	release(ip: string, socketId: string): void;
	/** Sockets this instance holds for `ip`. */
	held(ip: string): number;
	close(): void;
}

/** Sockets held by this instance, per IP: the whole count when there is one instance. */
class LocalHolders {
	readonly #byIp = new Map<string, Set<string>>();

	count(ip: string): number {
		return this.#byIp.get(ip)?.size ?? 0;
	}
	add(ip: string, id: string): void {
		const set = this.#byIp.get(ip);
		if (set) set.add(id);
		else this.#byIp.set(ip, new Set([id]));
	}
	delete(ip: string, id: string): boolean {
		const set = this.#byIp.get(ip);
		if (!set?.delete(id)) return false;
		if (set.size === 0) this.#byIp.delete(ip);
		return true;
	}
	*entries(): Iterable<[string, string]> {
		for (const [ip, ids] of this.#byIp) for (const id of ids) yield [ip, id];
	}
	clear(): void {
		this.#byIp.clear();
	}
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer from redis in ${ms} ms`)), ms)));
	return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The cap for one instance: every socket of an IP lives here. */
export class MemoryConnectionCap implements ConnectionCap {
	readonly #holders = new LocalHolders();

	constructor(readonly limit: number) {}

	async acquire(ip: string, socketId: string): Promise<boolean> {
		if (this.limit > 0 && this.#holders.count(ip) >= this.limit) return false;
		this.#holders.add(ip, socketId);
		return true;
	}
	release(ip: string, socketId: string): void {
		this.#holders.delete(ip, socketId);
	}
	held(ip: string): number {
		return this.#holders.count(ip);
	}
	close(): void {
		this.#holders.clear();
	}
}

/**
 * One sorted set per IP: members are `<instance>:<socket>`, scored by when they expire. Expired
 * members are dropped first, so a crashed instance's sockets stop counting within the lease.
 * KEYS[1] the set; ARGV: limit, member, leaseMs. Returns 1 when the slot is taken. Scores and the
 * key's TTL are both on Redis's clock (`TIME`), so instances whose clocks disagree never drop each
 * other's slots early or keep them late.
 */
const CAP_ACQUIRE_LUA = `
${LUA_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) == false and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

type CapCommands = { shardbeatCapAcquire(key: string, limit: number, member: string, leaseMs: number): Promise<number> };

export interface RedisConnectionCapOptions {
	redis: Redis;
	limit: number;
	/** Tells this instance's sockets apart from other instances' in the shared sets. */
	instanceId: string;
	/**
	 * How long a slot counts without being renewed. Every instance renews its sockets' slots at a
	 * third of this, so a crashed instance's viewers stop counting within one lease. Default 90 s.
	 */
	leaseMs?: number;
	/** Key prefix; default `shardbeat:conn:`. */
	prefix?: string;
	/** A claim Redis has not answered in this long counts as Redis being away. Default 1 s. */
	timeoutMs?: number;
	/** Told when Redis cannot answer (the cap then counts this instance's sockets only). */
	onError?: (error: Error) => void;
}

/**
 * The per-IP cap shared by every instance behind one balancer, so a client cannot multiply it by
 * spreading sockets over instances. When Redis cannot answer, the cap falls back to this
 * instance's own sockets (the single-instance rule): live status matters more than an exact count,
 * and slots taken meanwhile are written back by the next renewal.
 */
export class RedisConnectionCap implements ConnectionCap {
	readonly limit: number;
	readonly #redis: Redis & CapCommands;
	readonly #o: Required<Omit<RedisConnectionCapOptions, 'redis' | 'limit'>>;
	readonly #holders = new LocalHolders();
	readonly #timer: ReturnType<typeof setInterval>;

	constructor(options: RedisConnectionCapOptions) {
		this.limit = options.limit;
		this.#redis = options.redis as Redis & CapCommands;
		this.#o = { leaseMs: 90_000, prefix: 'shardbeat:conn:', timeoutMs: 1_000, onError: () => {}, ...options };
		if (typeof (this.#redis as Partial<CapCommands>).shardbeatCapAcquire !== 'function') options.redis.defineCommand('shardbeatCapAcquire', { numberOfKeys: 1, lua: CAP_ACQUIRE_LUA });
		this.#timer = setInterval(() => void this.renew(), Math.max(1_000, Math.floor(this.#o.leaseMs / 3)));
		this.#timer.unref?.();
	}

	#member(socketId: string): string {
		return `${this.#o.instanceId}:${socketId}`;
	}

	async acquire(ip: string, socketId: string): Promise<boolean> {
		if (this.limit <= 0) {
			this.#holders.add(ip, socketId);
			return true;
		}
		try {
			// A handshake must not wait out Redis's reconnect: away or slow means the local rule.
			if (this.#redis.status !== 'ready') throw new Error(`redis ${this.#redis.status}`);
			const claim = this.#redis.shardbeatCapAcquire(this.#o.prefix + ip, this.limit, this.#member(socketId), this.#o.leaseMs);
			const ok = Number(await withTimeout(claim, this.#o.timeoutMs));
			if (ok !== 1) return false;
		} catch (error) {
			this.#o.onError(error as Error);
			if (this.#holders.count(ip) >= this.limit) return false;
		}
		this.#holders.add(ip, socketId);
		return true;
	}

	release(ip: string, socketId: string): void {
		if (!this.#holders.delete(ip, socketId) || this.limit <= 0) return;
		// Fire and forget: if Redis is away, the slot lapses with its lease.
		this.#redis.zrem(this.#o.prefix + ip, this.#member(socketId)).catch((error: Error) => this.#o.onError(error));
	}

	held(ip: string): number {
		return this.#holders.count(ip);
	}

	/**
	 * Extends the lease of every slot this instance holds, and writes back any that Redis lost
	 * (a restart without persistence, or slots taken while it was away). One pipeline per call.
	 */
	async renew(): Promise<void> {
		if (this.limit <= 0 || this.#redis.status !== 'ready') return;
		const held = [...this.#holders.entries()];
		if (held.length === 0) return;
		try {
			// Leases end on Redis's clock, as the claim script writes them.
			const expiresAt = redisMs(await this.#redis.time()) + this.#o.leaseMs;
			const pipeline = this.#redis.pipeline();
			const keys = new Set<string>();
			for (const [ip, id] of held) {
				const key = this.#o.prefix + ip;
				pipeline.zadd(key, expiresAt, this.#member(id));
				keys.add(key);
			}
			for (const key of keys) pipeline.pexpire(key, this.#o.leaseMs);
			await pipeline.exec();
		} catch (error) {
			this.#o.onError(error as Error);
		}
	}

	close(): void {
		clearInterval(this.#timer);
		this.#holders.clear();
	}
}

import type { Redis } from 'ioredis';
import { LUA_NOW, monotonicNow } from '../clock.ts';

/**
 * Token buckets. A bucket holds up to `limit` tokens and refills at `limit` per `windowMs`; each
 * request takes one. That allows a burst of `limit` and then a steady `limit` per window, without
 * the double burst a fixed window allows at its edges, and `Retry-After` is exact: the time until
 * one token is back.
 */
export interface RateRule {
	/** Tokens per window, and the burst allowed; 0 means unlimited. */
	limit: number;
	windowMs: number;
}

/** What a limiter decided. `retryAfterMs` is when one more request would be allowed. */
export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/** One bucket's state: tokens left at time `at` (ms, on the monotonic clock in process, Redis's in Redis). */
export interface Bucket {
	tokens: number;
	at: number;
}

const ALLOWED: RateDecision = { ok: true };

/**
 * Takes one token from `bucket` (undefined: a full bucket) at `now`, in place when given.
 * Pure arithmetic, so the memory store, per-socket buckets and the Lua script agree exactly.
 */
export function takeToken(bucket: Bucket | undefined, rule: RateRule, now: number): { bucket: Bucket; decision: RateDecision } {
	const rate = rule.limit / rule.windowMs;
	const b = bucket ?? { tokens: rule.limit, at: now };
	// A clock that steps back (or skewed callers) must not mint tokens or take them away.
	const elapsed = Math.max(0, now - b.at);
	b.tokens = Math.min(rule.limit, b.tokens + elapsed * rate);
	b.at = Math.max(b.at, now);
	if (b.tokens >= 1) {
		b.tokens -= 1;
		return { bucket: b, decision: ALLOWED };
	}
	return { bucket: b, decision: { ok: false, retryAfterMs: Math.max(1, Math.ceil((1 - b.tokens) / rate)) } };
}

/** Where buckets live: in this process, or in Redis so every instance shares one count per key. */
export interface RateLimitStore {
	take(key: string, rule: RateRule, now: number): RateDecision | Promise<RateDecision>;
	close?(): void;
}

export interface MemoryRateStoreOptions {
	/**
	 * At most this many buckets are kept; past it the least recently used go first. Losing a bucket
	 * only forgives that key (it starts full again), so memory stays bounded however many IPs
	 * come. Default 100,000 (a few MB).
	 */
	maxKeys?: number;
	/** How often idle (full again) buckets are dropped, at the next `take`. Default 60 s. */
	sweepIntervalMs?: number;
}

/**
 * Buckets in a `Map`, in least-recently-used order, idle ones swept. The default store. Sweeps
 * ride on `take` instead of a timer: no requests, nothing to sweep, and nothing to clear at close.
 */
export class MemoryRateStore implements RateLimitStore {
	readonly #buckets = new Map<string, Bucket & { fullAt: number }>();
	readonly #maxKeys: number;
	readonly #sweepIntervalMs: number;
	#sweptAt = 0;

	constructor(options: MemoryRateStoreOptions = {}) {
		this.#maxKeys = options.maxKeys ?? 100_000;
		this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
	}

	/** Buckets held now (tests check that idle keys go). */
	get size(): number {
		return this.#buckets.size;
	}

	take(key: string, rule: RateRule, now: number): RateDecision {
		if (rule.limit <= 0) return ALLOWED;
		if (now - this.#sweptAt >= this.#sweepIntervalMs) this.sweep(now);
		const held = this.#buckets.get(key);
		// Re-inserting moves the key to the end: the Map's order is then least recently used first.
		if (held) this.#buckets.delete(key);
		const { bucket, decision } = takeToken(held, rule, now);
		// A bucket that will be full again by `fullAt` is the same as no bucket from then on.
		this.#buckets.set(key, { tokens: bucket.tokens, at: bucket.at, fullAt: bucket.at + ((rule.limit - bucket.tokens) * rule.windowMs) / rule.limit });
		if (this.#buckets.size > this.#maxKeys) {
			for (const oldest of this.#buckets.keys()) {
				this.#buckets.delete(oldest);
				if (this.#buckets.size <= this.#maxKeys) break;
			}
		}
		return decision;
	}

	/** Drops every bucket that has refilled completely: it says nothing a missing one does not. */
	sweep(now: number): void {
		this.#sweptAt = now;
		for (const [key, bucket] of this.#buckets) if (bucket.fullAt <= now) this.#buckets.delete(key);
	}

	close(): void {
		this.#buckets.clear();
	}
}

/**
 * One bucket per key as a Redis hash, refilled and taken from atomically in one script. The hash
 * expires once it would be full again, so idle keys cost Redis nothing. KEYS[1] the bucket;
 * ARGV: limit, windowMs. Times are Redis's own (`TIME`): instances whose clocks disagree share
 * one bucket without minting or losing tokens. Returns 0 when allowed, else the ms until a token is back.
 */
const RATE_LUA = `
${LUA_NOW}
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local rate = limit / window
local held = redis.call('HMGET', KEYS[1], 't', 'a')
local tokens = tonumber(held[1])
local at = tonumber(held[2])
if tokens == nil or at == nil then
  tokens = limit
  at = now
end
local elapsed = now - at
if elapsed < 0 then elapsed = 0 end
tokens = math.min(limit, tokens + elapsed * rate)
if at < now then at = now end
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) / rate)
  if wait < 1 then wait = 1 end
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'a', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((limit - tokens) / rate) + 1000)
return wait
`;

type RateCommands = { shardbeatRateTake(key: string, limit: number, windowMs: number): Promise<number> };

export interface RedisRateStoreOptions {
	redis: Redis;
	/** Key prefix; default `shardbeat:rl:`. */
	prefix?: string;
	/** Told when Redis cannot answer (the request is then allowed; see `take`). */
	onError?: (error: Error) => void;
}

/**
 * Buckets in Redis (`shardbeat:rl:<limiter>:<key>`), so every instance behind one balancer counts
 * the same requests. When Redis cannot answer, requests are allowed: live status matters more
 * than a limit, and Redis being away is already reported by `/healthz`.
 */
export class RedisRateStore implements RateLimitStore {
	readonly #redis: Redis & RateCommands;
	readonly #prefix: string;
	readonly #onError: (error: Error) => void;

	constructor(options: RedisRateStoreOptions) {
		this.#redis = options.redis as Redis & RateCommands;
		this.#prefix = options.prefix ?? 'shardbeat:rl:';
		this.#onError = options.onError ?? (() => {});
		// defineCommand sends EVALSHA and falls back to EVAL once, so the script crosses the wire once.
		if (typeof (this.#redis as Partial<RateCommands>).shardbeatRateTake !== 'function') options.redis.defineCommand('shardbeatRateTake', { numberOfKeys: 1, lua: RATE_LUA });
	}

	/** `now` is unused: the script reads Redis's clock. */
	async take(key: string, rule: RateRule, _now?: number): Promise<RateDecision> {
		if (rule.limit <= 0) return ALLOWED;
		try {
			const wait = Number(await this.#redis.shardbeatRateTake(this.#prefix + key, rule.limit, rule.windowMs));
			return wait > 0 ? { ok: false, retryAfterMs: wait } : ALLOWED;
		} catch (error) {
			this.#onError(error as Error);
			return ALLOWED;
		}
	}
}

/** A named rule over a store: `limiter.take(ip)`. The name keeps limiters apart in one store. */
export class RateLimiter {
	constructor(
		readonly name: string,
		readonly rule: RateRule,
		private readonly store: RateLimitStore,
		/** Monotonic by default: a step of the wall clock neither refills nor drains a bucket. */
		private readonly now: () => number = monotonicNow
	) {}

	take(key: string): RateDecision | Promise<RateDecision> {
		if (this.rule.limit <= 0) return ALLOWED;
		return this.store.take(`${this.name}:${key}`, this.rule, this.now());
	}
}

/**
 * One retry policy for every caller that waits before trying again: the status page, the
 * reporter, the history recorder and runtime, the webhook notifier. Pure and dependency-free (no
 * clock, no Node or DOM API), so the reporter's own package can bundle it as it is; the random
 * source is a parameter, so specs are deterministic.
 *
 * Each caller keeps its own numbers as a named policy next to the code that waits.
 */

/**
 * How a delay is spread around its backoff step `s`:
 * - `'full'`: uniform in [0, s), so many clients that failed together retry at unrelated times;
 * - a fraction `j` in [0, 1]: uniform in [s·(1 − j), s·(1 + j)), i.e. ±j around the step (socket.io's
 *   `randomizationFactor`); `0` is no jitter at all (and draws no random number). Outside [0, 1] it is clamped.
 */
export type Jitter = 'full' | number;

/** Exponential backoff: attempt `n` waits `min(maxMs, baseMs · factor^n)`, jittered. */
export interface BackoffPolicy {
	/** The step of attempt 0, before jitter. */
	baseMs: number;
	/** Ceiling of the step, before jitter (a ±j jitter can take the delay up to `maxMs · (1 + j)`). */
	maxMs: number;
	/** Growth per attempt. Default 2. */
	factor?: number;
	jitter: Jitter;
	/** The exponent stops growing here (a guard for callers whose `baseMs` can be tiny or 0). Default: unbounded. */
	maxExponent?: number;
	/** Whole milliseconds (`Math.round`). Default false. */
	round?: boolean;
}

/** A number in [0, 1), like `Math.random()`. */
export type RandomSource = () => number;

/** Attempt `attempt`'s step before jitter: `min(maxMs, baseMs · factor^attempt)`. A negative attempt counts as 0. */
export function backoffStep(attempt: number, policy: BackoffPolicy): number {
	const exponent = Math.min(policy.maxExponent ?? Infinity, Number.isNaN(attempt) ? 0 : Math.max(0, attempt));
	const factor = policy.factor ?? 2;
	// Spelled out because 1^∞ and 0 · ∞ (after very many attempts) are NaN, not the base and 0.
	const growth = factor === 1 ? 1 : factor ** exponent;
	return Math.min(policy.maxMs, policy.baseMs === 0 ? 0 : policy.baseMs * growth);
}

/** `ms` spread as `jitter` says (see `Jitter`), with one draw from `random` unless the jitter is 0. */
export function jittered(ms: number, jitter: Jitter, random: RandomSource = Math.random): number {
	if (jitter === 'full') return random() * ms;
	const j = Math.min(1, Math.max(0, jitter));
	if (j === 0) return ms;
	return ms * (1 - j + 2 * j * random());
}

/**
 * How long to wait before retry number `attempt` (0 = the first retry): the capped exponential
 * step, jittered. `random` defaults to `Math.random`, looked up at each call.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: RandomSource = Math.random): number {
	const delay = jittered(backoffStep(attempt, policy), policy.jitter, random);
	return policy.round ? Math.round(delay) : delay;
}

export interface RetryAfterOptions {
	/**
	 * The current time (epoch ms). Given, an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`) is read as
	 * the time until then; without it only delay-seconds are understood.
	 */
	nowMs?: number;
	/** Ceiling on the answer: a Retry-After past it is a misbehaving peer, not a reason to stall. Default none. */
	maxMs?: number;
}

/**
 * A `Retry-After` header value in ms: delay-seconds (`"7"`), or an HTTP date when `nowMs` is
 * given. Never negative (a past date or negative seconds is 0, "now"), at most `maxMs`; undefined
 * when the header is absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, options: RetryAfterOptions = {}): number | undefined {
	if (!header) return undefined;
	const seconds = Number(header);
	const ms = Number.isFinite(seconds) ? seconds * 1000 : options.nowMs === undefined ? NaN : Date.parse(header) - options.nowMs;
	return Number.isFinite(ms) ? Math.min(Math.max(0, ms), options.maxMs ?? Infinity) : undefined;
}

import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, backoffStep, jittered, parseRetryAfter, type BackoffPolicy } from './retry.ts';

/* The callers' policies, as written next to the code that waits (numbers copied, so a change there is a decision). */
/** src/lib/status/viewer-connection.ts `VIEWER_BACKOFF`. */
const VIEWER: BackoffPolicy = { baseMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.5, round: true };
/** server/history/recorder.ts `WRITE_RETRY` with the default 1 s flush interval. */
const RECORDER: BackoffPolicy = { baseMs: 1_000, maxMs: 15_000, factor: 2, jitter: 0, maxExponent: 6 };
/** server/history/history-runtime.ts `DATABASE_RETRY`. */
const RUNTIME: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0, maxExponent: 6 };
/** server/notify/webhooks.ts `ENDPOINT_BACKOFF` with the default 1 s / 5 min. */
const WEBHOOK: BackoffPolicy = { baseMs: 1_000, maxMs: 300_000, factor: 2, jitter: 'full', maxExponent: 30 };

const BASE = 1_000;
const MAX = 30_000;

/** A random source in [0, 1) for properties (fc.double can give exactly 1 only if asked to). */
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoffDelay with the status page policy (±50 %, whole ms)', () => {
	afterEach(() => {
		vi.restoreAllMocks();
	});

	// ideal = min(30 000, 1 000 × 2^attempt): 1 000, 2 000, 4 000, 8 000, 16 000, 30 000, 30 000
	// delay = round(ideal × (0.5 + random))
	it.each([
		{ random: 0, expected: [500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000] },
		{ random: 0.5, expected: [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000] },
		{ random: 0.999, expected: [1_499, 2_998, 5_996, 11_992, 23_984, 44_970, 44_970] }
	])('random() = $random gives $expected for attempts 0..6', ({ random, expected }) => {
		const rnd = () => random;
		const got = expected.map((_, attempt) => backoffDelay(attempt, VIEWER, rnd));
		expect(got).toEqual(expected);
	});

	it('starts at 1 s and is capped at 30 s', () => {
		expect(backoffDelay(0, VIEWER, () => 0.5)).toBe(1_000);
		expect(backoffDelay(20, VIEWER, () => 0.5)).toBe(30_000);
	});

	it('honours custom base and cap', () => {
		const half = () => 0.5;
		expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, { ...VIEWER, baseMs: 250, maxMs: 1_500 }, half))).toEqual([250, 500, 1_000, 1_500, 1_500]);
	});

	it.each([0, 5, 6, 10, 30, 100, 1_000, Number.MAX_SAFE_INTEGER])('attempt %d never exceeds maxMs × 1.5', (attempt) => {
		const delay = backoffDelay(attempt, VIEWER, () => 0.999_999_999);
		expect(delay).toBeLessThanOrEqual(MAX * 1.5);
		expect(Number.isFinite(delay)).toBe(true);
	});

	// random() is in [0, 1), so the factor is in [0.5, 1.5); rounding to whole ms can reach 1.5× exactly.
	it.each([0, 1, 2, 3, 4, 5, 8])('jitter keeps attempt %d within [0.5×, 1.5×] of its ideal and grows with random()', (attempt) => {
		const ideal = Math.min(MAX, BASE * 2 ** attempt);
		const delays = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999_999].map((r) => backoffDelay(attempt, VIEWER, () => r));
		for (const delay of delays) {
			expect(delay).toBeGreaterThanOrEqual(ideal * 0.5);
			expect(delay).toBeLessThanOrEqual(ideal * 1.5);
		}
		expect(delays[0]).toBe(ideal * 0.5);
		expect([...delays].sort((a, b) => a - b)).toEqual(delays);
		expect(new Set(delays).size).toBe(delays.length);
	});

	it('uses Math.random by default', () => {
		const spy = vi.spyOn(Math, 'random').mockReturnValue(0.25);
		expect(backoffDelay(2, VIEWER)).toBe(3_000); // 4 000 × 0.75
		expect(spy).toHaveBeenCalledTimes(1);
	});

	it('with the real Math.random stays in the jitter band', () => {
		for (let i = 0; i < 200; i++) {
			const delay = backoffDelay(3, VIEWER);
			expect(delay).toBeGreaterThanOrEqual(4_000);
			expect(delay).toBeLessThanOrEqual(12_000);
		}
	});

	it.each([-1, -5, -Infinity])('treats negative attempt %d as attempt 0', (attempt) => {
		for (const r of [0, 0.5, 0.999]) {
			expect(backoffDelay(attempt, VIEWER, () => r)).toBe(backoffDelay(0, VIEWER, () => r));
		}
		expect(backoffDelay(attempt, VIEWER, () => 0.5)).toBe(BASE);
	});
});

describe('backoffDelay with the server policies', () => {
	afterEach(() => {
		vi.restoreAllMocks();
	});

	it.each([
		// The recorder backs off from its first failure: 2 intervals, doubling, capped at 15 s.
		{ name: 'history recorder', policy: RECORDER, attempts: [1, 2, 3, 4, 5, 6, 7, 50], expected: [2_000, 4_000, 8_000, 15_000, 15_000, 15_000, 15_000, 15_000] },
		{ name: 'history runtime', policy: RUNTIME, attempts: [0, 1, 2, 3, 4, 5, 6, 7, 50], expected: [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000] },
		// A 10 ms flush interval (specs): growth stops at 2^6 intervals, well under the cap.
		{ name: 'recorder, 10 ms interval', policy: { ...RECORDER, baseMs: 10 }, attempts: [1, 5, 6, 7, 100], expected: [20, 320, 640, 640, 640] }
	])('$name, without jitter, waits $expected', ({ policy, attempts, expected }) => {
		const random = vi.fn(() => 0.7);
		expect(attempts.map((a) => backoffDelay(a, policy, random))).toEqual(expected);
		expect(random).not.toHaveBeenCalled();
	});

	it.each([
		{ random: 0, expected: [0, 0, 0, 0] },
		{ random: 0.5, expected: [500, 1_000, 2_000, 150_000] },
		{ random: 0.25, expected: [250, 500, 1_000, 75_000] }
	])('webhooks, full jitter: random() = $random gives $expected for attempts 0, 1, 2, 40', ({ random, expected }) => {
		expect([0, 1, 2, 40].map((a) => backoffDelay(a, WEBHOOK, () => random))).toEqual(expected);
	});

	it('webhooks with a 0 base never wait, however many failures', () => {
		for (const attempt of [0, 30, 1_100, Number.MAX_SAFE_INTEGER]) expect(backoffDelay(attempt, { ...WEBHOOK, baseMs: 0 }, () => 0.5)).toBe(0);
		// Even without the exponent ceiling: 0 × 2^∞ is no wait, not NaN.
		expect(backoffDelay(2_000, { ...WEBHOOK, baseMs: 0, maxExponent: undefined }, () => 0.5)).toBe(0);
	});

	it('full jitter reads Math.random at call time by default', () => {
		vi.spyOn(Math, 'random').mockReturnValue(0.5);
		expect(backoffDelay(1, WEBHOOK)).toBe(1_000);
	});

	it('factor other than 2', () => {
		expect([0, 1, 2, 3].map((a) => backoffDelay(a, { baseMs: 100, maxMs: 1_000, factor: 3, jitter: 0 }))).toEqual([100, 300, 900, 1_000]);
	});

	// What each caller computed inline before the shared module; the policies must reproduce it bit for bit.
	it.each([
		{ name: 'status page', policy: VIEWER, old: (a: number, r: number) => Math.round(Math.min(30_000, 1_000 * 2 ** Math.max(0, a)) * (0.5 + r)) },
		{ name: 'history recorder', policy: RECORDER, old: (a: number) => Math.min(15_000, 1_000 * 2 ** Math.min(6, a)) },
		{ name: 'history runtime', policy: RUNTIME, old: (a: number) => Math.min(60_000, 1_000 * 2 ** Math.min(6, a)) },
		{ name: 'webhooks', policy: WEBHOOK, old: (a: number, r: number) => r * Math.min(300_000, 1_000 * 2 ** Math.min(a, 30)) }
	])('$name: same delays as its old inline formula', ({ policy, old }) => {
		fc.assert(fc.property(fc.nat({ max: 200 }), unit, (attempt, r) => backoffDelay(attempt, policy, () => r) === old(attempt, r)));
	});
});

describe('jittered', () => {
	it.each([
		{ ms: 1_000, jitter: 0.5, random: 0, expected: 500 },
		{ ms: 1_000, jitter: 0.5, random: 0.5, expected: 1_000 },
		{ ms: 1_000, jitter: 0.5, random: 0.75, expected: 1_250 },
		{ ms: 1_000, jitter: 0.2, random: 0, expected: 800 },
		{ ms: 1_000, jitter: 1, random: 0.25, expected: 500 },
		{ ms: 1_000, jitter: 0, random: 0.9, expected: 1_000 },
		{ ms: 1_000, jitter: 7, random: 0.25, expected: 500 }, // clamped to 1
		{ ms: 1_000, jitter: -1, random: 0.9, expected: 1_000 }, // clamped to 0
		{ ms: 1_000, jitter: 'full' as const, random: 0.3, expected: 300 }
	])('$ms ms, jitter $jitter, random() = $random: $expected', ({ ms, jitter, random, expected }) => {
		expect(jittered(ms, jitter, () => random)).toBeCloseTo(expected, 9);
	});

	// The reporter's kick after a server-initiated disconnect, as it was written before.
	it('is the reporter formula: delay × (1 − j + 2 j · random)', () => {
		fc.assert(
			fc.property(fc.integer({ min: 0, max: 120_000 }), fc.double({ min: 0, max: 1, noNaN: true }), unit, (ms, j, r) => {
				return jittered(ms, j, () => r) === ms * (1 - j + 2 * j * r);
			})
		);
	});
});

describe('backoff properties', () => {
	const policy = fc.record({
		baseMs: fc.integer({ min: 0, max: 100_000 }),
		maxMs: fc.integer({ min: 0, max: 10_000_000 }),
		factor: fc.constantFrom(1, 1.5, 2, 3),
		jitter: fc.oneof(fc.constant<'full'>('full'), fc.double({ min: 0, max: 1, noNaN: true })),
		maxExponent: fc.option(fc.nat({ max: 40 }), { nil: undefined }),
		round: fc.boolean()
	});
	const attempt = fc.oneof(fc.integer({ min: -10, max: 2_000 }), fc.constantFrom(Infinity, -Infinity, Number.MAX_SAFE_INTEGER));

	it('the step is never negative, never above maxMs, and never shrinks with more attempts', () => {
		fc.assert(
			fc.property(policy, attempt, attempt, (p, a, b) => {
				const [lo, hi] = a <= b ? [a, b] : [b, a];
				const sLo = backoffStep(lo, p);
				const sHi = backoffStep(hi, p);
				return sLo >= 0 && sHi <= p.maxMs && sLo <= sHi;
			})
		);
	});

	it('the delay lies within [lo, hi] of its step: [0, step] for full jitter, step × [1 − j, 1 + j] otherwise', () => {
		fc.assert(
			fc.property(policy, attempt, unit, (p, a, r) => {
				const step = backoffStep(a, p);
				const delay = backoffDelay(a, p, () => r);
				const [lo, hi] = p.jitter === 'full' ? [0, step] : [step * (1 - p.jitter), step * (1 + p.jitter)];
				// Rounding to whole ms may step half a ms outside.
				const slack = p.round ? 0.5 : 1e-9 * Math.max(1, step);
				return Number.isFinite(delay) && delay >= 0 && delay >= lo - slack && delay <= hi + slack;
			})
		);
	});

	it('the delay grows with random() at a fixed attempt', () => {
		fc.assert(
			fc.property(policy, attempt, unit, unit, (p, a, r1, r2) => {
				const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
				return backoffDelay(a, p, () => lo) <= backoffDelay(a, p, () => hi);
			})
		);
	});
});

describe('parseRetryAfter', () => {
	const NOW = Date.parse('2025-06-01T12:00:00Z');
	const HOUR = 3_600_000;
	// As the webhook notifier reads it: seconds or an HTTP date, capped at an hour.
	const webhook = (h: string | null) => parseRetryAfter(h, { nowMs: NOW, maxMs: HOUR });
	// As the status page reads it: seconds only (no clock), and 0 is no hint.
	const page = (h: string | null) => parseRetryAfter(h) || undefined;

	it.each([
		{ header: null, webhook: undefined, page: undefined },
		{ header: '', webhook: undefined, page: undefined },
		{ header: '7', webhook: 7_000, page: 7_000 },
		{ header: '0.5', webhook: 500, page: 500 },
		{ header: '0', webhook: 0, page: undefined },
		{ header: '-3', webhook: 0, page: undefined },
		{ header: '7200', webhook: HOUR, page: 7_200_000 },
		{ header: 'soon', webhook: undefined, page: undefined },
		{ header: 'Infinity', webhook: undefined, page: undefined },
		// Seconds past ~1.8e305 overflow to ∞ ms: unreadable. (The page's own parser used to answer ∞ here.)
		{ header: '1e306', webhook: undefined, page: undefined },
		{ header: 'Sun, 01 Jun 2025 12:00:30 GMT', webhook: 30_000, page: undefined },
		{ header: 'Sun, 01 Jun 2025 11:59:00 GMT', webhook: 0, page: undefined },
		{ header: 'Mon, 02 Jun 2025 12:00:00 GMT', webhook: HOUR, page: undefined }
	])('"$header": webhooks $webhook ms, page $page ms', ({ header, webhook: w, page: p }) => {
		expect(webhook(header)).toBe(w);
		expect(page(header)).toBe(p);
	});

	it('accepts undefined as absent', () => {
		expect(parseRetryAfter(undefined, { nowMs: NOW })).toBeUndefined();
	});

	const headers = fc.oneof(
		fc.string(),
		fc.double({ noNaN: false }).map(String),
		fc.integer({ min: -100_000, max: 100_000 }).map(String),
		fc.date({ min: new Date(NOW - 10 * HOUR), max: new Date(NOW + 10 * HOUR), noInvalidDate: true }).map((d) => d.toUTCString())
	);

	it('is never negative and never above the cap asked for', () => {
		fc.assert(
			fc.property(headers, fc.option(fc.integer({ min: 0, max: 10 * HOUR }), { nil: undefined }), (h, maxMs) => {
				const ms = parseRetryAfter(h, { nowMs: NOW, maxMs });
				return ms === undefined || (ms >= 0 && ms <= (maxMs ?? Infinity));
			})
		);
	});

	// The two parsers the callers had before, verbatim but for the clock.
	it('reads every header as the webhook notifier and the page did before (but for seconds that overflow)', () => {
		const oldWebhook = (header: string | null) => {
			if (!header) return undefined;
			const seconds = Number(header);
			const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - NOW;
			return Number.isFinite(ms) ? Math.min(Math.max(0, ms), HOUR) : undefined;
		};
		const oldPage = (header: string | null) => {
			const seconds = Number(header);
			return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
		};
		fc.assert(
			fc.property(fc.option(headers, { nil: null }), (h) => {
				fc.pre(!Number.isFinite(Number(h)) || Number.isFinite(Number(h) * 1000));
				expect(webhook(h)).toBe(oldWebhook(h));
				expect(page(h)).toBe(oldPage(h));
			})
		);
	});
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from './backoff.ts';

const BASE = 1_000;
const MAX = 30_000;

describe('backoffDelay', () => {
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
		const got = expected.map((_, attempt) => backoffDelay(attempt, BASE, MAX, rnd));
		expect(got).toEqual(expected);
	});

	it('uses the defaults (1 s base, 30 s cap) when only attempt and random are meaningful', () => {
		expect(backoffDelay(0, undefined, undefined, () => 0.5)).toBe(1_000);
		expect(backoffDelay(20, undefined, undefined, () => 0.5)).toBe(30_000);
	});

	it('honours custom base and cap', () => {
		const half = () => 0.5;
		expect([0, 1, 2, 3, 4].map((a) => backoffDelay(a, 250, 1_500, half))).toEqual([250, 500, 1_000, 1_500, 1_500]);
	});

	it.each([0, 5, 6, 10, 30, 100, 1_000, Number.MAX_SAFE_INTEGER])('attempt %d never exceeds maxMs × 1.5', (attempt) => {
		const delay = backoffDelay(attempt, BASE, MAX, () => 0.999_999_999);
		expect(delay).toBeLessThanOrEqual(MAX * 1.5);
		expect(Number.isFinite(delay)).toBe(true);
	});

	// random() is in [0, 1), so the factor is in [0.5, 1.5); rounding to whole ms can reach 1.5× exactly.
	it.each([0, 1, 2, 3, 4, 5, 8])('jitter keeps attempt %d within [0.5×, 1.5×] of its ideal and grows with random()', (attempt) => {
		const ideal = Math.min(MAX, BASE * 2 ** attempt);
		const delays = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999_999].map((r) => backoffDelay(attempt, BASE, MAX, () => r));
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
		expect(backoffDelay(2)).toBe(3_000); // 4 000 × 0.75
		expect(spy).toHaveBeenCalledTimes(1);
	});

	it('with the real Math.random stays in the jitter band', () => {
		for (let i = 0; i < 200; i++) {
			const delay = backoffDelay(3);
			expect(delay).toBeGreaterThanOrEqual(4_000);
			expect(delay).toBeLessThanOrEqual(12_000);
		}
	});

	it.each([-1, -5, -Infinity])('treats negative attempt %d as attempt 0', (attempt) => {
		for (const r of [0, 0.5, 0.999]) {
			expect(backoffDelay(attempt, BASE, MAX, () => r)).toBe(backoffDelay(0, BASE, MAX, () => r));
		}
		expect(backoffDelay(attempt, BASE, MAX, () => 0.5)).toBe(BASE);
	});
});

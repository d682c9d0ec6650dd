import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkLatencyBands, DEFAULT_LATENCY_BANDS, latencyBand, latencyBandsFrom, parseLatencyBands, type LatencyBands } from './latency.ts';

describe('latencyBand', () => {
	const bands: LatencyBands = [200, 400];
	it.each([
		{ ping: 0, band: 'fast' },
		{ ping: 199, band: 'fast' },
		{ ping: 199.9, band: 'fast' },
		{ ping: 200, band: 'ok' },
		{ ping: 399, band: 'ok' },
		{ ping: 400, band: 'slow' },
		{ ping: 10_000, band: 'slow' },
		{ ping: null, band: null },
		{ ping: undefined, band: null },
		{ ping: Number.NaN, band: null },
		{ ping: Number.POSITIVE_INFINITY, band: null }
	] as const)('$ping ms → $band', ({ ping, band }) => {
		expect(latencyBand(ping, bands)).toBe(band);
	});

	it('never puts a slower ping in a faster band', () => {
		const order = { fast: 0, ok: 1, slow: 2 };
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 59_999 }), fc.integer({ min: 1, max: 60_000 }), fc.double({ min: 0, max: 1e5, noNaN: true }), fc.double({ min: 0, max: 1e5, noNaN: true }), (a, b, p, q) => {
				fc.pre(a < b);
				const [lo, hi] = p <= q ? [p, q] : [q, p];
				expect(order[latencyBand(lo, [a, b])!]).toBeLessThanOrEqual(order[latencyBand(hi, [a, b])!]);
			})
		);
	});
});

describe('parseLatencyBands (the setting)', () => {
	it.each([
		{ text: '200,400', bands: [200, 400] },
		{ text: ' 150 , 300 ', bands: [150, 300] },
		{ text: '1,60000', bands: [1, 60_000] }
	])('accepts "$text"', ({ text, bands }) => {
		expect(parseLatencyBands(text)).toEqual({ ok: true, bands });
	});

	it.each([
		{ text: '', why: /got 1 value\b/ },
		{ text: '200', why: /got 1 value\b/ },
		{ text: '100,200,300', why: /got 3 values/ },
		{ text: '400,200', why: /first below the second \(got 400,200\)/ },
		{ text: '200,200', why: /first below the second/ },
		{ text: '0,400', why: /between 1 and 60000 \(got 0\)/ },
		{ text: '200,60001', why: /got 60001/ },
		{ text: '200ms,400', why: /got 200ms/ },
		{ text: '-5,400', why: /got -5/ },
		{ text: '1.5,400', why: /got 1.5/ }
	])('refuses "$text", saying why and what works', ({ text, why }) => {
		const check = parseLatencyBands(text);
		expect(check.ok).toBe(false);
		if (!check.ok) {
			expect(check.reason).toMatch(why);
			expect(check.reason).toContain('e.g. 200,400');
		}
	});
});

describe('latencyBandsFrom (what the page was sent)', () => {
	it.each([
		{ name: 'valid bands', value: [100, 250], bands: [100, 250] },
		{ name: 'nothing (an older server)', value: undefined, bands: DEFAULT_LATENCY_BANDS },
		{ name: 'a string', value: '100,250', bands: DEFAULT_LATENCY_BANDS },
		{ name: 'descending', value: [400, 200], bands: DEFAULT_LATENCY_BANDS },
		{ name: 'strings in an array', value: ['100', '250'], bands: DEFAULT_LATENCY_BANDS },
		{ name: 'an object', value: { 0: 100, 1: 250, length: 2 }, bands: DEFAULT_LATENCY_BANDS },
		{ name: 'NaN', value: [Number.NaN, 250], bands: DEFAULT_LATENCY_BANDS }
	])('$name → $bands', ({ value, bands }) => {
		expect(latencyBandsFrom(value)).toEqual(bands);
	});

	it('gives either the value it was sent or the defaults, for anything at all', () => {
		fc.assert(
			fc.property(fc.anything(), (value) => {
				const bands = latencyBandsFrom(value);
				expect(checkLatencyBands(bands).ok).toBe(true);
				if (bands !== DEFAULT_LATENCY_BANDS) expect(bands).toEqual(value);
			})
		);
	});
});

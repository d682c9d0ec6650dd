import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatClusterIds, parseClusterIds, type ClusterIdsResult } from './cluster-ids.ts';

describe('parseClusterIds', () => {
	it.each<[string, ClusterIdsResult]>([
		['', { ok: true, ids: [] }],
		['   ', { ok: true, ids: [] }],
		['3', { ok: true, ids: [3] }],
		['3, 1, 2', { ok: true, ids: [1, 2, 3] }],
		['1 2\n3', { ok: true, ids: [1, 2, 3] }],
		['10-12, 4', { ok: true, ids: [4, 10, 11, 12] }],
		['10–12', { ok: true, ids: [10, 11, 12] }],
		['5-5', { ok: true, ids: [5] }],
		['2, 2, 1-3', { ok: true, ids: [1, 2, 3] }],
		['0', { ok: true, ids: [0] }],
		['1, x', { ok: false, error: 'invalid', part: 'x' }],
		['-3', { ok: false, error: 'invalid', part: '-3' }],
		['1.5', { ok: false, error: 'invalid', part: '1.5' }],
		['7-3', { ok: false, error: 'invalid', part: '7-3' }],
		['1000001', { ok: false, error: 'invalid', part: '1000001' }],
		['0-20000', { ok: false, error: 'too-many' }],
		['0-6000, 7000-14000', { ok: false, error: 'too-many' }]
	])('%j → %j', (text, result) => {
		expect(parseClusterIds(text)).toEqual(result);
	});
});

describe('formatClusterIds', () => {
	it.each<[number[], string]>([
		[[], ''],
		[[3], '3'],
		[[1, 2, 3], '1–3'],
		[[4, 1, 11, 10, 12], '1, 4, 10–12'],
		[[1, 1, 2], '1–2']
	])('%j → %j', (ids, text) => {
		expect(formatClusterIds(ids)).toBe(text);
	});

	it('reads back to the same ascending, distinct list', () => {
		fc.assert(
			fc.property(fc.array(fc.integer({ min: 0, max: 2_000 }), { maxLength: 200 }), (ids) => {
				const parsed = parseClusterIds(formatClusterIds(ids));
				expect(parsed).toEqual({ ok: true, ids: [...new Set(ids)].sort((a, b) => a - b) });
			})
		);
	});
});

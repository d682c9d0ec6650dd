import { describe, expect, it } from 'vitest';
import type { Incident } from '#shared';
import { consoleOrder } from './incident-order.ts';

const inc = (id: number, startedAt: number, resolvedAt: number | null) => ({ id, startedAt, resolvedAt }) as Incident;

describe('consoleOrder', () => {
	it.each<[string, Incident[], number[]]>([
		['nothing', [], []],
		['open before resolved, whatever their age', [inc(1, 500, 600), inc(2, 100, null)], [2, 1]],
		['newest first within each', [inc(1, 100, null), inc(2, 300, null), inc(3, 100, 200), inc(4, 400, 500)], [2, 1, 4, 3]],
		['same start: higher id (opened later) first', [inc(1, 100, null), inc(2, 100, null)], [2, 1]]
	])('%s', (_, incidents, ids) => {
		expect(consoleOrder(incidents).map((i) => i.id)).toEqual(ids);
	});
});

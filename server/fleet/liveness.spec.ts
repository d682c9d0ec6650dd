import { describe, expect, it } from 'vitest';
import { Liveness } from './liveness.ts';

function liveness(timeoutMs = 1_000, graceMs?: number) {
	const expired: [number, number][] = [];
	const l = new Liveness({ timeoutMs, sweepIntervalMs: 60_000, onExpired: (k, seen) => expired.push([k, seen]), ...(graceMs === undefined ? {} : { graceMs }) });
	return { l, expired };
}

describe('Liveness', () => {
	it('expires a key silent for longer than the timeout, once', () => {
		const { l, expired } = liveness();
		l.touch(1, 0);
		l.touch(2, 500);
		expect(l.sweep(1_000)).toEqual([]);
		expect(l.sweep(1_001)).toEqual([1]);
		expect(l.sweep(1_600)).toEqual([2]);
		expect(l.sweep(5_000)).toEqual([]);
		expect(expired).toEqual([[1, 0], [2, 500]]);
		l.close();
	});

	it('a touch keeps a key alive; forget drops it without expiring it', () => {
		const { l, expired } = liveness();
		l.touch(1, 0);
		l.touch(1, 900);
		expect(l.sweep(1_500)).toEqual([]);
		l.forget(1);
		expect(l.sweep(10_000)).toEqual([]);
		expect(expired).toEqual([]);
		l.close();
	});

	it('start-up grace: after start, nothing expires until a whole timeout has passed, then silence counts', () => {
		const { l, expired } = liveness(1_000);
		l.start(10_000);
		// A cluster last heard long before the grace began.
		l.touch(7, 2_000);
		l.touch(8, 10_100);
		expect(l.inGrace(10_999)).toBe(true);
		expect(l.sweep(10_999)).toEqual([]);
		// A stale key that reports during the grace is simply alive.
		l.touch(7, 10_500);
		expect(l.sweep(11_000)).toEqual([]);
		expect(l.inGrace(11_000)).toBe(false);
		expect(l.sweep(11_101)).toEqual([8]);
		expect(l.sweep(11_500)).toEqual([]);
		expect(l.sweep(11_501)).toEqual([7]);
		expect(expired.map(([k]) => k)).toEqual([8, 7]);
		l.close();
	});

	it('a stale key that never reports is expired when the grace ends, not before', () => {
		const { l } = liveness(1_000, 3_000);
		l.start(0);
		l.touch(3, -50_000);
		expect(l.sweep(2_999)).toEqual([]);
		expect(l.sweep(3_000)).toEqual([3]);
		l.close();
	});
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { heartbeat } from '#testing/server/harness';
import { createLogger } from '../log.ts';
import { createFleetTracking } from './fleet-tracking.ts';
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

/*
 * The clock: wall-clock steps (vi.setSystemTime moves Date alone) against the monotonic clock the
 * sweep reads (performance.now, moved only by advanceTimersByTime), through the tracking the server wires.
 */
describe('Liveness on the monotonic clock (fake timers)', () => {
	const TIMEOUT = 3_000;
	let tracking: ReturnType<typeof createFleetTracking>;
	const beat = (id: number) => {
		tracking.fleet.apply(heartbeat(id, [id]), 'socket', Date.now());
		tracking.liveness.touch(id);
	};
	const lifecycle = (id: number) => tracking.fleet.get(id)?.lifecycle;
	/** `ms` of heartbeats every second from clusters 0 and 1 (cluster 2 says nothing). */
	const reporting = (ms: number) => {
		for (let t = 0; t < ms; t += 1_000) {
			beat(0);
			beat(1);
			vi.advanceTimersByTime(1_000);
		}
	};

	beforeEach(() => {
		vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date', 'performance'], now: Date.UTC(2026, 0, 1) });
		tracking = createFleetTracking({ silenceTimeoutMs: TIMEOUT, logger: createLogger('silent') });
		tracking.start();
		beat(0);
		beat(1);
		beat(2);
		reporting(TIMEOUT + 1_000);
		expect([lifecycle(0), lifecycle(1), lifecycle(2)]).toEqual(['running', 'running', 'stopped']);
		tracking.fleet.takeChanges();
	});
	afterEach(() => {
		tracking.close();
		vi.useRealTimers();
	});

	it('a forward step of the wall clock far past the timeout stops nobody who is reporting', () => {
		vi.setSystemTime(Date.now() + 60_000);
		// A sweep runs before the next heartbeats arrive, as it would on a server.
		vi.advanceTimersByTime(1_000);
		reporting(2 * TIMEOUT);
		expect([lifecycle(0), lifecycle(1)]).toEqual(['running', 'running']);
		// Not even for a moment: a stop and a restart would have left a change behind.
		expect([...tracking.fleet.takeChanges().keys()]).toEqual([]);
	});

	it('after a backward step, a cluster that goes silent is stopped within the timeout plus one sweep', () => {
		vi.setSystemTime(Date.now() - 60_000);
		beat(0);
		beat(1);
		vi.advanceTimersByTime(TIMEOUT);
		expect(lifecycle(1)).toBe('running');
		vi.advanceTimersByTime(1_000);
		expect([lifecycle(0), lifecycle(1)]).toEqual(['stopped', 'stopped']);
	});

	it('the start-up grace is measured on the monotonic clock too', () => {
		const fresh = new Liveness({ timeoutMs: TIMEOUT, onExpired: () => {} });
		fresh.start();
		fresh.touch(9);
		vi.setSystemTime(Date.now() + 60_000);
		expect(fresh.inGrace()).toBe(true);
		expect(fresh.sweep()).toEqual([]);
		vi.setSystemTime(Date.now() - 120_000);
		vi.advanceTimersByTime(TIMEOUT + 1);
		expect(fresh.inGrace()).toBe(false);
		expect(fresh.sweep()).toEqual([9]);
		fresh.close();
	});
});

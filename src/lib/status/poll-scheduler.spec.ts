import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PollScheduler } from './poll-scheduler.ts';
import { createVisibilityStub } from '#testing/page/visibility-stub';

const INTERVAL = 15_000;
const GAP = 2_000;

function setup(initial: DocumentVisibilityState = 'visible', extra: { intervalMs?: number; minGapMs?: number } = {}) {
	const { document: doc, window: win } = createVisibilityStub(initial);
	const poll = vi.fn();
	const scheduler = new PollScheduler({ poll, document: doc, window: win, ...extra });
	return { doc, win, poll, scheduler };
}

beforeEach(() => {
	vi.useFakeTimers();
	vi.setSystemTime(new Date('2025-06-01T12:00:00Z'));
});

afterEach(() => {
	vi.useRealTimers();
});

describe('PollScheduler', () => {
	describe('interval while visible', () => {
		it('polls immediately on start when the page is visible', () => {
			const { poll, scheduler } = setup('visible');
			expect(poll).not.toHaveBeenCalled();
			scheduler.start();
			expect(poll).toHaveBeenCalledTimes(1);
			scheduler.stop();
		});

		it.each([
			{ advance: 0, polls: 1 },
			{ advance: INTERVAL - 1, polls: 1 },
			{ advance: INTERVAL, polls: 2 },
			{ advance: 2 * INTERVAL - 1, polls: 2 },
			{ advance: 2 * INTERVAL, polls: 3 },
			{ advance: 3 * INTERVAL, polls: 4 },
			{ advance: 10 * INTERVAL, polls: 11 }
		])('after $advance ms there have been $polls polls', ({ advance, polls }) => {
			const { poll, scheduler } = setup('visible');
			scheduler.start();
			vi.advanceTimersByTime(advance);
			expect(poll).toHaveBeenCalledTimes(polls);
			scheduler.stop();
		});

		it('honours a custom interval', () => {
			const { poll, scheduler } = setup('visible', { intervalMs: 5_000 });
			scheduler.start();
			vi.advanceTimersByTime(15_000);
			expect(poll).toHaveBeenCalledTimes(4);
			scheduler.stop();
		});

		it('calling start() twice does not double the polling', () => {
			const { poll, scheduler } = setup('visible');
			scheduler.start();
			scheduler.start();
			expect(poll).toHaveBeenCalledTimes(1);
			vi.advanceTimersByTime(3 * INTERVAL);
			expect(poll).toHaveBeenCalledTimes(4);
			scheduler.stop();
		});
	});

	describe('hidden page', () => {
		it('does not poll on start when hidden, and never while hidden', () => {
			const { poll, scheduler } = setup('hidden');
			scheduler.start();
			expect(poll).not.toHaveBeenCalled();
			vi.advanceTimersByTime(10 * 60_000);
			expect(poll).not.toHaveBeenCalled();
			expect(vi.getTimerCount()).toBe(0);
			scheduler.stop();
		});

		it('stops polling once the page is hidden', () => {
			const { doc, poll, scheduler } = setup('visible');
			scheduler.start();
			vi.advanceTimersByTime(INTERVAL); // 2 polls
			doc.setVisibility('hidden');
			vi.advanceTimersByTime(5 * 60_000);
			expect(poll).toHaveBeenCalledTimes(2);
			scheduler.stop();
		});

		it('polls as soon as a page that started hidden becomes visible', () => {
			const { doc, poll, scheduler } = setup('hidden');
			scheduler.start();
			vi.advanceTimersByTime(60_000);
			doc.setVisibility('visible');
			expect(poll).toHaveBeenCalledTimes(1);
			vi.advanceTimersByTime(INTERVAL);
			expect(poll).toHaveBeenCalledTimes(2);
			scheduler.stop();
		});

		it('becoming visible polls at once and restarts the 15-s cycle from that poll', () => {
			const { doc, poll, scheduler } = setup('visible');
			scheduler.start(); // t=0, poll #1; old schedule would poll at t=15 s
			vi.advanceTimersByTime(10_000);
			doc.setVisibility('hidden');
			vi.advanceTimersByTime(1_000);
			doc.setVisibility('visible'); // t=11 s, poll #2
			expect(poll).toHaveBeenCalledTimes(2);

			vi.advanceTimersByTime(4_000); // t=15 s: the old slot, nothing happens
			expect(poll).toHaveBeenCalledTimes(2);
			vi.advanceTimersByTime(INTERVAL - 4_000 - 1); // t=25.999 s
			expect(poll).toHaveBeenCalledTimes(2);
			vi.advanceTimersByTime(1); // t=26 s = 11 s + 15 s
			expect(poll).toHaveBeenCalledTimes(3);
			scheduler.stop();
		});

		/*
		 * BUG (poll-scheduler.ts, #onVisibility + refresh): hiding clears the interval timer, and
		 * showing the page again within `minGapMs` of the last poll is dropped by refresh() without
		 * rescheduling — so polling stops for good until some later focus/visibility event.
		 * `it.fails` keeps the suite green while the bug exists; switch it to `it` once fixed.
		 */
		it('keeps polling after a hide/show flicker within the min gap', () => {
			const { doc, poll, scheduler } = setup('visible');
			scheduler.start(); // t=0, poll #1
			vi.advanceTimersByTime(500);
			doc.setVisibility('hidden');
			vi.advanceTimersByTime(500);
			doc.setVisibility('visible'); // t=1 s: within the 2-s gap, dropped
			vi.advanceTimersByTime(5 * INTERVAL);
			expect(poll.mock.calls.length).toBeGreaterThan(1);
			scheduler.stop();
		});
	});

	describe('focus', () => {
		it('polls at once on focus and restarts the cycle from that poll', () => {
			const { win, poll, scheduler } = setup('visible');
			scheduler.start(); // t=0
			vi.advanceTimersByTime(10_000);
			win.focus(); // t=10 s
			expect(poll).toHaveBeenCalledTimes(2);
			vi.advanceTimersByTime(5_000); // t=15 s: old slot, nothing
			expect(poll).toHaveBeenCalledTimes(2);
			vi.advanceTimersByTime(10_000); // t=25 s
			expect(poll).toHaveBeenCalledTimes(3);
			scheduler.stop();
		});

		it('two focus events within 2 s cause only one poll', () => {
			const { win, poll, scheduler } = setup('visible');
			scheduler.start();
			vi.advanceTimersByTime(5_000);
			win.focus();
			vi.advanceTimersByTime(GAP - 1);
			win.focus();
			expect(poll).toHaveBeenCalledTimes(2); // start + first focus
			scheduler.stop();
		});

		it('a focus 2 s or more after the last poll polls again', () => {
			const { win, poll, scheduler } = setup('visible');
			scheduler.start();
			vi.advanceTimersByTime(5_000);
			win.focus();
			vi.advanceTimersByTime(GAP);
			win.focus();
			expect(poll).toHaveBeenCalledTimes(3);
			scheduler.stop();
		});

		it('focus right after start (within the gap) does not poll twice', () => {
			const { win, poll, scheduler } = setup('visible');
			scheduler.start();
			win.focus();
			expect(poll).toHaveBeenCalledTimes(1);
			scheduler.stop();
		});

		it.each([
			{ name: 'started hidden', hideAfterStart: false },
			{ name: 'hidden after polling', hideAfterStart: true }
		])('focus while hidden does not poll ($name)', ({ hideAfterStart }) => {
			const { doc, win, poll, scheduler } = setup(hideAfterStart ? 'visible' : 'hidden');
			scheduler.start();
			const before = poll.mock.calls.length;
			if (hideAfterStart) doc.setVisibility('hidden');
			vi.advanceTimersByTime(30_000);
			win.focus();
			vi.advanceTimersByTime(60_000);
			expect(poll).toHaveBeenCalledTimes(before);
			scheduler.stop();
		});
	});

	describe('refresh()', () => {
		it.each([
			{ after: 0, polls: false },
			{ after: 1_000, polls: false },
			{ after: GAP - 1, polls: false },
			{ after: GAP, polls: true },
			{ after: 7_500, polls: true }
		])('refresh $after ms after a poll → polls: $polls', ({ after, polls }) => {
			const { poll, scheduler } = setup('visible');
			scheduler.start();
			vi.advanceTimersByTime(after);
			scheduler.refresh();
			expect(poll).toHaveBeenCalledTimes(polls ? 2 : 1);
			scheduler.stop();
		});

		it('honours a custom min gap', () => {
			const { poll, scheduler } = setup('visible', { minGapMs: 5_000 });
			scheduler.start();
			vi.advanceTimersByTime(4_999);
			scheduler.refresh();
			expect(poll).toHaveBeenCalledTimes(1);
			vi.advanceTimersByTime(1);
			scheduler.refresh();
			expect(poll).toHaveBeenCalledTimes(2);
			scheduler.stop();
		});

		it('does nothing before start or while hidden', () => {
			const { doc, poll, scheduler } = setup('visible');
			scheduler.refresh();
			expect(poll).not.toHaveBeenCalled();

			doc.visibilityState = 'hidden';
			scheduler.start();
			vi.advanceTimersByTime(10_000);
			scheduler.refresh();
			expect(poll).not.toHaveBeenCalled();
			scheduler.stop();
		});
	});

	describe('stop()', () => {
		it('removes listeners and timers; later events and time do nothing', () => {
			const { doc, win, poll, scheduler } = setup('visible');
			const removeDoc = vi.spyOn(doc, 'removeEventListener');
			const removeWin = vi.spyOn(win, 'removeEventListener');
			scheduler.start();
			expect(vi.getTimerCount()).toBe(1);
			vi.advanceTimersByTime(5_000);

			scheduler.stop();
			expect(vi.getTimerCount()).toBe(0);
			expect(removeDoc).toHaveBeenCalledWith('visibilitychange', expect.any(Function));
			expect(removeWin).toHaveBeenCalledWith('focus', expect.any(Function));

			const calls = poll.mock.calls.length;
			win.focus();
			doc.setVisibility('hidden');
			doc.setVisibility('visible');
			scheduler.refresh();
			vi.advanceTimersByTime(5 * 60_000);
			expect(poll).toHaveBeenCalledTimes(calls);
			expect(vi.getTimerCount()).toBe(0);
		});

		it('removes exactly the listeners it added', () => {
			const { doc, win, scheduler } = setup('visible');
			const addDoc = vi.spyOn(doc, 'addEventListener');
			const addWin = vi.spyOn(win, 'addEventListener');
			const removeDoc = vi.spyOn(doc, 'removeEventListener');
			const removeWin = vi.spyOn(win, 'removeEventListener');
			scheduler.start();
			scheduler.stop();
			expect(addDoc).toHaveBeenCalledTimes(1);
			expect(addWin).toHaveBeenCalledTimes(1);
			expect(removeDoc.mock.calls[0]?.[1]).toBe(addDoc.mock.calls[0]?.[1]);
			expect(removeWin.mock.calls[0]?.[1]).toBe(addWin.mock.calls[0]?.[1]);
		});

		it('can be started again after stop', () => {
			const { poll, scheduler } = setup('visible');
			scheduler.start();
			scheduler.stop();
			vi.advanceTimersByTime(60_000);
			expect(poll).toHaveBeenCalledTimes(1);
			scheduler.start();
			expect(poll).toHaveBeenCalledTimes(2);
			vi.advanceTimersByTime(INTERVAL);
			expect(poll).toHaveBeenCalledTimes(3);
			scheduler.stop();
		});
	});
});

describe('forced refresh (a new connection)', () => {
	it('polls inside the min gap when forced, but never while hidden', () => {
		vi.useFakeTimers();
		const { document: doc, window: win } = createVisibilityStub();
		const poll = vi.fn();
		const s = new PollScheduler({ poll, document: doc, window: win });
		s.start();
		expect(poll).toHaveBeenCalledTimes(1);
		s.refresh();
		expect(poll).toHaveBeenCalledTimes(1);
		s.refresh({ force: true });
		expect(poll).toHaveBeenCalledTimes(2);
		doc.visibilityState = 'hidden';
		s.refresh({ force: true });
		expect(poll).toHaveBeenCalledTimes(2);
		s.stop();
		vi.useRealTimers();
	});
});

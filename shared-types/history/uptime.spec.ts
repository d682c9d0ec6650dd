import { describe, expect, it } from 'vitest';
import type { Interval } from './intervals.ts';
import { dailyBars, dayTotals, uptime, type ShardHistory } from './uptime.ts';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 1);
const iv = (start: number, end: number): Interval => ({ start: T0 + start, end: T0 + end });
const shard = (shardId: number, down: Interval[] = [], tracked: Interval[] = [iv(-10 * DAY, 10 * DAY)]): ShardHistory => ({ shardId, tracked, down });
const day = iv(0, DAY);

describe('uptime (time-weighted by shard)', () => {
	it.each<[string, ShardHistory[], Interval[], number | null, number]>([
		['nothing down', [shard(0), shard(1)], [], 1, 0],
		['one of two shards down for half the day', [shard(0, [iv(0, 12 * H)]), shard(1)], [], 0.75, 12 * H],
		['one of 16 shards down an hour', [shard(0, [iv(5 * H, 6 * H)]), ...Array.from({ length: 15 }, (_, i) => shard(i + 1))], [], 1 - 1 / (16 * 24), H],
		['overlapping outages of one shard count once', [shard(0, [iv(0, 2 * H), iv(H, 3 * H)])], [], 1 - 3 / 24, 3 * H],
		['an outage outside the window does not count', [shard(0, [iv(-2 * H, -H), iv(DAY + H, DAY + 2 * H)])], [], 1, 0],
		['an outage across midnight counts only its part in the day', [shard(0, [iv(23 * H, 25 * H)])], [], 1 - 1 / 24, H],
		['maintenance excludes time from both down and counted', [shard(0, [iv(0, 6 * H)])], [iv(0, 6 * H)], 1, 0],
		['an outage partly in maintenance counts the rest', [shard(0, [iv(0, 6 * H)])], [iv(0, 3 * H)], 1 - 3 / 21, 3 * H],
		['a shard not tracked yet (re-shard) counts only from when it was', [shard(0, [iv(0, 12 * H)], [iv(6 * H, 10 * DAY)])], [], 1 - 6 / 18, 6 * H],
		['nothing tracked in the window', [shard(0, [], [iv(2 * DAY, 3 * DAY)])], [], null, 0]
	])('%s', (_, shards, maintenance, ratio, downMs) => {
		const result = uptime(shards, day, maintenance);
		if (ratio === null) expect(result.ratio).toBeNull();
		else expect(result.ratio).toBeCloseTo(ratio, 10);
		expect(result.downMs).toBe(downMs);
	});
});

describe('dailyBars', () => {
	it('cuts history into the given days, with down minutes weighted by shard', () => {
		const days = [
			{ day: '2026-11-01', start: T0, end: T0 + DAY },
			{ day: '2026-11-02', start: T0 + DAY, end: T0 + 2 * DAY }
		];
		// Shard 0 of 2 down 23:00–01:00 across midnight: an hour each day, half the bot.
		const bars = dailyBars([shard(0, [iv(23 * H, 25 * H)]), shard(1)], days);
		expect(bars.map((b) => b.day)).toEqual(['2026-11-01', '2026-11-02']);
		expect(bars.map((b) => b.downMinutes)).toEqual([30, 30]);
		expect(bars[0]!.ratio).toBeCloseTo(1 - 1 / 48, 10);
	});

	it('has no ratio for a day before anything was tracked', () => {
		const bars = dailyBars([shard(0, [], [iv(DAY, 2 * DAY)])], [{ day: '2026-11-01', start: T0, end: T0 + DAY }]);
		expect(bars).toEqual([{ day: '2026-11-01', ratio: null, downMinutes: 0 }]);
	});
});

describe('dayTotals agrees with uptime per day', () => {
	it('on a mixed fleet with maintenance, across 5 days', () => {
		const days = Array.from({ length: 5 }, (_, i) => ({ start: T0 + i * DAY, end: T0 + (i + 1) * DAY }));
		const shards = [
			shard(0, [iv(23 * H, 25 * H), iv(3 * DAY, 3 * DAY + 5 * H)]),
			shard(1, [iv(-DAY, 2 * H)], [iv(-2 * DAY, 4 * DAY + 2 * H)]),
			shard(2, [iv(2 * DAY + H, 2 * DAY + 90 * 60_000)], [iv(DAY + 12 * H, 10 * DAY)])
		];
		const maintenance = [iv(3 * DAY, 3 * DAY + 2 * H)];
		const totals = dayTotals(shards, days, maintenance);
		days.forEach((d, i) => {
			const u = uptime(shards, d, maintenance);
			expect([totals.downMs[i], totals.countedMs[i]]).toEqual([u.downMs, u.countedMs]);
		});
	});
});

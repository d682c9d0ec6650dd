/*
 * The colour of one day in a 90-day uptime strip, from the day's downtime. Statuspage colours a
 * day by the worst incident on it; Shardbeat has measured downtime instead, so the levels are
 * cut by minutes of whole-bot-equivalent downtime (`DailyBars.downMinutes`: 16 shards of 16
 * down for 1 minute, or 1 of 16 down for 16 minutes, is 1 minute):
 *
 * | level     | when                                          | colour |
 * |-----------|-----------------------------------------------|--------|
 * | `none`    | nothing tracked that day (ratio null)         | grey   |
 * | `up`      | 0 minutes down                                | green  |
 * | `minor`   | under 30 minutes down                         | yellow |
 * | `partial` | 30 minutes to under 4 hours down              | orange |
 * | `major`   | 4 hours or more down, or under 50 % of the day up | red |
 *
 * Minutes rather than the ratio decide the middle levels because today's bar covers only part
 * of a day: 20 minutes down by 01:00 is a 67 % day, yet still a 20-minute blip. The ratio only
 * decides `major`, so half of a short day gone reads red however few minutes that was.
 */

export type BarLevel = 'none' | 'up' | 'minor' | 'partial' | 'major';

/** Downtime below this many minutes is `minor`. */
export const MINOR_BELOW_MINUTES = 30;
/** Downtime of this many minutes or more is `major`. */
export const MAJOR_FROM_MINUTES = 240;
/** A day with less than this share up is `major`, whatever its minutes. */
export const MAJOR_BELOW_RATIO = 0.5;

export function barLevel(ratio: number | null, downMinutes: number): BarLevel {
	if (ratio === null) return 'none';
	if (downMinutes >= MAJOR_FROM_MINUTES || ratio < MAJOR_BELOW_RATIO) return 'major';
	// `downMinutes` carries one decimal; anything above zero was measured and is shown.
	if (downMinutes <= 0) return 'up';
	if (downMinutes < MINOR_BELOW_MINUTES) return 'minor';
	return 'partial';
}

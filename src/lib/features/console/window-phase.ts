import type { MaintenanceWindow } from '#shared';

/*
 * Where a maintenance window stands on the clock, for the console's list and the actions it
 * offers: an upcoming window can be edited or cancelled, one in progress edited or ended early,
 * an ended one only read.
 */

/** `upcoming`: not started; `in-progress`: `startsAt` ≤ now < `endsAt`; `ended`: over. */
export type WindowPhase = 'upcoming' | 'in-progress' | 'ended';

/** The phase of `window` at `now` (`startsAt` inclusive, `endsAt` exclusive, as the page's banner counts it). */
export function windowPhase(window: Pick<MaintenanceWindow, 'startsAt' | 'endsAt'>, now: number): WindowPhase {
	if (now < window.startsAt) return 'upcoming';
	return now < window.endsAt ? 'in-progress' : 'ended';
}

/** What an operator may do to a window in each phase; the server refuses the rest anyway. */
export const WINDOW_ACTIONS: Record<WindowPhase, readonly ('edit' | 'end' | 'cancel')[]> = {
	upcoming: ['edit', 'cancel'],
	'in-progress': ['edit', 'end'],
	ended: []
};

/** Windows grouped for the console: in progress first (ending soonest first), then upcoming (soonest first); ended ones are dropped. */
export function groupWindows<W extends Pick<MaintenanceWindow, 'startsAt' | 'endsAt'>>(windows: readonly W[], now: number): { inProgress: W[]; upcoming: W[] } {
	const inProgress = windows.filter((w) => windowPhase(w, now) === 'in-progress').sort((a, b) => a.endsAt - b.endsAt);
	const upcoming = windows.filter((w) => windowPhase(w, now) === 'upcoming').sort((a, b) => a.startsAt - b.startsAt);
	return { inProgress, upcoming };
}

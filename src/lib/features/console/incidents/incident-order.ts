import type { Incident } from '#shared';

/** The console's incident list: open ones first, then resolved ones; newest first within each. */
export function consoleOrder(incidents: readonly Incident[]): Incident[] {
	return [...incidents].sort((a, b) => Number(a.resolvedAt !== null) - Number(b.resolvedAt !== null) || b.startedAt - a.startedAt || b.id - a.id);
}

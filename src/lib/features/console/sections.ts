import { roleAllows, type ConsoleRole } from '#shared';

/* The console's pages, and the least role each is for: the nav shows a role only what it can use. */

export type ConsoleSection = 'fleet' | 'incidents' | 'maintenance' | 'templates' | 'subscribers' | 'sessions' | 'audit';

export const SECTIONS: readonly { id: ConsoleSection; path: string; role: ConsoleRole }[] = [
	{ id: 'fleet', path: '/admin/', role: 'viewer' },
	{ id: 'incidents', path: '/admin/incidents/', role: 'viewer' },
	{ id: 'maintenance', path: '/admin/maintenance/', role: 'viewer' },
	{ id: 'templates', path: '/admin/templates/', role: 'viewer' },
	{ id: 'subscribers', path: '/admin/subscribers/', role: 'viewer' },
	{ id: 'sessions', path: '/admin/sessions/', role: 'owner' },
	{ id: 'audit', path: '/admin/audit/', role: 'owner' }
];

/** The sections `role` may open, in nav order. */
export function sectionsFor(role: ConsoleRole): ConsoleSection[] {
	return SECTIONS.filter((s) => roleAllows(role, s.role)).map((s) => s.id);
}

/** The section a route id (`/admin/incidents`) shows; `fleet` for the console's root. */
export function sectionOf(routeId: string | null): ConsoleSection {
	const id = routeId?.replace(/^\/admin\/?/, '').split('/')[0];
	return SECTIONS.find((s) => s.id === id)?.id ?? 'fleet';
}

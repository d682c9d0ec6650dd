import { describe, expect, it } from 'vitest';
import type { ConsoleRole } from '#shared';
import { sectionOf, sectionsFor, type ConsoleSection } from './sections.ts';

describe('sectionsFor', () => {
	it.each<[ConsoleRole, ConsoleSection[]]>([
		['viewer', ['fleet', 'incidents', 'maintenance', 'templates', 'subscribers']],
		['editor', ['fleet', 'incidents', 'maintenance', 'templates', 'subscribers']],
		['owner', ['fleet', 'incidents', 'maintenance', 'templates', 'subscribers', 'sessions', 'audit']]
	])('%s sees %j', (role, sections) => {
		expect(sectionsFor(role)).toEqual(sections);
	});
});

describe('sectionOf', () => {
	it.each<[string | null, ConsoleSection]>([
		['/admin', 'fleet'],
		['/admin/incidents', 'incidents'],
		['/admin/audit', 'audit'],
		['/admin/subscribers', 'subscribers'],
		['/admin/unknown', 'fleet'],
		[null, 'fleet']
	])('%s → %s', (routeId, section) => {
		expect(sectionOf(routeId)).toBe(section);
	});
});

import { describe, expect, it } from 'vitest';
import { localizePath } from './paths.ts';

describe('localizePath', () => {
	it.each([
		['/incidents/', 'de', '/de/incidents/'],
		['/incidents/', 'en', '/incidents/'],
		['/fr/incidents/', 'de', '/de/incidents/'],
		['/fr/incidents/?sort=health', 'en', '/incidents/?sort=health'],
		['/fr/incidents/#incident-4', 'es', '/es/incidents/#incident-4'],
		['/', 'de', '/de/'],
		['/de/', 'en', '/'],
		['/fr/?sort=health', 'de', '/de/?sort=health']
	] as const)('%s in %s → %s', (href, locale, out) => {
		expect(localizePath(href, locale)).toBe(out);
	});

	it('adds no slash the link did not have', () => {
		expect(localizePath('/feed.xml', 'de')).toBe('/de/feed.xml');
	});
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident } from '#shared';
import { m } from '#i18n/messages';
import { locales } from '#i18n/runtime';
import { ENGLISH_BESIDE_FACTS, SPREADING_TEXT, spreadingIncident } from '#testing/fixtures/incident';
import IncidentEntry from './IncidentEntry.svelte';
import Notices from './Notices.svelte';
import { cleanupMounted, mountComponent } from '#testing/page/mount';

/*
 * Incidents on the page in each language: an automatic incident's title and timeline are worded
 * from its facts in the page's locale (the URL's, as on the real page), with the language's plural
 * forms; operator text, and automatic text stored before facts were, are shown as written.
 */

const T0 = Date.UTC(2026, 10, 21, 12);
const MIN = 60_000;
const auto = spreadingIncident({}, T0);

// Layout whitespace collapsed; a French no-break space is text, and stays.
const squash = (el: Element | null) => el!.textContent!.replace(/[ \t\n\r]+/g, ' ').trim();

afterEach(cleanupMounted);

describe.each(locales)('incidents on the %s page', (locale) => {
	const want = { title: SPREADING_TEXT[locale].title, updates: SPREADING_TEXT[locale].updates.map(([status, text]) => `${status} – ${text}`) };
	// The page's locale comes from its URL (`/de/incidents/`), as in the browser.
	beforeEach(() => history.replaceState(null, '', locale === 'en' ? '/incidents/' : `/${locale}/incidents/`));
	afterEach(() => history.replaceState(null, '', '/'));

	it('IncidentEntry: the title and every update, newest first, worded from the facts', () => {
		const root = mountComponent(IncidentEntry, { incident: auto, now: T0 + 60 * MIN, locale });
		expect(squash(root.querySelector('h3'))).toBe(want.title);
		const items = [...root.querySelectorAll('[data-testid=incident-updates] > li p')].map(squash);
		expect(items).toEqual(want.updates);
		expect(root.textContent).not.toContain(ENGLISH_BESIDE_FACTS);
	});

	it('Notices: an open incident’s title and latest update, in the same words', () => {
		const open: Incident = { ...auto, status: 'investigating', resolvedAt: null, updates: auto.updates.slice(0, 3) };
		const root = mountComponent(Notices, { incidents: [open], active: [], upcoming: [], locale, incidentsHref: '/incidents/' });
		const notice = root.querySelector('[data-testid=notice-incident]')!;
		expect(squash(notice.querySelector('h3'))).toBe(want.title);
		expect(squash(notice.querySelector('h3 ~ p ~ p'))).toBe(want.updates[1]);
	});
});

describe('text shown as written', () => {
	it('an operator’s incident, and an automatic one stored before facts were', () => {
		const operator: Incident = { ...auto, id: 5, source: 'operator', title: 'Slow replies', titleFacts: undefined, updates: [{ id: 9, at: T0, status: 'identified', message: 'A slow database query.' }] };
		const old: Incident = {
			...auto,
			id: 6,
			title: 'Shards down in clusters 2, 5',
			titleFacts: undefined,
			updates: [{ id: 10, at: T0, status: 'investigating', message: 'Shardbeat detected 2 shards down (11, 40).', kind: 'opened', shardsDown: [11, 40] }]
		};
		for (const [incident, title, update] of [
			[operator, 'Slow replies', 'Identified – A slow database query.'],
			[old, 'Shards down in clusters 2, 5', 'Investigating – Shardbeat detected 2 shards down (11, 40).']
		] as const) {
			const root = mountComponent(IncidentEntry, { incident, now: T0 + MIN, locale: 'en' });
			expect(squash(root.querySelector('h3'))).toBe(title);
			expect(squash(root.querySelector('[data-testid=incident-updates] > li p'))).toBe(update);
		}
	});
});

describe('what an operator added in the console', () => {
	it('shows the note under the title and the postmortem after the updates, only when there are some', () => {
		const plain = mountComponent(IncidentEntry, { incident: auto, now: T0 + MIN, locale: 'de' });
		expect(plain.querySelector('[data-testid=incident-note]')).toBeNull();
		expect(plain.querySelector('[data-testid=incident-postmortem]')).toBeNull();
		const added: Incident = { ...auto, id: 7, note: 'Nur Europa war betroffen.', postmortem: { message: 'Ein Index fehlte.', at: T0 + 60 * MIN } };
		const root = mountComponent(IncidentEntry, { incident: added, now: T0 + 90 * MIN, locale: 'de' });
		expect(squash(root.querySelector('[data-testid=incident-note]'))).toBe('Nur Europa war betroffen.');
		const postmortem = root.querySelector('[data-testid=incident-postmortem]')!;
		expect(squash(postmortem.querySelector('h4'))).toBe(m.console_postmortem());
		expect(squash(postmortem.querySelector('p'))).toBe('Ein Index fehlte.');
	});
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident, IncidentUpdate } from '#shared';
import type { Locale } from '#i18n/runtime';
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
const NB = '\u00a0';

const u = (id: number, minute: number, status: IncidentUpdate['status'], kind: NonNullable<IncidentUpdate['kind']>, shardsDown: number[], clusterIdsDown: number[]): IncidentUpdate => ({
	id,
	at: T0 + minute * MIN,
	status,
	message: 'English text the page must not show',
	kind,
	shardsDown,
	clusterIdsDown
});

const auto: Incident = {
	id: 4,
	source: 'auto',
	title: '4 shards down in clusters 2 and 5',
	titleFacts: { shardCount: 4, clusterIds: [2, 5] },
	status: 'resolved',
	impact: 'major',
	startedAt: T0,
	resolvedAt: T0 + 9 * MIN,
	clusterIds: [2, 5],
	shardIds: [11, 12, 40, 41],
	updates: [u(1, 0, 'investigating', 'opened', [11], [2]), u(2, 3, 'investigating', 'worsened', [11, 12, 40, 41], [2, 5]), u(3, 6, 'investigating', 'improved', [40], [5]), u(4, 9, 'resolved', 'resolved', [], [])]
};

const cases: [Locale, { title: string; updates: string[] }][] = [
	[
		'en',
		{
			title: '4 shards down in clusters 2 and 5',
			updates: [
				'Resolved – All shards are back up.',
				'Investigating – Some shards recovered: 1 shard is still down in cluster 5 (shard 40).',
				'Investigating – The outage spread: 4 shards are down in clusters 2 and 5 (shards 11\u2060–\u206012, 40\u2060–\u206041).',
				'Investigating – 1 shard went down in cluster 2 (shard 11).'
			]
		}
	],
	[
		'de',
		{
			title: '4 Shards in den Clustern 2 und 5 ausgefallen',
			updates: [
				'Behoben – Alle Shards sind wieder online.',
				'Wird untersucht – Einige Shards sind wieder da: 1 Shard ist in Cluster 5 noch ausgefallen (Shard 40).',
				'Wird untersucht – Der Ausfall hat sich ausgeweitet: 4 Shards sind in den Clustern 2 und 5 ausgefallen (Shards 11\u2060–\u206012, 40\u2060–\u206041).',
				'Wird untersucht – 1 Shard ist in Cluster 2 ausgefallen (Shard 11).'
			]
		}
	],
	[
		'fr',
		{
			title: '4 shards hors service dans les clusters 2 et 5',
			updates: [
				'Résolu – Tous les shards sont de nouveau opérationnels.',
				`Analyse en cours – Certains shards sont revenus${NB}: 1 shard est toujours hors service dans le cluster 5 (shard 40).`,
				`Analyse en cours – La panne s’étend${NB}: 4 shards sont hors service dans les clusters 2 et 5 (shards 11\u2060–\u206012, 40\u2060–\u206041).`,
				'Analyse en cours – 1 shard est tombé dans le cluster 2 (shard 11).'
			]
		}
	],
	[
		'es',
		{
			title: '4 shards caídos en los clústeres 2 y 5',
			updates: [
				'Resuelto – Todos los shards vuelven a funcionar.',
				'Investigando – Algunos shards se recuperaron: 1 shard sigue caído en el clúster 5 (shard 40).',
				'Investigando – La caída se extendió: 4 shards están caídos en los clústeres 2 y 5 (shards 11\u2060–\u206012, 40\u2060–\u206041).',
				'Investigando – 1 shard se cayó en el clúster 2 (shard 11).'
			]
		}
	]
];

// Layout whitespace collapsed; a French no-break space is text, and stays.
const squash = (el: Element | null) => el!.textContent!.replace(/[ \t\n\r]+/g, ' ').trim();

afterEach(cleanupMounted);

describe.each(cases)('incidents on the %s page', (locale, want) => {
	// The page's locale comes from its URL (`/de/incidents/`), as in the browser.
	beforeEach(() => history.replaceState(null, '', locale === 'en' ? '/incidents/' : `/${locale}/incidents/`));
	afterEach(() => history.replaceState(null, '', '/'));

	it('IncidentEntry: the title and every update, newest first, worded from the facts', () => {
		const root = mountComponent(IncidentEntry, { incident: auto, now: T0 + 60 * MIN, locale });
		expect(squash(root.querySelector('h3'))).toBe(want.title);
		const items = [...root.querySelectorAll('[data-testid=incident-updates] > li p')].map(squash);
		expect(items).toEqual(want.updates);
		expect(root.textContent).not.toContain('English text');
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

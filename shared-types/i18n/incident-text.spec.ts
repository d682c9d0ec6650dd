import { describe, expect, it } from 'vitest';
import { locales, type Locale } from '#i18n/runtime';
import { ENGLISH_BESIDE_FACTS, SPREADING_TEXT, spreadingIncident } from '#testing/fixtures/incident';
import type { IncidentUpdate } from '../history/api.ts';
import { clusterPhrase, factText, incidentStatusLabel, incidentTitle, localizeIncident, shardPhrase, titleText, updateText, type FactUpdate } from './incident-text.ts';

const NB = '\u00a0'; // French puts a no-break space before a colon
const NNB = '\u202f'; // and groups thousands with a narrow one

describe('titleText: an automatic incident’s title from its facts', () => {
	it.each<[Locale, number, number[], string]>([
		['en', 1, [2], '1 shard down in cluster 2'],
		['en', 3, [2, 5], '3 shards down in clusters 2 and 5'],
		['en', 1_200, [3, 1, 2], '1,200 shards down in clusters 1, 2, and 3'],
		['en', 40, [0, 1, 2, 3, 4], '40 shards down in 5 clusters'],
		['de', 1, [2], '1 Shard in Cluster 2 ausgefallen'],
		['de', 3, [2, 5], '3 Shards in den Clustern 2 und 5 ausgefallen'],
		['de', 1_200, [1, 2, 3], '1.200 Shards in den Clustern 1, 2 und 3 ausgefallen'],
		['de', 40, [0, 1, 2, 3, 4], '40 Shards in 5 Clustern ausgefallen'],
		['fr', 1, [2], '1 shard hors service dans le cluster 2'],
		['fr', 3, [2, 5], '3 shards hors service dans les clusters 2 et 5'],
		['fr', 1_200, [1, 2, 3], `1${NNB}200 shards hors service dans les clusters 1, 2 et 3`],
		['fr', 40, [0, 1, 2, 3, 4], '40 shards hors service dans 5 clusters'],
		['es', 1, [2], '1 shard caído en el clúster 2'],
		['es', 3, [2, 5], '3 shards caídos en los clústeres 2 y 5'],
		['es', 1_200, [1, 2, 3], '1200 shards caídos en los clústeres 1, 2 y 3'],
		['es', 40, [0, 1, 2, 3, 4], '40 shards caídos en 5 clústeres']
	])('%s: %d shards in clusters %j → %s', (locale, shardCount, clusterIds, text) => {
		expect(titleText({ shardCount, clusterIds }, locale)).toBe(text);
	});

	it.each<[Locale, string, string]>([
		// The plural rules are each language's own: French counts 0 as singular, English and German do not.
		['en', '0 shards down in cluster 1', '1 shard down in cluster 1'],
		['de', '0 Shards in Cluster 1 ausgefallen', '1 Shard in Cluster 1 ausgefallen'],
		['fr', '0 shard hors service dans le cluster 1', '1 shard hors service dans le cluster 1'],
		['es', '0 shards caídos en el clúster 1', '1 shard caído en el clúster 1']
	])('%s: 0 and 1 take the forms the language gives them', (locale, zero, one) => {
		expect(titleText({ shardCount: 0, clusterIds: [1] }, locale)).toBe(zero);
		expect(titleText({ shardCount: 1, clusterIds: [1] }, locale)).toBe(one);
	});
});

describe('factText: an automatic update from its facts', () => {
	const some: Omit<FactUpdate, 'kind'> = { shardsDown: [11, 40, 41], clusterIdsDown: [2, 5] };
	const one: Omit<FactUpdate, 'kind'> = { shardsDown: [40], clusterIdsDown: [5] };
	it.each<[Locale, FactUpdate['kind'], string, string]>([
		['en', 'opened', '3 shards went down in clusters 2 and 5 (shards 11, 40\u2060–\u206041).', '1 shard went down in cluster 5 (shard 40).'],
		['en', 'worsened', 'The outage spread: 3 shards are down in clusters 2 and 5 (shards 11, 40\u2060–\u206041).', 'The outage spread: 1 shard is down in cluster 5 (shard 40).'],
		['en', 'improved', 'Some shards recovered: 3 shards are still down in clusters 2 and 5 (shards 11, 40\u2060–\u206041).', 'Some shards recovered: 1 shard is still down in cluster 5 (shard 40).'],
		['de', 'opened', '3 Shards sind in den Clustern 2 und 5 ausgefallen (Shards 11, 40\u2060–\u206041).', '1 Shard ist in Cluster 5 ausgefallen (Shard 40).'],
		['de', 'worsened', 'Der Ausfall hat sich ausgeweitet: 3 Shards sind in den Clustern 2 und 5 ausgefallen (Shards 11, 40\u2060–\u206041).', 'Der Ausfall hat sich ausgeweitet: 1 Shard ist in Cluster 5 ausgefallen (Shard 40).'],
		['de', 'improved', 'Einige Shards sind wieder da: 3 Shards sind in den Clustern 2 und 5 noch ausgefallen (Shards 11, 40\u2060–\u206041).', 'Einige Shards sind wieder da: 1 Shard ist in Cluster 5 noch ausgefallen (Shard 40).'],
		['fr', 'opened', '3 shards sont tombés dans les clusters 2 et 5 (shards 11, 40\u2060–\u206041).', '1 shard est tombé dans le cluster 5 (shard 40).'],
		['fr', 'worsened', `La panne s’étend${NB}: 3 shards sont hors service dans les clusters 2 et 5 (shards 11, 40\u2060–\u206041).`, `La panne s’étend${NB}: 1 shard est hors service dans le cluster 5 (shard 40).`],
		['fr', 'improved', `Certains shards sont revenus${NB}: 3 shards sont toujours hors service dans les clusters 2 et 5 (shards 11, 40\u2060–\u206041).`, `Certains shards sont revenus${NB}: 1 shard est toujours hors service dans le cluster 5 (shard 40).`],
		['es', 'opened', '3 shards se cayeron en los clústeres 2 y 5 (shards 11, 40\u2060–\u206041).', '1 shard se cayó en el clúster 5 (shard 40).'],
		['es', 'worsened', 'La caída se extendió: 3 shards están caídos en los clústeres 2 y 5 (shards 11, 40\u2060–\u206041).', 'La caída se extendió: 1 shard está caído en el clúster 5 (shard 40).'],
		['es', 'improved', 'Algunos shards se recuperaron: 3 shards siguen caídos en los clústeres 2 y 5 (shards 11, 40\u2060–\u206041).', 'Algunos shards se recuperaron: 1 shard sigue caído en el clúster 5 (shard 40).']
	])('%s %s: how many shards are down and where, in the plural and the singular', (locale, kind, many, single) => {
		expect(factText({ kind, ...some }, locale)).toBe(many);
		expect(factText({ kind, ...one }, locale)).toBe(single);
	});

	it.each<[Locale, string]>([
		['en', 'All shards are back up.'],
		['de', 'Alle Shards sind wieder online.'],
		['fr', 'Tous les shards sont de nouveau opérationnels.'],
		['es', 'Todos los shards vuelven a funcionar.']
	])('%s: resolved, or nothing down whatever the kind, is all back', (locale, text) => {
		expect(factText({ kind: 'resolved', shardsDown: [], clusterIdsDown: [] }, locale)).toBe(text);
		expect(factText({ kind: 'improved', shardsDown: [], clusterIdsDown: [] }, locale)).toBe(text);
	});

	it.each<[Locale, RegExp]>([
		['en', /^The shards still down left the fleet/],
		['de', /^Die noch ausgefallenen Shards gehören nicht mehr zur Flotte/],
		['fr', /^Les shards encore hors service ont quitté la flotte/],
		['es', /^Los shards que seguían caídos salieron de la flota/]
	])('%s: retired says the last shards down left the fleet, not that they came back', (locale, text) => {
		expect(factText({ kind: 'retired', shardsDown: [], clusterIdsDown: [] }, locale)).toMatch(text);
		expect(factText({ kind: 'retired', shardsDown: [], clusterIdsDown: [] }, locale)).not.toBe(factText({ kind: 'resolved', shardsDown: [], clusterIdsDown: [] }, locale));
	});
});

describe('shardPhrase and clusterPhrase', () => {
	const scattered = Array.from({ length: 20 }, (_, i) => i * 2);
	it.each<[Locale, readonly number[], string]>([
		['en', [7, 3, 4, 5, 5], 'shards 3\u2060–\u20605, 7'],
		['en', scattered, 'shards 0, 2, 4, 6, 8, 10, 12, 14 and 12 more'],
		['en', [...scattered, 1_000, 1_001], 'shards 0, 2, 4, 6, 8, 10, 12, 14 and 14 more'],
		['de', scattered, 'Shards 0, 2, 4, 6, 8, 10, 12, 14 und 12 weitere'],
		['de', [...scattered.slice(0, 8), 1_000], 'Shards 0, 2, 4, 6, 8, 10, 12, 14 und 1 weiterer'],
		['fr', [...scattered.slice(0, 8), 1_000], 'shards 0, 2, 4, 6, 8, 10, 12, 14 et 1 autre'],
		['fr', scattered, 'shards 0, 2, 4, 6, 8, 10, 12, 14 et 12 autres'],
		['es', scattered, 'shards 0, 2, 4, 6, 8, 10, 12, 14 y 12 más'],
		// Ids are plain digits: "1,234, 1,235" would read as four numbers.
		['en', [1_234, 1_236], 'shards 1234, 1236']
	])('%s %j → %s', (locale, ids, text) => {
		expect(shardPhrase(ids, locale)).toBe(text);
	});

	it('holds a range together: word joiners around its dash, so "8–" and "10" never sit on two lines', () => {
		expect(shardPhrase([8, 9, 10], 'en')).toBe('shards 8\u2060–\u206010');
		expect(shardPhrase([8, 9, 10], 'en').replace(/\u2060/g, '')).toBe('shards 8–10');
	});

	it('names up to four clusters and counts more', () => {
		expect(clusterPhrase([1, 2, 3, 4], 'en')).toBe('in clusters 1, 2, 3, and 4');
		expect(clusterPhrase([1, 2, 3, 4, 5], 'en')).toBe('in 5 clusters');
		expect(clusterPhrase([1, 2, 3, 4, 5], 'es')).toBe('en 5 clústeres');
	});
});

describe('incidentTitle, updateText, localizeIncident', () => {
	const update = (over: Partial<IncidentUpdate>): IncidentUpdate => ({ id: 1, at: 0, status: 'investigating', message: 'As written', ...over });
	// The shared fixture, with an operator's update added to its timeline.
	const incident = spreadingIncident();
	incident.updates.push(update({ id: 5, at: incident.resolvedAt! + 1, status: 'resolved', message: 'We are on it.' }));

	it('renders facts and shows text as written: operator text, and automatic text stored before facts were', () => {
		expect(updateText(update({ message: 'We are looking into it.' }), 'de')).toBe('We are looking into it.');
		expect(updateText(update({ message: 'Shardbeat detected 2 shards down (3, 7).', kind: 'opened', shardsDown: [3, 7] }), 'de')).toBe('Shardbeat detected 2 shards down (3, 7).');
		expect(updateText(update({ kind: 'opened', shardsDown: [3, 7], clusterIdsDown: [0] }), 'de')).toBe('2 Shards sind in Cluster 0 ausgefallen (Shards 3, 7).');
		expect(incidentTitle({ title: 'Shards down in cluster 1' }, 'de')).toBe('Shards down in cluster 1');
		expect(incidentTitle(incident, 'es')).toBe(SPREADING_TEXT.es.title);
	});

	it.each(locales)('localizeIncident words title and updates in %s and keeps the facts', (locale) => {
		const localized = localizeIncident(incident, locale);
		expect(localized.title).toBe(SPREADING_TEXT[locale].title);
		expect(localized.updates.map((u) => u.message)).toEqual([...SPREADING_TEXT[locale].updates.map(([, text]) => text).reverse(), 'We are on it.']);
		expect(localized.titleFacts).toEqual(incident.titleFacts);
		expect(localized.updates[1]).toMatchObject({ kind: 'worsened', shardsDown: [11, 12, 40, 41], clusterIdsDown: [2, 5] });
		expect(incident.title, 'the original is left alone').toBe(ENGLISH_BESIDE_FACTS);
	});

	it('labels statuses in the locale asked for', () => {
		expect(incidentStatusLabel.resolved({}, { locale: 'fr' })).toBe('Résolu');
		expect(incidentStatusLabel.investigating({}, { locale: 'es' })).toBe('Investigando');
	});
});

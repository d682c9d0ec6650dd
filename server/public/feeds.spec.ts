import { describe, expect, it } from 'vitest';
import type { Incident, IncidentUpdate } from '#shared';
import type { Locale } from '#i18n/runtime';
import { SPREADING_TEXT, spreadingIncident } from '#testing/fixtures/incident';
import { atomFeed, rssFeed, type FeedSite } from './feeds.ts';
import { parseHtml, parseXml } from '#testing/xml';

const T0 = Date.UTC(2026, 10, 21, 12);
const MIN = 60_000;
const ATOM = 'http://www.w3.org/2005/Atom';
const site: FeedSite = { botName: 'Acme Bot', pageUrl: 'https://status.example.com/', feedUrl: 'https://status.example.com/feed.rss', now: T0 + 1_000 * MIN, locale: 'en' };

function incident(id: number, updates: [minute: number, IncidentUpdate['status'], string][], title = `Incident ${id}`): Incident {
	const last = updates.at(-1)!;
	return {
		id,
		source: 'operator',
		title,
		status: last[1],
		impact: 'major',
		startedAt: T0 + updates[0]![0] * MIN,
		resolvedAt: last[1] === 'resolved' ? T0 + last[0] * MIN : null,
		clusterIds: [0],
		shardIds: [0, 1],
		updates: updates.map(([minute, status, message], n) => ({ id: id * 100 + n, at: T0 + minute * MIN, status, message }))
	};
}

const children = (el: Element, name: string) => [...el.children].filter((c) => c.localName === name);
const text = (el: Element, name: string) => children(el, name)[0]?.textContent ?? null;
/** An item's HTML, parsed as a browser (or feed reader) would. */
const html = parseHtml;

const incidents = [
	incident(1, [[0, 'investigating', 'Shards 0–1 down'], [30, 'resolved', 'Back up']], 'Gateway outage'),
	incident(2, [[100, 'identified', 'Redis is full'], [110, 'monitoring', 'Evicted old keys']]),
	// Started first but updated last: it leads the feed.
	incident(3, [[-500, 'investigating', 'Slow'], [200, 'investigating', 'Still slow']])
];

describe('rssFeed', () => {
	const doc = parseXml(rssFeed(incidents, site));
	const channel = doc.documentElement.getElementsByTagName('channel')[0]!;
	const items = children(channel, 'item');

	it('is RSS 2.0 with a self link', () => {
		expect(doc.documentElement.localName).toBe('rss');
		expect(doc.documentElement.getAttribute('version')).toBe('2.0');
		expect(text(channel, 'title')).toBe('Acme Bot status: incidents');
		expect(text(channel, 'description')).toBe('Incident history of Acme Bot');
		expect(text(channel, 'language')).toBe('en');
		expect(text(channel, 'link')).toBe('https://status.example.com/');
		expect(text(channel, 'lastBuildDate')).toBe(new Date(site.now).toUTCString());
		const self = channel.getElementsByTagNameNS(ATOM, 'link')[0]!;
		expect([self.getAttribute('rel'), self.getAttribute('href'), self.getAttribute('type')]).toEqual([
			'self',
			'https://status.example.com/feed.rss',
			'application/rss+xml'
		]);
	});

	it('lists incidents most recently changed first, titled by status', () => {
		expect(items.map((i) => text(i, 'title'))).toEqual(['[Investigating] Incident 3', '[Monitoring] Incident 2', '[Resolved] Gateway outage']);
		expect(items.map((i) => text(i, 'pubDate'))).toEqual([200, 110, 30].map((m) => new Date(T0 + m * MIN).toUTCString()));
	});

	it('links each item to its entry on the page, with a stable guid', () => {
		const first = items[2]!;
		expect(text(first, 'link')).toBe('https://status.example.com/incidents/#incident-1');
		expect(text(first, 'guid')).toBe('tag:status.example.com,2026-11-21:/incidents/1');
		expect(children(first, 'guid')[0]!.getAttribute('isPermaLink')).toBe('false');
	});

	it('describes every update, newest first, with status, message and ISO time', () => {
		const body = html(text(items[2]!, 'description')!);
		const paragraphs = [...body.querySelectorAll('p')].map((p) => p.textContent);
		expect(paragraphs).toEqual([
			`Resolved - Back up${new Date(T0 + 30 * MIN).toISOString()}`,
			`Investigating - Shards 0–1 down${new Date(T0).toISOString()}`
		]);
	});
});

describe('atomFeed', () => {
	const doc = parseXml(atomFeed(incidents, site));
	const feed = doc.documentElement;
	const entries = children(feed, 'entry');

	it('is Atom 1.0 with id, self and alternate links, author and updated', () => {
		expect(feed.namespaceURI).toBe(ATOM);
		expect(feed.localName).toBe('feed');
		expect(text(feed, 'id')).toBe(site.feedUrl);
		expect(text(feed, 'title')).toBe('Acme Bot status: incidents');
		expect(feed.getAttribute('xml:lang')).toBe('en');
		expect(text(feed, 'updated')).toBe(new Date(T0 + 200 * MIN).toISOString());
		expect(children(feed, 'link').map((l) => [l.getAttribute('rel'), l.getAttribute('href')])).toEqual([
			['self', site.feedUrl],
			['alternate', site.pageUrl]
		]);
		expect(children(feed, 'author')[0]?.textContent).toBe('Acme Bot status: incidents');
	});

	it('gives each entry a tag id, its latest update time and its start', () => {
		expect(entries.map((e) => text(e, 'id'))).toEqual([
			'tag:status.example.com,2026-11-21:/incidents/3',
			'tag:status.example.com,2026-11-21:/incidents/2',
			'tag:status.example.com,2026-11-21:/incidents/1'
		]);
		expect(entries.map((e) => text(e, 'updated'))).toEqual([200, 110, 30].map((m) => new Date(T0 + m * MIN).toISOString()));
		expect(entries.map((e) => text(e, 'published'))).toEqual([-500, 100, 0].map((m) => new Date(T0 + m * MIN).toISOString()));
		expect(entries.map((e) => children(e, 'link')[0]!.getAttribute('href'))).toEqual(
			[3, 2, 1].map((id) => `https://status.example.com/incidents/#incident-${id}`)
		);
	});

	it('carries the updates as HTML content', () => {
		const content = children(entries[1]!, 'content')[0]!;
		expect(content.getAttribute('type')).toBe('html');
		expect([...html(content.textContent!).querySelectorAll('strong')].map((s) => s.textContent)).toEqual(['Monitoring', 'Identified']);
	});

	it('dates an empty feed now', () => {
		const empty = parseXml(atomFeed([], site)).documentElement;
		expect(text(empty, 'updated')).toBe(new Date(site.now).toISOString());
		expect(children(empty, 'entry')).toHaveLength(0);
	});
});

describe.each([
	['rss', rssFeed, 'item', 'description'],
	['atom', atomFeed, 'entry', 'content']
] as const)('%s: hostile operator text', (_, render, itemTag, bodyTag) => {
	const nasty = incident(7, [[0, 'investigating', 'Fix: <script>alert(1)</script> & "quotes"\u0000\u001b done\nline two']], 'A <b>bold</b> & \u0000broken\uFFFE title');

	it('stays well-formed and round-trips the text, minus what XML cannot carry', () => {
		const out = render([nasty], site);
		expect(out).not.toContain('<script>');
		expect(out).not.toContain('<b>');
		expect(out).not.toMatch(/[\u0000\u001b\uFFFE]/);
		const doc = parseXml(out);
		const item = doc.getElementsByTagName(itemTag)[0]!;
		expect(text(item, 'title')).toBe('[Investigating] A <b>bold</b> & broken title');
		// The HTML body shows the script as text; a feed reader never sees a <script> element.
		const body = html(text(item, bodyTag)!);
		expect(body.querySelector('script')).toBeNull();
		expect(body.querySelector('p')!.textContent).toContain('Fix: <script>alert(1)</script> & "quotes" done');
		expect(body.querySelectorAll('br')).toHaveLength(2); // the message's newline, then the time
	});

	it('escapes the site fields too', () => {
		const odd = { ...site, botName: 'R&D <status>', feedUrl: 'https://x.example/feed?a=1&b=2' };
		const doc = parseXml(render([], odd));
		expect(doc.documentElement.outerHTML).toContain('R&amp;D &lt;status&gt;');
		expect(doc.documentElement.outerHTML).toContain('a=1&amp;b=2');
	});

	it('keeps at most 50 items, the newest', () => {
		const many = Array.from({ length: 60 }, (_, n) => incident(n + 1, [[n, 'resolved', `done ${n}`]]));
		const doc = parseXml(render(many, site));
		const titles = [...doc.getElementsByTagName(itemTag)].map((i) => text(i, 'title'));
		expect(titles).toHaveLength(50);
		expect(titles[0]).toBe('[Resolved] Incident 60');
		expect(titles[49]).toBe('[Resolved] Incident 11');
	});

	it('does not reorder the incidents it was given', () => {
		const given = [...incidents];
		render(given, site);
		expect(given.map((i) => i.id)).toEqual([1, 2, 3]);
	});
});

/*
 * Feeds in each language (`?lang=`): an automatic incident worded from its facts, with the page's
 * words and plural forms, next to an operator's incident shown as written.
 */
describe.each<[Locale, { title: string; description: string }]>([
	['en', { title: 'Acme Bot status: incidents', description: 'Incident history of Acme Bot' }],
	['de', { title: 'Status von Acme Bot: Vorfälle', description: 'Vorfallsverlauf von Acme Bot' }],
	['fr', { title: 'État de Acme Bot\u00a0: incidents', description: 'Historique des incidents de Acme Bot' }],
	['es', { title: 'Estado de Acme Bot: incidentes', description: 'Historial de incidentes de Acme Bot' }]
])('feeds in %s', (locale, want) => {
	const auto = spreadingIncident({}, T0);
	const words = SPREADING_TEXT[locale];
	const [resolved, investigating] = [words.updates[0]![0], words.updates[1]![0]];
	const operator = incident(5, [[-30, 'investigating', 'Slow replies, as the operator wrote it']], 'Slow replies');
	const feedSite = { ...site, locale, feedUrl: `https://status.example.com/feed.rss?lang=${locale}` };
	const page = `https://status.example.com${locale === 'en' ? '' : `/${locale}`}/incidents/`;

	it('RSS: channel, titles, updates and links in the language, facts worded with its plural forms', () => {
		const channel = parseXml(rssFeed([auto, operator], feedSite)).documentElement.getElementsByTagName('channel')[0]!;
		expect([text(channel, 'title'), text(channel, 'description'), text(channel, 'language')]).toEqual([want.title, want.description, locale]);
		const [item, other] = children(channel, 'item');
		expect(text(item!, 'title')).toBe(`[${resolved}] ${words.title}`);
		expect(text(item!, 'link')).toBe(`${page}#incident-4`);
		// Each update's words, without the time under them.
		const paragraphs = [...html(text(item!, 'description')!).querySelectorAll('p')].map((p) => [...p.childNodes].filter((n) => n.nodeName !== 'SMALL').map((n) => n.textContent).join(''));
		expect(paragraphs).toEqual(words.updates.map(([status, update]) => `${status} - ${update}`));
		expect(text(other!, 'title')).toBe(`[${investigating}] Slow replies`);
		expect(html(text(other!, 'description')!).textContent).toContain('Slow replies, as the operator wrote it');
	});

	it('Atom: the same entries, with xml:lang', () => {
		const feed = parseXml(atomFeed([auto, operator], feedSite)).documentElement;
		expect(feed.getAttribute('xml:lang')).toBe(locale);
		expect(text(feed, 'title')).toBe(want.title);
		const [entry] = children(feed, 'entry');
		expect(text(entry!, 'title')).toBe(`[${resolved}] ${words.title}`);
		expect(children(entry!, 'link')[0]!.getAttribute('href')).toBe(`${page}#incident-4`);
		expect([...html(children(entry!, 'content')[0]!.textContent!).querySelectorAll('strong')].map((s) => s.textContent)).toEqual(words.updates.map(([status]) => status));
	});
});

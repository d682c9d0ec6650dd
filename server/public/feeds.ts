import type { Incident } from '#shared';
import { incidentsPath, incidentStatusLabel, incidentTitle, updateText } from '#shared/i18n/incident-text';
// Named, not `m`: the server bundle then takes these messages, not every one the page has.
import { feed_description, feed_title } from '#i18n/messages';
import type { Locale } from '#i18n/runtime';
import { escapeXml, INVALID_XML } from './xml.ts';

/** What a feed says about the site it belongs to. `now` is epoch ms. */
export interface FeedSite {
	/** The bot's name: the feed is titled "<bot> status: incidents" in `locale`. */
	botName: string;
	/** The status page, absolute (`https://status.example.com`); incident links hang off it. */
	pageUrl: string;
	/** Where this feed itself is served, absolute: the self link. */
	feedUrl: string;
	now: number;
	/** The language of everything the feed says, and of the pages it links to. */
	locale: Locale;
}

/** Feed readers only want recent news; older incidents stay on the page. */
const MAX_ITEMS = 50;

const xml = escapeXml;

/** The latest moment the incident changed: its newest update, resolution or start. */
function updatedAt(incident: Incident): number {
	let at = Math.max(incident.startedAt, incident.resolvedAt ?? 0);
	for (const u of incident.updates) at = Math.max(at, u.at);
	return at;
}

/** Most recently changed first, so an update to an old incident comes back to the top. */
function latest(incidents: Incident[]): Incident[] {
	return [...incidents].sort((a, b) => updatedAt(b) - updatedAt(a) || b.id - a.id).slice(0, MAX_ITEMS);
}

function pageBase(pageUrl: string): string {
	return pageUrl.replace(/\/+$/, '');
}

function incidentLink(incident: Incident, site: FeedSite): string {
	return `${pageBase(site.pageUrl)}${incidentsPath(site.locale)}#incident-${incident.id}`;
}

function statusLabel(status: Incident['status'], locale: Locale): string {
	return incidentStatusLabel[status]?.({}, { locale }) ?? status;
}

function itemTitle(incident: Incident, locale: Locale): string {
	return `[${statusLabel(incident.status, locale)}] ${incidentTitle(incident, locale)}`;
}

function feedTitle(site: FeedSite): string {
	return feed_title({ bot: site.botName }, { locale: site.locale });
}

/**
 * A stable, globally unique id (RFC 4151 tag URI): the page's host and path keep two Shardbeat
 * installs from colliding on incident 1, and the day the incident started is the tag's date.
 * Falls back to a URN if the page URL is not a URL at all.
 */
function incidentId(incident: Incident, site: FeedSite): string {
	let url: URL;
	try {
		url = new URL(site.pageUrl);
	} catch {
		return `urn:shardbeat:incident:${incident.id}`;
	}
	const day = new Date(incident.startedAt).toISOString().slice(0, 10);
	const path = url.pathname.replace(/\/+$/, '');
	return `tag:${url.hostname},${day}:${path}/incidents/${incident.id}`;
}

/**
 * The updates as a small HTML fragment, newest first as on the page, worded in the feed's locale.
 * Returned unescaped for XML: callers escape it once more, as RSS `<description>` and Atom
 * `type="html"` expect.
 */
function updatesHtml(incident: Incident, locale: Locale): string {
	const html = (s: string) => s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
	return [...incident.updates]
		.sort((a, b) => b.at - a.at || b.id - a.id)
		.map((u) => {
			const when = new Date(u.at).toISOString();
			const message = html(updateText(u, locale)).replace(/\r?\n/g, '<br>');
			return `<p><strong>${html(statusLabel(u.status, locale))}</strong> - ${message}<br><small>${when}</small></p>`;
		})
		.join('');
}

/**
 * RSS 2.0 feed of `incidents` in `site.locale`, most recently changed first, at most 50, each
 * linking to its entry on the status page in that language (`<pageUrl>/de/incidents/#incident-<id>`)
 * and titled with its status (`[Resolved] 3 shards down in cluster 2`). Automatic incidents are
 * worded from their facts by the page's renderer, so the feed reads as the page does. The
 * description lists every update (status, message, ISO time), newest first. `pubDate` is when the
 * incident last changed; `<language>` is the locale. Carries an `atom:link rel="self"` as feed
 * validators ask. All operator text is escaped; characters XML cannot carry are dropped.
 */
export function rssFeed(incidents: Incident[], site: FeedSite): string {
	const items = latest(incidents).map(
		(i) =>
			`<item>` +
			`<title>${xml(itemTitle(i, site.locale))}</title>` +
			`<link>${xml(incidentLink(i, site))}</link>` +
			`<guid isPermaLink="false">${xml(incidentId(i, site))}</guid>` +
			`<pubDate>${new Date(updatedAt(i)).toUTCString()}</pubDate>` +
			`<description>${xml(updatesHtml(i, site.locale))}</description>` +
			`</item>`
	);
	return (
		`<?xml version="1.0" encoding="UTF-8"?>\n` +
		`<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>` +
		`<title>${xml(feedTitle(site))}</title>` +
		`<link>${xml(site.pageUrl)}</link>` +
		`<description>${xml(feed_description({ bot: site.botName }, { locale: site.locale }))}</description>` +
		`<language>${site.locale}</language>` +
		`<atom:link href="${xml(site.feedUrl)}" rel="self" type="application/rss+xml"/>` +
		`<lastBuildDate>${new Date(site.now).toUTCString()}</lastBuildDate>` +
		items.join('') +
		`</channel></rss>\n`
	);
}

/**
 * Atom 1.0 feed of the same entries as {@link rssFeed}, in the same language (`xml:lang`): entry
 * `id` is a tag URI built from the page's host and the incident id (stable across updates and
 * languages), `updated` the incident's latest update, `published` its start, `content type="html"`
 * the updates. The feed's `updated` is its newest entry's (or `now` when there are none), so it
 * changes only when an incident does.
 */
export function atomFeed(incidents: Incident[], site: FeedSite): string {
	const shown = latest(incidents);
	const iso = (ms: number) => new Date(ms).toISOString();
	const entries = shown.map(
		(i) =>
			`<entry>` +
			`<id>${xml(incidentId(i, site))}</id>` +
			`<title>${xml(itemTitle(i, site.locale))}</title>` +
			`<link rel="alternate" type="text/html" href="${xml(incidentLink(i, site))}"/>` +
			`<published>${iso(i.startedAt)}</published>` +
			`<updated>${iso(updatedAt(i))}</updated>` +
			`<content type="html">${xml(updatesHtml(i, site.locale))}</content>` +
			`</entry>`
	);
	const updated = shown.length > 0 ? updatedAt(shown[0]!) : site.now;
	return (
		`<?xml version="1.0" encoding="UTF-8"?>\n` +
		`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${site.locale}">` +
		`<id>${xml(site.feedUrl)}</id>` +
		`<title>${xml(feedTitle(site))}</title>` +
		`<updated>${iso(updated)}</updated>` +
		`<link rel="self" type="application/atom+xml" href="${xml(site.feedUrl)}"/>` +
		`<link rel="alternate" type="text/html" href="${xml(site.pageUrl)}"/>` +
		// Atom requires an author for every entry; the site's is inherited by all of them.
		`<author><name>${xml(feedTitle(site))}</name></author>` +
		entries.join('') +
		`</feed>\n`
	);
}

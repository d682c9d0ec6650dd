import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FleetStatus, Incident, MaintenanceWindow, StatusSummary } from '#shared';
import { baseLocale, isLocale, locales, type Locale } from '#i18n/runtime';
import { statusBadge } from '../public/badge.ts';
import { atomFeed, rssFeed } from '../public/feeds.ts';
import { buildSummary } from '../public/summary.ts';
import { HttpError, send, sendText } from './respond.ts';

export interface PublicRoutesDeps {
	snapshot: () => FleetStatus;
	/** Open incidents and maintenance (undefined while the history database is unreachable). */
	current: () => Promise<{ incidents: Incident[]; maintenance: MaintenanceWindow[] } | undefined>;
	/** The page's public URL for links; the server's own URL when unset. */
	pageUrl: () => string;
	/** This server's URL (feeds name themselves). */
	serverUrl: () => string;
	botName: string;
	summaryMaxAgeS: number;
	now: () => number;
}

/**
 * The feed's language from `?lang=`: English when absent; anything but a page locale is refused
 * (`400 invalid_lang`), so a typo is told rather than quietly answered in English.
 */
export function feedLocale(url: URL): Locale {
	const lang = url.searchParams.get('lang');
	if (lang === null) return baseLocale;
	if (!isLocale(lang)) throw new HttpError(400, 'invalid_lang', `lang must be one of ${locales.join(', ')}`);
	return lang;
}

/**
 * Read-only public endpoints for tools rather than people: `GET /api/v1/summary` (Statuspage's
 * `summary.json` shape), `/badge.svg`, `/feeds/incidents.rss` and `.atom` (`?lang=de|fr|es|en`).
 * (`/metrics` is `metrics-route.ts`.) Each degrades rather than fails when history is unreachable:
 * the live fleet is always known.
 */
export function createPublicRoutes(deps: PublicRoutesDeps) {
	let cached: { at: number; summary: Promise<StatusSummary> } | undefined;
	const summary = (): Promise<StatusSummary> => {
		const now = deps.now();
		// Cacheable for a few seconds: a README full of badges must not cost a derivation each.
		if (cached && now - cached.at < deps.summaryMaxAgeS * 1000) return cached.summary;
		const made = deps
			.current()
			.catch(() => undefined)
			.then((c) => buildSummary(deps.snapshot(), c?.incidents ?? [], c?.maintenance ?? [], now));
		cached = { at: now, summary: made };
		return made;
	};
	// Feeds change only with the incidents (one list per history load, ≤ 30 s): built once per list.
	const feedCache = new Map<string, { incidents: Incident[]; xml: string }>();
	// A badge per state and label; labels come from the network, so the map is emptied when full.
	const badgeCache = new Map<string, string>();
	const badge = (state: StatusSummary['status']['state'], label: string) => {
		const key = `${state}\u0000${label}`;
		let svg = badgeCache.get(key);
		if (svg === undefined) {
			if (badgeCache.size >= 256) badgeCache.clear();
			svg = statusBadge(state, label);
			badgeCache.set(key, svg);
		}
		return svg;
	};

	return async (req: IncomingMessage, res: ServerResponse, url: URL, cors: Record<string, string>): Promise<boolean> => {
		const path = url.pathname;
		const known = ['/api/v1/summary', '/badge.svg', '/feeds/incidents.rss', '/feeds/incidents.atom'];
		if (!known.includes(path)) return false;
		if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${req.method} is not supported on ${path}; use GET`);
		const cache = { ...cors, 'Cache-Control': `public, max-age=${deps.summaryMaxAgeS}` };
		switch (path) {
			case '/api/v1/summary':
				send(res, 200, await summary(), cache);
				return true;
			case '/badge.svg': {
				const label = url.searchParams.get('label') ?? deps.botName;
				if (label.length > 40) throw new HttpError(400, 'invalid_label', 'label must be at most 40 characters');
				sendText(res, 200, 'image/svg+xml; charset=utf-8', badge((await summary()).status.state, label), {
					...cache,
					// A badge is an image embedded elsewhere: no scripts, even if someone opens it directly.
					'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'"
				});
				return true;
			}
			case '/feeds/incidents.rss':
			case '/feeds/incidents.atom': {
				const locale = feedLocale(url);
				// A database that went away after opening is the same "not now" as one not open yet.
				const current = await deps.current().catch(() => undefined);
				if (!current) throw new HttpError(503, 'history_unavailable', 'the history database is not reachable yet; retry shortly');
				const rss = path.endsWith('.rss');
				// One feed per URL asked for: its self link names it.
				const key = `${path}${url.searchParams.has('lang') ? `?lang=${locale}` : ''}`;
				let xml = feedCache.get(key)?.incidents === current.incidents ? feedCache.get(key)!.xml : undefined;
				if (xml === undefined) {
					const feedUrl = `${deps.serverUrl()}${key}`;
					const site = { botName: deps.botName, pageUrl: deps.pageUrl(), feedUrl, now: deps.now(), locale };
					xml = rss ? rssFeed(current.incidents, site) : atomFeed(current.incidents, site);
					feedCache.set(key, { incidents: current.incidents, xml });
				}
				sendText(res, 200, rss ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8', xml, { ...cors, 'Cache-Control': 'public, max-age=60' });
				return true;
			}
		}
		return false;
	};
}

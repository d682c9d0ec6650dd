import type { FleetHistory, FleetStatus, StatusSummary } from '#shared';
import { formatNumber } from '../../src/lib/format/format.ts';
import { fill, messages } from '../messages.ts';
import { scrapeMetrics } from './harness.ts';

/*
 * Every public view of one server at one moment, and what would make two of them disagree: the
 * summary (which the page's banner and badge follow), `/api/status` (what the page's cards and
 * banner derive from), the history's incidents, the RSS feed's and `/metrics`; and, in Chromium,
 * the page itself (`readStatusPage` in testing/browser.ts). Specs that change the fleet's
 * membership read them after each step and expect `contradictions` to be empty.
 */

/** What the status page shows a visitor at one moment, as `readStatusPage` reads it from the DOM. */
export interface PageView {
	/** `<html lang>`: the words below are in it. */
	locale: string;
	/** The page's socket: anything but `live` shows data the server may have moved on from. */
	connection: string;
	/** The banner's state (`data-state`), or `maintenance` when the banner says maintenance. */
	state: string;
	/** "N of M shards up" as the banner words it; null when it shows no count. */
	shardsUp: string | null;
	/** Incidents with an "Active incident" notice under the banner. */
	incidents: number[];
	/** Each cluster card as `id:live` or `id:stopped`, or `id:awaiting` when kept from before a drop and not reported since. */
	clusters: string[];
}

export interface PublicViews {
	summary: StatusSummary;
	status: FleetStatus;
	history: FleetHistory;
	/** Per feed item: the incident id its link names, and the status in its title. */
	feed: { id: number; status: string }[];
	/** `shardbeat_*` samples: name, labels, value. */
	metrics: { name: string; labels: Record<string, string>; value: number }[];
	/** The page, when a browser test read it after the rest. */
	page?: PageView;
}

/** When each server's `/metrics` was last rendered: it answers from a 1-second cache. */
const lastScrape = new Map<string, number>();

/**
 * Reads every view of the server at `url` (its `/metrics` token must be `METRICS_TOKEN`). Waits
 * out the metrics cache, so what it reads was rendered after the caller's last change.
 */
export async function publicViews(url: string): Promise<PublicViews> {
	const wait = (lastScrape.get(url) ?? 0) + 1_050 - performance.now();
	if (wait > 0) await new Promise((r) => setTimeout(r, wait));
	const [summary, status, history, rss, metrics] = await Promise.all([
		fetch(`${url}/api/v1/summary`).then((r) => r.json() as Promise<StatusSummary>),
		fetch(`${url}/api/status`).then((r) => r.json() as Promise<FleetStatus>),
		fetch(`${url}/api/v1/history?tz=UTC`).then((r) => r.json() as Promise<FleetHistory>),
		fetch(`${url}/feeds/incidents.rss`).then((r) => r.text()),
		scrapeMetrics(url).then((r) => r.text())
	]);
	lastScrape.set(url, performance.now());
	const feed = [...rss.matchAll(/<item><title>\[([A-Za-z]+)\][^<]*<\/title><link>[^<]*#incident-(\d+)<\/link>/g)].map((m) => ({ id: Number(m[2]), status: m[1]!.toLowerCase() }));
	const samples = [...metrics.matchAll(/^(shardbeat_[a-z_]+)(?:\{([^}]*)\})? (\S+)$/gm)].map((m) => ({
		name: m[1]!,
		labels: Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!])),
		value: Number(m[3])
	}));
	return { summary, status, history, feed, metrics: samples };
}

/**
 * What the views disagree on, as sentences (none: they agree). Checked: the summary's state
 * against its open incidents (operational with an active incident is the contradiction the
 * issue saw), the open incidents of the summary, the history and the feed, the shard counts of
 * the summary and `/metrics`, and each cluster's lifecycle in `/api/status`, the summary and
 * `/metrics`. With `page`: the banner's state and "N of M shards up" against the summary, its
 * active-incident notices against the summary's open incidents, and its cluster cards against
 * `/api/status`. Assumes no maintenance window is active (it changes what counts).
 */
export function contradictions(v: PublicViews): string[] {
	const out: string[] = [];
	const open = (ids: number[]) => JSON.stringify([...new Set(ids)].sort((a, b) => a - b));
	const summaryOpen = open(v.summary.activeIncidents.map((i) => i.id));
	const historyOpen = open(v.history.incidents.filter((i) => i.resolvedAt === null).map((i) => i.id));
	const feedOpen = open(v.feed.filter((i) => i.status !== 'resolved').map((i) => i.id));
	if (v.summary.status.state === 'operational' && v.summary.activeIncidents.some((i) => i.source === 'auto')) out.push(`the summary reads operational with automatic incidents open: ${summaryOpen}`);
	if (summaryOpen !== historyOpen) out.push(`open incidents: summary ${summaryOpen}, history ${historyOpen}`);
	if (summaryOpen !== feedOpen) out.push(`open incidents: summary ${summaryOpen}, feed ${feedOpen}`);

	const metric = (name: string) => v.metrics.filter((m) => m.name === name);
	const total = metric('shardbeat_shards')[0]?.value;
	if (total !== v.summary.status.shardsTotal) out.push(`shards in all: summary ${v.summary.status.shardsTotal}, metrics ${total}`);
	const upInMetrics = new Set(metric('shardbeat_shard_up').filter((m) => m.value === 1 && Number(m.labels.shard) < (total ?? 0)).map((m) => m.labels.shard)).size;
	if (upInMetrics !== v.summary.status.shardsUp) out.push(`shards up: summary ${v.summary.status.shardsUp}, metrics ${upInMetrics}`);

	const lifecycles = (list: { id: number; lifecycle: string }[]) => list.map((c) => `${c.id}:${c.lifecycle === 'stopped' ? 'stopped' : 'live'}`).sort().join(' ');
	const fromStatus = lifecycles(v.status.clusters);
	const fromSummary = lifecycles(v.summary.clusters);
	const fromMetrics = metric('shardbeat_cluster_up')
		.map((m) => `${m.labels.cluster}:${m.value === 1 ? 'live' : 'stopped'}`)
		.sort()
		.join(' ');
	if (fromStatus !== fromSummary) out.push(`clusters: /api/status ${fromStatus}, summary ${fromSummary}`);
	if (fromStatus !== fromMetrics) out.push(`clusters: /api/status ${fromStatus}, metrics ${fromMetrics}`);
	if (v.page) out.push(...pageContradictions(v.page, v, { open, summaryOpen, lifecycles: fromStatus }));
	return out;
}

/** The page against the server's views; `seen` is what `contradictions` derived from those. */
function pageContradictions(page: PageView, v: PublicViews, seen: { open: (ids: number[]) => string; summaryOpen: string; lifecycles: string }): string[] {
	// A page that lost its socket shows what the server said before: it may rightly differ.
	if (page.connection !== 'live') return [`the page is not live (${page.connection})`];
	const out: string[] = [];
	const { status } = v.summary;
	if (page.state !== status.state) out.push(`state: page ${page.state}, summary ${status.state}`);
	const t = messages(page.locale);
	const count = status.shardsTotal > 0 ? fill(t.shards_up!, { up: formatNumber(status.shardsUp, page.locale), total: formatNumber(status.shardsTotal, page.locale) }) : null;
	if (page.shardsUp !== count) out.push(`shards up: page "${page.shardsUp}", summary "${count}"`);
	const pageOpen = seen.open(page.incidents);
	if (pageOpen !== seen.summaryOpen) out.push(`open incidents: page ${pageOpen}, summary ${seen.summaryOpen}`);
	const auto = page.incidents.filter((id) => v.history.incidents.find((i) => i.id === id)?.source === 'auto');
	if (page.state === 'operational' && auto.length > 0) out.push(`the page reads operational above automatic incidents ${seen.open(auto)}`);
	const cards = [...page.clusters].sort().join(' ');
	if (cards !== seen.lifecycles) out.push(`clusters: page ${cards}, /api/status ${seen.lifecycles}`);
	return out;
}

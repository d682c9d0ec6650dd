import type { StatusSummary } from '#shared';
import { m } from '#i18n/messages';
import type { Locale } from '#i18n/runtime';
import { formatNumber } from '$lib/format/format';
import { deepLinkUrl, type DeepLink } from './deep-link.ts';
import type { PreviewSummary } from './summary-client.ts';

type SummaryState = StatusSummary['status']['state'];
type SummaryHealth = StatusSummary['clusters'][number]['health'];

/** What a link preview says about the fleet: the overall state and, for a cluster link, that cluster. */
export interface PreviewFacts {
	state: SummaryState;
	up: number;
	total: number;
	/** The linked cluster as the summary reports it; null: no cluster link, or the fleet lacks it. */
	cluster: { id: number; health: SummaryHealth; up: number; total: number } | null;
}

/** The og:/twitter: tags of a page. */
export interface LinkPreview {
	title: string;
	description: string;
	url: string;
	siteName: string;
	/** og:locale: language and territory, as Open Graph spells it. */
	locale: string;
}

type Message = (inputs: Record<string, never>, options: { locale: Locale }) => string;
const STATE: Record<SummaryState, Message> = {
	operational: m.state_operational,
	degraded: m.state_degraded,
	outage: m.state_outage,
	maintenance: m.state_maintenance,
	unknown: m.state_unknown
};
const HEALTH: Record<SummaryHealth, Message> = {
	healthy: m.health_healthy,
	degraded: m.health_degraded,
	down: m.health_down,
	maintenance: m.state_maintenance
};
const OG_LOCALE: Record<Locale, string> = { en: 'en_US', de: 'de_DE', fr: 'fr_FR', es: 'es_ES' };

/**
 * The facts a preview of `link` needs from the server's public summary: the overall state, and
 * the linked cluster's health when the link names a cluster.
 */
export function previewFacts(summary: PreviewSummary, link: DeepLink | null): PreviewFacts {
	const c = link?.kind === 'cluster' ? summary.clusters.find((x) => x.id === link.clusterId) : undefined;
	return {
		state: summary.status.state,
		up: summary.status.shardsUp,
		total: summary.status.shardsTotal,
		cluster: c ? { id: c.id, health: c.health, up: c.shardsUp, total: c.shards } : null
	};
}

/**
 * Title, description and canonical address of the page at `page` for a link preview (Discord,
 * Slack, social sites). Without `facts` (the server did not answer in time) it names no state
 * rather than guess one. The address keeps only the validated deep link: nothing a visitor typed
 * into the URL reaches the tags verbatim.
 */
export function linkPreview(input: { bot: string; facts: PreviewFacts | null; link: DeepLink | null; page: URL; locale: Locale }): LinkPreview {
	const { bot, facts, link, page, locale } = input;
	const o = { locale };
	const n = (x: number) => formatNumber(x, locale);
	const state = facts ? STATE[facts.state]({}, o) : null;
	const overall = facts ? { state: state!, up: n(facts.up), total: n(facts.total) } : null;

	let title: string;
	let description: string;
	if (link?.kind === 'cluster' && facts?.cluster) {
		const health = HEALTH[facts.cluster.health]({}, o);
		title = m.links_title_cluster({ cluster: link.clusterId, health, bot }, o);
		description = m.links_description_cluster({ cluster: link.clusterId, health, up: n(facts.cluster.up), total: n(facts.cluster.total), state: state! }, o);
	} else if (link?.kind === 'shard') {
		title = m.links_title_shard({ shard: link.shardId, bot }, o);
		description = overall ? m.links_description_shard({ shard: link.shardId, bot, ...overall }, o) : m.meta_description({ bot }, o);
	} else if (link?.kind === 'guild') {
		title = m.links_title_guild({ guild: link.guildId, bot }, o);
		description = overall ? m.links_description_guild({ guild: link.guildId, ...overall }, o) : m.meta_description({ bot }, o);
	} else {
		title = state ? m.page_title({ state, bot }, o) : m.heading({ bot }, o);
		description = overall ? m.links_description_overall(overall, o) : m.meta_description({ bot }, o);
	}
	return { title, description, url: deepLinkUrl(page, link), siteName: bot, locale: OG_LOCALE[locale] };
}

import { describe, expect, it } from 'vitest';
import { fill } from '#testing/messages';
import deMessages from '../../../../messages/de.json';
import enMessages from '../../../../messages/en.json';
import { linkPreview, previewFacts, type PreviewFacts } from './link-preview.ts';
import type { DeepLink } from './deep-link.ts';
import type { PreviewSummary } from './summary-client.ts';

const summary: PreviewSummary = {
	status: { state: 'degraded', shardsUp: 15_998, shardsTotal: 16_000 },
	clusters: [
		{ id: 12, health: 'degraded', shardsUp: 14, shards: 16 },
		{ id: 13, health: 'maintenance', shardsUp: 0, shards: 16 }
	]
};
const page = new URL('https://status.example/de/?cluster=12&utm_source=x#top');
const bot = 'Botty';

describe('previewFacts', () => {
	it.each<{ link: DeepLink | null; cluster: PreviewFacts['cluster'] }>([
		{ link: { kind: 'cluster', clusterId: 12 }, cluster: { id: 12, health: 'degraded', up: 14, total: 16 } },
		{ link: { kind: 'cluster', clusterId: 99 }, cluster: null },
		{ link: { kind: 'shard', shardId: 12 }, cluster: null },
		{ link: null, cluster: null }
	])('$link', ({ link, cluster }) => {
		expect(previewFacts(summary, link)).toEqual({ state: 'degraded', up: 15_998, total: 16_000, cluster });
	});
});

describe('linkPreview', () => {
	// The message files themselves (imported: this spec runs in jsdom), so the expectations follow the translations.
	const de = deMessages as Record<string, unknown> as Record<string, string>;
	const en = enMessages as Record<string, unknown> as Record<string, string>;
	it.each<{ name: string; link: DeepLink | null; facts: PreviewFacts | null; locale: 'de' | 'en'; title: string; description: string; url: string }>([
		{
			name: 'the page itself',
			link: null,
			facts: previewFacts(summary, null),
			locale: 'de',
			title: fill(de.page_title!, { state: de.state_degraded!, bot }),
			description: fill(de.links_description_overall!, { state: de.state_degraded!, up: '15.998', total: '16.000' }),
			url: 'https://status.example/de/'
		},
		{
			name: 'a cluster link',
			link: { kind: 'cluster', clusterId: 12 },
			facts: previewFacts(summary, { kind: 'cluster', clusterId: 12 }),
			locale: 'de',
			title: fill(de.links_title_cluster!, { cluster: 12, health: de.health_degraded!, bot }),
			description: fill(de.links_description_cluster!, { cluster: 12, health: de.health_degraded!, up: 14, total: 16, state: de.state_degraded! }),
			url: 'https://status.example/de/?cluster=12'
		},
		{
			name: 'a cluster in maintenance',
			link: { kind: 'cluster', clusterId: 13 },
			facts: previewFacts(summary, { kind: 'cluster', clusterId: 13 }),
			locale: 'en',
			title: fill(en.links_title_cluster!, { cluster: 13, health: en.state_maintenance!, bot }),
			description: fill(en.links_description_cluster!, { cluster: 13, health: en.state_maintenance!, up: 0, total: 16, state: en.state_degraded! }),
			url: 'https://status.example/de/?cluster=13'
		},
		{
			name: 'a link to a cluster the summary lacks: the overall state',
			link: { kind: 'cluster', clusterId: 99 },
			facts: previewFacts(summary, { kind: 'cluster', clusterId: 99 }),
			locale: 'en',
			title: fill(en.page_title!, { state: en.state_degraded!, bot }),
			description: fill(en.links_description_overall!, { state: en.state_degraded!, up: '15,998', total: '16,000' }),
			url: 'https://status.example/de/?cluster=99'
		},
		{
			name: 'a shard link',
			link: { kind: 'shard', shardId: 345 },
			facts: previewFacts(summary, null),
			locale: 'en',
			title: fill(en.links_title_shard!, { shard: 345, bot }),
			description: fill(en.links_description_shard!, { shard: 345, bot, state: en.state_degraded!, up: '15,998', total: '16,000' }),
			url: 'https://status.example/de/?shard=345'
		},
		{
			name: 'a guild link',
			link: { kind: 'guild', guildId: '81384788765712384' },
			facts: previewFacts(summary, null),
			locale: 'en',
			title: fill(en.links_title_guild!, { guild: '81384788765712384', bot }),
			description: fill(en.links_description_guild!, { guild: '81384788765712384', state: en.state_degraded!, up: '15,998', total: '16,000' }),
			url: 'https://status.example/de/?guild=81384788765712384'
		},
		{
			name: 'no answer from the server: no state',
			link: { kind: 'cluster', clusterId: 12 },
			facts: null,
			locale: 'de',
			title: fill(de.heading!, { bot }),
			description: fill(de.meta_description!, { bot }),
			url: 'https://status.example/de/?cluster=12'
		},
		{
			name: 'no answer, shard link: the shard still named',
			link: { kind: 'shard', shardId: 3 },
			facts: null,
			locale: 'en',
			title: fill(en.links_title_shard!, { shard: 3, bot }),
			description: fill(en.meta_description!, { bot }),
			url: 'https://status.example/de/?shard=3'
		}
	])('$name', ({ link, facts, locale, title, description, url }) => {
		expect(linkPreview({ bot, facts, link, page, locale })).toEqual({ title, description, url, siteName: bot, locale: { de: 'de_DE', en: 'en_US' }[locale] });
	});
});

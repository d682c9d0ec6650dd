import { describe, expect, it } from 'vitest';
import type { FleetHistory, Incident } from '#shared';
import { buildSummary } from '../../server/public/summary.ts';
import { cluster, fleet, FIXTURE_T0 } from '../fixtures/cluster.ts';
import { spreadingIncident } from '../fixtures/incident.ts';
import { contradictions, type PageView, type PublicViews } from './views.ts';

/*
 * The page's side of `contradictions`: a consistent set of views (two running clusters, every
 * shard up, an operator's incident open and an automatic one resolved), then one thing the page
 * shows differently at a time, each named.
 */
const operatorIncident: Incident = { ...spreadingIncident({ id: 7, source: 'operator', title: 'Slow commands' }), status: 'investigating', resolvedAt: null, updates: [] };
const autoResolved = spreadingIncident({ id: 4 });

function views(page: Partial<PageView>): PublicViews {
	const status = fleet([cluster({ id: 0, states: ['ready', 'ready'], totalShards: 4 }), cluster({ id: 1, firstShard: 2, states: ['ready', 'ready'], totalShards: 4 })], { totalShards: 4 });
	const up = (name: string, labels: Record<string, string>) => ({ name, labels, value: 1 });
	return {
		summary: buildSummary(status, [operatorIncident, autoResolved], [], FIXTURE_T0),
		status,
		history: { incidents: [operatorIncident, autoResolved] } as FleetHistory,
		feed: [
			{ id: 7, status: 'investigating' },
			{ id: 4, status: 'resolved' }
		],
		metrics: [{ name: 'shardbeat_shards', labels: {}, value: 4 }, ...[0, 1, 2, 3].map((s) => up('shardbeat_shard_up', { shard: String(s) })), up('shardbeat_cluster_up', { cluster: '0' }), up('shardbeat_cluster_up', { cluster: '1' })],
		page: { locale: 'en', connection: 'live', state: 'operational', shardsUp: '4 of 4 shards up', incidents: [7], clusters: ['0:live', '1:live'], ...page }
	};
}

describe('contradictions with the page', () => {
	it.each<[string, Partial<PageView>, string[]]>([
		['the page agrees', {}, []],
		['in German, in its own words', { locale: 'de', shardsUp: '4 von 4 Shards online' }, []],
		['a page that lost its socket', { connection: 'reconnecting', state: 'degraded' }, ['the page is not live (reconnecting)']],
		['another state in the banner', { state: 'degraded' }, ['state: page degraded, summary operational']],
		['another count in the banner', { shardsUp: '3 of 4 shards up' }, ['shards up: page "3 of 4 shards up", summary "4 of 4 shards up"']],
		['an open incident without its notice', { incidents: [] }, ['open incidents: page [], summary [7]']],
		[
			'operational above a notice of a resolved automatic incident',
			{ incidents: [7, 4] },
			['open incidents: page [4,7], summary [7]', 'the page reads operational above automatic incidents [4]']
		],
		['a card still awaiting its cluster', { clusters: ['0:live', '1:awaiting'] }, ['clusters: page 0:live 1:awaiting, /api/status 0:live 1:live']],
		['a cluster the server no longer has', { clusters: ['0:live', '1:live', '2:stopped'] }, ['clusters: page 0:live 1:live 2:stopped, /api/status 0:live 1:live']]
	])('%s', (_, page, expected) => {
		expect(contradictions(views(page))).toEqual(expected);
	});

	it('without a page, compares the server’s views alone', () => {
		expect(contradictions({ ...views({}), page: undefined })).toEqual([]);
	});
});

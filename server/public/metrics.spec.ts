import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { ClusterStatus, FleetStatus, ShardStatus } from '#shared';
import { cluster as fixtureCluster, fleet } from '#testing/fixtures/cluster';
import { createMetrics, type MetricsSource } from './metrics.ts';

const NOW = Date.UTC(2026, 10, 21, 12);

const cluster = (id: number, lifecycle: ClusterStatus['lifecycle'], shards: ShardStatus[], shardIds = shards.map((s) => s.id)): ClusterStatus =>
	fixtureCluster({ id, lifecycle, shardIds, shards, guilds: 0, totalShards: 4, startedAt: NOW - 3_600_000, lastHeartbeatAt: NOW - 2_500 * (id + 1) });

/**
 * Two clusters of two shards: cluster 0 healthy, reporting unavailable guilds (3 on shard 1);
 * cluster 1 from an older reporter without the count, with shard 3 reconnecting and no ping yet.
 */
function twoClusters(): FleetStatus {
	return fleet(
		[
			cluster(0, 'running', [
				{ id: 0, state: 'ready', ping: 41, guilds: 10, unavailableGuilds: 0 },
				{ id: 1, state: 'ready', ping: 43.5, guilds: 10, unavailableGuilds: 3 }
			]),
			cluster(1, 'starting', [
				{ id: 2, state: 'ready', ping: 40, guilds: 10 },
				{ id: 3, state: 'reconnecting', ping: null, guilds: 10 }
			])
		],
		{ totalShards: 4, generatedAt: NOW }
	);
}

function setup(fleet: FleetStatus = twoClusters()) {
	const state = { fleet, snapshots: 0, clock: 0 };
	const source: MetricsSource = {
		snapshot: () => {
			state.snapshots++;
			return state.fleet;
		},
		stats: { heartbeatsAccepted: 120, heartbeatsRefused: 3, polls: 45, pushes: 9 },
		viewers: () => 7,
		bots: () => 2,
		now: () => NOW
	};
	const metrics = createMetrics(source, { defaultMetrics: false, clock: () => state.clock });
	/** `render()` as a map from series (name plus labels, as printed) to value; also checks every line's shape. */
	const scrape = async () => {
		const text = await metrics.render();
		const series = new Map<string, number>();
		for (const line of text.split('\n')) {
			if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
			const match = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
			if (!match) throw new Error(`unexpected line: ${line}`);
			expect(series.has(match[1]!), `duplicate series ${match[1]}`).toBe(false);
			series.set(match[1]!, Number(match[2]));
		}
		return { text, series };
	};
	return { state, source, metrics, scrape };
}

describe('createMetrics', () => {
	it('renders every series of a two-cluster fleet', async () => {
		const { scrape } = setup();
		const { series } = await scrape();
		expect(Object.fromEntries(series)).toEqual({
			'shardbeat_shard_up{cluster="0",shard="0"}': 1,
			'shardbeat_shard_up{cluster="0",shard="1"}': 1,
			'shardbeat_shard_up{cluster="1",shard="2"}': 1,
			'shardbeat_shard_up{cluster="1",shard="3"}': 0,
			'shardbeat_shard_state{cluster="0",shard="0",state="ready"}': 1,
			'shardbeat_shard_state{cluster="0",shard="1",state="ready"}': 1,
			'shardbeat_shard_state{cluster="1",shard="2",state="ready"}': 1,
			'shardbeat_shard_state{cluster="1",shard="3",state="reconnecting"}': 1,
			'shardbeat_shard_ping_seconds{cluster="0",shard="0"}': 0.041,
			'shardbeat_shard_ping_seconds{cluster="0",shard="1"}': 0.0435,
			'shardbeat_shard_ping_seconds{cluster="1",shard="2"}': 0.04,
			'shardbeat_shard_unavailable_guilds{cluster="0",shard="0"}': 0,
			'shardbeat_shard_unavailable_guilds{cluster="0",shard="1"}': 3,
			'shardbeat_cluster_up{cluster="0"}': 1,
			'shardbeat_cluster_up{cluster="1"}': 1,
			'shardbeat_cluster_last_heartbeat_age_seconds{cluster="0"}': 2.5,
			'shardbeat_cluster_last_heartbeat_age_seconds{cluster="1"}': 5,
			shardbeat_shards: 4,
			shardbeat_viewers: 7,
			shardbeat_bots: 2,
			shardbeat_heartbeats_accepted_total: 120,
			shardbeat_heartbeats_refused_total: 3,
			shardbeat_polls_total: 45,
			shardbeat_pushes_total: 9
		});
	});

	it('types the totals as counters and the rest as gauges', async () => {
		const { text } = await setup().scrape();
		const types = Object.fromEntries([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
		expect(types).toMatchObject({
			shardbeat_heartbeats_accepted_total: 'counter',
			shardbeat_heartbeats_refused_total: 'counter',
			shardbeat_polls_total: 'counter',
			shardbeat_pushes_total: 'counter',
			shardbeat_shard_up: 'gauge',
			shardbeat_shards: 'gauge'
		});
	});

	it('drops a shard (and a cluster) that left the fleet on the next scrape', async () => {
		const { state, scrape } = setup();
		await scrape();
		const fleet = twoClusters();
		fleet.clusters[1]!.shardIds = [2];
		fleet.clusters[1]!.shards = fleet.clusters[1]!.shards.filter((s) => s.id !== 3);
		state.fleet = fleet;
		let { series } = await scrape();
		expect([...series.keys()].filter((k) => k.includes('shard="3"'))).toEqual([]);
		expect(series.get('shardbeat_shard_up{cluster="1",shard="2"}')).toBe(1);

		state.fleet = { ...fleet, clusters: [fleet.clusters[0]!] };
		({ series } = await scrape());
		expect([...series.keys()].filter((k) => k.includes('cluster="1"'))).toEqual([]);
		expect(series.get('shardbeat_cluster_up{cluster="0"}')).toBe(1);
	});

	it('follows shard state changes without leaving the old state behind', async () => {
		const { state, scrape } = setup();
		await scrape();
		const fleet = twoClusters();
		fleet.clusters[1]!.shards[1] = { id: 3, state: 'ready', ping: 39, guilds: 10 };
		state.fleet = fleet;
		const { series } = await scrape();
		expect(series.get('shardbeat_shard_state{cluster="1",shard="3",state="ready"}')).toBe(1);
		expect(series.has('shardbeat_shard_state{cluster="1",shard="3",state="reconnecting"}')).toBe(false);
		expect(series.get('shardbeat_shard_up{cluster="1",shard="3"}')).toBe(1);
		expect(series.get('shardbeat_shard_ping_seconds{cluster="1",shard="3"}')).toBe(0.039);
	});

	it('counts a stopped cluster down and keeps its stale state, ping and unavailable guilds out', async () => {
		const fleet = twoClusters();
		fleet.clusters[0]!.lifecycle = 'stopped';
		const { series } = await setup(fleet).scrape();
		expect(series.get('shardbeat_cluster_up{cluster="0"}')).toBe(0);
		expect(series.get('shardbeat_shard_up{cluster="0",shard="0"}')).toBe(0);
		expect(series.get('shardbeat_shard_up{cluster="0",shard="1"}')).toBe(0);
		expect([...series.keys()].filter((k) => k.includes('cluster="0"') && /state|ping|unavailable/.test(k))).toEqual([]);
	});

	it('reports an assigned shard that has not reported yet as down, with no state', async () => {
		const fleet = twoClusters();
		fleet.clusters[0]!.shardIds = [0, 1, 4];
		const { series } = await setup(fleet).scrape();
		expect(series.get('shardbeat_shard_up{cluster="0",shard="4"}')).toBe(0);
		expect([...series.keys()].filter((k) => k.includes('shard="4"'))).toEqual(['shardbeat_shard_up{cluster="0",shard="4"}']);
	});

	it('reads the counters from the stats object at every scrape', async () => {
		const { source, scrape } = setup();
		await scrape();
		source.stats.heartbeatsAccepted += 30;
		source.stats.heartbeatsRefused += 1;
		source.stats.polls = 46;
		source.stats.pushes = 0; // as after a restart: Prometheus sees a counter reset
		const { series } = await scrape();
		expect(series.get('shardbeat_heartbeats_accepted_total')).toBe(150);
		expect(series.get('shardbeat_heartbeats_refused_total')).toBe(4);
		expect(series.get('shardbeat_polls_total')).toBe(46);
		expect(series.get('shardbeat_pushes_total')).toBe(0);
	});

	it('takes one fleet snapshot per scrape', async () => {
		const { state, scrape } = setup();
		await scrape();
		expect(state.snapshots).toBe(1);
		await scrape();
		expect(state.snapshots).toBe(2);
	});

	it('uses a registry of its own, with the Prometheus text content type', async () => {
		const { metrics } = setup();
		expect(metrics.registry).not.toBe(globalRegistry);
		expect(await globalRegistry.getSingleMetric('shardbeat_shard_up')).toBeUndefined();
		expect(metrics.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
		// Two instances side by side (tests, or a restart in-process) do not clash over names.
		expect(() => setup()).not.toThrow();
	});

	it('adds Node process metrics under the shardbeat_ prefix by default', async () => {
		const metrics = createMetrics({
			snapshot: () => twoClusters(),
			stats: { heartbeatsAccepted: 0, heartbeatsRefused: 0, polls: 0, pushes: 0 },
			viewers: () => 0,
			bots: () => 0,
			now: () => NOW
		});
		const text = await metrics.render();
		expect(text).toMatch(/^shardbeat_process_cpu_user_seconds_total \S+$/m);
		expect(text).toMatch(/^shardbeat_nodejs_heap_size_used_bytes \S+$/m);
		expect(text).toMatch(/^shardbeat_shard_up\{cluster="0",shard="0"\} 1$/m);
		// The per-type gauges stay; their `_total` sums (gauges with a counter's suffix) are gone.
		expect(text).toMatch(/^# TYPE shardbeat_nodejs_active_handles gauge$/m);
		expect(text).not.toMatch(/_active_(handles|requests|resources)_total/);
	});

	it('names every series in base units, with _total on counters only', async () => {
		const { text } = await setup().scrape();
		const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
		for (const [name, type] of types) {
			expect(name.endsWith('_total'), `${name} is a ${type}`).toBe(type === 'counter');
			expect(name, 'milliseconds are not a base unit').not.toMatch(/_ms$|_milliseconds$/);
		}
		expect(text).not.toMatch(/shardbeat_shard_ping_ms|shardbeat_shards_total/);
	});
});

describe('Metrics.scrape', () => {
	it('renders once for any number of concurrent scrapes, and again once the text is a second old', async () => {
		const { state, metrics } = setup();
		const texts = await Promise.all(Array.from({ length: 20 }, () => metrics.scrape()));
		expect(state.snapshots).toBe(1);
		expect(new Set(texts).size).toBe(1);
		expect(texts[0]).toMatch(/^shardbeat_bots 2$/m);

		// Within the second, a changed fleet is not rendered: the cached text answers.
		state.fleet = { ...state.fleet, clusters: [state.fleet.clusters[0]!] };
		state.clock = 999;
		expect(await metrics.scrape()).toBe(texts[0]);
		expect(state.snapshots).toBe(1);

		state.clock = 1_000;
		const later = await Promise.all(Array.from({ length: 20 }, () => metrics.scrape()));
		expect(state.snapshots).toBe(2);
		expect(later[0]).not.toMatch(/cluster="1"/);
		// render() is always fresh (the unit the cache spares).
		await metrics.render();
		expect(state.snapshots).toBe(3);
	});

	it('counts the second from when a render finished, so a slow render cannot run back to back', async () => {
		const { state, source, metrics } = setup();
		const snapshot = source.snapshot;
		source.snapshot = () => {
			state.clock += 1_500; // a render that takes 1.5 s of the clock
			return snapshot();
		};
		await metrics.scrape();
		state.clock += 999;
		await metrics.scrape();
		expect(state.snapshots).toBe(1);
		state.clock += 1;
		await metrics.scrape();
		expect(state.snapshots).toBe(2);
	});

	it('does not cache a failed render', async () => {
		const { state, source, metrics } = setup();
		const snapshot = source.snapshot;
		source.snapshot = () => {
			throw new Error('feed unavailable');
		};
		await expect(Promise.all([metrics.scrape(), metrics.scrape()])).rejects.toThrow('feed unavailable');
		source.snapshot = snapshot;
		expect(await metrics.scrape()).toMatch(/^shardbeat_bots 2$/m);
		expect(state.snapshots).toBe(1);
	});
});

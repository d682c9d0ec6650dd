import { describe, expect, it } from 'vitest';
import type { ClusterStatus, FleetStatus, Incident, MaintenanceWindow, ShardState } from '#shared';
import { cluster as fixtureCluster, fleet as fixtureFleet } from '#testing/fixtures/cluster';
import { buildSummary } from './summary.ts';

const NOW = Date.UTC(2026, 10, 21, 12);
const HOUR = 3_600_000;

/** A cluster of `shardIds`, all ready except the `notReady` ones (reported `reconnecting`). */
function cluster(id: number, shardIds: number[], opts: { notReady?: number[]; lifecycle?: ClusterStatus['lifecycle']; unreported?: number[] } = {}): ClusterStatus {
	// Every reported shard has ping 40, reconnecting ones too; guilds count the unreported shards as well.
	const state = (s: number): [ShardState, number] | null => (opts.unreported?.includes(s) ? null : [opts.notReady?.includes(s) ? 'reconnecting' : 'ready', 40]);
	return fixtureCluster({ id, lifecycle: opts.lifecycle ?? 'running', shardIds, states: shardIds.map(state), guildsPerShard: 100, guilds: 100 * shardIds.length, totalShards: 16, startedAt: NOW - HOUR, lastHeartbeatAt: NOW - 1_000 });
}

const fleet = (clusters: ClusterStatus[], totalShards = 16): FleetStatus => fixtureFleet(clusters, { totalShards, generatedAt: NOW });

/** Four clusters of four shards: 0–3, 4–7, 8–11, 12–15. */
const ids = (c: number) => [0, 1, 2, 3].map((i) => c * 4 + i);

function windowFor(id: number, clusterIds: number[] | null, startsAt: number, endsAt: number): MaintenanceWindow {
	return { id, title: `Window ${id}`, message: '', startsAt, endsAt, clusterIds };
}

function incident(id: number, status: Incident['status'], startedAt: number): Incident {
	return {
		id,
		source: 'operator',
		title: `Incident ${id}`,
		status,
		impact: 'minor',
		startedAt,
		resolvedAt: status === 'resolved' ? startedAt + HOUR : null,
		clusterIds: [],
		shardIds: [],
		updates: [{ id: id * 10, at: startedAt, status, message: 'x' }]
	};
}

describe('buildSummary: overall state', () => {
	const active = (clusterIds: number[] | null) => windowFor(1, clusterIds, NOW - HOUR, NOW + HOUR);
	const cases: {
		name: string;
		clusters: ClusterStatus[];
		totalShards?: number;
		maintenance?: MaintenanceWindow[];
		state: string;
		description: string;
		up: number;
		total: number;
	}[] = [
		{ name: 'no cluster ever reported', clusters: [], totalShards: 0, state: 'unknown', description: 'No data yet', up: 0, total: 0 },
		{
			name: 'every shard ready',
			clusters: [0, 1, 2, 3].map((c) => cluster(c, ids(c))),
			state: 'operational',
			description: 'All shards operational',
			up: 16,
			total: 16
		},
		{
			name: 'one cluster stopped',
			clusters: [cluster(0, ids(0), { lifecycle: 'stopped' }), ...[1, 2, 3].map((c) => cluster(c, ids(c)))],
			state: 'degraded',
			description: 'Partial outage: 12 of 16 shards up',
			up: 12,
			total: 16
		},
		{
			name: 'a cluster that never reported counts as down',
			clusters: [1, 2, 3].map((c) => cluster(c, ids(c))),
			state: 'degraded',
			description: 'Partial outage: 12 of 16 shards up',
			up: 12,
			total: 16
		},
		{
			name: 'nothing ready',
			clusters: [0, 1, 2, 3].map((c) => cluster(c, ids(c), { notReady: ids(c) })),
			state: 'outage',
			description: 'Major outage',
			up: 0,
			total: 16
		},
		{
			name: 'the only unhealthy cluster is under maintenance',
			clusters: [cluster(0, ids(0), { lifecycle: 'stopped' }), ...[1, 2, 3].map((c) => cluster(c, ids(c)))],
			maintenance: [active([0])],
			state: 'maintenance',
			description: 'Under maintenance',
			up: 12,
			total: 12
		},
		{
			name: 'maintenance on one cluster, another degraded: shards in maintenance leave the total',
			clusters: [cluster(0, ids(0), { lifecycle: 'stopped' }), cluster(1, ids(1), { notReady: [4, 5] }), cluster(2, ids(2)), cluster(3, ids(3))],
			maintenance: [active([0])],
			state: 'degraded',
			description: 'Partial outage: 10 of 12 shards up',
			up: 10,
			total: 12
		},
		{
			name: 'everything else down while one cluster is in maintenance',
			clusters: [0, 1, 2, 3].map((c) => cluster(c, ids(c), { notReady: ids(c) })),
			maintenance: [active([3])],
			state: 'outage',
			description: 'Major outage',
			up: 0,
			total: 12
		},
		{
			name: 'a healthy bot with maintenance in progress reads maintenance',
			clusters: [0, 1, 2, 3].map((c) => cluster(c, ids(c))),
			maintenance: [active([2])],
			state: 'maintenance',
			description: 'Under maintenance',
			up: 12,
			total: 12
		},
		{
			name: 'whole-bot maintenance covers everything, reported or not',
			clusters: [cluster(0, ids(0), { notReady: ids(0) })],
			maintenance: [active(null)],
			state: 'maintenance',
			description: 'Under maintenance',
			up: 0,
			total: 0
		},
		{
			name: 'whole-bot maintenance with no cluster reporting',
			clusters: [],
			totalShards: 0,
			maintenance: [active(null)],
			state: 'maintenance',
			description: 'Under maintenance',
			up: 0,
			total: 0
		},
		{
			name: 'a window for some clusters does not vouch for an empty fleet',
			clusters: [],
			totalShards: 0,
			maintenance: [active([0])],
			state: 'unknown',
			description: 'No data yet',
			up: 0,
			total: 0
		},
		{
			name: 'a window that has ended no longer excuses anything',
			clusters: [cluster(0, ids(0), { lifecycle: 'stopped' }), ...[1, 2, 3].map((c) => cluster(c, ids(c)))],
			maintenance: [windowFor(1, [0], NOW - 2 * HOUR, NOW)],
			state: 'degraded',
			description: 'Partial outage: 12 of 16 shards up',
			up: 12,
			total: 16
		},
		{
			name: 'a window that has not started yet excuses nothing',
			clusters: [cluster(0, ids(0), { lifecycle: 'stopped' }), ...[1, 2, 3].map((c) => cluster(c, ids(c)))],
			maintenance: [windowFor(1, [0], NOW + 1, NOW + HOUR)],
			state: 'degraded',
			description: 'Partial outage: 12 of 16 shards up',
			up: 12,
			total: 16
		},
		{
			name: 'a window starting exactly now is active',
			clusters: [cluster(0, ids(0), { lifecycle: 'stopped' }), ...[1, 2, 3].map((c) => cluster(c, ids(c)))],
			maintenance: [windowFor(1, [0], NOW, NOW + HOUR)],
			state: 'maintenance',
			description: 'Under maintenance',
			up: 12,
			total: 12
		},
		{
			name: 'a shard claimed by a cluster in maintenance but served by a live one stays in the total',
			clusters: [cluster(0, [0, 1, 2, 3], { notReady: [0, 1, 2, 3] }), cluster(1, [3, 4, 5, 6, 7], { notReady: [7] }), cluster(2, ids(2)), cluster(3, ids(3))],
			maintenance: [active([0])],
			state: 'degraded',
			description: 'Partial outage: 12 of 13 shards up',
			up: 12,
			total: 13
		}
	];

	it.each(cases)('$name', ({ clusters, totalShards, maintenance, state, description, up, total }) => {
		const summary = buildSummary(fleet(clusters, totalShards), [], maintenance ?? [], NOW);
		expect(summary.status).toEqual({ state, description, shardsUp: up, shardsTotal: total });
		expect(summary.generatedAt).toBe(NOW);
	});
});

describe('buildSummary: clusters', () => {
	it('gives each cluster its health, maintenance first, ascending by id', () => {
		const summary = buildSummary(
			fleet([cluster(3, ids(3)), cluster(2, ids(2), { notReady: [8] }), cluster(1, ids(1), { lifecycle: 'stopped' }), cluster(0, ids(0), { notReady: [1] })]),
			[],
			[windowFor(1, [0, 9], NOW - HOUR, NOW + HOUR)],
			NOW
		);
		expect(summary.clusters).toEqual([
			{ id: 0, health: 'maintenance', shardsUp: 3, shards: 4, lifecycle: 'running' },
			// A stopped cluster's stale `ready` reports do not count as up.
			{ id: 1, health: 'down', shardsUp: 0, shards: 4, lifecycle: 'stopped' },
			{ id: 2, health: 'degraded', shardsUp: 3, shards: 4, lifecycle: 'running' },
			{ id: 3, health: 'healthy', shardsUp: 4, shards: 4, lifecycle: 'running' }
		]);
	});

	it('counts an assigned shard that has not reported as not up', () => {
		const summary = buildSummary(fleet([cluster(0, ids(0), { unreported: [2] })], 4), [], [], NOW);
		expect(summary.clusters[0]).toMatchObject({ health: 'degraded', shardsUp: 3, shards: 4 });
		expect(summary.status).toMatchObject({ state: 'degraded', shardsUp: 3, shardsTotal: 4 });
	});

	it('puts every cluster under a whole-bot window in maintenance', () => {
		const summary = buildSummary(fleet([cluster(0, ids(0)), cluster(1, ids(1))], 8), [], [windowFor(1, null, NOW - HOUR, NOW + HOUR)], NOW);
		expect(summary.clusters.map((c) => c.health)).toEqual(['maintenance', 'maintenance']);
	});

	it('does not reorder the fleet it was given', () => {
		const clusters = [cluster(1, ids(1)), cluster(0, ids(0))];
		buildSummary(fleet(clusters, 8), [], [], NOW);
		expect(clusters.map((c) => c.id)).toEqual([1, 0]);
	});
});

describe('buildSummary: incidents and maintenance', () => {
	it('lists unresolved incidents only, newest first', () => {
		const incidents = [
			incident(1, 'resolved', NOW - 5 * HOUR),
			incident(2, 'investigating', NOW - 3 * HOUR),
			incident(3, 'monitoring', NOW - HOUR),
			incident(4, 'identified', NOW - 2 * HOUR)
		];
		const summary = buildSummary(fleet([]), incidents, [], NOW);
		expect(summary.activeIncidents.map((i) => i.id)).toEqual([3, 4, 2]);
		expect(incidents.map((i) => i.id)).toEqual([1, 2, 3, 4]);
	});

	it('splits windows into active and upcoming, soonest first, dropping ended ones', () => {
		const windows = [
			windowFor(1, null, NOW + 5 * HOUR, NOW + 6 * HOUR), // upcoming, later
			windowFor(2, [0], NOW - 3 * HOUR, NOW - HOUR), // ended
			windowFor(3, [1], NOW - HOUR, NOW + HOUR), // active
			windowFor(4, [2], NOW + HOUR, NOW + 2 * HOUR), // upcoming, sooner
			windowFor(5, [3], NOW - 2 * HOUR, NOW), // ended exactly now
			windowFor(6, [3], NOW - 2 * HOUR, NOW + 1) // active, started earlier
		];
		const summary = buildSummary(fleet([]), [], windows, NOW);
		expect(summary.maintenance.active.map((w) => w.id)).toEqual([6, 3]);
		expect(summary.maintenance.upcoming.map((w) => w.id)).toEqual([4, 1]);
	});
});

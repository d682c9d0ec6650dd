import { describe, expect, it } from 'vitest';
import { overallHealth, type ClusterStatus, type MaintenanceWindow, type ShardState } from '#shared';
import { cluster } from '#testing/fixtures/cluster';
import { activeMaintenance, maintenanceExplainsHealth, underMaintenance, upcomingMaintenance } from './maintenance.ts';

const NOW = Date.UTC(2025, 5, 1, 12);
const HOUR = 3_600_000;

function win(id: number, startsAt: number, endsAt: number, clusterIds: number[] | null = null): MaintenanceWindow {
	return { id, title: `Window ${id}`, message: '', startsAt, endsAt, clusterIds };
}

/** Cluster `id` with two shards (2·id, 2·id + 1) in `states`, or stopped. */
const clusterOf = (id: number, states: [ShardState, ShardState] | 'stopped'): ClusterStatus =>
	cluster({ id, lifecycle: states === 'stopped' ? 'stopped' : 'running', firstShard: id * 2, states: (states === 'stopped' ? (['disconnected', 'disconnected'] as const) : states).map((s) => [s, null]), guildsPerShard: 1, members: 2, totalShards: 6, startedAt: NOW - HOUR, lastHeartbeatAt: NOW });

describe('active and upcoming windows', () => {
	const windows = [win(1, NOW - HOUR, NOW + HOUR), win(2, NOW + 3 * HOUR, NOW + 4 * HOUR), win(3, NOW + HOUR, NOW + 2 * HOUR), win(4, NOW - 2 * HOUR, NOW)];

	it('active: started, not ended (end exclusive)', () => {
		expect(activeMaintenance(windows, NOW).map((w) => w.id)).toEqual([1]);
		expect(activeMaintenance(windows, NOW - HOUR).map((w) => w.id)).toEqual([1, 4]);
	});

	it('upcoming: not started, soonest first', () => {
		expect(upcomingMaintenance(windows, NOW).map((w) => w.id)).toEqual([3, 2]);
	});

	it('a window covers the clusters it names, or all when it names none', () => {
		expect(underMaintenance(2, [win(1, 0, 1, [1, 2])])).toBe(true);
		expect(underMaintenance(3, [win(1, 0, 1, [1, 2])])).toBe(false);
		expect(underMaintenance(3, [win(1, 0, 1, [1]), win(2, 0, 1, null)])).toBe(true);
		expect(underMaintenance(3, [])).toBe(false);
	});
});

describe('maintenanceExplainsHealth', () => {
	const fleet = (...clusters: ClusterStatus[]) => ({ clusters, health: overallHealth({ clusters, totalShards: 6 }) });

	it.each([
		{
			name: 'healthy fleet: nothing to explain',
			clusters: [clusterOf(0, ['ready', 'ready']), clusterOf(1, ['ready', 'ready']), clusterOf(2, ['ready', 'ready'])],
			active: [win(1, 0, 1, [1])],
			want: false
		},
		{
			name: 'the one stopped cluster is under maintenance',
			clusters: [clusterOf(0, ['ready', 'ready']), clusterOf(1, 'stopped'), clusterOf(2, ['ready', 'ready'])],
			active: [win(1, 0, 1, [1])],
			want: true
		},
		{
			name: 'a degraded cluster beside the maintained one is a real problem',
			clusters: [clusterOf(0, ['ready', 'disconnected']), clusterOf(1, 'stopped'), clusterOf(2, ['ready', 'ready'])],
			active: [win(1, 0, 1, [1])],
			want: false
		},
		{
			name: 'two windows together cover both unhealthy clusters',
			clusters: [clusterOf(0, ['ready', 'disconnected']), clusterOf(1, 'stopped'), clusterOf(2, ['ready', 'ready'])],
			active: [win(1, 0, 1, [1]), win(2, 0, 1, [0])],
			want: true
		},
		{
			name: 'a whole-bot window covers a full outage',
			clusters: [clusterOf(0, 'stopped'), clusterOf(1, 'stopped'), clusterOf(2, 'stopped')],
			active: [win(1, 0, 1, null)],
			want: true
		},
		{
			name: 'no active window',
			clusters: [clusterOf(0, ['ready', 'ready']), clusterOf(1, 'stopped'), clusterOf(2, ['ready', 'ready'])],
			active: [],
			want: false
		},
		{
			name: 'shards no cluster reports are down and not covered by a per-cluster window',
			clusters: [clusterOf(0, ['ready', 'ready']), clusterOf(1, 'stopped')],
			active: [win(1, 0, 1, [1])],
			want: false
		},
		{
			name: 'a whole-bot window covers unreported shards too',
			clusters: [clusterOf(0, ['ready', 'ready']), clusterOf(1, 'stopped')],
			active: [win(1, 0, 1, null)],
			want: true
		}
	])('$name → $want', ({ clusters, active, want }) => {
		const f = fleet(...clusters);
		expect(maintenanceExplainsHealth(f.health, f.clusters, active)).toBe(want);
	});

	it('unknown health is never maintenance', () => {
		expect(maintenanceExplainsHealth({ state: 'unknown', up: 0, total: 0 }, [], [win(1, 0, 1, null)])).toBe(false);
	});
});

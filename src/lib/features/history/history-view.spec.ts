import { describe, expect, it } from 'vitest';
import type { Incident } from '#shared';
import { demoFleet } from '$lib/status/demo-fleet';
import { demoHistory } from '$lib/status/demo-history';
import { barViews, daysWithDowntime, incidentDays, incidentsByDay, incidentsOfCluster, openIncidents, timeline } from './history-view.ts';

const HOUR = 3_600_000;

function incident(id: number, startedAt: number, over: Partial<Incident> = {}): Incident {
	return { id, source: 'operator', title: `Incident ${id}`, status: 'resolved', impact: 'minor', startedAt, resolvedAt: startedAt + HOUR, clusterIds: [0], shardIds: [0], updates: [], ...over };
}

describe('incidentsByDay', () => {
	it('files an incident under the local day it started, in the viewer’s zone', () => {
		// 23:30 UTC on 1 June is 2 June in Berlin (UTC+2) and still 1 June in New York.
		const late = incident(1, Date.UTC(2025, 5, 1, 23, 30));
		expect([...incidentsByDay([late], 'Europe/Berlin').keys()]).toEqual(['2025-06-02']);
		expect([...incidentsByDay([late], 'America/New_York').keys()]).toEqual(['2025-06-01']);
	});

	it('lists each day newest first', () => {
		const day = incidentsByDay([incident(1, Date.UTC(2025, 5, 1, 8)), incident(2, Date.UTC(2025, 5, 1, 15))], 'UTC');
		expect(day.get('2025-06-01')!.map((i) => i.id)).toEqual([2, 1]);
	});
});

describe('incidentDays', () => {
	it('gives every one of the last N days, newest first, empty ones included', () => {
		const now = Date.UTC(2025, 5, 30, 12);
		const days = incidentDays([incident(1, Date.UTC(2025, 5, 28, 9)), incident(2, Date.UTC(2025, 4, 1, 9))], now, 30, 'UTC');
		expect(days).toHaveLength(30);
		expect(days[0]!.day).toBe('2025-06-30');
		expect(days.at(-1)!.day).toBe('2025-06-01');
		expect(days.find((d) => d.day === '2025-06-28')!.incidents.map((i) => i.id)).toEqual([1]);
		// Older than the window: not shown.
		expect(days.flatMap((d) => d.incidents).map((i) => i.id)).toEqual([1]);
		expect(days.filter((d) => d.incidents.length === 0)).toHaveLength(29);
	});
});

describe('open incidents, timelines, clusters', () => {
	it('keeps only unresolved incidents, newest first', () => {
		const list = [incident(1, 10), incident(2, 20, { status: 'monitoring', resolvedAt: null }), incident(3, 30, { status: 'investigating', resolvedAt: null })];
		expect(openIncidents(list).map((i) => i.id)).toEqual([3, 2]);
	});

	it('orders updates newest first', () => {
		const i = incident(1, 0, {
			updates: [
				{ id: 1, at: 10, status: 'investigating', message: 'a' },
				{ id: 2, at: 30, status: 'resolved', message: 'c' },
				{ id: 3, at: 20, status: 'identified', message: 'b' }
			]
		});
		expect(timeline(i).map((u) => u.message)).toEqual(['c', 'b', 'a']);
	});

	it('finds the incidents that touched a cluster', () => {
		expect(incidentsOfCluster([incident(1, 0, { clusterIds: [1, 2] }), incident(2, 0, { clusterIds: [3] })], 2).map((i) => i.id)).toEqual([1]);
	});
});

describe('barViews', () => {
	it('pairs each day with its level and the incidents that started on it', () => {
		const views = barViews(
			{ days: ['2025-06-01', '2025-06-02', '2025-06-03'], ratio: [null, 1, 0.99], downMinutes: [0, 0, 14.4] },
			[incident(7, Date.UTC(2025, 5, 3, 10))],
			'UTC'
		);
		expect(views.map((v) => v.level)).toEqual(['none', 'up', 'minor']);
		expect(views[2]!.incidents.map((i) => i.id)).toEqual([7]);
		expect(daysWithDowntime(views)).toBe(1);
	});
});

describe('demo history', () => {
	const now = Date.UTC(2025, 5, 15, 12);
	const history = demoHistory.fleet(now, 'Europe/Berlin');

	it('has 90 bars, oldest first, ending today', () => {
		expect(history.bars.days).toHaveLength(90);
		expect(history.bars.ratio).toHaveLength(90);
		expect(history.bars.downMinutes).toHaveLength(90);
		expect(history.bars.days.at(-1)).toBe('2025-06-15');
		expect([...history.bars.days].sort()).toEqual(history.bars.days);
	});

	it('matches the demo fleet’s clusters', () => {
		const ids = demoFleet(now).clusters.map((c) => c.id);
		expect(history.clusters.map((c) => c.id)).toEqual(ids);
		for (const id of ids) expect(demoHistory.cluster(id, now, 'UTC')?.ping).toHaveLength(96);
		expect(demoHistory.cluster(ids.length, now, 'UTC')).toBeNull();
		for (const i of history.incidents) for (const c of i.clusterIds) expect(ids).toContain(c);
	});

	it('lists incidents newest first, one still open, and a maintenance window in force for the stopped cluster', () => {
		const starts = history.incidents.map((i) => i.startedAt);
		expect(starts).toEqual([...starts].sort((a, b) => b - a));
		expect(openIncidents(history.incidents)).toHaveLength(1);
		const stopped = demoFleet(now).clusters.find((c) => c.lifecycle === 'stopped')!;
		expect(history.maintenance.some((w) => w.startsAt <= now && now < w.endsAt && w.clusterIds?.includes(stopped.id))).toBe(true);
	});
});

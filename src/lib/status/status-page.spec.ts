import { describe, expect, it } from 'vitest';
import type { FleetHistory, MaintenanceWindow } from '#shared';
import { cluster, fleet, FIXTURE_T0 } from '#testing/fixtures/cluster';
import { spreadingIncidentAfter } from '#testing/fixtures/incident';
import { HistoryState } from './history-state.svelte.ts';
import { StatusStore } from './status-store.svelte.ts';
import { MAINTENANCE_STEP_MS, StatusPage } from './status-page.svelte.ts';

const HOUR = 3_600_000;
const win = (id: number, startsAt: number, endsAt: number, clusterIds: number[] | null): MaintenanceWindow => ({ id, title: `Window ${id}`, message: '', startsAt, endsAt, clusterIds });

function setup(maintenance: MaintenanceWindow[]) {
	const store = new StatusStore({ serverUrl: 'http://status.test', token: null });
	const history = new HistoryState({ serverUrl: 'http://status.test', timeZone: 'UTC' });
	history.fleet = { maintenance, incidents: [] } as unknown as FleetHistory;
	const conflicts = [{ shardId: 1, clusterIds: [1, 2] }];
	store.apply(fleet([cluster({ id: 1, states: ['ready', 'reconnecting'] }), cluster({ id: 2, firstShard: 2, states: ['ready', 'ready'] })], { totalShards: 4, conflicts }), FIXTURE_T0);
	return { store, history, page: new StatusPage({ store, history }) };
}

describe('StatusPage', () => {
	it('splits maintenance into active and upcoming windows on the store clock, in ten-second steps', () => {
		const soon = win(2, FIXTURE_T0 + 5_000, FIXTURE_T0 + HOUR, [2]);
		const { store, page } = setup([win(1, FIXTURE_T0 - HOUR, FIXTURE_T0 + HOUR, [1]), soon]);
		expect(page.activeWindows.map((w) => w.id)).toEqual([1]);
		expect(page.upcomingWindows.map((w) => w.id)).toEqual([2]);
		store.now = FIXTURE_T0 + 6_000; // `soon` started, but the clock (FIXTURE_T0 is on a step) has not moved on yet
		expect(page.upcomingWindows).toEqual([soon]);
		store.now = FIXTURE_T0 + MAINTENANCE_STEP_MS;
		expect(page.activeWindows.map((w) => w.id)).toEqual([1, 2]);
		expect(page.upcomingWindows).toEqual([]);
	});

	it('says maintenance only when active windows cover everything unhealthy', () => {
		expect(setup([win(1, FIXTURE_T0 - HOUR, FIXTURE_T0 + HOUR, [1])]).page.maintenance).toBe(true);
		expect(setup([win(1, FIXTURE_T0 - HOUR, FIXTURE_T0 + HOUR, [2])]).page.maintenance).toBe(false);
		expect(setup([]).page.maintenance).toBe(false);
	});

	it('passes the fleet’s conflicts and the history’s incidents through, empty before data', () => {
		const { page, history, store } = setup([]);
		expect(page.conflicts).toEqual([{ shardId: 1, clusterIds: [1, 2] }]);
		expect(page.incidents).toEqual([]);
		history.fleet = null;
		store.status = null;
		expect(page.incidents).toEqual([]);
		expect(page.conflicts).toEqual([]);
	});

	it('shows an incident as the server last pushed it, ahead of the history’s next fetch', () => {
		const { page, history, store } = setup([]);
		history.fleet = { maintenance: [], incidents: [spreadingIncidentAfter(2)] } as unknown as FleetHistory;
		expect(page.incidents.map((i) => i.status)).toEqual(['investigating']);
		// Resolved on the server: the banner's fleet is all up, and the notice goes with the push.
		store.applyIncident(spreadingIncidentAfter(4));
		expect(page.incidents.map((i) => i.status)).toEqual(['resolved']);
		// A fetch answered from an older cache does not bring it back.
		history.fleet = { maintenance: [], incidents: [spreadingIncidentAfter(3)] } as unknown as FleetHistory;
		expect(page.incidents.map((i) => i.status)).toEqual(['resolved']);
	});

	it('takes pushed maintenance over the history’s (possibly cached) list while live, and the history’s again once the connection drops', () => {
		const fetched = win(1, FIXTURE_T0 - HOUR, FIXTURE_T0 + HOUR, [1]);
		const { page, store } = setup([fetched]);
		expect(page.activeWindows.map((w) => w.id)).toEqual([1]);
		// Ended early and another scheduled, pushed: the fetched list is out of date.
		store.applyMaintenance([win(2, FIXTURE_T0 + HOUR, FIXTURE_T0 + 2 * HOUR, null)]);
		expect(page.activeWindows).toEqual([]);
		expect(page.upcomingWindows.map((w) => w.id)).toEqual([2]);
		expect(page.maintenance).toBe(false);
		// A push the page cannot read changes nothing.
		store.applyMaintenance([{ id: 'x' } as unknown as MaintenanceWindow]);
		expect(page.upcomingWindows.map((w) => w.id)).toEqual([2]);
		store.maintenance = null; // what a lost connection does (see `start`)
		expect(page.activeWindows.map((w) => w.id)).toEqual([1]);
	});

	it('drops an incident the server says was deleted, fetched or pushed', () => {
		const { page, history, store } = setup([]);
		history.fleet = { maintenance: [], incidents: [spreadingIncidentAfter(2, { id: 7 }), spreadingIncidentAfter(1, { id: 8 })] } as unknown as FleetHistory;
		store.applyIncidentDeleted(7);
		expect(page.incidents.map((i) => i.id)).toEqual([8]);
		store.applyIncident(spreadingIncidentAfter(3, { id: 7 }));
		expect(page.incidents.map((i) => i.id)).toEqual([8]);
	});
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeFull, type ClusterStatus, type FleetStatus, type FleetUpdate, type Incident, type MaintenanceWindow, type ShardState, type ViewerTokenResponse } from '#shared';
import { POLL_INTERVAL_MS, RESTART_GRACE_MS, STALE_AFTER_MS, StatusStore, type StatusConnection, type StatusStoreOptions } from './status-store.svelte.ts';
import type { ConnectionState } from './viewer-connection.ts';
import { createVisibilityStub } from '#testing/page/visibility-stub';
import { cluster, fleet as buildFleet } from '#testing/fixtures/cluster';
import { spreadingIncidentAfter } from '#testing/fixtures/incident';

type Handlers = {
	onUpdate: (u: FleetUpdate) => boolean;
	version: () => number;
	onState: (s: ConnectionState) => void;
	onIncident: (i: Incident) => void;
	onIncidentDeleted?: (id: number) => void;
	onMaintenance?: (w: MaintenanceWindow[]) => void;
};

let nextVersion = 0;
/** `status` as the server sends it: a full snapshot at the next version. */
function snapshotOf(status: FleetStatus): FleetUpdate {
	return { kind: 'full', version: ++nextVersion, at: status.generatedAt, data: encodeFull(status.clusters, status.generatedAt) };
}

/** A connection that records what the store asks of it and hands the test its handlers. */
function fakeConnection() {
	const conn = {
		start: vi.fn<() => void>(),
		poll: vi.fn<() => Promise<boolean>>(() => Promise.resolve(true)),
		close: vi.fn<() => void>()
	} satisfies StatusConnection;
	let captured: Handlers | undefined;
	const connect = vi.fn((h: Handlers): StatusConnection => {
		captured = h;
		return conn;
	});
	return {
		conn,
		connect,
		handlers(): Handlers {
			if (!captured) throw new Error('connect() was not called');
			return captured;
		}
	};
}

const T0 = Date.UTC(2025, 5, 1, 12);
const TOKEN: ViewerTokenResponse = { token: 'viewer-token', expiresAt: T0 + 3_600_000 };

/** Cluster `id` with one shard per state, ids from `id · states.length`; every cluster counts `totalShards`. */
const clusterOf = (id: number, states: ShardState[], totalShards: number): ClusterStatus =>
	cluster({ id, states, firstShard: id * states.length, readyPing: 45, guildsPerShard: 1_000, members: states.length * 140_000, totalShards, startedAt: T0 - 86_400_000, lastHeartbeatAt: T0 - 3_000 });

function fleet(c0: ShardState[], c1: ShardState[]): FleetStatus {
	const totalShards = c0.length + c1.length;
	return buildFleet([clusterOf(0, c0, totalShards), clusterOf(1, c1, totalShards)], { totalShards, generatedAt: T0 });
}

const allReady = () => fleet(['ready', 'ready'], ['ready', 'ready']);
const oneReconnecting = () => fleet(['ready', 'ready'], ['ready', 'reconnecting']);

function setup(options: Partial<StatusStoreOptions> = {}) {
	const fake = fakeConnection();
	const store = new StatusStore({ serverUrl: 'http://status.test', token: TOKEN, connect: fake.connect, ...options });
	const { document, window } = createVisibilityStub();
	return { ...fake, store, document, window, start: () => store.start({ document, window }) };
}

/** Lets promise callbacks (loadDemo().then) run without moving the clock. */
async function flushMicrotasks(): Promise<void> {
	for (let i = 0; i < 5; i++) await Promise.resolve();
}

beforeEach(() => {
	vi.useFakeTimers();
	vi.setSystemTime(T0);
});
afterEach(() => {
	vi.useRealTimers();
});

describe('StatusStore', () => {
	describe('health', () => {
		it('is unknown with nothing received', () => {
			const { store } = setup();
			expect(store.status).toBeNull();
			expect(store.health).toEqual({ state: 'unknown', up: 0, total: 0 });
			expect(store.ageMs).toBeNull();
			expect(store.stale).toBe(false);
		});

		it.each([
			{ name: 'all ready', status: allReady, expected: { state: 'operational', up: 4, total: 4 } },
			{ name: 'one shard reconnecting', status: oneReconnecting, expected: { state: 'degraded', up: 3, total: 4 } },
			{
				name: 'nothing ready',
				status: () => fleet(['disconnected', 'idle'], ['resuming', 'reconnecting']),
				expected: { state: 'outage', up: 0, total: 4 }
			}
		])('derives from the applied status: $name', ({ status, expected }) => {
			const { store } = setup();
			store.apply(status());
			expect(store.health).toEqual(expected);
		});

		it('follows each new status', () => {
			const { store } = setup();
			store.apply(allReady());
			expect(store.health.state).toBe('operational');
			store.apply(oneReconnecting());
			expect(store.health).toEqual({ state: 'degraded', up: 3, total: 4 });
			store.apply(allReady());
			expect(store.health.state).toBe('operational');
		});

		it('applies statuses arriving through the connection', () => {
			const { store, start, handlers } = setup();
			const cleanup = start();
			const status = oneReconnecting();
			handlers().onUpdate(snapshotOf(status));
			expect(store.status).toEqual(status);
			expect(store.receivedAt).toBe(T0);
			expect(store.health).toEqual({ state: 'degraded', up: 3, total: 4 });
			cleanup();
		});
	});

	describe('age and staleness', () => {
		it('ageMs grows with the one-second ticker', () => {
			const { store, start, handlers } = setup();
			const cleanup = start();
			handlers().onUpdate(snapshotOf(allReady()));
			expect(store.ageMs).toBe(0);
			for (const expected of [1_000, 2_000, 3_000, 10_000]) {
				vi.advanceTimersByTime(expected - (store.ageMs ?? 0));
				expect(store.ageMs).toBe(expected);
			}
			cleanup();
		});

		it('is fresh while live, stale once no data came for more than 40 s', () => {
			const { conn, store, start, handlers } = setup();
			conn.poll.mockResolvedValue(false); // polls answer nothing, so the data only ages
			const cleanup = start();
			handlers().onState('live');
			handlers().onUpdate(snapshotOf(allReady()));
			expect(store.connection).toBe('live');
			expect(store.stale).toBe(false);

			vi.advanceTimersByTime(STALE_AFTER_MS);
			expect(store.ageMs).toBe(STALE_AFTER_MS);
			expect(store.stale).toBe(false);

			vi.advanceTimersByTime(1_000);
			expect(store.stale).toBe(true);

			// New data makes it fresh again.
			handlers().onUpdate(snapshotOf(allReady()));
			expect(store.stale).toBe(false);
			expect(store.ageMs).toBe(0);
			cleanup();
		});

		it('stays fresh while data keeps arriving', () => {
			const { store, start, handlers } = setup();
			const cleanup = start();
			handlers().onState('live');
			for (let i = 0; i < 10; i++) {
				handlers().onUpdate(snapshotOf(allReady()));
				vi.advanceTimersByTime(POLL_INTERVAL_MS);
				expect(store.stale).toBe(false);
			}
			cleanup();
		});

		it.each(['reconnecting', 'offline', 'connecting'] satisfies ConnectionState[])(
			'is stale at once when the connection becomes %s with data present',
			(state) => {
				const { store, start, handlers } = setup();
				const cleanup = start();
				handlers().onState('live');
				handlers().onUpdate(snapshotOf(allReady()));
				expect(store.stale).toBe(false);
				handlers().onState(state);
				expect(store.connection).toBe(state);
				expect(store.stale).toBe(true);
				handlers().onState('live');
				expect(store.stale).toBe(false);
				cleanup();
			}
		);

		it('is not stale while reconnecting with no data at all', () => {
			const { store, start, handlers } = setup();
			const cleanup = start();
			handlers().onState('reconnecting');
			vi.advanceTimersByTime(5 * 60_000);
			expect(store.stale).toBe(false);
			cleanup();
		});
	});

	describe('demo data', () => {
		it('with no token, shows the demo fleet and marks it as demo', async () => {
			const demoFleet = oneReconnecting();
			const loadDemo = vi.fn(() => Promise.resolve(demoFleet));
			const { store, start } = setup({ token: null, loadDemo });
			const cleanup = start();
			expect(loadDemo).toHaveBeenCalledTimes(1);
			await flushMicrotasks();
			expect(store.demo).toBe(true);
			expect(store.status).toBe(demoFleet);
			expect(store.health).toEqual({ state: 'degraded', up: 3, total: 4 });
			// Demo data is never "live", so never stale either.
			vi.advanceTimersByTime(2 * STALE_AFTER_MS);
			expect(store.stale).toBe(false);
			cleanup();
		});

		it('real status arriving after the demo replaces it and clears the flag', async () => {
			const { store, start, handlers } = setup({ token: null, loadDemo: () => Promise.resolve(oneReconnecting()) });
			const cleanup = start();
			await flushMicrotasks();
			expect(store.demo).toBe(true);

			const real = allReady();
			handlers().onUpdate(snapshotOf(real));
			expect(store.demo).toBe(false);
			expect(store.status).toEqual(real);
			expect(store.health.state).toBe('operational');
			cleanup();
		});

		it('a demo that loads after real status is ignored', async () => {
			let resolveDemo!: (f: FleetStatus) => void;
			const loadDemo = () => new Promise<FleetStatus>((r) => (resolveDemo = r));
			const { store, start, handlers } = setup({ token: null, loadDemo });
			const cleanup = start();
			const real = allReady();
			handlers().onUpdate(snapshotOf(real));
			resolveDemo(oneReconnecting());
			await flushMicrotasks();
			expect(store.demo).toBe(false);
			expect(store.status).toEqual(real);
			cleanup();
		});

		it('never loads the demo when a token exists', async () => {
			const loadDemo = vi.fn(() => Promise.resolve(oneReconnecting()));
			const { store, start } = setup({ token: TOKEN, loadDemo });
			const cleanup = start();
			await flushMicrotasks();
			vi.advanceTimersByTime(60_000);
			await flushMicrotasks();
			expect(loadDemo).not.toHaveBeenCalled();
			expect(store.demo).toBe(false);
			expect(store.status).toBeNull();
			cleanup();
		});
	});

	describe('a restarted server', () => {
		/** The fleet as a restarted server first knows it: only cluster 1 has reported to it yet. */
		const onlyCluster1 = (): FleetStatus => {
			const all = allReady();
			return { ...all, clusters: [all.clusters[1]!] };
		};
		const ids = (store: StatusStore) => store.status?.clusters.map((c) => c.id);

		function restarted() {
			const ctx = setup();
			const cleanup = ctx.start();
			const h = ctx.handlers();
			h.onState('live');
			h.onUpdate(snapshotOf(allReady()));
			h.onState('reconnecting');
			h.onState('live');
			return { ...ctx, h, cleanup };
		}

		it('keeps clusters it showed before the connection dropped until the server reports them', () => {
			const { store, h, cleanup } = restarted();
			vi.advanceTimersByTime(2_000);
			h.onUpdate(snapshotOf(onlyCluster1()));
			expect(ids(store)).toEqual([0, 1]);
			expect(store.health).toEqual({ state: 'operational', up: 4, total: 4 });
			expect(store.receivedAt).toBe(T0 + 2_000);
			expect([...store.awaiting]).toEqual([0]);

			// Cluster 0 reports to the new server: its own data replaces what was kept.
			const back = allReady();
			back.clusters[0] = { ...back.clusters[0]!, lastHeartbeatAt: T0 + 2_500 };
			h.onUpdate(snapshotOf(back));
			expect(store.status?.clusters[0]!.lastHeartbeatAt).toBe(T0 + 2_500);
			expect(store.awaiting.size).toBe(0);

			// Nothing is kept any more: a later snapshot without cluster 0 is taken as it is.
			vi.advanceTimersByTime(1_000);
			h.onUpdate(snapshotOf(onlyCluster1()));
			expect(ids(store)).toEqual([1]);
			expect(store.health.state).toBe('degraded');
			cleanup();
		});

		it('lets a cluster that never comes back go once the grace is over', () => {
			const { store, h, cleanup } = restarted();
			h.onUpdate(snapshotOf(onlyCluster1()));
			const receivedAt = store.receivedAt;
			vi.advanceTimersByTime(RESTART_GRACE_MS - 1_000);
			expect(ids(store)).toEqual([0, 1]);
			expect([...store.awaiting]).toEqual([0]);
			vi.advanceTimersByTime(1_000);
			expect(ids(store)).toEqual([1]);
			expect(store.awaiting.size).toBe(0);
			expect(store.health).toEqual({ state: 'degraded', up: 2, total: 4 });
			// Dropping them is not news from the server: the data is as old as it was.
			expect(store.receivedAt).toBe(receivedAt);
			cleanup();
		});

		it('keeps them through an empty first answer, too', () => {
			const { store, h, cleanup } = restarted();
			h.onUpdate(snapshotOf({ ...allReady(), clusters: [] }));
			expect(ids(store)).toEqual([0, 1]);
			expect([...store.awaiting].sort()).toEqual([0, 1]);
			expect(store.health.state).toBe('operational');
			cleanup();
		});

		it('takes a snapshot as it is when the connection never dropped', () => {
			const { store, start, handlers } = setup();
			const cleanup = start();
			handlers().onState('live');
			handlers().onUpdate(snapshotOf(allReady()));
			handlers().onUpdate(snapshotOf(onlyCluster1()));
			expect(ids(store)).toEqual([1]);
			expect(store.awaiting.size).toBe(0);
			cleanup();
		});
	});

	describe('connection and polling', () => {
		it('starts the connection it was given', () => {
			const { connect, conn, start } = setup();
			const cleanup = start();
			expect(connect).toHaveBeenCalledTimes(1);
			expect(conn.start).toHaveBeenCalledTimes(1);
			cleanup();
		});

		it('polls through the connection on start and then every 15 s', () => {
			const { conn, start } = setup();
			const cleanup = start();
			expect(conn.poll).toHaveBeenCalledTimes(1);
			vi.advanceTimersByTime(POLL_INTERVAL_MS - 1);
			expect(conn.poll).toHaveBeenCalledTimes(1);
			vi.advanceTimersByTime(1);
			expect(conn.poll).toHaveBeenCalledTimes(2);
			vi.advanceTimersByTime(2 * POLL_INTERVAL_MS);
			expect(conn.poll).toHaveBeenCalledTimes(4);
			cleanup();
		});

		it('does not poll while the page is hidden', () => {
			const { conn, start, document } = setup();
			document.visibilityState = 'hidden';
			const cleanup = start();
			vi.advanceTimersByTime(5 * POLL_INTERVAL_MS);
			expect(conn.poll).not.toHaveBeenCalled();
			document.setVisibility('visible');
			expect(conn.poll).toHaveBeenCalledTimes(1);
			cleanup();
		});

		it('going live polls at once, even inside the 2-s gap (earlier polls never reached the server)', () => {
			const { conn, start, handlers } = setup();
			const cleanup = start(); // poll #1 at t=0, before the socket is up
			handlers().onState('live');
			expect(conn.poll).toHaveBeenCalledTimes(2);
			vi.advanceTimersByTime(5_000);
			handlers().onState('reconnecting');
			handlers().onState('live');
			expect(conn.poll).toHaveBeenCalledTimes(3);
			cleanup();
		});

		it('cleanup stops the ticker and scheduler and closes the connection', () => {
			const { conn, store, start, handlers, window } = setup();
			const cleanup = start();
			handlers().onUpdate(snapshotOf(allReady()));
			expect(vi.getTimerCount()).toBeGreaterThan(0);

			cleanup();
			expect(vi.getTimerCount()).toBe(0);
			expect(conn.close).toHaveBeenCalledTimes(1);

			const polls = conn.poll.mock.calls.length;
			const now = store.now;
			vi.advanceTimersByTime(60_000);
			window.focus();
			expect(conn.poll).toHaveBeenCalledTimes(polls);
			expect(store.now).toBe(now); // the ticker no longer moves it
		});
	});

	describe('pushed incidents', () => {
		it('keeps the latest copy of each incident the connection pushes, and ignores what it cannot read', () => {
			const { store, start, handlers } = setup();
			const cleanup = start();
			expect(store.incidents).toEqual([]);
			handlers().onIncident(spreadingIncidentAfter(1, { id: 1 }));
			handlers().onIncident(spreadingIncidentAfter(1, { id: 2 }));
			handlers().onIncident(spreadingIncidentAfter(4, { id: 1 }));
			handlers().onIncident({ id: 'x' } as unknown as Incident);
			handlers().onIncident(null as unknown as Incident);
			expect(store.incidents.map((i) => [i.id, i.status])).toEqual([
				[2, 'investigating'],
				[1, 'resolved']
			]);
			cleanup();
		});

		it('records deletions and pushed maintenance, and forgets the maintenance once the connection is lost', () => {
			const { store, start, handlers } = setup();
			const cleanup = start();
			handlers().onState('live');
			handlers().onIncidentDeleted!(3);
			handlers().onIncidentDeleted!(Number.NaN);
			expect([...store.deletedIncidents]).toEqual([3]);
			const window: MaintenanceWindow = { id: 1, title: 'Upgrade', message: '', startsAt: T0, endsAt: T0 + 3_600_000, clusterIds: null };
			handlers().onMaintenance!([window]);
			expect(store.maintenance).toEqual([window]);
			handlers().onState('reconnecting');
			expect(store.maintenance).toBeNull();
			cleanup();
		});
	});
});

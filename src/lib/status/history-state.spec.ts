import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClusterHistory, FleetHistory } from '#shared';
import { CLUSTER_TTL_MS, HISTORY_INTERVAL_MS, HistoryState, type DemoHistory, type HistoryStateOptions } from './history-state.svelte.ts';
import { createVisibilityStub } from '#testing/page/visibility-stub';

const T0 = Date.UTC(2025, 5, 1, 12);
const SERVER = 'http://status.test';

function fleet(generatedAt = T0, title = 'Real'): FleetHistory {
	return {
		generatedAt,
		timeZone: 'Europe/Berlin',
		uptime: { '24h': 1, '7d': 1, '30d': 0.999, '90d': 0.998 },
		bars: { days: ['2025-06-01'], ratio: [1], downMinutes: [0] },
		clusters: [],
		incidents: [{ id: 1, source: 'operator', title, status: 'resolved', impact: 'minor', startedAt: T0, resolvedAt: T0 + 1, clusterIds: [], shardIds: [], updates: [] }],
		maintenance: []
	};
}

function cluster(id: number, generatedAt = T0): ClusterHistory {
	return { id, generatedAt, timeZone: 'Europe/Berlin', uptime: { '24h': 1, '7d': 1, '30d': 1, '90d': 1 }, bars: { days: [], ratio: [], downMinutes: [] }, ping: [40], pingFrom: T0, pingBucketMs: 900_000 };
}

const json = (body: unknown, status = 200) => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

/** A fetch that answers by path; a handler may throw or return a non-OK response. */
function fakeFetch(routes: { fleet?: () => Promise<Response>; cluster?: (id: number) => Promise<Response> }) {
	return vi.fn(async (input: RequestInfo | URL) => {
		const url = new URL(String(input));
		const match = /^\/api\/v1\/history\/clusters\/(\d+)$/.exec(url.pathname);
		if (match) return (routes.cluster ?? (() => json({}, 404)))(Number(match[1]));
		if (url.pathname === '/api/v1/history') return (routes.fleet ?? (() => json({}, 404)))();
		return json({}, 404);
	});
}

function setup(fetch: ReturnType<typeof fakeFetch>, options: Partial<HistoryStateOptions> = {}) {
	const store = new HistoryState({ serverUrl: SERVER, timeZone: 'Europe/Berlin', fetch: fetch as unknown as typeof globalThis.fetch, ...options });
	const { document, window } = createVisibilityStub();
	return { store, document, window, start: () => store.start({ document, window }) };
}

/** Lets pending fetch promises and their `.json()` settle. */
const settle = async () => {
	for (let i = 0; i < 10; i++) await Promise.resolve();
	await vi.advanceTimersByTimeAsync(0);
};

const fleetCalls = (f: ReturnType<typeof fakeFetch>) => f.mock.calls.filter(([u]) => new URL(String(u)).pathname === '/api/v1/history').length;
const clusterCalls = (f: ReturnType<typeof fakeFetch>) => f.mock.calls.filter(([u]) => new URL(String(u)).pathname.startsWith('/api/v1/history/clusters/')).length;

beforeEach(() => {
	vi.useFakeTimers();
	vi.setSystemTime(T0);
});
afterEach(() => vi.useRealTimers());

describe('fleet history', () => {
	it('fetches on start, naming the time zone', async () => {
		const f = fakeFetch({ fleet: () => json(fleet()) });
		const { store, start } = setup(f);
		expect(store.state).toBe('loading');
		const stop = start();
		await settle();
		expect(String(f.mock.calls[0]![0])).toBe(`${SERVER}/api/v1/history?tz=Europe%2FBerlin`);
		expect(store.state).toBe('ready');
		expect(store.fleet?.incidents[0]?.title).toBe('Real');
		expect(store.demo).toBe(false);
		stop();
	});

	it('refreshes every minute while visible, never while hidden, and at once when shown again', async () => {
		const f = fakeFetch({ fleet: () => json(fleet()) });
		const { start, document, window } = setup(f);
		const stop = start();
		await settle();
		expect(fleetCalls(f)).toBe(1);
		await vi.advanceTimersByTimeAsync(HISTORY_INTERVAL_MS);
		expect(fleetCalls(f)).toBe(2);

		document.setVisibility('hidden');
		await vi.advanceTimersByTimeAsync(5 * HISTORY_INTERVAL_MS);
		expect(fleetCalls(f)).toBe(2);

		document.setVisibility('visible');
		window.focus(); // both events at once: one request
		await settle();
		expect(fleetCalls(f)).toBe(3);
		stop();
		await vi.advanceTimersByTimeAsync(5 * HISTORY_INTERVAL_MS);
		expect(fleetCalls(f)).toBe(3);
	});

	it.each([
		['a network error', () => Promise.reject(new TypeError('Failed to fetch'))],
		['a 500', () => json({ error: 'boom' }, 500)],
		['a 404 (server without history)', () => json({ error: 'not found' }, 404)],
		['a body that is not history', () => json({ hello: 'world' })],
		['a body that is not JSON', () => Promise.resolve(new Response('<html>', { status: 200 }))]
	])('%s leaves state "error" without throwing, and keeps data already shown', async (_, fail) => {
		let failing = false;
		const f = fakeFetch({ fleet: () => (failing ? fail() : json(fleet())) });
		const { store, start } = setup(f);
		const stop = start();
		await settle();
		expect(store.state).toBe('ready');

		failing = true;
		await expect(store.refresh()).resolves.toBeUndefined();
		expect(store.state).toBe('error');
		expect(store.fleet?.incidents[0]?.title).toBe('Real');
		stop();
	});

	it('shares one request between concurrent refreshes', async () => {
		const f = fakeFetch({ fleet: () => json(fleet()) });
		const { store } = setup(f);
		await Promise.all([store.refresh(), store.refresh(), store.refresh()]);
		expect(fleetCalls(f)).toBe(1);
	});
});

describe('demo fallback (dev)', () => {
	const demo: DemoHistory = {
		fleet: (now) => fleet(now, 'Made up'),
		cluster: (id) => (id < 6 ? cluster(id) : null)
	};

	it('shows labelled demo history when no server answers, and real history once one does', async () => {
		let up = false;
		const f = fakeFetch({ fleet: () => (up ? json(fleet()) : Promise.reject(new TypeError('Failed to fetch'))) });
		const { store, start } = setup(f, { loadDemo: () => Promise.resolve(demo) });
		const stop = start();
		await settle();
		expect(store.demo).toBe(true);
		expect(store.state).toBe('ready');
		expect(store.fleet?.incidents[0]?.title).toBe('Made up');

		// While on demo data, clusters come from the demo too, without waiting on the server.
		await store.loadCluster(3);
		expect(store.cluster(3)?.data?.id).toBe(3);
		expect(clusterCalls(f)).toBe(0);

		up = true;
		await vi.advanceTimersByTimeAsync(HISTORY_INTERVAL_MS);
		await settle();
		expect(store.demo).toBe(false);
		expect(store.fleet?.incidents[0]?.title).toBe('Real');
		stop();
	});

	it('never replaces real history with the demo', async () => {
		let up = true;
		const f = fakeFetch({ fleet: () => (up ? json(fleet()) : Promise.reject(new TypeError('Failed to fetch'))) });
		const { store } = setup(f, { loadDemo: () => Promise.resolve(demo) });
		await store.refresh();
		up = false;
		await store.refresh();
		expect(store.demo).toBe(false);
		expect(store.state).toBe('error');
		expect(store.fleet?.incidents[0]?.title).toBe('Real');
	});

	it('without a demo (production) a dead server is just an error', async () => {
		const f = fakeFetch({ fleet: () => Promise.reject(new TypeError('Failed to fetch')) });
		const { store } = setup(f);
		await store.refresh();
		expect(store.state).toBe('error');
		expect(store.fleet).toBeNull();
		expect(store.demo).toBe(false);
	});
});

describe('cluster history', () => {
	it('fetches on demand and reuses it for a minute', async () => {
		const f = fakeFetch({ fleet: () => json(fleet()), cluster: (id) => json(cluster(id)) });
		const { store } = setup(f);
		expect(store.cluster(2)).toBeUndefined();
		const pending = store.loadCluster(2);
		expect(store.cluster(2)?.state).toBe('loading');
		await pending;
		expect(String(f.mock.calls[0]![0])).toBe(`${SERVER}/api/v1/history/clusters/2?tz=Europe%2FBerlin`);
		expect(store.cluster(2)).toMatchObject({ state: 'ready', data: { id: 2 } });

		await store.loadCluster(2);
		vi.advanceTimersByTime(CLUSTER_TTL_MS - 1);
		await store.loadCluster(2);
		expect(clusterCalls(f)).toBe(1);

		vi.advanceTimersByTime(1);
		await store.loadCluster(2);
		expect(clusterCalls(f)).toBe(2);
		await store.loadCluster(2, { force: true });
		expect(clusterCalls(f)).toBe(3);
	});

	it('shares one request between concurrent loads of a cluster', async () => {
		const f = fakeFetch({ cluster: (id) => json(cluster(id)) });
		const { store } = setup(f);
		await Promise.all([store.loadCluster(1), store.loadCluster(1), store.loadCluster(4)]);
		expect(clusterCalls(f)).toBe(2);
	});

	it('reports a failure without throwing and keeps a copy it had', async () => {
		let failing = false;
		const f = fakeFetch({ cluster: (id) => (failing ? json({}, 503) : json(cluster(id))) });
		const { store } = setup(f);
		failing = true;
		await expect(store.loadCluster(1)).resolves.toBeUndefined();
		expect(store.cluster(1)).toMatchObject({ state: 'error', data: null });

		failing = false;
		await store.loadCluster(1);
		failing = true;
		await store.loadCluster(1, { force: true });
		expect(store.cluster(1)).toMatchObject({ state: 'error', data: { id: 1 } });
	});

	it('refreshes watched clusters with the fleet, and stops when unwatched', async () => {
		const f = fakeFetch({ fleet: () => json(fleet()), cluster: (id) => json(cluster(id)) });
		const { store, start } = setup(f);
		const stop = start();
		const unwatch = store.watch(5);
		await settle();
		expect(clusterCalls(f)).toBe(1);
		await vi.advanceTimersByTimeAsync(HISTORY_INTERVAL_MS);
		expect(clusterCalls(f)).toBe(2);
		unwatch();
		await vi.advanceTimersByTimeAsync(HISTORY_INTERVAL_MS);
		expect(clusterCalls(f)).toBe(2);
		expect(fleetCalls(f)).toBe(3);
		stop();
	});
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { FleetReplica, type FleetStatus, type Incident } from '#shared';
import { eventually, startServer, type Harness } from '#testing/server/harness';
import { CAP_RETRY_MS } from '../../../server/namespaces/viewer.ts';
import { OFFLINE_AFTER_FAILURES, ViewerConnection, type ConnectionState } from './viewer-connection.ts';

/* The page's connection logic against a real Shardbeat server on loopback. */
let servers: Harness[] = [];
let connections: ViewerConnection[] = [];
afterEach(async () => {
	for (const c of connections) c.close();
	for (const s of servers) await s.close();
	servers = [];
	connections = [];
	vi.restoreAllMocks();
});

function connect(url: string, options: { refreshAheadMs?: number; fetch?: typeof fetch; onIncident?: (incident: Incident) => void } = {}) {
	const states: ConnectionState[] = [];
	const statuses: FleetStatus[] = [];
	const tokenFetches = vi.fn(options.fetch ?? fetch);
	const replica = new FleetReplica();
	const connection = new ViewerConnection({
		serverUrl: url,
		initialToken: null,
		onUpdate: (u) => {
			if (replica.apply(u) === 'gap') return false;
			statuses.push(replica.status);
			return true;
		},
		version: () => replica.version,
		onState: (s) => states.push(s),
		...options,
		fetch: tokenFetches
	});
	connections.push(connection);
	connection.start();
	return { connection, states, statuses, tokenFetches };
}

describe('ViewerConnection', () => {
	it('fetches a token, goes live and answers polls', async () => {
		const h = await startServer();
		servers.push(h);
		const { connection, states, statuses, tokenFetches } = connect(h.url);
		await eventually(() => states.at(-1) === 'live');
		expect(tokenFetches).toHaveBeenCalledTimes(1);
		expect(await connection.poll()).toBe(true);
		expect(statuses[0]).toMatchObject({ clusters: [], totalShards: 0 });
	});

	it('hands each incident the server pushes to onIncident', async () => {
		const operatorSecret = 'viewer-connection-operator-0123';
		const h = await startServer({ operatorSecret });
		servers.push(h);
		await h.server.history.whenReady();
		const heard: Incident[] = [];
		const { states } = connect(h.url, { onIncident: (i) => heard.push(i) });
		await eventually(() => states.at(-1) === 'live');
		const res = await fetch(`${h.url}/api/v1/operator/incidents`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${operatorSecret}` },
			body: JSON.stringify({ title: 'Slow commands', status: 'investigating', message: 'Looking into it.', impact: 'minor', clusterIds: [] })
		});
		expect(res.status).toBe(201);
		await eventually(() => heard.length === 1);
		expect(heard[0]).toEqual(await res.json());
	});

	it('renews its token when the server answers token_expired, then polls again', async () => {
		let offset = 0;
		const h = await startServer({}, 0, () => Date.now() + offset);
		servers.push(h);
		const { connection, states, tokenFetches } = connect(h.url);
		await eventually(() => states.at(-1) === 'live');
		offset = 6 * 60_000; // the server's clock passes the token's expiry
		expect(await connection.poll()).toBe(false);
		expect(tokenFetches).toHaveBeenCalledTimes(2);
		expect(await connection.poll()).toBe(true);
	});

	it('renews its token ahead of expiry without reconnecting', async () => {
		const h = await startServer({ tokenTtlMs: 6_000 });
		servers.push(h);
		// Renew 1 s before expiry: ~5 s after connecting (the floor between renewals is 5 s).
		const { connection, states, tokenFetches } = connect(h.url, { refreshAheadMs: 1_000 });
		await eventually(() => states.at(-1) === 'live');
		await eventually(() => tokenFetches.mock.calls.length === 2, 9_000);
		await new Promise((r) => setTimeout(r, 1_500)); // past the first token's expiry
		expect(await connection.poll()).toBe(true);
		expect(states.filter((s) => s === 'live')).toHaveLength(1);
	});

	it('reconnects to a restarted server that signs with a new key', async () => {
		const first = await startServer({ tokenSecret: 'first-secret-0123456789abcdef0123456789' });
		const port = Number(new URL(first.url).port);
		const { connection, states, tokenFetches } = connect(first.url);
		await eventually(() => states.at(-1) === 'live');
		await first.close();
		await eventually(() => states.at(-1) === 'reconnecting');

		const second = await startServer({ tokenSecret: 'second-secret-0123456789abcdef012345678' }, port);
		servers.push(second);
		// The old token is refused as unauthorized; the page fetches one from the new server.
		await eventually(() => states.at(-1) === 'live', 15_000);
		expect(tokenFetches.mock.calls.length).toBeGreaterThanOrEqual(2);
		expect(await connection.poll()).toBe(true);
	});

	it(`says offline after ${OFFLINE_AFTER_FAILURES} failed attempts, so the page can say the server cannot be reached`, async () => {
		const h = await startServer();
		const { states } = connect(h.url);
		await eventually(() => states.at(-1) === 'live');
		await h.close();
		await eventually(() => states.at(-1) === 'reconnecting');
		await eventually(() => states.at(-1) === 'offline', 20_000);
		expect(states).toEqual(['live', 'reconnecting', 'offline']);
	});

	it('after the server drops it and goes away, says reconnecting until several token requests in a row have failed', async () => {
		const h = await startServer();
		const { states, tokenFetches } = connect(h.url);
		await eventually(() => states.at(-1) === 'live');
		// A disconnect the server chooses is not retried by socket.io: the page fetches a token
		// itself, and the server is gone by then (a deploy that kicks its viewers, then stops).
		h.server.io.of('/viewer').disconnectSockets(true);
		await h.close();
		await eventually(() => states.at(-1) === 'offline', 20_000);
		expect(states).toEqual(['live', 'reconnecting', 'offline']);
		expect(tokenFetches.mock.calls.length).toBeGreaterThanOrEqual(1 + OFFLINE_AFTER_FAILURES);
	});

	it('is offline at once when no server answers the first token request', async () => {
		const h = await startServer();
		const url = h.url;
		await h.close();
		const { states } = connect(url);
		await eventually(() => states.at(-1) === 'offline');
		expect(states[0]).toBe('offline');
	});

	it('stops every retry once closed, even when a token request was in flight at the time', async () => {
		vi.useFakeTimers();
		try {
			let fail: (e: Error) => void = () => {};
			const unreachable = () => new Promise<Response>((_, reject) => (fail = reject));
			const { connection, tokenFetches } = connect('http://127.0.0.1:9', { fetch: unreachable });
			await vi.advanceTimersByTimeAsync(0);
			expect(tokenFetches).toHaveBeenCalledTimes(1);
			connection.close(); // the page navigated away while the request was pending
			fail(new TypeError('fetch failed'));
			await vi.advanceTimersByTimeAsync(120_000);
			expect(tokenFetches).toHaveBeenCalledTimes(1);
			// Nothing left to keep a page (or a Node process) busy.
			expect(vi.getTimerCount()).toBe(0);
		} finally {
			vi.useRealTimers();
		}
	});

	describe('retry hints', () => {
		afterEach(() => vi.useRealTimers());

		it('holds its polls for the retryAfterMs of a rate_limited answer, then asks once by itself', async () => {
			const h = await startServer({ viewerEventsPer10s: 3 });
			servers.push(h);
			let received = 0;
			h.server.io.of('/viewer').on('connection', (socket) => socket.conn.on('packet', (p: { type: string; data?: unknown }) => {
				if (p.type === 'message' && String(p.data).includes('get-cluster-status')) received++;
			}));
			const { connection, states, statuses } = connect(h.url);
			await eventually(() => states.at(-1) === 'live');
			for (let i = 0; i < 3; i++) expect(await connection.poll()).toBe(true);
			expect(await connection.poll()).toBe(false); // the 4th in 10 s: refused, with a hint of about 3.3 s
			expect(received).toBe(4);
			const refusedAt = Date.now();
			const answered = statuses.length;
			// The page's scheduler and focus refreshes still call poll(): nothing leaves meanwhile.
			for (let i = 0; i < 5; i++) expect(await connection.poll()).toBe(false);
			expect(received).toBe(4);
			// Once the budget has a token again, the connection asks by itself and the page catches up.
			await eventually(() => statuses.length === answered + 1, 8_000);
			expect(received).toBe(5);
			expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(3_000);
			expect(await connection.poll()).toBe(false); // the budget refills one token per 3.3 s
		});

		it("waits out POST /api/token's Retry-After before asking for a token again", async () => {
			vi.useFakeTimers();
			const refused = async () => new Response('{"error":{"code":"rate_limited"}}', { status: 429, headers: { 'retry-after': '7' } });
			const { states, tokenFetches } = connect('http://127.0.0.1:9', { fetch: refused });
			await vi.advanceTimersByTimeAsync(0);
			expect(tokenFetches).toHaveBeenCalledTimes(1);
			expect(states).toEqual(['offline']);
			// Without the hint the first retry would come after 0.5 to 1.5 s.
			await vi.advanceTimersByTimeAsync(6_990);
			expect(tokenFetches).toHaveBeenCalledTimes(1);
			await vi.advanceTimersByTimeAsync(20);
			expect(tokenFetches).toHaveBeenCalledTimes(2);
		});

		it('connects again no sooner than the per-IP cap asks, and gets in once a slot is free', async () => {
			const h = await startServer({ maxViewersPerIp: 1 });
			servers.push(h);
			const first = connect(h.url);
			await eventually(() => first.states.at(-1) === 'live');
			const second = connect(h.url);
			await eventually(() => second.states.at(-1) === 'offline');
			const refusedAt = Date.now();
			first.connection.close();
			await eventually(() => second.states.at(-1) === 'live', CAP_RETRY_MS + 5_000);
			expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(CAP_RETRY_MS - 100);
			expect(await second.connection.poll()).toBe(true);
		}, CAP_RETRY_MS + 10_000);
	});
});

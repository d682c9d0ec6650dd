import { afterEach, describe, expect, it } from 'vitest';
import { connectBot, connectViewer, fetchToken, heartbeat, postHeartbeat, sendHeartbeat, startServer, type Harness } from '#testing/server/harness';
import { EXPENSIVE_IN_FLIGHT, routeClass, shedDecision, type RouteClass } from './load-shedding.ts';

describe('routeClass', () => {
	const cases: [string, string, RouteClass][] = [
		['GET', '/healthz', 'probe'],
		['GET', '/metrics', 'probe'],
		['GET', '/api/status', 'status'],
		['POST', '/api/status', 'core'],
		['POST', '/api/token', 'token'],
		['GET', '/api/token', 'core'],
		['POST', '/api/v1/heartbeat', 'heartbeat'],
		['GET', '/api/v1/heartbeat', 'heartbeat'],
		['POST', '/api/v1/operator/incidents', 'operator'],
		['DELETE', '/api/v1/operator/maintenance/3', 'operator'],
		['GET', '/api/v1/history', 'expensive'],
		['GET', '/api/v1/history/clusters/4', 'expensive'],
		['GET', '/api/v1/summary', 'expensive'],
		['GET', '/badge.svg', 'expensive'],
		['GET', '/feeds/incidents.rss', 'expensive'],
		['GET', '/feeds/incidents.atom', 'expensive'],
		['GET', '/no-such-thing', 'expensive']
	];
	it.each(cases)('%s %s is %s', (method, path, expected) => expect(routeClass(method, path)).toBe(expected));
});

describe('shedDecision', () => {
	// [class, lag ms, threshold ms, shed?, Retry-After s]
	const cases: [RouteClass, number, number, boolean, number?][] = [
		['status', 199, 100, false],
		['status', 200, 100, true, 4],
		['expensive', 0, 100, false],
		['expensive', 99.9, 100, false],
		['expensive', 100, 100, true, 2],
		['expensive', 250, 100, true, 6],
		['expensive', 100_000, 100, true, 30],
		['token', 150, 100, false],
		['token', 199, 100, false],
		['token', 200, 100, true, 4],
		['core', 10_000, 100, false],
		['probe', 10_000, 100, false],
		['operator', 10_000, 100, false],
		['heartbeat', 100_000, 100, false],
		['expensive', 10_000, 0, false],
		['token', 10_000, 0, false],
		['expensive', NaN, 100, false]
	];
	it.each(cases)('%s at %d ms lag, threshold %d ms: shed %s (Retry-After %s)', (route, lag, threshold, shed, retryAfterS) => {
		const decision = shedDecision(route, lag, threshold);
		expect(decision.shed).toBe(shed);
		if (decision.shed) expect(decision.retryAfterS).toBe(retryAfterS);
	});

	it('sheds expensive work before tokens, and never the core duty, as lag grows', () => {
		const firstShed = (route: RouteClass) => [0, 50, 100, 150, 200, 300, 400, 10_000].find((lag) => shedDecision(route, lag, 100).shed);
		expect(firstShed('expensive')).toBe(100);
		expect(firstShed('token')).toBe(200);
		expect(firstShed('status')).toBe(200);
		for (const never of ['core', 'heartbeat', 'probe', 'operator'] as const) expect(firstShed(never)).toBeUndefined();
	});

	// [class, expensive requests in flight, shed?]
	const inFlight: [RouteClass, number, boolean][] = [
		['expensive', 0, false],
		['expensive', EXPENSIVE_IN_FLIGHT - 1, false],
		['expensive', EXPENSIVE_IN_FLIGHT, true],
		['token', 1_000, false],
		['status', 1_000, false]
	];
	it.each(inFlight)('%s with %d expensive requests in flight and no lag: shed %s', (route, n, shed) => {
		expect(shedDecision(route, 0, 100, n)).toEqual(shed ? { shed: true, retryAfterS: 2 } : { shed: false });
		expect(shedDecision(route, 0, 0, n).shed, 'shedding off').toBe(false);
	});
});

describe('a server whose event loop is saturated', () => {
	let h: Harness | undefined;
	let blocker: ReturnType<typeof setInterval> | undefined;
	afterEach(async () => {
		clearInterval(blocker);
		await h?.close();
		h = undefined;
	});

	it('measures a blocked event loop and starts shedding expensive routes', async () => {
		h = await startServer({ shedLagMs: 100 });
		expect((await fetch(`${h.url}/api/v1/summary`)).status).toBe(200);
		// The server shares this process: 130 ms of busy work at nearly every turn keeps the loop at
		// least a threshold behind (a loaded machine only makes the delay longer).
		blocker = setInterval(() => {
			const end = performance.now() + 130;
			while (performance.now() < end);
		}, 10);
		const deadline = Date.now() + 10_000;
		let health: { shedding?: boolean; loopDelayMs?: number } = {};
		while (!health.shedding && Date.now() < deadline) health = await fetch(`${h.url}/healthz`).then((r) => r.json());
		expect(health).toMatchObject({ shedding: true });
		expect(health.loopDelayMs).toBeGreaterThanOrEqual(100);
		const res = await fetch(`${h.url}/api/v1/summary`);
		expect(res.status).toBe(503);
		expect(await res.json()).toMatchObject({ error: { code: 'overloaded' } });
	});

	it('refuses history, summary, badge and feeds with 503 overloaded and Retry-After, while /api/status, polls and heartbeats (socket and HTTP) still answer', async () => {
		// The delay set exactly, 1.3 thresholds: past the expensive routes' threshold, short of `/api/status`'s (2).
		let lag = 0;
		h = await startServer({ shedLagMs: 100 }, 0, undefined, { loopDelay: () => lag });
		const bot = await connectBot(h.url);
		const token = await fetchToken(h.url);
		const viewer = await connectViewer(h.url, token);
		expect((await fetch(`${h.url}/api/v1/summary`)).status).toBe(200);
		lag = 130;
		expect(await fetch(`${h.url}/healthz`).then((r) => r.json())).toMatchObject({ shedding: true, loopDelayMs: 130 });

		for (const path of ['/api/v1/history', '/api/v1/history/clusters/1', '/api/v1/summary', '/badge.svg', '/feeds/incidents.rss']) {
			const res = await fetch(h.url + path);
			expect(res.status, path).toBe(503);
			expect(Number(res.headers.get('retry-after')), path).toBeGreaterThanOrEqual(2);
			expect(await res.json(), path).toMatchObject({ error: { code: 'overloaded' } });
		}
		expect((await fetch(`${h.url}/api/status`)).status).toBe(200);
		expect((await sendHeartbeat(bot, heartbeat(1, [0, 1], 2))).ok).toBe(true);
		expect((await postHeartbeat(h.url, heartbeat(2, [0, 1], 2))).status, 'heartbeat over HTTP').toBe(200);
		expect((await viewer.timeout(5_000).emitWithAck('get-cluster-status', {})).ok).toBe(true);
		const healthz = await fetch(`${h.url}/healthz`);
		expect(healthz.status).toBe(200);
		expect(await healthz.json()).toMatchObject({ shedRequests: 5 });

		// Twice the threshold: `/api/status` is shed too; heartbeats and polls still are not.
		lag = 250;
		expect((await fetch(`${h.url}/api/status`)).status).toBe(503);
		expect((await sendHeartbeat(bot, heartbeat(1, [0, 1], 2))).ok).toBe(true);
		expect((await viewer.timeout(5_000).emitWithAck('get-cluster-status', {})).ok).toBe(true);

		// Once the loop catches up, the expensive routes answer again.
		lag = 0;
		expect((await fetch(`${h.url}/api/v1/summary`)).status).toBe(200);
	});
});

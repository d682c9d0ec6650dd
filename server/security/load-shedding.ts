import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Subsystem } from '../subsystem.ts';

/**
 * What an HTTP request costs and how much it matters, for load shedding:
 * - `core`: costs nothing worth saving (a 405 on `/api/token`), never shed;
 * - `heartbeat`: `/api/v1/heartbeat`, a bot's report over HTTP: live status is the core duty,
 *   so it is never shed, exactly like a heartbeat over Socket.io;
 * - `status`: `GET /api/status`, encoded once per version but a megabyte at 16,000 shards to
 *   write: shed only when the loop is twice the threshold behind, with tokens;
 * - `probe`: monitoring must still see an overloaded server (`/healthz`, `/metrics`);
 * - `operator`: an operator posting an incident during an overload must get through;
 * - `token`: cheap, and new pages need one to connect: shed only when the overload is deep;
 * - `expensive`: everything else (history, summary, badge, feeds, unknown paths), shed first.
 * Heartbeats and polls over Socket.io are events, not HTTP requests: nothing here ever refuses them.
 */
export type RouteClass = 'core' | 'heartbeat' | 'status' | 'probe' | 'operator' | 'token' | 'expensive';

/** Where bots post heartbeats over HTTP (`http/heartbeat-route.ts`). */
export const HEARTBEAT_PATH = '/api/v1/heartbeat';

export function routeClass(method: string, path: string): RouteClass {
	if (path === '/healthz' || path === '/metrics') return 'probe';
	if (path === HEARTBEAT_PATH) return 'heartbeat'; // every method: a 405 costs nothing either
	if (path === '/api/status') return method === 'GET' || method === 'HEAD' ? 'status' : 'core';
	if (path === '/api/token') return method === 'POST' ? 'token' : 'core'; // a 405 costs nothing
	if (path.startsWith('/api/v1/operator/')) return 'operator';
	return 'expensive';
}

/** How many thresholds of lag each class is still served under: expensive work goes first, `/api/status` last. */
const SHED_AT: Record<RouteClass, number> = { core: Infinity, heartbeat: Infinity, probe: Infinity, operator: Infinity, status: 2, token: 2, expensive: 1 };

/**
 * Expensive requests being answered at once, at most. Lag is measured after the fact; this bound
 * acts at once: a flood of distinct history questions waits on the database or derives answers
 * a few at a time, while cached answers (which finish within the tick) are barely counted.
 */
export const EXPENSIVE_IN_FLIGHT = 8;

export type ShedDecision = { shed: false } | { shed: true; retryAfterS: number };

/**
 * Whether to refuse a request of class `route` while the event loop is `lagMs` behind, with
 * shedding from `thresholdMs` (0: never), and `inFlight` expensive requests already being
 * answered. The retry hint grows with the overload (2 s per threshold's worth of lag, at most
 * 30 s) so clients back off harder the deeper it is.
 */
export function shedDecision(route: RouteClass, lagMs: number, thresholdMs: number, inFlight = 0): ShedDecision {
	if (thresholdMs <= 0) return { shed: false };
	if (lagMs >= thresholdMs * SHED_AT[route]) return { shed: true, retryAfterS: Math.min(30, 2 * Math.ceil(lagMs / thresholdMs)) };
	if (route === 'expensive' && inFlight >= EXPENSIVE_IN_FLIGHT) return { shed: true, retryAfterS: 2 };
	return { shed: false };
}

export interface LoadShedding extends Subsystem {
	/** The event loop's delay, ms: p99 over the last completed window. */
	lagMs(): number;
	/**
	 * The decision for one request now; counts refusals. A request let in calls `done` once
	 * answered (or abandoned), so expensive ones in flight are counted.
	 */
	admit(route: RouteClass): ShedDecision & { done?: () => void };
}

/**
 * Watches the event loop's delay (`monitorEventLoopDelay`, the time work waited for the loop)
 * over windows of `windowMs`, and decides from the last window's p99 what to shed. A window that
 * could not even end on time (the loop blocked) counts as that long a delay.
 */
export function createLoadShedding(options: {
	thresholdMs: number;
	windowMs?: number;
	/** Reads the delay instead of measuring it: tests set the overload exactly rather than by burning CPU. */
	measure?: () => number;
}): LoadShedding {
	const windowMs = options.windowMs ?? 500;
	const histogram = monitorEventLoopDelay({ resolution: 10 });
	histogram.enable();
	let lag = 0;
	let shed = 0;
	let inFlight = 0;
	let last = performance.now();
	const timer = setInterval(() => {
		const now = performance.now();
		const p99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
		lag = Math.max(p99, now - last - windowMs);
		last = now;
		histogram.reset();
	}, windowMs);
	timer.unref();
	const current = () => (options.measure ? options.measure() : lag);
	return {
		lagMs: current,
		admit(route) {
			const decision = shedDecision(route, current(), options.thresholdMs, inFlight);
			if (decision.shed) {
				shed++;
				return decision;
			}
			if (route !== 'expensive') return decision;
			inFlight++;
			let done = false;
			return {
				shed: false,
				done: () => {
					if (!done) (done = true), inFlight--;
				}
			};
		},
		health: () => ({ loopDelayMs: Math.round(current() * 10) / 10, shedding: options.thresholdMs > 0 && current() >= options.thresholdMs, shedRequests: shed, expensiveInFlight: inFlight }),
		close() {
			clearInterval(timer);
			histogram.disable();
		}
	};
}

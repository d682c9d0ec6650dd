import { describe, expect, it } from 'vitest';
import { churnSoak, fmtMb, lasting } from '#testing/faults/scenarios';

/*
 * A short churn soak (the long one is `npm run bench:reliability`): 40 clusters dying and coming
 * back and page connections opening and closing for 30 s against a server in its own process.
 * Its heap after GC stays flat, and once everything has disconnected it holds no more handles,
 * timers or requests than it did idle.
 */
describe('churn soak', () => {
	it('heap flat, and no leaked sockets or timers after 30 s of churn', async () => {
		const r = await churnSoak({ durationMs: Number(process.env.SOAK_MS ?? 30_000), clusters: 40, warmupMs: 8_000, log: (l) => console.log(`[faults] ${l}`) });
		console.log(
			`[faults] soak ${Math.round(r.cycles.durationMs / 1000)} s: ${r.cycles.deaths} deaths, ${r.cycles.revivals} revivals, ${r.cycles.viewerSessions} page sessions; ` +
				`heap ${fmtMb(r.first.heapUsed)} → ${fmtMb(r.last.heapUsed)}; resources idle ${r.idle.resources} → after ${r.after.resources}`
		);
		expect(r.cycles.deaths).toBeGreaterThan(50);
		expect(r.last.bots).toBe(40);
		expect(r.last.clusters).toBe(40);
		// Flat: within 2 MB (or 10 %) of the warmed-up heap with the same fleet connected.
		expect(r.last.heapUsed - r.first.heapUsed).toBeLessThanOrEqual(Math.max(2 * 1024 * 1024, r.first.heapUsed * 0.1));
		expect(r.after.bots).toBe(0);
		expect(r.after.viewers).toBe(0);
		expect(r.after.handles, 'handles back to idle').toBeLessThanOrEqual(r.idle.handles);
		expect(lasting(r.after), `handles, timers and requests back to idle: ${JSON.stringify(r.after.resourceKinds)}`).toBeLessThanOrEqual(lasting(r.idle));
		expect(r.after.requests).toBeLessThanOrEqual(r.idle.requests);
	});
});

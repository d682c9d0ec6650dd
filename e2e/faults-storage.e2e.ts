import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSql, startPostgres, type PostgresDatabase } from '#testing/databases';
import type { ClusterHistory } from '#shared';
import { MAX_BACKOFF_MS } from '../server/history/recorder.ts';
import { startServer, type Harness } from '#testing/server/harness';
import { FleetSimulator } from '../server/simulator/fleet-simulator.ts';
import { BOT_SECRET } from '#testing/server/harness';
import { sleep, until, watchFleet } from '#testing/faults/scenarios';
import { startTcpProxy, type TcpProxy } from '#testing/net/tcp-proxy';

/*
 * The history database (PostgreSQL) unavailable under a live fleet: the server reaches it only
 * through a TCP proxy the test controls, which refuses (resets every connection, closes new
 * ones) for the outage. Live status must not notice; history must catch up afterwards.
 */
const OUTAGE_MS = 60_000;
let pg: PostgresDatabase;
let proxy: TcpProxy;
let h: Harness;

beforeAll(async () => {
	pg = await startPostgres();
	const direct = new URL(pg.url);
	proxy = await startTcpProxy(Number(direct.port), direct.hostname);
	const proxied = new URL(pg.url);
	proxied.port = String(proxy.port);
	h = await startServer({ database: proxied.toString(), heartbeatIntervalMs: 1_000, logLevel: 'info' });
	await h.server.history.whenReady();
});

afterAll(async () => {
	await h?.close();
	await proxy?.close();
	await pg?.stop();
});

type Row = { cluster_id: number; lifecycle: string; at: string | number };
const transitions = async () => (await runSql(pg.url, 'select cluster_id, lifecycle, at from cluster_transitions order by at')).rows as Row[];

describe('history database unavailable', () => {
	it('live status is unaffected while PostgreSQL is unreachable for a minute, and the transitions of the outage are in the database afterwards', async () => {
		const fleet = new FleetSimulator({ url: h.url, secret: BOT_SECRET, clusters: 3, shardsPerCluster: 2, intervalMs: 1_000, reconnectChance: 0, deathChance: 0, seed: 9 });
		const page = watchFleet(h.url);
		try {
			fleet.start();
			await fleet.connected(20_000);
			await until(async () => new Set((await transitions()).map((r) => r.cluster_id)).size === 3, 15_000, 'three clusters recorded');

			const outageAt = Date.now();
			proxy.refuse();
			const accepted = h.server.stats.heartbeatsAccepted;
			// Transitions during the outage: cluster 1 dies; cluster 2 dies and comes back.
			fleet.kill(1);
			fleet.kill(2);
			await until(() => page.lifecycle(1) === 'stopped' && page.lifecycle(2) === 'stopped', 5_000, 'the page to see 1 and 2 stopped');
			fleet.revive(2);
			await until(() => page.lifecycle(2) !== 'stopped', 5_000, 'the page to see 2 back');
			// Live status goes on for the whole minute: every poll answered, the API up, the page's view current.
			let checks = 0;
			while (Date.now() - outageAt < OUTAGE_MS) {
				expect(await page.poll()).toBe(true);
				expect((await fetch(`${h.url}/api/status`)).status).toBe(200);
				expect([page.lifecycle(0), page.lifecycle(1)]).toEqual(['running', 'stopped']);
				expect(page.lifecycle(2)).not.toBe('stopped');
				checks++;
				await sleep(Math.min(2_000, OUTAGE_MS - (Date.now() - outageAt)));
			}
			expect(checks).toBeGreaterThanOrEqual(20);
			// Heartbeats went on being accepted (two live clusters, one a second); history says it is behind.
			expect(h.server.stats.heartbeatsAccepted - accepted).toBeGreaterThanOrEqual(OUTAGE_MS / 1_000);
			const historyAnswer = await fetch(`${h.url}/api/v1/history`);
			expect(historyAnswer.status).toBe(503);
			expect(Number(historyAnswer.headers.get('retry-after'))).toBeGreaterThan(0);
			expect(await historyAnswer.json()).toMatchObject({ error: { code: 'history_unavailable' } });
			// The summary (badges, bots) still answers from live status; nothing public answers 500.
			expect((await fetch(`${h.url}/api/v1/summary`)).status).toBe(200);
			expect([200, 503]).toContain((await fetch(`${h.url}/feeds/incidents.atom`)).status);
			const health = (await (await fetch(`${h.url}/healthz`)).json()) as { historyOk: boolean; historyQueued: number; storeOk: boolean };
			expect(health).toMatchObject({ historyOk: false, storeOk: true });
			expect(health.historyQueued).toBeGreaterThan(0);
			expect(h.logs.some((l) => /history write failed/.test(String(l.msg)))).toBe(true);
			const during = (await transitions()).filter((r) => Number(r.at) >= outageAt);
			expect(during, 'nothing could be written during the outage').toEqual([]);

			const backAt = Date.now();
			proxy.resume();
			const catchUpMs = await until(
				async () => {
					const rows = (await transitions()).filter((r) => Number(r.at) >= outageAt);
					const has = (id: number, lifecycle: string) => rows.some((r) => r.cluster_id === id && r.lifecycle === lifecycle);
					return has(1, 'stopped') && has(2, 'stopped') && (has(2, 'starting') || has(2, 'running'));
				},
				MAX_BACKOFF_MS + 10_000,
				'the outage transitions to reach the database'
			);
			console.log(`[faults] PostgreSQL unreachable for ${backAt - outageAt} ms: live status unaffected; queued transitions written ${catchUpMs} ms after it came back`);
			await until(async () => ((await (await fetch(`${h.url}/healthz`)).json()) as { historyOk: boolean }).historyOk, 10_000, 'historyOk again');
			expect(h.logs.some((l) => /history database is back/.test(String(l.msg)))).toBe(true);
			expect(h.server.history.recorder.dropped).toBe(0);
			// The history API has caught up too: cluster 1's minute down is counted today.
			const one = (await (await fetch(`${h.url}/api/v1/history/clusters/1`)).json()) as ClusterHistory;
			expect(one.uptime['24h']).toBeLessThan(1);
			expect(one.bars.downMinutes.at(-1)).toBeGreaterThanOrEqual(1);
		} finally {
			page.close();
			fleet.stop();
		}
	}, OUTAGE_MS + 90_000);
});

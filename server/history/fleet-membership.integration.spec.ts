import { afterEach, describe, expect, it, vi } from 'vitest';
import { uptime, type Incident } from '#shared';
import { historyDatabases } from '#testing/databases';
import { connectBot, eventually, heartbeat, METRICS_TOKEN, postHeartbeat, sendHeartbeat, startServer, type BotSocket, type Harness } from '#testing/server/harness';
import { contradictions, publicViews } from '#testing/server/views';
import { outagesOf } from './timeline.ts';

/*
 * Issue 15, "The fleet's membership over time is explicit", on real parts: bots over real
 * sockets, a real server recording into a real database (an SQLite file, then PostgreSQL), the
 * server restarted on the same database. The wall clock is faked (`Date`), so minutes pass at
 * once; the liveness clock is the server's injected one, moved only where a test says so.
 * After every step the summary, `/api/status`, the history, the feed and `/metrics` must agree.
 */

const OPERATOR = 'membership-operator-secret-0123';
/** Silence: 2 missed 5-second heartbeats, on the liveness clock the tests move. */
const SILENCE_MS = 10_000;
const MINUTE = 60_000;
/** `clusters` × `shards` clusters, cluster c running shards c·shards … c·shards + shards − 1. */
const layout = (clusters: number, shards: number) => Array.from({ length: clusters }, (_, c) => ({ id: c, shardIds: Array.from({ length: shards }, (_, i) => c * shards + i), total: clusters * shards }));
type Layout = ReturnType<typeof layout>;

describe.each(historyDatabases)('fleet membership on $name', (target) => {
	let h: Harness | undefined;
	let cleanup: (() => Promise<void>) | undefined;
	let location = '';
	let mono = 0;
	afterEach(async () => {
		await h?.close();
		h = undefined;
		vi.useRealTimers();
		await cleanup?.();
		cleanup = undefined;
	});

	async function open() {
		const db = await target.open();
		cleanup = db.cleanup;
		location = db.location;
		vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 10, 21, 12) });
	}

	/** A server on the test's database; a second call is a restart on the same history. */
	async function start(): Promise<Harness> {
		mono = 0;
		h = await startServer(
			{ database: location, heartbeatIntervalMs: SILENCE_MS / 2, missedHeartbeats: 2, operatorSecret: OPERATOR, metricsToken: METRICS_TOKEN, statusMaxAgeS: 0 },
			0,
			undefined,
			{ livenessClock: () => mono }
		);
		await h.server.history.whenReady();
		await h.server.tracking.expected();
		return h;
	}

	async function restart(): Promise<Harness> {
		await h!.close();
		advance(30_000);
		return start();
	}

	const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

	/** Commits what bots said, records it and runs one incident check. */
	async function settle() {
		await h!.server.flush();
		await h!.server.history.monitor.check();
		h!.server.history.service.invalidate();
	}

	/**
	 * Every cluster of `fleet` reports (all shards ready unless `down` lists them): over a bot socket,
	 * or over HTTP when none is given. Clusters that must outlive a jump of the faked clock report
	 * over HTTP (silence alone stops them, on the liveness clock): a socket.io client whose
	 * `Date` jumps minutes takes its server's ping for lost and drops the connection.
	 */
	async function report(fleet: Layout, options: { bot?: BotSocket; down?: number[] } = {}) {
		for (const c of fleet) {
			const hb = heartbeat(c.id, c.shardIds, c.total);
			for (const s of hb.shards) if (options.down?.includes(s.id)) s.state = 'reconnecting';
			if (options.bot) expect(await sendHeartbeat(options.bot, hb)).toMatchObject({ ok: true });
			else expect((await postHeartbeat(h!.url, hb)).status).toBe(200);
		}
		// Committed (and so recorded) now, before the test moves the clock on.
		await h!.server.flush();
	}

	/** The bot process dies: its clusters stop, and that is recorded now. */
	async function kill(bot: BotSocket, fleet: Layout) {
		bot.disconnect();
		await eventually(() => fleet.every((c) => h!.server.fleet.get(c.id)?.lifecycle === 'stopped'));
		await settle();
	}

	/** Every view, after checking they agree. */
	async function views() {
		await settle();
		const v = await publicViews(h!.url);
		expect(contradictions(v)).toEqual([]);
		return v;
	}

	async function incidents(): Promise<Incident[]> {
		return (await views()).history.incidents;
	}

	/** A fleet that dies and stays dead long enough for an incident covering all its shards. */
	async function dies(fleet: Layout): Promise<Incident> {
		const bot = await connectBot(h!.url);
		await report(fleet, { bot });
		await settle();
		advance(MINUTE);
		await kill(bot, fleet);
		advance(3 * MINUTE);
		const [incident, ...more] = await incidents();
		expect(more).toEqual([]);
		expect(incident).toMatchObject({ source: 'auto', resolvedAt: null, shardIds: fleet.flatMap((c) => c.shardIds) });
		return incident!;
	}

	it('a 4 × 4 fleet dies, the server restarts, a 2 × 4 fleet reports: the incident resolves and every view agrees', async () => {
		await open();
		await start();
		const incident = await dies(layout(4, 4));
		await restart();
		await report(layout(2, 4));
		const v = await views();
		expect(v.summary.status).toMatchObject({ state: 'operational', shardsUp: 8, shardsTotal: 8 });
		expect(v.summary.activeIncidents).toEqual([]);
		const after = v.history.incidents.find((i) => i.id === incident.id)!;
		expect(after.status).toBe('resolved');
		expect(v.status.clusters.map((c) => c.id)).toEqual([0, 1]);
		// Clusters 2 and 3 left the fleet when the 2 × 4 fleet said the bot has 8 shards.
		const members = await h!.server.history.store.members();
		expect(members.map((m) => m.id)).toEqual([0, 1]);
	});

	it('a 50 × 16 fleet dies, then an 8 × 4 fleet runs on the same history: shard 11 is the same shard in its new cluster', async () => {
		await open();
		await start();
		const big = layout(50, 16);
		const incident = await dies(big);
		await restart();
		await report(layout(8, 4));
		const v = await views();
		expect(v.summary.status).toMatchObject({ state: 'operational', shardsUp: 32, shardsTotal: 32 });
		expect(v.history.incidents.find((i) => i.id === incident.id)!.status).toBe('resolved');
		expect(v.status.clusters.map((c) => c.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

		// Uptime from here on counts the 32 shards the bot has, not the 800 it had: a minute of
		// shard 11 down in its new cluster 2 is a minute of 32 shard-minutes a minute.
		advance(MINUTE);
		const from = Date.now();
		advance(10 * MINUTE);
		await report(layout(8, 4), { down: [11] });
		await settle();
		advance(MINUTE);
		await report(layout(8, 4));
		await settle();
		advance(9 * MINUTE);
		const later = await views();
		expect(later.history.incidents.filter((i) => i.resolvedAt === null)).toEqual([]);
		const histories = await h!.server.history.store.histories({ start: from, end: Date.now() });
		const all = [...histories.values()].flat();
		expect(uptime(all, { start: from, end: Date.now() })).toEqual({ countedMs: 32 * 20 * MINUTE, downMs: MINUTE, ratio: 1 - 1 / (32 * 20) });
		expect(outagesOf(histories)).toEqual([{ shardId: 11, start: from + 10 * MINUTE, end: from + 11 * MINUTE, clusterIds: [2] }]);
	});

	it('re-sharding 4 × 4 into 2 × 8 without a restart: shards back in other clusters end the outage, and old layouts cost no uptime', async () => {
		await open();
		await start();
		const incident = await dies(layout(4, 4));
		// Cluster 1 ran shards 4–7; now it runs 8–15, and cluster 0 runs 0–7.
		await report(layout(2, 8));
		const v = await views();
		expect(v.summary.status).toMatchObject({ state: 'operational', shardsUp: 16, shardsTotal: 16 });
		const resolved = v.history.incidents.find((i) => i.id === incident.id)!;
		expect(resolved.status).toBe('resolved');
		expect(resolved.updates.at(-1)!.kind).toBe('resolved');
		expect(v.status.clusters.map((c) => c.id)).toEqual([0, 1]);

		// An hour on, the old layout costs nothing: the whole fleet is up, so is every cluster.
		advance(60 * MINUTE);
		await report(layout(2, 8));
		await settle();
		const histories = await h!.server.history.store.histories({ start: Date.now() - 30 * MINUTE, end: Date.now() });
		for (const [cluster, shards] of histories) {
			for (const s of shards) expect(s.down, `cluster ${cluster} shard ${s.shardId}`).toEqual([]);
		}
		expect([...histories.get(1)!].filter((s) => s.tracked.length > 0).map((s) => s.shardId)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
	});

	it.each([
		['without a restart', false],
		['across a restart', true]
	])('shards beyond a lowered total leave the fleet %s: the incident covering only them resolves as removed', async (_, restarting) => {
		await open();
		await start();
		const before = layout(4, 4);
		await report(before.slice(0, 2));
		const dying = await connectBot(h!.url);
		await report(before.slice(2), { bot: dying });
		await settle();
		advance(MINUTE);
		await kill(dying, before.slice(2));
		advance(3 * MINUTE);
		const [incident] = await incidents();
		expect(incident).toMatchObject({ resolvedAt: null, shardIds: [8, 9, 10, 11, 12, 13, 14, 15] });
		advance(MINUTE);
		const removedAt = Date.now();
		if (restarting) await restart();
		// The bot restarts clusters 0 and 1 with 8 shards in all: 8–15 are gone.
		await report(layout(2, 4));
		const v = await views();
		const resolved = v.history.incidents.find((i) => i.id === incident!.id)!;
		expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: restarting ? expect.any(Number) : removedAt });
		expect(resolved.updates.map((u) => u.kind)).toEqual(['opened', 'retired']);
		// The update before says which shards were down; the last one says why none is any more.
		expect(resolved.updates.at(-2)!.shardsDown).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
		expect(resolved.updates.at(-1)!.message).toMatch(/^The shards still down left the fleet/);
		expect(v.summary.status).toMatchObject({ state: 'operational', shardsUp: 8, shardsTotal: 8 });

		// From then on the removed shards count neither way.
		advance(30 * MINUTE);
		await report(layout(2, 4));
		await settle();
		const histories = await h!.server.history.store.histories({ start: Date.now() - 20 * MINUTE, end: Date.now() });
		expect([...histories.keys()].filter((c) => histories.get(c)!.some((s) => s.tracked.length > 0)).sort()).toEqual([0, 1]);
	});

	it('after a restart, a cluster that never reports again is shown stopped once the grace is over, counted, and can be retired', async () => {
		await open();
		await start();
		const fleet = layout(4, 4);
		await report(fleet);
		await settle();
		advance(MINUTE);
		// The server restarts under a running fleet; cluster 3's process does not come back.
		await restart();
		await report(fleet.slice(0, 3));
		// Within the grace the server does not know yet: cluster 3 is not shown at all.
		h!.server.tracking.liveness.sweep();
		let v = await views();
		expect(v.status.clusters.map((c) => `${c.id}:${c.lifecycle}`)).toEqual(['0:running', '1:running', '2:running']);

		// Past the grace and a whole silence timeout (the others kept reporting): stopped, and counted.
		// Steps shorter than the timeout, so the clusters that do report are never silent for one.
		for (const step of [0.6 * SILENCE_MS, 1.2 * SILENCE_MS]) {
			mono = step;
			await report(fleet.slice(0, 3));
		}
		h!.server.tracking.liveness.sweep();
		v = await views();
		expect(v.status.clusters.map((c) => `${c.id}:${c.lifecycle}`)).toEqual(['0:running', '1:running', '2:running', '3:stopped']);
		expect(v.status.clusters[3]!.shardIds).toEqual([12, 13, 14, 15]);
		expect(v.summary.status).toMatchObject({ state: 'degraded', shardsUp: 12, shardsTotal: 16 });
		expect(v.metrics.find((m) => m.name === 'shardbeat_cluster_up' && m.labels.cluster === '3')?.value).toBe(0);
		advance(3 * MINUTE);
		await report(fleet.slice(0, 3));
		v = await views();
		const [incident] = v.summary.activeIncidents;
		expect(incident).toMatchObject({ source: 'auto', shardIds: [12, 13, 14, 15], clusterIds: [3] });

		// The operator says cluster 3 is gone for good.
		const retire = (id: number) => fetch(`${h!.url}/api/v1/operator/clusters/${id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${OPERATOR}` } });
		expect((await retire(2)).status).toBe(409);
		expect((await retire(7)).status).toBe(404);
		const res = await retire(3);
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ clusterId: 3, retiredAt: Date.now(), shardIds: [12, 13, 14, 15] });
		v = await views();
		expect(v.status.clusters.map((c) => c.id)).toEqual([0, 1, 2]);
		const retired = v.history.incidents.find((i) => i.id === incident!.id)!;
		expect(retired.updates.map((u) => u.kind)).toEqual(['opened', 'retired']);
		// The bot still says it has 16 shards and nobody runs 12–15: the banner still counts them down.
		expect(v.summary.status).toMatchObject({ state: 'degraded', shardsUp: 12, shardsTotal: 16 });
		expect((await retire(3)).status).toBe(404);

		// Retired, it reports again: it simply rejoins, and is tracked again from then on.
		advance(MINUTE);
		await report(fleet);
		v = await views();
		expect(v.summary.status).toMatchObject({ state: 'operational', shardsUp: 16, shardsTotal: 16 });
		advance(MINUTE);
		await settle();
		const histories = await h!.server.history.store.histories({ start: Date.now() - 30_000, end: Date.now() });
		expect(histories.get(3)!.map((s) => s.tracked.length)).toEqual([1, 1, 1, 1]);
	});
});

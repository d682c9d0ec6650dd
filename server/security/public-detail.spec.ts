import { afterEach, describe, expect, it } from 'vitest';
import { FleetReplica, type ClusterStatus, type FleetStatus } from '#shared';
import { connectBot, eventually, fetchToken, followViewer, heartbeat, METRICS_TOKEN, scrapeMetrics, sendHeartbeat, startServer, type Harness, type ViewerSocket } from '#testing/server/harness';

const OPERATOR_SECRET = 'operator-secret-for-detail-spec-0123456789';
let h: Harness;
afterEach(() => h?.close());

/** No figure that could single out a shard: every ping null, every guild and member count 0. */
function expectRedacted(clusters: readonly ClusterStatus[]) {
	expect(clusters.length).toBeGreaterThan(0);
	for (const c of clusters) {
		expect(c.guilds).toBe(0);
		expect(c.members).toBe(0);
		for (const s of c.shards) expect([s.ping, s.guilds, 'unavailableGuilds' in s]).toEqual([null, 0, false]);
	}
}

/** Cluster 0's heartbeat with `unavailable` guilds on shard 2 (0 on the others): the count is reported. */
const withUnavailable = (unavailable: number) => ({
	...heartbeat(0, [0, 1, 2, 3], 8),
	shards: heartbeat(0, [0, 1, 2, 3], 8).shards.map((s) => ({ ...s, unavailableGuilds: s.id === 2 ? unavailable : 0 }))
});

function expectDetailed(clusters: readonly ClusterStatus[]) {
	expect(clusters.length).toBeGreaterThan(0);
	for (const c of clusters) {
		expect(c.members).toBe(5_000);
		for (const s of c.shards) expect(s.ping).toBeGreaterThan(0);
	}
}

async function operatorToken(): Promise<string> {
	const res = await fetch(`${h.url}/api/token`, { method: 'POST', headers: { authorization: `Bearer ${OPERATOR_SECRET}` } });
	return ((await res.json()) as { token: string }).token;
}

const follower = (token: string) => followViewer(h.url, token);

const poll = async (socket: ViewerSocket, since?: number) => {
	const ack = await socket.timeout(5_000).emitWithAck('get-cluster-status', since === undefined ? {} : { since });
	if (!ack.ok) throw new Error(ack.error.message);
	return ack.update;
};

describe('SHARDBEAT_PUBLIC_DETAIL=basic', () => {
	it('public viewers never see a ping or a guild count, over poll, push or /api/status; operator viewers do', async () => {
		h = await startServer({ publicDetail: 'basic', operatorSecret: OPERATOR_SECRET, metricsToken: METRICS_TOKEN });
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, withUnavailable(5));
		await h.server.flush();

		const pub = await follower(await fetchToken(h.url));
		const op = await follower(await operatorToken());
		expectRedacted(pub.replica.status.clusters);
		expectDetailed(op.replica.status.clusters);
		expect(op.replica.status.clusters[0]!.shards.map((s) => s.unavailableGuilds)).toEqual([0, 0, 5, 0]);
		expect(pub.replica.version).toBe(op.replica.version);

		// Only an unavailable-guild count moves: a version for the operator, a patch without it for the public.
		const pushed = pub.pushes.length;
		await sendHeartbeat(bot, withUnavailable(9));
		await h.server.flush();
		await eventually(() => pub.pushes.length > pushed && op.pushes.length > pushed);
		expect(pub.replica.version).toBe(op.replica.version);
		expect(op.replica.status.clusters[0]!.shards[2]!.unavailableGuilds).toBe(9);
		expectRedacted(pub.replica.status.clusters);

		// A ping drift (a shard patch), a new cluster (a whole one), and a state change, pushed.
		await sendHeartbeat(bot, { ...heartbeat(0, [0, 1, 2, 3], 8), shards: [0, 1, 2, 3].map((id) => ({ id, state: id === 3 ? 'resuming' : 'ready', ping: 90 + id, guilds: 100 + id, unavailableGuilds: id === 2 ? 9 : 0 })) });
		const second = await connectBot(h.url);
		await sendHeartbeat(second, heartbeat(1, [4, 5, 6, 7], 8));
		await h.server.flush();
		await new Promise((r) => setTimeout(r, 200));
		expect(pub.pushes.length).toBeGreaterThan(0);
		expect(op.pushes.length).toBe(pub.pushes.length);
		expect(pub.replica.version).toBe(h.server.feed.version);
		expectRedacted(pub.replica.status.clusters);
		expect(pub.replica.status.clusters.map((c) => c.id)).toEqual([0, 1]);
		expect(pub.replica.status.clusters[0]!.shards[3]!.state).toBe('resuming');
		expectDetailed(op.replica.status.clusters);
		expect(op.replica.status.clusters[0]!.shards[0]!.ping).toBe(90);

		// Polls with a version (a delta) and without (a snapshot) are redacted too.
		const fresh = new FleetReplica();
		fresh.apply(await poll(pub.socket));
		expectRedacted(fresh.status.clusters);
		const delta = await poll(pub.socket, pub.replica.version - 1);
		expect(delta.kind).toBe('delta');
		const caughtUp = new FleetReplica();
		caughtUp.apply(await poll(op.socket, 0));
		expectDetailed(caughtUp.status.clusters);

		const status = (await (await fetch(`${h.url}/api/status`)).json()) as FleetStatus;
		expectRedacted(status.clusters);
		expect(JSON.stringify(status)).not.toMatch(/"ping":\d|unavailableGuilds/);
		const summary = await (await fetch(`${h.url}/api/v1/summary`)).text();
		expect(summary).not.toMatch(/"ping":\d|"guilds":[1-9]|"members":[1-9]/);
		// Prometheus is for the operator's own scraper: it keeps every figure.
		const scraped = await (await scrapeMetrics(h.url)).text();
		expect(scraped).toMatch(/shardbeat_shard_ping_seconds\{[^}]*\} 0\.09$/m);
		expect(scraped).toMatch(/^shardbeat_shard_unavailable_guilds\{cluster="0",shard="2"\} 9$/m);
		// ...but only for the scraper: without its token /metrics gives nothing away.
		const stranger = await fetch(`${h.url}/metrics`);
		expect(stranger.status).toBe(401);
		expect(await stranger.text()).not.toMatch(/shardbeat_|"ping"/);
	});

	it('a renewed token moves a socket between public and operator detail', async () => {
		h = await startServer({ publicDetail: 'basic', operatorSecret: OPERATOR_SECRET });
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, heartbeat(0, [0, 1], 2));
		await h.server.flush();
		const viewer = await follower(await fetchToken(h.url));
		expectRedacted(viewer.replica.status.clusters);
		expect(await viewer.socket.timeout(5_000).emitWithAck('renew-token', await operatorToken())).toMatchObject({ ok: true });
		const full = new FleetReplica();
		full.apply(await poll(viewer.socket));
		expectDetailed(full.status.clusters);
		expect(await viewer.socket.timeout(5_000).emitWithAck('renew-token', await fetchToken(h.url))).toMatchObject({ ok: true });
		const again = new FleetReplica();
		again.apply(await poll(viewer.socket));
		expectRedacted(again.status.clusters);
	});
});

describe('SHARDBEAT_PUBLIC_DETAIL=full (the default)', () => {
	it('shows every figure to public viewers, with a single feed', async () => {
		h = await startServer();
		expect(h.server.publicFeed).toBe(h.server.feed);
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, { ...heartbeat(0, [0, 1], 2), shards: heartbeat(0, [0, 1], 2).shards.map((s) => ({ ...s, unavailableGuilds: s.id })) });
		await h.server.flush();
		const viewer = await follower(await fetchToken(h.url));
		expectDetailed(viewer.replica.status.clusters);
		expect(viewer.replica.status.clusters[0]!.shards.map((s) => s.unavailableGuilds)).toEqual([0, 1]);
		const status = (await (await fetch(`${h.url}/api/status`)).json()) as FleetStatus;
		expect(status.clusters[0]!.shards.map((s) => s.unavailableGuilds)).toEqual([0, 1]);
	});
});

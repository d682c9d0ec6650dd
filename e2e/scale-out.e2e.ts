import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetReplica, type FleetUpdate } from '#shared';
import { connectBot, connectViewer, eventually, fetchToken, heartbeat, sendHeartbeat, type ViewerSocket } from '#testing/server/harness';
import { FleetSimulator } from '../server/simulator/fleet-simulator.ts';
import { ViewerConnection } from '../src/lib/status/viewer-connection.ts';
import { startInstance, type Instance } from '#testing/server/instances';
import { startRedis, type RedisServer } from '#testing/redis';
import { startBalancer } from '#testing/net/tcp-balancer';
import { applyUpdate } from '#testing/faults/scenarios';

/*
 * Scale-out on a real redis-server with three real server processes: state and versions shared
 * through Redis, pushes through Socket.io's Redis adapter, and an instance killed under load.
 */
const BOT_SECRET = 'scale-out-bot-secret-0123456789';
const INTERVAL_MS = 2_000;

let redis: RedisServer;
let instances: Instance[] = [];

beforeAll(async () => {
	redis = await startRedis();
	const env = {
		SHARDBEAT_REDIS_URL: redis.url,
		SHARDBEAT_BOT_SECRET: BOT_SECRET,
		// One page, many instances: every instance must sign and accept the same tokens.
		SHARDBEAT_TOKEN_SECRET: 'scale-out-token-secret-0123456789abcdef0123',
		SHARDBEAT_HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS)
	};
	instances = await Promise.all([startInstance(env), startInstance(env), startInstance(env)]);
});

afterAll(async () => {
	await Promise.all(instances.map((i) => i.kill()));
	await redis?.stop();
});

async function poll(viewer: ViewerSocket, since?: number): Promise<FleetUpdate> {
	const ack = await viewer.timeout(5_000).emitWithAck('get-cluster-status', since === undefined ? {} : { since });
	if (!ack.ok) throw new Error(ack.error.message);
	return ack.update;
}

describe('several instances on one Redis', () => {
	it('a bot on instance A is seen by a viewer on instance B, at one version everywhere', async () => {
		const [a, b, c] = instances as [Instance, Instance, Instance];
		const bot = await connectBot(a.url, { secret: BOT_SECRET });
		expect((await sendHeartbeat(bot, heartbeat(7, [0, 1, 2, 3], 4))).ok).toBe(true);

		const viewer = await connectViewer(b.url, await fetchToken(a.url)); // a token from A is good on B
		const replica = new FleetReplica();
		await eventually(async () => {
			replica.apply(await poll(viewer, replica.version || undefined));
			return replica.status.clusters.some((cl) => cl.id === 7);
		});
		expect(replica.status.clusters.find((cl) => cl.id === 7)).toMatchObject({ lifecycle: 'running', shardIds: [0, 1, 2, 3] });

		// Versions come from Redis: every instance is at the same one.
		const versions = await Promise.all([a, b, c].map(async (i) => ((await (await fetch(`${i.url}/healthz`)).json()) as { version: number }).version));
		await eventually(async () => {
			const now = await Promise.all([a, b, c].map(async (i) => ((await (await fetch(`${i.url}/healthz`)).json()) as { version: number }).version));
			return new Set(now).size === 1;
		});
		expect(Math.min(...versions)).toBeGreaterThan(0);
		const health = (await (await fetch(`${b.url}/healthz`)).json()) as Record<string, unknown>;
		expect(health).toMatchObject({ store: 'redis', storeOk: true });
		bot.disconnect();
		viewer.disconnect();
	});

	it('a change pushed on A reaches viewers on B within 1 s', async () => {
		const [a, b] = instances as [Instance, Instance];
		const bot = await connectBot(a.url, { secret: BOT_SECRET });
		await sendHeartbeat(bot, heartbeat(8, [4, 5], 8));
		const viewers = await Promise.all([1, 2, 3].map(async () => connectViewer(b.url, await fetchToken(b.url))));
		const replicas = await Promise.all(viewers.map(async (v) => {
			const r = new FleetReplica();
			await eventually(async () => {
				r.apply(await poll(v));
				return r.status.clusters.some((cl) => cl.id === 8);
			});
			return r;
		}));
		const arrived: number[] = [];
		viewers.forEach((v, i) =>
			v.on('fleet-update', (u) => {
				if (replicas[i]!.apply(u) === 'applied' && replicas[i]!.get(8)?.shards[1]?.state === 'reconnecting') arrived.push(Date.now());
			})
		);

		const moved = heartbeat(8, [4, 5], 8, { uptimeMs: 61_000 });
		moved.shards[1]!.state = 'reconnecting';
		const sent = Date.now();
		expect((await sendHeartbeat(bot, moved)).ok).toBe(true);
		await eventually(() => arrived.length === viewers.length, 5_000);
		expect(Math.max(...arrived) - sent).toBeLessThan(1_000);
		bot.disconnect();
		for (const v of viewers) v.disconnect();
	});

	it('an instance killed under load: its bots and viewers move to the others, and no cluster is lost for more than one heartbeat interval', async () => {
		const balancer = await startBalancer(instances.map((i) => i.port));
		const fleet = new FleetSimulator({
			url: balancer.url,
			secret: BOT_SECRET,
			clusters: 6,
			shardsPerCluster: 2,
			intervalMs: INTERVAL_MS,
			reconnectDelayMs: 500,
			reconnectChance: 0,
			deathChance: 0,
			seed: 7
		});
		// The simulator's clusters are 0–5; the earlier tests used 7 and 8.

		// What a viewer (the page's own connection code) sees: the fleet, and when each cluster was last heard.
		const replica = new FleetReplica();
		const heard = new Map<number, number[]>();
		const everStopped = new Set<number>();
		const viewer = new ViewerConnection({
			serverUrl: balancer.url,
			initialToken: null,
			version: () => replica.version,
			onState: () => undefined,
			onUpdate: (u) => {
				if (!applyUpdate(replica, u)) return false;
				for (const cl of replica.status.clusters) {
					if (cl.id > 5) continue;
					if (cl.lifecycle === 'stopped') everStopped.add(cl.id);
					const times = heard.get(cl.id) ?? [];
					if (times.at(-1) !== cl.lastHeartbeatAt) times.push(cl.lastHeartbeatAt);
					heard.set(cl.id, times);
				}
				return true;
			}
		});
		try {
			fleet.start();
			await fleet.connected(30_000);
			viewer.start();
			await eventually(async () => (await viewer.poll()) && [...heard.keys()].length === 6, 20_000);
			await new Promise((r) => setTimeout(r, 2 * INTERVAL_MS));

			// Every instance holds some of the bots (round robin); kill the first one, no goodbye.
			const victim = instances[0]!;
			const killedAt = Date.now();
			await victim.kill();
			await new Promise((r) => setTimeout(r, 4 * INTERVAL_MS));
			await fleet.connected(10_000);
			await viewer.poll();

			for (const id of [0, 1, 2, 3, 4, 5]) {
				const times = heard.get(id) ?? [];
				const after = times.filter((t) => t >= killedAt - INTERVAL_MS);
				expect(after.length, `cluster ${id} heard again after the kill`).toBeGreaterThan(1);
				// Pings move every tick, so every heartbeat is a change: consecutive times are heartbeats.
				const gaps = after.slice(1).map((t, i) => t - after[i]!);
				expect(Math.max(...gaps), `cluster ${id}: longest silence`).toBeLessThanOrEqual(2 * INTERVAL_MS);
			}
			expect([...everStopped]).toEqual([]);
		} finally {
			viewer.close();
			fleet.stop();
			await balancer.close();
		}
	});

	it('a cluster whose instance dies and which never comes back is stopped by another instance within the silence timeout', async () => {
		const [, b, c] = instances as [Instance, Instance, Instance];
		// A bot that will not reconnect: its instance dies with no goodbye, so only the Redis sweep can tell.
		const bot = await connectBot(b.url, { secret: BOT_SECRET });
		expect((await sendHeartbeat(bot, heartbeat(9, [6, 7], 8))).ok).toBe(true);
		const viewer = await connectViewer(c.url, await fetchToken(c.url));
		const replica = new FleetReplica();
		const lifecycle = async () => {
			replica.apply(await poll(viewer, replica.version || undefined));
			return replica.get(9)?.lifecycle;
		};
		await eventually(async () => (await lifecycle()) === 'running');
		const killedAt = Date.now();
		await b.kill();
		await eventually(async () => (await lifecycle()) === 'stopped', 6 * INTERVAL_MS);
		// Silence timeout is 3 intervals; the sweep runs every second.
		expect(Date.now() - killedAt).toBeLessThanOrEqual(3 * INTERVAL_MS + 2_000);
		expect(replica.get(9)!.shards.every((s) => s.state === 'disconnected' && s.ping === null)).toBe(true);
		viewer.disconnect();
	});
});

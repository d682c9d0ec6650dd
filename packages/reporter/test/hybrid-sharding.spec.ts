import { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterManager } from 'discord-hybrid-sharding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetStatus } from '../../../shared-types/index.ts';
import { startGateway, type StandInGateway } from '../../../testing/discord/gateway.ts';
import { clusterView, pingMismatches, servedCluster } from '../../../testing/discord/served-status.ts';
import { apiStatusWhen, BOT_SECRET, fetchStatus, startServer, type Harness } from '../../../testing/server/harness.ts';

/*
 * discord-hybrid-sharding as a bot runs it: a real `ClusterManager` (mode 'process') forks two
 * cluster processes, each a real discord.js `Client` for its shards with a real `ClusterClient`
 * and the reporter, against the stand-in Discord on loopback and a real Shardbeat server. What a
 * visitor gets is read from `GET /api/status`, as a user would.
 */

const BOT = join(dirname(fileURLToPath(import.meta.url)), 'bots', 'hybrid-cluster.ts');
const TOTAL_SHARDS = 4;
const SHARDS_PER_CLUSTER = 2;
/** The reporters' interval and the server's: a silent cluster is stopped after 3 of them. */
const INTERVAL_MS = 1_000;
const MISSED_HEARTBEATS = 3;
/** Guilds the stand-in serves per shard, and its heartbeat ACK delay per shard (well apart, so pings keep their order on a busy machine). */
const GUILDS = [2, 3, 4, 5];
const ACK_DELAY_MS = [50, 350, 650, 950];
/** discord.js waits for every ACK before the next heartbeat: the interval leaves room for the slowest. */
const GATEWAY_HEARTBEAT_MS = 2_000;
/** A ping is the ACK delay plus the trip and whatever the machine adds; generous, never tight. */
const PING_SLACK_MS = 1_500;

/**
 * Every shard ready, with pings that follow the ACK delays. Waited for rather than read once: a
 * ping inflated by a stall of this busy machine is replaced at the next gateway heartbeat.
 */
function allReadyWithPings(status: FleetStatus): boolean {
	const shards = status.clusters.flatMap((c) => c.shards);
	return shards.length === TOTAL_SHARDS && shards.every((s) => s.state === 'ready') && pingMismatches(shards, ACK_DELAY_MS, PING_SLACK_MS).length === 0;
}

describe('discord-hybrid-sharding: a ClusterManager of 2 cluster processes, each a discord.js Client with the reporter', () => {
	let gateway: StandInGateway;
	let h: Harness;
	let manager: ClusterManager;
	const children = new Map<number, ChildProcess>();
	const output = new Map<number, string[]>();

	/** The clusters' own words, for a failure message. */
	const said = () => [...output].map(([id, lines]) => `cluster ${id}:\n${lines.join('')}`).join('\n');

	beforeAll(async () => {
		h = await startServer({ heartbeatIntervalMs: INTERVAL_MS, missedHeartbeats: MISSED_HEARTBEATS });
		gateway = await startGateway({ shards: TOTAL_SHARDS, guilds: GUILDS, ackDelayMs: ACK_DELAY_MS, heartbeatIntervalMs: GATEWAY_HEARTBEAT_MS });

		// The manager writes its settings into process.env for the clusters it forks to inherit;
		// they are put back once the clusters are forked, so the rest of this worker keeps its own.
		const env = { ...process.env };
		try {
			manager = new ClusterManager(BOT, {
				mode: 'process',
				totalShards: TOTAL_SHARDS,
				shardsPerClusters: SHARDS_PER_CLUSTER,
				token: gateway.token,
				respawn: false,
				execArgv: ['--import', 'tsx'],
				shardArgs: ['--api', gateway.api, '--url', h.url, '--secret', BOT_SECRET, '--interval', String(INTERVAL_MS)],
				clusterOptions: { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], clusterData: undefined }
			});
			manager.on('clusterCreate', (cluster) => {
				cluster.on('spawn', (child) => {
					if (!(child instanceof ChildProcess)) throw new Error(`cluster ${cluster.id} was not forked as a process`);
					children.set(cluster.id, child);
					const lines: string[] = [];
					output.set(cluster.id, lines);
					child.stdout?.on('data', (d: Buffer) => lines.push(d.toString()));
					child.stderr?.on('data', (d: Buffer) => lines.push(d.toString()));
				});
			});
			// No wait between clusters: the stand-in has no identify rate limit to respect.
			await manager.spawn({ amount: TOTAL_SHARDS, delay: 0, timeout: -1 });
		} finally {
			for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
			Object.assign(process.env, env);
		}
	}, 60_000);

	afterAll(async () => {
		const exits = [...children.values()]
			.filter((child) => child.exitCode === null && child.signalCode === null)
			.map((child) => {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				child.kill('SIGKILL');
				return exited;
			});
		await Promise.all(exits);
		await gateway?.close();
		await h?.close();
	});

	it('forks one process per cluster with its shard list: [0, 1] and [2, 3]', () => {
		expect([...manager.clusters.values()].map((c) => ({ id: c.id, shardList: c.shardList }))).toEqual([
			{ id: 0, shardList: [0, 1] },
			{ id: 1, shardList: [2, 3] }
		]);
		expect(children.size).toBe(2);
		expect(new Set([...children.values()].map((c) => c.pid)).size).toBe(2);
	});

	it('shows both clusters in GET /api/status: every shard ready, guilds as served, pings that follow the ACK delays', async () => {
		const status = await apiStatusWhen(h.url, allReadyWithPings, 45_000, 'all 4 shards ready with pings that follow the ACK delays').catch((error: Error) => {
			throw new Error(`${error.message}\n${said()}`);
		});
		expect(status.totalShards).toBe(TOTAL_SHARDS);
		expect(status.conflicts).toEqual([]);
		expect(status.clusters.map(clusterView)).toEqual([servedCluster(gateway, 0, [0, 1]), servedCluster(gateway, 1, [2, 3])]);

		const shards = status.clusters.flatMap((c) => c.shards);
		console.log(`[hybrid] pings by shard (ACK delays ${ACK_DELAY_MS.join(', ')} ms): ${shards.map((s) => `${s.id}: ${s.ping} ms`).join(', ')}`);
		expect(pingMismatches(shards, ACK_DELAY_MS, PING_SLACK_MS)).toEqual([]);
	}, 60_000);

	it(`shows a SIGKILLed cluster stopped within ${MISSED_HEARTBEATS} intervals, while the other keeps running`, async () => {
		const killed = children.get(1)!;
		const gone = new Promise((resolve) => killed.once('exit', resolve));
		const killedAt = Date.now();
		killed.kill('SIGKILL');
		await gone;

		const stopped = await apiStatusWhen(h.url, (s) => s.clusters.find((c) => c.id === 1)?.lifecycle === 'stopped', MISSED_HEARTBEATS * INTERVAL_MS, 'cluster 1 stopped');
		const seenAfterMs = Date.now() - killedAt;
		console.log(`[hybrid] cluster 1 shown stopped ${seenAfterMs} ms after SIGKILL (limit ${MISSED_HEARTBEATS * INTERVAL_MS} ms)`);
		const dead = stopped.clusters.find((c) => c.id === 1)!;
		expect(dead.shards.map((s) => ({ id: s.id, state: s.state, ping: s.ping }))).toEqual([
			{ id: 2, state: 'disconnected', ping: null },
			{ id: 3, state: 'disconnected', ping: null }
		]);

		// Long enough for silence to stop a cluster that had stopped reporting too.
		await new Promise((r) => setTimeout(r, (MISSED_HEARTBEATS + 1) * INTERVAL_MS));
		const later = await fetchStatus(h.url);
		const alive = later.clusters.find((c) => c.id === 0)!;
		expect(clusterView(alive)).toEqual(servedCluster(gateway, 0, [0, 1]));
		expect(alive.shards.every((s) => s.ping !== null)).toBe(true);
		expect(later.clusters.find((c) => c.id === 1)!.lifecycle).toBe('stopped');
		expect(children.get(0)!.exitCode).toBeNull();
	}, 30_000);
});

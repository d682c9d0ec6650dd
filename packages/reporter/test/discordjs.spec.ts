import { Client, GatewayIntentBits, Status } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { reportDiscordClient, type ShardbeatReporter } from '../src/index.ts';
import type { ClusterStatus, ShardState } from '../../../shared-types/index.ts';
import { startGateway, type GatewayOptions, type StandInGateway } from '../../../testing/discord/gateway.ts';
import { until } from '../../../testing/faults/scenarios.ts';
import { startProcess, type Child } from '../../../testing/processes/ipc.ts';
import type { DiscordBotOptions } from '../../../testing/processes/discord-bot.ts';
import { BOT_SECRET, compactCluster, fetchStatus, startServer, type Harness } from '../../../testing/server/harness.ts';

/*
 * A real discord.js 14 Client, logged in to the stand-in Discord through its `rest.api` option,
 * with the reporter sending to a real Shardbeat server; what the server shows is read from
 * GET /api/status, as a user reads it. Nothing here waits a fixed time: every wait is `until` a
 * state is seen, with room to spare on a busy machine.
 */

/** The server's heartbeat interval: a cluster silent for 3 of them is stopped. */
const SERVER_INTERVAL_MS = 1_000;
const REPORT_INTERVAL_MS = 200;
/** Heartbeat ACK delays of shards 0, 1, 2: far enough apart that their order cannot be noise. */
const ACK_DELAYS = [30, 150, 400] as const;
/** How far above its ACK delay a ping may read on a loaded machine. */
const PING_SLACK_MS = 1_000;
const WAIT_MS = 15_000;

interface Rig {
	gateway: StandInGateway;
	server: Harness;
	client: Client;
	reporter: ShardbeatReporter;
	/** What the reporter logged as a warning or an error. */
	complaints: string[];
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
	for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A stand-in Discord, a Shardbeat server, and a logged-in discord.js client (every shard the gateway recommends) reporting to it. */
async function rig(gatewayOptions: GatewayOptions): Promise<Rig> {
	// The stand-in's default heartbeat interval, 1 s: ACKs come well inside it even on a busy machine,
	// so @discordjs/ws never takes a late one for a zombie connection and reconnects on its own.
	const gateway = await startGateway(gatewayOptions);
	cleanups.push(() => gateway.close());
	const server = await startServer({ heartbeatIntervalMs: SERVER_INTERVAL_MS });
	cleanups.push(() => server.close());
	// waitGuildTimeout: a shard with guilds that never arrive turns ready after this, not discord.js's 15 s.
	const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: gateway.api }, shards: 'auto', waitGuildTimeout: 1_000 });
	cleanups.push(() => client.destroy());
	const complaints: string[] = [];
	const reporter = reportDiscordClient(client, {
		url: server.url,
		secret: BOT_SECRET,
		intervalMs: REPORT_INTERVAL_MS,
		logger: { info() {}, warn: (m) => complaints.push(m), error: (m) => complaints.push(m) }
	});
	cleanups.push(() => reporter.stop());
	const ready = new Promise((resolve) => client.once('clientReady', resolve));
	await client.login(gateway.token);
	await ready;
	return { gateway, server, client, reporter, complaints };
}

/** Cluster `id` as GET /api/status shows it now. */
async function clusterOf(url: string, id = 0): Promise<ClusterStatus | undefined> {
	return (await fetchStatus(url)).clusters.find((c) => c.id === id);
}

/** Waits until /api/status shows the shards of cluster 0 in `states` (by shard id); returns that cluster. */
async function untilShards(r: Rig, states: readonly ShardState[], what: string): Promise<ClusterStatus> {
	let seen: ClusterStatus | undefined;
	await until(
		async () => {
			seen = await clusterOf(r.server.url);
			return seen !== undefined && seen.shards.length === states.length && seen.shards.every((s) => s.state === states[s.id]);
		},
		WAIT_MS,
		`${what} (last seen: ${JSON.stringify(seen && compactCluster(seen))})`
	);
	return seen!;
}

/** A re-IDENTIFY waits out @discordjs/ws's identify throttle (5 s per bucket, as Discord limits it). */
const TEST_TIMEOUT_MS = 60_000;

describe('a real discord.js Client against the stand-in Discord, reporting to Shardbeat', { timeout: TEST_TIMEOUT_MS }, () => {
	it('every shard ready, with pings that follow the ACK delays and the guild counts as served', async () => {
		// Heartbeats far apart from the longest ACK delay: a heartbeat still unanswered when the next
		// is due is a zombie connection to @discordjs/ws, which then reconnects.
		const r = await rig({ shards: 3, guilds: [2, 3, 4], ackDelayMs: ACK_DELAYS, heartbeatIntervalMs: 2_000, memberCount: (shard, i) => 1_000 * (shard + 1) + i });
		let seen: ClusterStatus | undefined;
		const plausible = (c: ClusterStatus) =>
			c.shards.length === 3 &&
			c.shards.every((s) => s.state === 'ready' && s.ping !== null && s.ping >= ACK_DELAYS[s.id]! && s.ping < ACK_DELAYS[s.id]! + PING_SLACK_MS) &&
			c.shards[0]!.ping! < c.shards[1]!.ping! &&
			c.shards[1]!.ping! < c.shards[2]!.ping!;
		// A ping inflated by a stall on a busy machine is replaced at the next gateway heartbeat.
		await until(async () => (seen = await clusterOf(r.server.url)) !== undefined && plausible(seen), WAIT_MS, 'pings that follow the ACK delays').catch((error: Error) => {
			throw new Error(`${error.message}; last seen ${JSON.stringify(seen && compactCluster(seen))}`);
		});
		console.log(`[discord.js] GET /api/status: ${JSON.stringify(compactCluster(seen!))}`);

		const served = [0, 1, 2].map((shard) => r.gateway.guilds(shard));
		expect(seen).toMatchObject({
			lifecycle: 'running',
			totalShards: 3,
			shardIds: [0, 1, 2],
			guilds: 9,
			members: served.flat().reduce((sum, g) => sum + g.memberCount, 0)
		});
		expect(seen!.shards.map((s) => s.guilds)).toEqual(served.map((guilds) => guilds.length));
		expect(served.map((guilds) => guilds.length)).toEqual([2, 3, 4]);
		expect(r.gateway.identifies).toEqual([1, 1, 1]);
		expect(r.gateway.requests).toEqual(['GET /api/v10/gateway/bot']);
		expect(r.complaints).toEqual([]);
	});

	it('a shard closed with 4000 shows resuming while its RESUMED is held, then ready: a RESUME, not a new IDENTIFY', async () => {
		const r = await rig({ shards: 2 });
		await untilShards(r, ['ready', 'ready'], 'both shards ready');

		r.gateway.holdResumed(1);
		expect(r.gateway.closeShard(1, 4000)).toBe(true);
		const resuming = await untilShards(r, ['ready', 'resuming'], 'shard 1 resuming');
		// The same process, still running: a shard that reconnects does not restart its cluster.
		expect(resuming.lifecycle).toBe('running');
		expect(r.gateway.resumedHeld(1)).toBe(true);
		expect(r.client.ws.shards.get(1)!.status).toBe(Status.Resuming);

		expect(r.gateway.releaseResumed(1)).toBe(true);
		const back = await untilShards(r, ['ready', 'ready'], 'shard 1 ready again');
		expect(back.lifecycle).toBe('running');
		expect([r.gateway.identifies, r.gateway.resumes, r.gateway.refusedResumes]).toEqual([
			[1, 1],
			[0, 1],
			[0, 0]
		]);
		expect(r.complaints).toEqual([]);
	});

	it('4009 (session timed out): discord.js tries to RESUME, is refused with op 9, and IDENTIFYs again', async () => {
		const r = await rig({ shards: 2 });
		await untilShards(r, ['ready', 'ready'], 'both shards ready');

		// @discordjs/ws keeps the session on 4009 and resumes; Discord (and the stand-in) has ended it.
		expect(r.gateway.closeShard(0, 4009)).toBe(true);
		await until(() => r.gateway.identifies[0] === 2, WAIT_MS, 'shard 0 identified again');
		await untilShards(r, ['ready', 'ready'], 'shard 0 ready again');
		expect([r.gateway.identifies, r.gateway.resumes, r.gateway.refusedResumes]).toEqual([
			[2, 1],
			[0, 0],
			[1, 0]
		]);
	});

	it('op 9 invalid session: not resumable → a new IDENTIFY; resumable → a RESUME on the same connection', async () => {
		const r = await rig({ shards: 2 });
		await untilShards(r, ['ready', 'ready'], 'both shards ready');

		expect(r.gateway.invalidateSession(0, false)).toBe(true);
		await until(() => r.gateway.identifies[0] === 2 && r.gateway.connected(0), WAIT_MS, 'shard 0 identified again');
		expect(r.gateway.invalidateSession(1, true)).toBe(true);
		await until(() => r.gateway.resumes[1] === 1, WAIT_MS, 'shard 1 resumed');
		await untilShards(r, ['ready', 'ready'], 'both shards ready again');
		expect([r.gateway.identifies, r.gateway.resumes]).toEqual([
			[2, 1],
			[0, 1]
		]);
	});
});

describe('a bot process (a real discord.js Client and the reporter) that dies', { timeout: TEST_TIMEOUT_MS }, () => {
	async function botProcess(): Promise<{ server: Harness; bot: Child }> {
		const gateway = await startGateway({ shards: 2 });
		cleanups.push(() => gateway.close());
		const server = await startServer({ heartbeatIntervalMs: SERVER_INTERVAL_MS });
		cleanups.push(() => server.close());
		const options: DiscordBotOptions = { api: gateway.api, token: gateway.token, shards: [0, 1], shardCount: 2, shardbeatUrl: server.url, secret: BOT_SECRET, intervalMs: REPORT_INTERVAL_MS };
		const bot = startProcess(new URL('../../../testing/processes/discord-bot.ts', import.meta.url), options);
		// SIGKILL ends even a stopped (SIGSTOP) process.
		cleanups.push(() => bot.process.exitCode === null && bot.process.signalCode === null && bot.process.kill('SIGKILL'));
		await bot.call('ready');
		await until(async () => (await clusterOf(server.url))?.lifecycle === 'running', WAIT_MS, 'the bot’s cluster running');
		return { server, bot };
	}

	it(`killed (SIGKILL): shown stopped within 3 heartbeat intervals (${3 * SERVER_INTERVAL_MS} ms)`, async () => {
		const { server, bot } = await botProcess();
		bot.process.kill('SIGKILL');
		const took = await until(async () => (await clusterOf(server.url))?.lifecycle === 'stopped', 3 * SERVER_INTERVAL_MS, 'cluster 0 stopped');
		console.log(`[discord.js] killed bot shown stopped after ${took} ms (budget ${3 * SERVER_INTERVAL_MS} ms)`);
		const stopped = await clusterOf(server.url);
		expect(stopped!.shards.map((s) => [s.id, s.state, s.ping])).toEqual([
			[0, 'disconnected', null],
			[1, 'disconnected', null]
		]);
		// The kernel closed the dead process's socket: the server stopped it on the disconnect.
		expect(server.logs.some((l) => l.msg === 'bot disconnected' && (l.stopped as number[]).includes(0))).toBe(true);
	});

	it('frozen (SIGSTOP, its socket left open): stopped by silence once 3 intervals pass without a heartbeat', async () => {
		const { server, bot } = await botProcess();
		bot.process.kill('SIGSTOP');
		await until(async () => (await clusterOf(server.url))?.lifecycle === 'stopped', 3 * SERVER_INTERVAL_MS + WAIT_MS, 'cluster 0 stopped');
		const silence = server.logs.find((l) => l.msg === 'cluster went silent; marked stopped');
		expect(silence).toMatchObject({ cluster: 0 });
		expect(silence!.silentMs).toBeGreaterThan(3 * SERVER_INTERVAL_MS);
		expect(server.logs.some((l) => l.msg === 'bot disconnected')).toBe(false);
	});
});

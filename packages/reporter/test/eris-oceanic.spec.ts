import { Client as ErisClient } from 'eris';
import { Client as OceanicClient } from 'oceanic.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetStatus } from '../../../shared-types/index.ts';
import { CLOSE, startGateway, type GatewayOptions, type StandInGateway } from '../../../testing/discord/gateway.ts';
import { clusterView, pingMismatches, servedCluster } from '../../../testing/discord/served-status.ts';
import { startTlsFront } from '../../../testing/net/tls-front.ts';
import { apiStatusWhen, BOT_SECRET, eventually, startServer, type Harness } from '../../../testing/server/harness.ts';
import { reportErisClient, reportOceanicClient, type ConnectionOptions, type ErisSourceOptions, type ShardbeatReporter } from '../src/index.ts';

/*
 * Real Eris and Oceanic.js clients, each with the reporter, against the stand-in Discord on
 * loopback and a real Shardbeat server; what a visitor gets is read from GET /api/status.
 *
 * Both libraries take a custom REST base and find the gateway through GET /gateway/bot, as they
 * do against Discord: Oceanic.js through `rest.baseURL`, Eris through `rest.domain`/`baseURL` and
 * its `rest.agent` (Eris only speaks HTTPS to port 443, so a TLS front with a certificate the agent
 * trusts stands before the plain-HTTP stand-in). Nothing of either library is replaced.
 */

/** The reporters' interval and the server's. */
const INTERVAL_MS = 1_000;
/** Eris and Oceanic.js wait for every ACK before the next heartbeat: the interval leaves room for the slowest. */
const GATEWAY_HEARTBEAT_MS = 2_000;
const PING_SLACK_MS = 1_500;
const logger = { info() {}, warn() {}, error() {} };

/** A library's real client, created but not connected, behind the few calls the tests make. */
interface LibraryClient {
	/** The one call a bot author makes: `reportErisClient` or `reportOceanicClient`. */
	report(options: ConnectionOptions & ErisSourceOptions): ShardbeatReporter;
	connect(): Promise<void>;
	/** The library's own status string for `shard`. */
	status(shard: number): string;
	/** Calls `listener` with what the client emits as `error`, as text. */
	onError(listener: (text: string) => void): void;
	disconnect(): Promise<void>;
}

interface Library {
	name: string;
	clusterId: number;
	/** The shards this client runs, of the stand-in's `gateway.shards`. */
	shardIds: number[];
	gateway: GatewayOptions;
	/** ACK delays of the stand-in, per shard. */
	ackDelayMs: number[];
	/** A shard of this client with 2 or more guilds, all available, to put through an outage. */
	outageShard: number;
	create(gateway: StandInGateway): Promise<LibraryClient>;
}

const LIBRARIES: Library[] = [
	{
		// Eris 0.18 as one process running every shard: maxShards 'auto' from GET /gateway/bot.
		name: 'Eris',
		clusterId: 0,
		shardIds: [0, 1, 2],
		// Shard 1's last guild is in an outage from the start: unavailable in READY, never created.
		gateway: { shards: 3, guilds: [2, 3, 4], unavailableGuilds: [0, 1, 0] },
		ackDelayMs: [50, 400, 750],
		outageShard: 2,
		async create(gateway) {
			const front = await startTlsFront(Number(new URL(gateway.url).port));
			const client = new ErisClient(`Bot ${gateway.token}`, {
				intents: ['guilds'],
				maxShards: 'auto',
				rest: { domain: '127.0.0.1', baseURL: '/api/v10', agent: front.agent }
			});
			return {
				report: (options) => reportErisClient(client, options),
				connect: () => client.connect(),
				status: (shard) => client.shards.get(shard)!.status,
				onError: (listener) => client.on('error', (error: Error) => listener(error.message)),
				async disconnect() {
					client.disconnect({ reconnect: false });
					await front.close();
				}
			};
		}
	},
	{
		// Oceanic.js 1.15 as cluster 1 of a bot of 4 shards: shardIDs [2, 3], the count from GET /gateway/bot.
		name: 'Oceanic.js',
		clusterId: 1,
		shardIds: [2, 3],
		gateway: { shards: 4, guilds: [1, 1, 3, 5], unavailableGuilds: [0, 0, 1, 0] },
		ackDelayMs: [0, 0, 100, 600],
		outageShard: 3,
		async create(gateway) {
			const client = new OceanicClient({
				auth: `Bot ${gateway.token}`,
				rest: { baseURL: `${gateway.api}/v10` },
				gateway: { intents: ['GUILDS'], maxShards: 'auto', concurrency: 'auto', shardIDs: [2, 3] }
			});
			return {
				report: (options) => reportOceanicClient(client, options),
				connect: () => client.connect(),
				status: (shard) => client.shards.get(shard)!.status,
				onError: (listener) => client.on('error', (error: unknown) => listener(String(error))),
				disconnect: async () => client.disconnect(false)
			};
		}
	}
];

describe.each(LIBRARIES)('$name with the reporter, against the stand-in Discord', (library) => {
	let gateway: StandInGateway;
	let h: Harness;
	let bot: LibraryClient | undefined;
	let reporter: ShardbeatReporter | undefined;
	const errors: string[] = [];

	const cluster = (status: FleetStatus) => status.clusters.find((c) => c.id === library.clusterId);
	const allReady = (status: FleetStatus) => {
		const shards = cluster(status)?.shards ?? [];
		return shards.length === library.shardIds.length && shards.every((s) => s.state === 'ready' && s.ping !== null);
	};
	/** Waited for rather than read once: a ping inflated by a stall of this busy machine is replaced at the next gateway heartbeat. */
	const pingsFollowDelays = (status: FleetStatus) => allReady(status) && pingMismatches(cluster(status)!.shards, library.ackDelayMs, PING_SLACK_MS).length === 0;

	beforeAll(async () => {
		h = await startServer({ heartbeatIntervalMs: INTERVAL_MS });
		gateway = await startGateway({ ...library.gateway, ackDelayMs: library.ackDelayMs, heartbeatIntervalMs: GATEWAY_HEARTBEAT_MS });
		bot = await library.create(gateway);
		bot.onError((text) => errors.push(text));
		reporter = bot.report({ url: h.url, secret: BOT_SECRET, intervalMs: INTERVAL_MS, clusterId: library.clusterId, logger });
		await bot.connect();
	}, 30_000);

	afterAll(async () => {
		reporter?.stop();
		await bot?.disconnect();
		await gateway?.close();
		await h?.close();
	});

	it('shows every shard ready in GET /api/status, guilds (unavailable ones counted) and members as served, pings that follow the ACK delays', async () => {
		const status = await apiStatusWhen(h.url, pingsFollowDelays, 20_000, `${library.name}'s shards ready, pings following the ACK delays`);
		expect(status.clusters.map(clusterView)).toEqual([servedCluster(gateway, library.clusterId, library.shardIds)]);
		expect(status.conflicts).toEqual([]);
		const shards = cluster(status)!.shards;
		console.log(`[${library.name}] pings (ACK delays ${library.shardIds.map((s) => library.ackDelayMs[s]).join(', ')} ms): ${shards.map((s) => `${s.id}: ${s.ping} ms`).join(', ')}`);
		expect(pingMismatches(shards, library.ackDelayMs, PING_SLACK_MS)).toEqual([]);
		expect(errors).toEqual([]);
	}, 30_000);

	it('shows a shard closed with 4000 resuming, then ready again on the same session', async () => {
		const [shard, ...others] = library.shardIds as [number, ...number[]];
		await apiStatusWhen(h.url, allReady, 20_000, 'every shard ready first');
		gateway.holdResumed(shard);
		expect(gateway.closeShard(shard, CLOSE.unknownError)).toBe(true);
		// The client is back and has sent RESUME; the stand-in holds RESUMED, so the shard stays resuming.
		await eventually(() => gateway.resumedHeld(shard), 15_000);
		expect(bot!.status(shard)).toBe('resuming');

		const resuming = await apiStatusWhen(h.url, (s) => cluster(s)?.shards.find((x) => x.id === shard)?.state === 'resuming', 10_000, `shard ${shard} resuming`);
		expect(cluster(resuming)!.shards.map((s) => ({ id: s.id, state: s.state }))).toEqual([
			{ id: shard, state: 'resuming' },
			...others.map((id) => ({ id, state: 'ready' }))
		]);

		expect(gateway.releaseResumed(shard)).toBe(true);
		const back = await apiStatusWhen(h.url, allReady, 15_000, `shard ${shard} ready again`);
		expect(clusterView(cluster(back)!)).toEqual(servedCluster(gateway, library.clusterId, library.shardIds));
		// Resumed, not identified again: the session and its guilds carried over.
		expect(gateway.resumes[shard]).toBe(1);
		expect(gateway.identifies[shard]).toBe(1);
		expect(errors.every((e) => e.includes('4000')), errors.join('\n')).toBe(true);
	}, 60_000);

	it('counts the guilds of an outage (GUILD_DELETE unavailable) on their shard until they come back', async () => {
		const shard = library.outageShard;
		const unavailableOn = (status: FleetStatus) => cluster(status)?.shards.find((x) => x.id === shard)?.unavailableGuilds;
		await apiStatusWhen(h.url, (s) => allReady(s) && unavailableOn(s) === 0, 20_000, `shard ${shard} ready, every guild available`);

		const gone = gateway.makeUnavailable(shard, 2);
		const during = await apiStatusWhen(h.url, (s) => unavailableOn(s) === 2, 10_000, `2 unavailable guilds on shard ${shard}`);
		console.log(`[${library.name}] during the outage: ${JSON.stringify(clusterView(cluster(during)!).shards)}`);
		expect(clusterView(cluster(during)!)).toEqual(servedCluster(gateway, library.clusterId, library.shardIds));

		expect(gateway.restore(shard)).toEqual(gone);
		const after = await apiStatusWhen(h.url, (s) => unavailableOn(s) === 0, 10_000, `shard ${shard}'s guilds back`);
		expect(clusterView(cluster(after)!)).toEqual(servedCluster(gateway, library.clusterId, library.shardIds));
	}, 60_000);
});

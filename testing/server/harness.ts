import { io, type Socket } from 'socket.io-client';
import {
	FleetReplica,
	NAMESPACES,
	PROTOCOL_VERSION,
	type Ack,
	type BotClientToServerEvents,
	type BotServerToClientEvents,
	type ClusterStatus,
	type ConnectErrorData,
	type FleetStatus,
	type FleetUpdate,
	type Heartbeat,
	type HeartbeatAccepted,
	type ViewerClientToServerEvents,
	type ViewerServerToClientEvents
} from '#shared';
import { createShardbeatServer, type ShardbeatServer, type ShardbeatServerOptions } from '../../server/app.ts';
import type { ServerConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { BOT_SECRET, METRICS_TOKEN, testServerConfig } from './config.ts';

export { BOT_SECRET, METRICS_TOKEN, NO_LIMITS, RATE_LIMIT_DEFAULTS, TOKEN_SECRET } from './config.ts';

export type BotSocket = Socket<BotServerToClientEvents, BotClientToServerEvents>;
export type ViewerSocket = Socket<ViewerServerToClientEvents, ViewerClientToServerEvents>;

export interface Harness {
	server: ShardbeatServer;
	url: string;
	config: ServerConfig;
	/** Every log line the server wrote, parsed. */
	logs: Record<string, unknown>[];
	close(): Promise<void>;
}

/** A real server on an ephemeral loopback port, logging into memory. */
export async function startServer(
	overrides: Partial<ServerConfig> = {},
	port = 0,
	now?: () => number,
	/** More server options (e.g. `loopDelay`); the logger and `now` are the harness's. */
	more: Omit<ShardbeatServerOptions, 'logger' | 'now'> = {}
): Promise<Harness> {
	// Tests open many sockets and fetch many tokens from 127.0.0.1 in a few seconds, so every limit
	// is off (`NO_LIMITS`); the limit specs pass `RATE_LIMIT_DEFAULTS` (or their own figures).
	const config = testServerConfig({ allowedOrigins: ['http://page.test'], logLevel: 'debug', port, ...overrides });
	const logs: Record<string, unknown>[] = [];
	const logger = createLogger(config.logLevel, { write: (line: string) => void logs.push(JSON.parse(line)) });
	const server = createShardbeatServer(config, { ...more, logger, now });
	lastServer = server;
	const url = await server.listen(port, '127.0.0.1');
	const sockets: Socket[] = [];
	track = (s) => sockets.push(s);
	return {
		server,
		url,
		config,
		logs,
		async close() {
			for (const s of sockets) s.disconnect();
			await server.close();
		}
	};
}

let track: (s: Socket) => void = () => {};
let lastServer: ShardbeatServer | undefined;

/** Opens a bot socket; resolves once connected or rejects with the server's refusal. */
export function connectBot(url: string, auth: unknown = { secret: BOT_SECRET }): Promise<BotSocket> {
	const socket: BotSocket = io(url + NAMESPACES.bot, { auth: auth as object, transports: ['websocket'], reconnection: false });
	track(socket);
	return settle(socket);
}

/** Opens a viewer socket with `token`. */
export function connectViewer(url: string, token: string | undefined): Promise<ViewerSocket> {
	const socket: ViewerSocket = io(url + NAMESPACES.viewer, { auth: { token }, transports: ['websocket'], reconnection: false });
	track(socket);
	return settle(socket);
}

function settle<S extends Socket>(socket: S): Promise<S> {
	return new Promise((resolve, reject) => {
		socket.once('connect', () => resolve(socket));
		socket.once('connect_error', (error: Error & { data?: ConnectErrorData }) => {
			socket.disconnect();
			reject(error);
		});
	});
}

export async function fetchToken(url: string): Promise<string> {
	const res = await fetch(`${url}/api/token`, { method: 'POST' });
	const body = (await res.json()) as { token: string };
	return body.token;
}

/** `GET /metrics` as the operator's Prometheus sends it: `Authorization: Bearer <token>`. */
export function scrapeMetrics(url: string, token = METRICS_TOKEN): Promise<Response> {
	return fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
}

/** Emits a heartbeat (any payload, valid or not) and resolves with the ack. */
export function sendHeartbeat(socket: BotSocket, payload: unknown): Promise<Ack<HeartbeatAccepted>> {
	return socket.timeout(5_000).emitWithAck('heartbeat', payload as Heartbeat);
}

/**
 * `POST /api/v1/heartbeat` as a bot in any language sends it: the bot secret as a bearer token
 * and the heartbeat as JSON (a string or Buffer `body` is sent as it is). `secret: null` sends no
 * `Authorization`; `headers` go on top.
 */
export function postHeartbeat(url: string, body: unknown, options: { secret?: string | null; headers?: Record<string, string>; method?: string } = {}): Promise<Response> {
	const secret = options.secret === undefined ? BOT_SECRET : options.secret;
	const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(secret === null ? {} : { Authorization: `Bearer ${secret}` }), ...options.headers };
	const method = options.method ?? 'POST';
	const payload = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
	return fetch(`${url}/api/v1/heartbeat`, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : (payload as BodyInit) });
}

/** A valid heartbeat for `clusterId` owning `shardIds`, every shard ready unless overridden. */
export function heartbeat(clusterId: number, shardIds: number[], totalShards = 8, extra: Partial<Heartbeat> = {}): Heartbeat {
	return {
		v: PROTOCOL_VERSION,
		clusterId,
		totalShards,
		shardIds,
		shards: shardIds.map((id) => ({ id, state: 'ready', ping: 40 + id, guilds: 100 + id })),
		guilds: shardIds.reduce((n, id) => n + 100 + id, 0),
		members: 5_000,
		uptimeMs: 60_000,
		...extra
	};
}

/**
 * The fleet as a viewer sees it now: commits the last started server's pending changes (so a
 * test need not wait for the batch tick), then polls for a full snapshot and decodes it.
 */
export async function getStatus(socket: ViewerSocket) {
	await lastServer?.flush();
	const ack = await socket.timeout(5_000).emitWithAck('get-cluster-status', {});
	if (!ack.ok) throw new Error(`get-cluster-status refused: ${ack.error.message}`);
	const replica = new FleetReplica();
	if (replica.apply(ack.update) !== 'applied') throw new Error(`expected a snapshot, got ${ack.update.kind}`);
	return replica.status;
}

/**
 * A viewer holding a replica fed by its first poll and then by every push it gets (the listener is
 * on before the poll, so no push is missed). `onPush` sees the replica after each push.
 */
export async function followViewer(url: string, token: string, onPush?: (replica: FleetReplica) => void) {
	const socket = await connectViewer(url, token);
	const replica = new FleetReplica();
	const pushes: FleetUpdate[] = [];
	socket.on('fleet-update', (u) => {
		pushes.push(u);
		replica.apply(u);
		onPush?.(replica);
	});
	const ack = await socket.timeout(5_000).emitWithAck('get-cluster-status', {});
	if (!ack.ok) throw new Error(ack.error.message);
	replica.apply(ack.update);
	return { socket, replica, pushes };
}

/** `GET /api/status` as a user asks it: what the server last committed, no flush. */
export async function fetchStatus(url: string): Promise<FleetStatus> {
	const res = await fetch(`${url}/api/status`);
	if (!res.ok) throw new Error(`GET /api/status: ${res.status} ${await res.text()}`);
	return (await res.json()) as FleetStatus;
}

/**
 * A cluster in one line for a test's output: its lifecycle and layout, each shard as
 * `id:state@pingms` (and `/N unavailable` when Discord marks N of its guilds so), guild and
 * member counts.
 */
export function compactCluster(c: ClusterStatus) {
	return {
		id: c.id,
		lifecycle: c.lifecycle,
		totalShards: c.totalShards,
		shardIds: c.shardIds,
		shards: c.shards.map((s) => `${s.id}:${s.state}${typeof s.ping === 'number' ? `@${s.ping}ms` : ''}${s.unavailableGuilds ? `/${s.unavailableGuilds} unavailable` : ''}`),
		guilds: c.guilds,
		members: c.members
	};
}

/**
 * The bot's process dies: its socket closes, and once `server` has stopped every one of
 * `clusterIds`, that is committed (so recorded) before this resolves.
 */
export async function botDies(server: ShardbeatServer, bot: BotSocket, clusterIds: number[]): Promise<void> {
	bot.disconnect();
	await eventually(() => clusterIds.every((id) => server.fleet.get(id)?.lifecycle === 'stopped'));
	await server.flush();
}

/** Polls `check` until it returns true (for effects that cross a socket), failing after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error('condition not met in time');
		await new Promise((r) => setTimeout(r, 10));
	}
}

/**
 * Asks `GET /api/status` again and again (as a user refreshing the page) until `check` accepts
 * what it shows, and returns that; fails after `ms` with `what` and the last answer, so a failure
 * says what the server was showing instead.
 */
export async function apiStatusWhen(url: string, check: (status: FleetStatus) => boolean, ms: number, what: string): Promise<FleetStatus> {
	const deadline = Date.now() + ms;
	for (;;) {
		const status = await fetchStatus(url);
		if (check(status)) return status;
		if (Date.now() > deadline) throw new Error(`GET /api/status did not show ${what} within ${ms} ms; it showed ${JSON.stringify(status.clusters.map(compactCluster))}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

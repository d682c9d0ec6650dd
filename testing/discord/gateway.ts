import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { wireEncoder, type WireCompression, type WireEncoder } from './codec.ts';
import { guildCreatePayload, readyPayload, type ServedGuild } from './payloads.ts';
import { handleRest } from './rest.ts';
import { guildIdsForShard } from './snowflakes.ts';

export type { ServedGuild } from './payloads.ts';

/*
 * A stand-in for Discord on loopback: one HTTP server (port 0) that answers the REST routes a
 * library calls on login (rest.ts) and upgrades any other path to the gateway, API v10, JSON
 * encoding, optionally `compress=zlib-stream` or IDENTIFY `compress: true`.
 *
 * It speaks what the status of a shard depends on, the way Discord does
 * (https://discord.com/developers/docs/events/gateway): HELLO; IDENTIFY → READY (the shard's guilds
 * listed unavailable) then one GUILD_CREATE per available guild; heartbeat → ACK after a delay
 * chosen per shard; RESUME → the missed events replayed, then RESUMED; op 9 invalid session; close
 * codes; GUILD_DELETE `unavailable: true` for an outage. Malformed client payloads get the close
 * code Discord gives them. A test drives it through the control methods of `StandInGateway`.
 *
 * @example
 * const gateway = await startGateway({ shards: 2, guilds: [3, 5], ackDelayMs: [30, 150] });
 * const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: gateway.api } });
 * await client.login(gateway.token);
 * // … gateway.closeShard(1, 4000); await until(() => gateway.resumes[1] === 1);
 * await client.destroy();
 * await gateway.close();
 */

/** The bot token a stand-in accepts unless given another. */
export const STAND_IN_TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAx.stand-in.token';

/** Discord's gateway close codes the stand-in sends (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const CLOSE = {
	unknownError: 4000,
	unknownOpcode: 4001,
	decodeError: 4002,
	notAuthenticated: 4003,
	authenticationFailed: 4004,
	alreadyAuthenticated: 4005,
	invalidSeq: 4007,
	rateLimited: 4008,
	sessionTimedOut: 4009,
	invalidShard: 4010,
	shardingRequired: 4011,
	invalidApiVersion: 4012,
	invalidIntents: 4013,
	disallowedIntents: 4014
} as const;

/** Gateway opcodes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-opcodes). */
const OP = {
	dispatch: 0,
	heartbeat: 1,
	identify: 2,
	presenceUpdate: 3,
	voiceStateUpdate: 4,
	resume: 6,
	reconnect: 7,
	requestGuildMembers: 8,
	invalidSession: 9,
	hello: 10,
	heartbeatAck: 11,
	requestSoundboardSounds: 31
} as const;

/** Opcodes a client may send only once identified or resumed (else 4003). */
const AFTER_AUTH: ReadonlySet<number> = new Set([OP.presenceUpdate, OP.voiceStateUpdate, OP.requestGuildMembers, OP.requestSoundboardSounds]);
/** Discord closes on client payloads over 4096 bytes. */
const MAX_CLIENT_PAYLOAD = 4096;
/** Discord's privileged intents: GuildMembers, GuildPresences, MessageContent. */
const PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15);
/** Every intent bit Discord defines today (0–25): others are invalid (4013). */
const KNOWN_INTENTS = (1 << 26) - 1;

export interface GatewayOptions {
	/** Total shards: what `GET /gateway/bot` recommends, and the only count IDENTIFY may use (else 4010). Default 1. */
	shards?: number;
	/** Guilds per shard: one number for every shard or one per shard. Default 2. */
	guilds?: number | readonly number[];
	/** `member_count` of a shard's `index`-th guild. Default `10 * (shardId + 1) + index`. */
	memberCount?: (shardId: number, index: number) => number;
	/**
	 * Guilds per shard (the last ones of each) in an outage from the start: listed unavailable in
	 * READY and never created, until `restore(shard)`. Default 0.
	 */
	unavailableGuilds?: number | readonly number[];
	/** Delay before each heartbeat ACK (op 11), per shard or for all; `Infinity` never ACKs. Default 0. */
	ackDelayMs?: number | readonly number[];
	/** `heartbeat_interval` in HELLO. Default 1000: small, so pings show within a second. */
	heartbeatIntervalMs?: number;
	/** The bot token REST and IDENTIFY accept. Default `STAND_IN_TOKEN`. */
	token?: string;
	/** `session_start_limit.max_concurrency`. Default 16, so a client identifies its shards without waiting 5 s each. */
	maxConcurrency?: number;
	/** Privileged intents refused with 4014, as for an application without them enabled. Default false (all allowed). */
	refusePrivilegedIntents?: boolean;
}

/** A running stand-in Discord; every method taking a `shard` throws a RangeError for one it does not serve. */
export interface StandInGateway {
	/** `http://127.0.0.1:<port>`. */
	readonly url: string;
	/** The REST base for a client: discord.js `new Client({ rest: { api: gateway.api } })`. */
	readonly api: string;
	/** `ws://127.0.0.1:<port>`: what `GET /gateway/bot` and READY's `resume_gateway_url` return. */
	readonly gatewayUrl: string;
	readonly token: string;
	readonly totalShards: number;
	readonly heartbeatIntervalMs: number;
	/** IDENTIFYs accepted (READY sent), per shard. */
	readonly identifies: readonly number[];
	/** RESUMEs accepted (events replayed), per shard. */
	readonly resumes: readonly number[];
	/** RESUMEs refused with op 9 (session timed out or invalidated), per shard. */
	readonly refusedResumes: readonly number[];
	/** Heartbeats (op 1) received, per shard (those before IDENTIFY or RESUME are not counted). */
	readonly heartbeats: readonly number[];
	/** Every REST request, e.g. `GET /api/v10/gateway/bot`. */
	readonly requests: readonly string[];
	/** The guilds `shard` serves, with their availability now. */
	guilds(shard: number): ServedGuild[];
	/** True while `shard` has an open, identified or resumed connection. */
	connected(shard: number): boolean;
	/** Heartbeat ACKs of `shard` wait `ms` from now on (`Infinity`: never, a zombie connection). */
	setAckDelay(shard: number, ms: number): void;
	/**
	 * Closes `shard`'s connection with `code` (default 4000, after which a client resumes). 4007 and
	 * 4009 end the session as Discord does, so a RESUME after them gets op 9 `false`. False when the
	 * shard had no open connection.
	 */
	closeShard(shard: number, code?: number): boolean;
	/** Sends op 9 with `resumable`; `false` also ends the session. False when the shard had no open connection. */
	invalidateSession(shard: number, resumable: boolean): boolean;
	/** Sends op 7 (reconnect), after which a client closes and resumes. */
	requestReconnect(shard: number): boolean;
	/**
	 * From now on RESUMED for `shard` is held back after the replay until `releaseResumed(shard)`,
	 * so a test can see the client resuming instead of racing it.
	 */
	holdResumed(shard: number): void;
	/** True when a RESUMED for `shard` is being held. */
	resumedHeld(shard: number): boolean;
	/** Sends a held RESUMED (true if there was one) and stops holding them. */
	releaseResumed(shard: number): boolean;
	/** `count` available guilds of `shard` go into an outage (GUILD_DELETE `unavailable: true`); returns their ids. */
	makeUnavailable(shard: number, count: number): string[];
	/** Every unavailable guild of `shard` comes back (GUILD_CREATE); returns their ids. */
	restore(shard: number): string[];
	/** Drops every connection (a client sees 1006, as when Discord's host vanishes) and closes the server. */
	close(): Promise<void>;
}

interface Session {
	id: string;
	shardId: number;
	seq: number;
	/** Every dispatch of the session, for replay on RESUME. */
	events: string[];
	expired: boolean;
	connection?: Connection;
}

interface Connection {
	ws: WebSocket;
	encoder: WireEncoder;
	queue: Promise<unknown>;
	session?: Session;
	acks: Set<ReturnType<typeof setTimeout>>;
}

interface ShardLine {
	guilds: ServedGuild[];
	ackDelayMs: number;
	session?: Session;
	holdResumed: boolean;
	heldResumed?: () => void;
}

/** Per-shard figure from a number-or-array option. */
function perShard(value: number | readonly number[] | undefined, shard: number, fallback: number, name: string): number {
	const v = typeof value === 'number' ? value : value === undefined ? fallback : value[shard];
	if (v === undefined) throw new RangeError(`${name} has no entry for shard ${shard}.`);
	if (!(v >= 0)) throw new RangeError(`${name} must be ≥ 0 for shard ${shard}, got ${v}.`);
	return v;
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why an IDENTIFY is refused, as Discord's close code and reason; undefined when it is fine. */
function identifyRefusal(d: unknown, token: string, totalShards: number, refusePrivileged: boolean): [number, string] | undefined {
	if (!isObject(d)) return [CLOSE.decodeError, 'IDENTIFY d must be an object'];
	if (d.token !== token && d.token !== `Bot ${token}`) return [CLOSE.authenticationFailed, 'Authentication failed: IDENTIFY token'];
	const p = d.properties;
	if (!isObject(p) || typeof p.os !== 'string' || typeof p.browser !== 'string' || typeof p.device !== 'string') {
		return [CLOSE.decodeError, 'IDENTIFY properties must have os, browser and device strings'];
	}
	if (typeof d.intents !== 'number' || !Number.isInteger(d.intents) || d.intents < 0 || (d.intents & ~KNOWN_INTENTS) !== 0) {
		return [CLOSE.invalidIntents, 'IDENTIFY intents: invalid intent(s)'];
	}
	if (refusePrivileged && (d.intents & PRIVILEGED_INTENTS) !== 0) return [CLOSE.disallowedIntents, 'IDENTIFY intents: disallowed intent(s)'];
	if (d.compress !== undefined && typeof d.compress !== 'boolean') return [CLOSE.decodeError, 'IDENTIFY compress must be a boolean'];
	if (d.large_threshold !== undefined && !(Number.isInteger(d.large_threshold) && (d.large_threshold as number) >= 50 && (d.large_threshold as number) <= 250)) {
		return [CLOSE.decodeError, 'IDENTIFY large_threshold must be an integer in 50..250'];
	}
	if (d.shard === undefined) return totalShards > 1 ? [CLOSE.shardingRequired, 'Sharding required: IDENTIFY shard missing'] : undefined;
	const shard = d.shard;
	if (!Array.isArray(shard) || shard.length !== 2 || !shard.every((n) => Number.isInteger(n))) return [CLOSE.decodeError, 'IDENTIFY shard must be [shard_id, num_shards]'];
	const [id, total] = shard as [number, number];
	if (total !== totalShards || id < 0 || id >= total) return [CLOSE.invalidShard, `Invalid shard: IDENTIFY shard [${id}, ${total}] (this gateway serves ${totalShards})`];
	return undefined;
}

/**
 * Starts a stand-in Discord (REST + gateway) on an ephemeral loopback port.
 *
 * @example
 * const gateway = await startGateway({ shards: 3, guilds: [2, 3, 4], ackDelayMs: [30, 150, 400] });
 */
export async function startGateway(options: GatewayOptions = {}): Promise<StandInGateway> {
	const totalShards = options.shards ?? 1;
	if (!Number.isInteger(totalShards) || totalShards < 1) throw new RangeError(`shards must be a positive integer, got ${totalShards}.`);
	const token = options.token ?? STAND_IN_TOKEN;
	const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1_000;
	if (!(heartbeatIntervalMs > 0)) throw new RangeError(`heartbeatIntervalMs must be > 0, got ${heartbeatIntervalMs}.`);
	const memberCount = options.memberCount ?? ((shardId: number, index: number) => 10 * (shardId + 1) + index);

	const lines: ShardLine[] = Array.from({ length: totalShards }, (_, shardId) => {
		const count = perShard(options.guilds, shardId, 2, 'guilds');
		const unavailable = perShard(options.unavailableGuilds, shardId, 0, 'unavailableGuilds');
		if (unavailable > count) throw new RangeError(`unavailableGuilds (${unavailable}) exceeds guilds (${count}) for shard ${shardId}.`);
		const guilds = guildIdsForShard(shardId, totalShards, count).map((id, index) => ({
			id,
			name: `Guild ${shardId}-${index}`,
			shardId,
			memberCount: memberCount(shardId, index),
			available: index < count - unavailable
		}));
		return { guilds, ackDelayMs: perShard(options.ackDelayMs, shardId, 0, 'ackDelayMs'), holdResumed: false };
	});
	const sessions = new Map<string, Session>();
	const identifies = lines.map(() => 0);
	const resumes = lines.map(() => 0);
	const refusedResumes = lines.map(() => 0);
	const heartbeats = lines.map(() => 0);
	const requests: string[] = [];
	const connections = new Set<Connection>();

	const http: Server = createServer((req, res) => {
		requests.push(`${req.method} ${req.url}`);
		handleRest(restContext, req, res);
	});
	const wss = new WebSocketServer({ server: http });
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	const port = (http.address() as AddressInfo).port;
	const url = `http://127.0.0.1:${port}`;
	const gatewayUrl = `ws://127.0.0.1:${port}`;
	const restContext = {
		token,
		gatewayUrl,
		totalShards,
		maxConcurrency: options.maxConcurrency ?? 16,
		identifies: () => identifies.reduce((a, b) => a + b, 0)
	};

	function line(shard: number): ShardLine {
		const l = Number.isInteger(shard) ? lines[shard] : undefined;
		if (!l) throw new RangeError(`shard must be in 0..${totalShards - 1}, got ${shard}.`);
		return l;
	}

	function send(conn: Connection, payload: object): void {
		sendRaw(conn, JSON.stringify(payload));
	}

	/** Frames go out in the order they were queued, whatever their encoding takes. */
	function sendRaw(conn: Connection, text: string): void {
		const frame = conn.encoder.encode(text);
		conn.queue = conn.queue.then(() => frame).then((data) => {
			if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(data);
		});
	}

	function close(conn: Connection, code: number, reason: string): void {
		if (conn.ws.readyState !== conn.ws.OPEN) return;
		// After what was queued before it, as a real server's close frame follows its last message.
		conn.queue = conn.queue.then(() => conn.ws.close(code, reason));
	}

	function dispatch(session: Session, t: string, d: unknown): void {
		session.seq++;
		const payload = JSON.stringify({ op: OP.dispatch, t, s: session.seq, d });
		session.events.push(payload);
		if (session.connection) sendRaw(session.connection, payload);
	}

	function attach(conn: Connection, session: Session): void {
		if (session.connection && session.connection !== conn) session.connection.session = undefined;
		conn.session = session;
		session.connection = conn;
		lines[session.shardId]!.session = session;
	}

	function endSession(session: Session | undefined): void {
		if (session) session.expired = true;
	}

	function detach(conn: Connection): void {
		endSession(conn.session);
		if (conn.session?.connection === conn) conn.session.connection = undefined;
		conn.session = undefined;
	}

	function identify(conn: Connection, d: unknown): void {
		if (conn.session) return close(conn, CLOSE.alreadyAuthenticated, 'Already authenticated');
		const refusal = identifyRefusal(d, token, totalShards, options.refusePrivilegedIntents ?? false);
		if (refusal) return close(conn, ...refusal);
		const fields = d as { shard?: [number, number]; compress?: boolean };
		const shardId = fields.shard?.[0] ?? 0;
		if (fields.compress && conn.encoder.compression === 'json') conn.encoder = wireEncoder('payload');
		const session: Session = { id: randomBytes(16).toString('hex'), shardId, seq: 0, events: [], expired: false };
		sessions.set(session.id, session);
		attach(conn, session);
		identifies[shardId]!++;
		const served = lines[shardId]!.guilds;
		dispatch(session, 'READY', readyPayload({ sessionId: session.id, resumeGatewayUrl: gatewayUrl, shard: [shardId, totalShards], guildIds: served.map((g) => g.id) }));
		for (const guild of served) if (guild.available) dispatch(session, 'GUILD_CREATE', guildCreatePayload(guild));
	}

	function resume(conn: Connection, d: unknown): void {
		if (!isObject(d) || typeof d.session_id !== 'string' || !Number.isInteger(d.seq) || (d.seq as number) < 0) {
			return close(conn, CLOSE.decodeError, 'RESUME d must have session_id and seq');
		}
		if (d.token !== token && d.token !== `Bot ${token}`) return close(conn, CLOSE.authenticationFailed, 'Authentication failed: RESUME token');
		const session = sessions.get(d.session_id);
		if (conn.session && conn.session !== session) return close(conn, CLOSE.alreadyAuthenticated, 'Already authenticated');
		if (!session || session.expired) {
			if (session) refusedResumes[session.shardId]!++;
			if (conn.session) detach(conn);
			return send(conn, { op: OP.invalidSession, d: false });
		}
		const seq = d.seq as number;
		if (seq > session.seq) return close(conn, CLOSE.invalidSeq, `Invalid seq: RESUME seq ${seq} is past ${session.seq}`);
		attach(conn, session);
		resumes[session.shardId]!++;
		for (const event of session.events.slice(seq)) sendRaw(conn, event);
		const shard = lines[session.shardId]!;
		const resumed = () => dispatch(session, 'RESUMED', { _trace: ['["shardbeat-stand-in",{"micros":0}]'] });
		if (shard.holdResumed) shard.heldResumed = resumed;
		else resumed();
	}

	function heartbeat(conn: Connection, d: unknown): void {
		if (d !== null && d !== undefined && !Number.isInteger(d)) return close(conn, CLOSE.decodeError, 'Heartbeat d must be the last sequence number or null');
		if (conn.session) heartbeats[conn.session.shardId]!++;
		const delay = conn.session ? lines[conn.session.shardId]!.ackDelayMs : 0;
		if (delay === Infinity) return;
		const timer = setTimeout(() => {
			conn.acks.delete(timer);
			send(conn, { op: OP.heartbeatAck });
		}, delay);
		conn.acks.add(timer);
	}

	function onMessage(conn: Connection, data: RawData): void {
		const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
		if (Buffer.byteLength(text) > MAX_CLIENT_PAYLOAD) return close(conn, CLOSE.decodeError, `Decode error: payload over ${MAX_CLIENT_PAYLOAD} bytes`);
		let payload: unknown;
		try {
			payload = JSON.parse(text);
		} catch {
			return close(conn, CLOSE.decodeError, 'Decode error: not JSON');
		}
		if (!isObject(payload) || !Number.isInteger(payload.op)) return close(conn, CLOSE.decodeError, 'Decode error: op must be an integer');
		switch (payload.op) {
			case OP.heartbeat:
				return heartbeat(conn, payload.d);
			case OP.identify:
				return identify(conn, payload.d);
			case OP.resume:
				return resume(conn, payload.d);
			default:
				if (!AFTER_AUTH.has(payload.op as number)) return close(conn, CLOSE.unknownOpcode, `Unknown opcode ${String(payload.op)}`);
				if (!conn.session) return close(conn, CLOSE.notAuthenticated, 'Not authenticated');
		}
	}

	wss.on('connection', (ws, req) => {
		const query = new URL(req.url ?? '/', url).searchParams;
		const compress = query.get('compress');
		const encoding = query.get('encoding') ?? 'json';
		const compression: WireCompression = compress === 'zlib-stream' ? 'zlib-stream' : 'json';
		const conn: Connection = { ws, encoder: wireEncoder(compression), queue: Promise.resolve(), acks: new Set() };
		connections.add(conn);
		ws.on('message', (data) => onMessage(conn, data));
		ws.on('error', () => undefined);
		ws.on('close', (code) => {
			connections.delete(conn);
			for (const timer of conn.acks) clearTimeout(timer);
			conn.encoder.close();
			const session = conn.session;
			if (!session) return;
			if (session.connection === conn) session.connection = undefined;
			// A client closing with 1000 or 1001 ends its session (Discord's rule): the next connection must IDENTIFY.
			if (code === 1000 || code === 1001) endSession(session);
		});
		if (query.get('v') !== '10') return close(conn, CLOSE.invalidApiVersion, `Invalid API version: v=${query.get('v')} (this gateway speaks 10)`);
		if (encoding !== 'json') return close(conn, CLOSE.decodeError, `Decode error: encoding=${encoding} (this gateway speaks json)`);
		if (compress !== null && compress !== 'zlib-stream') return close(conn, CLOSE.decodeError, `Decode error: compress=${compress} (this gateway speaks zlib-stream)`);
		send(conn, { op: OP.hello, d: { heartbeat_interval: heartbeatIntervalMs, _trace: ['["shardbeat-stand-in",{"micros":0}]'] } });
	});

	function liveConnection(shard: number): Connection | undefined {
		const conn = line(shard).session?.connection;
		return conn && conn.ws.readyState === conn.ws.OPEN ? conn : undefined;
	}

	return {
		url,
		api: `${url}/api`,
		gatewayUrl,
		token,
		totalShards,
		heartbeatIntervalMs,
		identifies,
		resumes,
		refusedResumes,
		heartbeats,
		requests,
		guilds: (shard) => line(shard).guilds.map((g) => ({ ...g })),
		connected: (shard) => liveConnection(shard) !== undefined,
		setAckDelay(shard, ms) {
			if (!(ms >= 0)) throw new RangeError(`ms must be ≥ 0, got ${ms}.`);
			line(shard).ackDelayMs = ms;
		},
		closeShard(shard, code = CLOSE.unknownError) {
			const conn = liveConnection(shard);
			if (code === CLOSE.sessionTimedOut || code === CLOSE.invalidSeq) endSession(line(shard).session);
			if (!conn) return false;
			close(conn, code, `closed by the test (${code})`);
			return true;
		},
		invalidateSession(shard, resumable) {
			const conn = liveConnection(shard);
			if (!conn) {
				if (!resumable) endSession(line(shard).session);
				return false;
			}
			send(conn, { op: OP.invalidSession, d: resumable });
			// Not resumable: the connection is unauthenticated again, and may IDENTIFY on it (Eris does).
			if (!resumable) detach(conn);
			return true;
		},
		requestReconnect(shard) {
			const conn = liveConnection(shard);
			if (!conn) return false;
			send(conn, { op: OP.reconnect, d: null });
			return true;
		},
		holdResumed(shard) {
			line(shard).holdResumed = true;
		},
		resumedHeld: (shard) => line(shard).heldResumed !== undefined,
		releaseResumed(shard) {
			const l = line(shard);
			const held = l.heldResumed;
			l.holdResumed = false;
			l.heldResumed = undefined;
			held?.();
			return held !== undefined;
		},
		makeUnavailable(shard, count) {
			const l = line(shard);
			const available = l.guilds.filter((g) => g.available);
			if (!Number.isInteger(count) || count < 0 || count > available.length) {
				throw new RangeError(`count must be in 0..${available.length} (available guilds of shard ${shard}), got ${count}.`);
			}
			const gone = available.slice(0, count);
			for (const guild of gone) {
				guild.available = false;
				if (l.session && !l.session.expired) dispatch(l.session, 'GUILD_DELETE', { id: guild.id, unavailable: true });
			}
			return gone.map((g) => g.id);
		},
		restore(shard) {
			const l = line(shard);
			const back = l.guilds.filter((g) => !g.available);
			for (const guild of back) {
				guild.available = true;
				if (l.session && !l.session.expired) dispatch(l.session, 'GUILD_CREATE', guildCreatePayload(guild));
			}
			return back.map((g) => g.id);
		},
		async close() {
			for (const conn of connections) conn.ws.terminate();
			await new Promise<void>((resolve) => wss.close(() => resolve()));
			// A client's keep-alive REST connection would hold close() for its idle timeout.
			http.closeAllConnections();
			await new Promise<void>((resolve, reject) => http.close((error) => (error ? reject(error) : resolve())));
		}
	};
}

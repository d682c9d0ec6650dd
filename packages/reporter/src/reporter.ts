import { io, type Socket } from 'socket.io-client';
import {
	FULL_HEARTBEAT_EVERY,
	NAMESPACES,
	advanceSnapshot,
	changedShards,
	snapshotHeartbeat,
	PROTOCOL_VERSION,
	jittered,
	type Ack,
	type BackoffPolicy,
	type BotClientToServerEvents,
	type BotHeartbeat,
	type BotServerToClientEvents,
	type ConnectErrorData,
	type Heartbeat,
	type HeartbeatAccepted
} from './protocol.ts';

/** A heartbeat without the protocol version, which the reporter adds. */
export type ClusterReport = Omit<Heartbeat, 'v'>;

/**
 * Reads the cluster's state at the moment of sending; called once per heartbeat. May return a
 * promise (the @discordjs/ws adapter asks its manager, which may ask worker threads).
 */
export type ReportSource = () => ClusterReport | Promise<ClusterReport>;

/** Anything with console-style methods; pass your bot's logger to route Shardbeat's messages. */
export interface ReporterLogger {
	info(message: string): void;
	warn(message: string): void;
	error(message: string): void;
}

export interface ReporterOptions {
	/** Base URL of the Shardbeat server, e.g. `https://status-api.example.com`. */
	url: string;
	/** The server's `SHARDBEAT_BOT_SECRET`. */
	secret: string;
	/** What to report; `discordSource(client)` for a discord.js bot. */
	source: ReportSource;
	/** Heartbeat interval in ms. Default 5000, matching the server's default `SHARDBEAT_HEARTBEAT_INTERVAL_MS`. */
	intervalMs?: number;
	/** First reconnect delay in ms; doubles per attempt. Default 1000. */
	reconnectDelayMs?: number;
	/** Ceiling of the reconnect delay in ms. Default 30000. */
	reconnectDelayMaxMs?: number;
	/**
	 * Jitter of each reconnect delay, 0–1: the delay is drawn from ±this fraction around the
	 * backoff step. Default 0.5, so 1,000 bots that lost a restarting server come back spread over
	 * seconds instead of in one wave. 0 only for tests that need exact timing.
	 */
	reconnectJitter?: number;
	/** Default `console`. */
	logger?: ReporterLogger;
}

/** A running reporter. */
export interface ShardbeatReporter {
	/** True while connected to the server. */
	readonly connected: boolean;
	/** Sends a heartbeat now (outside the interval) and resolves with the server's answer. */
	sendNow(): Promise<Ack<HeartbeatAccepted>>;
	/** Stops the interval and disconnects. The server marks the cluster stopped at once. */
	stop(): void;
}

type BotSocket = Socket<BotServerToClientEvents, BotClientToServerEvents>;

/**
 * Reconnects by default: 1 s doubling to 30 s (socket.io's Manager always doubles), each delay
 * ±50 %, so 1,000 bots that lost a restarting server come back spread over seconds instead of in
 * one wave. `reconnectDelayMs`, `reconnectDelayMaxMs` and `reconnectJitter` override the numbers.
 */
const RECONNECT_BACKOFF = { baseMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.5 } as const satisfies BackoffPolicy;

/**
 * Connects to a Shardbeat server and sends `source()` as a heartbeat every `intervalMs`.
 *
 * Once the server has said (in an ack) that it answers only problems, interval heartbeats go
 * without an ack, and a refusal or a shard conflict arrives as `heartbeat-result` instead; an
 * older server is asked for an ack every time, as before. Once an ack has said `acceptsDeltas`,
 * heartbeats are numbered and carry only the shards that changed since the last one (a delta),
 * with a full one every `FULL_HEARTBEAT_EVERY`, after any refusal and on every new connection.
 *
 * Nothing is queued while disconnected: socket.io would otherwise replay minutes-old heartbeats
 * on reconnect. Instead the reporter sends the current state the moment it is connected again.
 * Reconnects back off exponentially (×2 per attempt, capped) with ±50 % jitter, so a fleet that
 * lost the server does not return in one wave.
 *
 * @example
 * import { createReporter } from '@shardbeat/reporter';
 *
 * const reporter = createReporter({
 *   url: 'https://status-api.example.com',
 *   secret: process.env.SHARDBEAT_BOT_SECRET!,
 *   source: () => ({ clusterId: 0, totalShards: 1, shardIds: [0], shards: [{ id: 0, state: 'ready', ping: 42, guilds: 10, unavailableGuilds: 0 }],
 *                    guilds: 10, members: 1200, uptimeMs: process.uptime() * 1000 }),
 * });
 * // later: reporter.stop();
 */
export function createReporter(options: ReporterOptions): ShardbeatReporter {
	const intervalMs = options.intervalMs ?? 5_000;
	const logger = options.logger ?? console;
	const reconnectionDelay = options.reconnectDelayMs ?? RECONNECT_BACKOFF.baseMs;
	const jitter = Math.min(1, Math.max(0, options.reconnectJitter ?? RECONNECT_BACKOFF.jitter));
	let kicked: ReturnType<typeof setTimeout> | undefined;
	const socket: BotSocket = io(new URL(NAMESPACES.bot, options.url).href, {
		auth: { secret: options.secret },
		transports: ['websocket'],
		// Chosen, not inherited: exponential backoff (×2 per failed attempt) from 1 s up to 30 s,
		// every delay jittered ±50 % (socket.io's Backoff), and unlimited attempts.
		reconnection: true,
		reconnectionAttempts: Infinity,
		reconnectionDelay,
		reconnectionDelayMax: options.reconnectDelayMaxMs ?? RECONNECT_BACKOFF.maxMs,
		randomizationFactor: jitter
	});
	let timer: ReturnType<typeof setInterval> | undefined;
	let stopped = false;
	let lastRefusal = '';
	// Set by an ack that says the server answers only problems (`heartbeat-result`); cleared on
	// every (re)connect, since the server on the other end may be another, older one, and by any
	// refusal, so that heartbeats are acked again until one is accepted.
	let quiet = false;
	// Deltas: only once an ack of this connection said `acceptsDeltas`. `sent` is the last heartbeat
	// sent numbered, which the server holds as the base unless it told us otherwise; any refusal
	// or reconnect drops it, so the next heartbeat goes full.
	let deltas = false;
	let seq = 0;
	let sent: { seq: number; heartbeat: Heartbeat } | undefined;
	let deltasSinceFull = 0;

	/** What goes on the wire for `heartbeat`: as it is to a server that takes no deltas, else numbered, and a delta when one can say it. */
	function compose(heartbeat: Heartbeat, full: boolean): BotHeartbeat {
		if (!deltas) return heartbeat;
		seq++;
		const changed = !full && sent !== undefined && deltasSinceFull < FULL_HEARTBEAT_EVERY - 1 ? changedShards(sent.heartbeat, heartbeat) : undefined;
		if (changed === undefined || sent === undefined) {
			sent = { seq, heartbeat: snapshotHeartbeat(heartbeat) };
			deltasSinceFull = 0;
			return { ...heartbeat, seq };
		}
		const base = sent.seq;
		advanceSnapshot(sent.heartbeat, heartbeat, changed);
		sent.seq = seq;
		deltasSinceFull++;
		const { v, clusterId, guilds, members, uptimeMs } = heartbeat;
		return { v, clusterId, seq, base, shards: changed, guilds, members, uptimeMs };
	}

	/** Reads the source and hands the heartbeat to `deliver`; a source that throws or rejects is logged and answered `internal`. */
	function read<T>(deliver: (heartbeat: Heartbeat) => T, failed: (ack: Ack<HeartbeatAccepted>) => T): T | Promise<T> {
		let report: ClusterReport | Promise<ClusterReport>;
		try {
			report = options.source();
		} catch (error) {
			return failed(unreadable(error));
		}
		if (!isThenable(report)) return deliver({ v: PROTOCOL_VERSION, ...report });
		return Promise.resolve(report).then(
			(r) => (socket.connected ? deliver({ v: PROTOCOL_VERSION, ...r }) : failed(notConnected())),
			(error: unknown) => failed(unreadable(error))
		);
	}

	/** A heartbeat whose answer the caller gets: `sendNow()`, and every one until the server said it answers only problems. */
	function send(): Promise<Ack<HeartbeatAccepted>> {
		if (!socket.connected) return Promise.resolve(notConnected());
		return Promise.resolve(read<Ack<HeartbeatAccepted> | Promise<Ack<HeartbeatAccepted>>>((heartbeat) => emit(compose(heartbeat, true)), (ack) => ack));
	}

	const emitQuietly = (heartbeat: Heartbeat): void => void socket.emit('heartbeat', compose(heartbeat, false));
	const nothing = (): void => undefined;
	/** The interval's heartbeat: acked until the server said it answers only problems, then sent without an ack. */
	function beat(): void {
		if (!quiet) return void send();
		if (socket.connected) void read(emitQuietly, nothing);
	}

	function isThenable(value: ClusterReport | PromiseLike<ClusterReport>): value is PromiseLike<ClusterReport> {
		return typeof (value as { then?: unknown }).then === 'function';
	}

	function notConnected(): Ack<HeartbeatAccepted> {
		return { ok: false, error: { code: 'internal', message: 'not connected to the Shardbeat server' } };
	}

	function unreadable(error: unknown): Ack<HeartbeatAccepted> {
		logger.error(`[shardbeat] could not read the cluster state: ${String(error)}`);
		return { ok: false, error: { code: 'internal', message: `source() threw: ${String(error)}` } };
	}

	/** The server's answer, acked or pushed: refusals logged once per distinct reason, conflicts every time. */
	function answered(ack: Ack<HeartbeatAccepted>): void {
		// From the network: an answer of another shape is reported, never allowed to throw inside the bot.
		if (typeof ack !== 'object' || ack === null || (ack.ok ? !Array.isArray(ack.conflicts) : typeof ack.error?.message !== 'string')) {
			return logger.warn(`[shardbeat] ignored an answer of an unknown shape from the server: ${JSON.stringify(ack)?.slice(0, 200)}`);
		}
		if (!ack.ok && ack.error.code === 'unknown_base') {
			// Expected after a lost heartbeat or a failover to another server instance; the next one goes full.
			logger.info(`[shardbeat] ${ack.error.message}`);
		} else if (!ack.ok && ack.error.message !== lastRefusal) {
			// Logged once per distinct reason: a persistent bug should not flood the bot's logs.
			logger.warn(`[shardbeat] heartbeat refused: ${ack.error.message}`);
		}
		lastRefusal = ack.ok ? '' : ack.error.message;
		if (!ack.ok) {
			quiet = false;
			sent = undefined;
		} else {
			if (ack.answersOnlyProblems) quiet = true;
			if (ack.acceptsDeltas) deltas = true;
		}
		if (ack.ok && ack.conflicts.length > 0) {
			logger.warn(`[shardbeat] shards also claimed by another cluster: ${JSON.stringify(ack.conflicts)}`);
		}
	}

	function emit(heartbeat: BotHeartbeat): Promise<Ack<HeartbeatAccepted>> {
		return new Promise((resolve) => {
			socket.timeout(intervalMs).emit('heartbeat', heartbeat, (err: Error | null, ack: Ack<HeartbeatAccepted>) => {
				if (err) return resolve({ ok: false, error: { code: 'internal', message: 'the server did not answer in time' } });
				answered(ack);
				resolve(ack);
			});
		});
	}

	socket.on('heartbeat-result', (result) => answered(result));

	socket.on('connect', () => {
		logger.info(`[shardbeat] connected to ${options.url}`);
		quiet = false;
		deltas = false;
		sent = undefined;
		seq = 0;
		void send();
		clearInterval(timer);
		timer = setInterval(beat, intervalMs);
		timer.unref?.();
	});

	socket.on('connect_error', (error: Error & { data?: ConnectErrorData }) => {
		if (error.data?.code === 'unauthorized') {
			// socket.io does not retry a refusal by the server's middleware; the secret must be fixed.
			logger.error(`[shardbeat] ${error.message}`);
		}
	});

	socket.on('disconnect', (reason) => {
		clearInterval(timer);
		timer = undefined;
		if (stopped) return;
		logger.warn(`[shardbeat] disconnected (${reason}); reconnecting with backoff`);
		// A server-initiated disconnect is not retried by socket.io on its own.
		// The backoff's first step, jittered like it: a server that drops every bot at once must not
		// get them all back at once.
		if (reason === 'io server disconnect') {
			clearTimeout(kicked);
			kicked = setTimeout(() => !stopped && socket.connect(), jittered(reconnectionDelay, jitter));
		}
	});

	return {
		get connected() {
			return socket.connected;
		},
		sendNow: send,
		stop() {
			stopped = true;
			clearInterval(timer);
			clearTimeout(kicked);
			socket.disconnect();
		}
	};
}

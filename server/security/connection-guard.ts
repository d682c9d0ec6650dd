import type { IncomingMessage, Server as HttpServer, ServerOptions, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Logger } from '../log.ts';
import type { Subsystem } from '../subsystem.ts';
import { clientIp } from './client-ip.ts';

export interface ConnectionSettings {
	trustProxy: boolean;
	/** Concurrent TCP connections per client IP; 0: no cap. */
	maxConnectionsPerIp: number;
	headersTimeoutMs: number;
	requestTimeoutMs: number;
	keepAliveTimeoutMs: number;
}

/** The retry hint of a refused connection: long enough for a client's other connections to close. */
export const CONNECTION_RETRY_S = 10;

/**
 * Options for `http.createServer`. Node checks its header and request timeouts only every
 * `connectionsCheckingInterval` (30 s by default), which would let a slowloris hold a connection
 * three times the configured timeout: here it is checked every second (or faster for tiny timeouts).
 */
export function httpServerOptions(settings: ConnectionSettings): ServerOptions {
	return {
		headersTimeout: settings.headersTimeoutMs,
		requestTimeout: settings.requestTimeoutMs,
		connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(settings.headersTimeoutMs / 4)))
	};
}

export interface ConnectionGuard extends Subsystem {
	/** Stops counting `socket` against its IP (an authenticated bot's connection). */
	exempt(socket: Duplex | undefined): void;
	/** Connections counted against `ip` now. */
	held(ip: string): number;
}

const counted = Symbol('shardbeat.connectionIp');
const attributed = Symbol('shardbeat.connectionAttributed');
type Tracked = Socket & { [counted]?: string; [attributed]?: true };

const refusal = (ip: string) =>
	JSON.stringify({ error: { code: 'too_many_connections', message: `too many open connections from ${ip}; close some or retry in ${CONNECTION_RETRY_S} s` } });

/** A complete HTTP answer written on a socket the HTTP parser never sees, then the socket closed. */
function refuseRaw(socket: Socket, ip: string): void {
	const body = refusal(ip);
	socket.on('error', () => {});
	// Read and drop what the client sends: closing with unread data would reset the connection
	// and could lose the answer before the client reads it.
	socket.resume();
	socket.end(
		`HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
			`Retry-After: ${CONNECTION_RETRY_S}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`
	);
	setTimeout(() => socket.destroy(), 2_000).unref();
}

/**
 * Connection limits at the HTTP layer, ahead of every route and of Socket.io:
 *
 * - Node's header and request timeouts (set at `createServer`, see `httpServerOptions`) close a
 *   connection that trickles its request (slowloris); one that sends nothing at all is not covered
 *   by them, so it is closed here when its first byte has not come within the header timeout.
 *   A WebSocket, once upgraded, and a held long-polling answer are cut by neither.
 * - At most `maxConnectionsPerIp` connections per client IP. Directly exposed, the IP is the TCP
 *   peer and a connection over the cap never reaches the HTTP parser: it gets a `429` with
 *   `Retry-After` and is closed. Behind a proxy (`trustProxy`) the TCP peer is the proxy, so each
 *   connection is counted against the first `X-Forwarded-For` hop of its first request (or
 *   WebSocket upgrade), and refused there. Bots' and viewers' sockets are connections like any
 *   other; a bot's stops counting once it has authenticated (`exempt`), so a host running many
 *   clusters is limited only while they connect.
 *
 * It sees every connection through the server's `emit`, so it works whatever order Socket.io and
 * the routes attached their listeners in.
 */
export function createConnectionGuard(deps: { http: HttpServer; settings: ConnectionSettings; logger: Logger }): ConnectionGuard {
	const { http, settings, logger } = deps;
	const limit = settings.maxConnectionsPerIp;
	const perIp = new Map<string, number>();
	let refused = 0;
	let silentClosed = 0;
	http.keepAliveTimeout = settings.keepAliveTimeoutMs;

	const release = (socket: Tracked) => {
		const ip = socket[counted];
		if (ip === undefined) return;
		socket[counted] = undefined;
		const n = (perIp.get(ip) ?? 1) - 1;
		if (n <= 0) perIp.delete(ip);
		else perIp.set(ip, n);
	};
	/** Counts `socket` against `ip`; false when `ip` is at the cap. */
	const admit = (socket: Tracked, ip: string): boolean => {
		if (limit <= 0) return true;
		const n = perIp.get(ip) ?? 0;
		if (n >= limit) {
			refused++;
			logger.debug({ ip, held: n }, 'connection refused: too many from this address');
			return false;
		}
		perIp.set(ip, n + 1);
		socket[counted] = ip;
		socket.once('close', () => release(socket));
		return true;
	};

	const onConnection = (socket: Tracked): boolean => {
		// Silent connections: Node's timeouts start at the first byte, so a connection that never
		// sends one would be held for ever.
		const timer = setTimeout(() => {
			if (socket.bytesRead === 0 && !socket.destroyed) {
				silentClosed++;
				socket.destroy();
			}
		}, settings.headersTimeoutMs);
		timer.unref();
		socket.once('close', () => clearTimeout(timer));
		if (settings.trustProxy) return true;
		const ip = clientIp({}, socket.remoteAddress, false);
		if (admit(socket, ip)) return true;
		refuseRaw(socket, ip);
		return false;
	};

	/** Behind a proxy: the first request (or upgrade) on a connection says whom it counts against. */
	const onFirstRequest = (req: IncomingMessage): { ip: string } | undefined => {
		const socket = req.socket as Tracked;
		if (!settings.trustProxy || socket[attributed]) return undefined;
		socket[attributed] = true;
		const ip = clientIp(req.headers, socket.remoteAddress, true);
		return admit(socket, ip) ? undefined : { ip };
	};

	const emit = http.emit.bind(http) as (event: string | symbol, ...args: unknown[]) => boolean;
	http.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
		if (event === 'connection' && !onConnection(args[0] as Tracked)) return true;
		if (event === 'request') {
			const over = onFirstRequest(args[0] as IncomingMessage);
			if (over) {
				const [req, res] = args as [IncomingMessage, ServerResponse];
				req.resume();
				res.shouldKeepAlive = false;
				const body = refusal(over.ip);
				res.writeHead(429, {
					'Content-Type': 'application/json; charset=utf-8',
					'Content-Length': Buffer.byteLength(body),
					'Retry-After': String(CONNECTION_RETRY_S),
					'Cache-Control': 'no-store',
					Connection: 'close'
				});
				res.end(body);
				return true;
			}
		}
		if (event === 'upgrade') {
			const over = onFirstRequest(args[0] as IncomingMessage);
			if (over) {
				refuseRaw(args[1] as Socket, over.ip);
				return true;
			}
		}
		return emit(event, ...args);
	}) as typeof http.emit;

	return {
		exempt: (socket) => {
			if (socket) release(socket as Tracked);
		},
		held: (ip) => perIp.get(ip) ?? 0,
		health: () => ({ connectionsRefused: refused, connectionsSilentClosed: silentClosed }),
		close: () => perIp.clear()
	};
}

import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../scripts/stack.ts';

export interface TcpProxy {
	url: string;
	port: number;
	/**
	 * A network partition as a black hole: bytes stop flowing both ways, but no socket is closed
	 * and no FIN or RST is sent, so neither side learns anything until its own timeouts fire.
	 * New connections are accepted and held, silent, too.
	 */
	pause(): void;
	/** Forwards again, including whatever was held while paused. */
	resume(): void;
	/** Refuses: every open connection is reset and new ones are closed at once (a dead host's port). */
	refuse(): void;
	/** Connections currently open through the proxy. */
	readonly connections: number;
	close(): Promise<void>;
}

/**
 * A TCP proxy on loopback in front of one backend (a Shardbeat server, PostgreSQL, …) that the
 * test controls, to make network faults without touching either end.
 */
export async function startTcpProxy(backendPort: number, backendHost = '127.0.0.1'): Promise<TcpProxy> {
	let paused = false;
	let refusing = false;
	const pairs = new Set<[Socket, Socket]>();
	const held: (() => void)[] = [];

	const server: Server = createServer((client) => {
		client.on('error', () => undefined);
		if (refusing) return client.destroy();
		client.pause();
		const open = () => {
			const upstream = createConnection({ port: backendPort, host: backendHost });
			upstream.on('error', () => client.destroy());
			client.on('error', () => upstream.destroy());
			const pair: [Socket, Socket] = [client, upstream];
			pairs.add(pair);
			const end = () => {
				pairs.delete(pair);
				client.destroy();
				upstream.destroy();
			};
			upstream.once('close', end);
			client.once('close', end);
			upstream.once('connect', () => {
				// Pipe by hand so a pause can stop both directions without closing anything.
				forward(client, upstream);
				forward(upstream, client);
				if (!paused) {
					client.resume();
					upstream.resume();
				} else {
					client.pause();
					upstream.pause();
				}
			});
		};
		if (paused) held.push(open);
		else open();
	});
	// `pipe` would resume a paused source when the destination drains; data events under our control do not.
	const forward = (from: Socket, to: Socket) => {
		from.on('data', (chunk) => {
			if (!to.write(chunk) && !paused) {
				from.pause();
				to.once('drain', () => !paused && from.resume());
			}
		});
		from.on('end', () => to.end());
	};
	const port = await freePort();
	await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		get connections() {
			return pairs.size;
		},
		pause() {
			paused = true;
			for (const [a, b] of pairs) {
				a.pause();
				b.pause();
			}
		},
		resume() {
			paused = false;
			refusing = false;
			for (const [a, b] of pairs) {
				a.resume();
				b.resume();
			}
			for (const open of held.splice(0)) open();
		},
		refuse() {
			refusing = true;
			for (const [a, b] of pairs) {
				a.resetAndDestroy?.() ?? a.destroy();
				b.destroy();
			}
			held.length = 0;
		},
		close: () =>
			new Promise<void>((resolve) => {
				for (const [a, b] of pairs) {
					a.destroy();
					b.destroy();
				}
				server.close(() => resolve());
			})
	};
}

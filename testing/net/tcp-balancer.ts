import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../scripts/stack.ts';

/**
 * A round-robin TCP load balancer on loopback, like an L4 balancer in front of several
 * instances: each new connection goes to the next backend that accepts it. WebSocket-only
 * clients need nothing more (no sticky sessions).
 */
export async function startBalancer(backends: number[]): Promise<{ url: string; close(): Promise<void> }> {
	let next = 0;
	const open = new Set<Socket>();
	const connect = (client: Socket, tries: number) => {
		if (tries === 0) return client.destroy();
		const port = backends[next++ % backends.length]!;
		const upstream = createConnection({ port, host: '127.0.0.1' });
		upstream.once('error', () => {
			if (!upstream.readableEnded && upstream.bytesRead === 0 && upstream.bytesWritten === 0) connect(client, tries - 1);
			else client.destroy();
		});
		upstream.once('connect', () => {
			open.add(upstream);
			client.pipe(upstream).pipe(client);
			const end = () => {
				client.destroy();
				upstream.destroy();
			};
			upstream.once('close', end);
			client.once('close', end);
		});
	};
	const server: Server = createServer((client) => {
		open.add(client);
		client.once('close', () => open.delete(client));
		client.on('error', () => undefined);
		client.pause();
		connect(client, backends.length);
	});
	const port = await freePort();
	await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				for (const s of open) s.destroy();
				server.close(() => resolve());
			})
	};
}

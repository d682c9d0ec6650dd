import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { Fleet } from '../../server/fleet/fleet.ts';
import { benchHeartbeat } from '../fleet-shape.ts';
import { childOptions, serveCommands } from '../ipc.ts';

/*
 * The design Shardbeat replaced, for comparison in the same run: every `get-cluster-status`
 * rebuilds the fleet and sends it whole as JSON. Same Fleet, same Socket.io, no auth.
 */
const options = childOptions<{ port: number }>();
const fleet = new Fleet();
const http = createServer();
const io = new Server(http);
io.of('/viewer').on('connection', (socket) => {
	socket.on('get-cluster-status', (...args: unknown[]) => {
		const ack = args.at(-1);
		if (typeof ack === 'function') ack({ ok: true, status: fleet.snapshot(Date.now()) });
	});
});
await new Promise<void>((r) => http.listen(options.port, '127.0.0.1', r));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

serveCommands({
	url: () => url,
	load: ({ clusters, shardsPerCluster }) => {
		const total = Number(clusters) * Number(shardsPerCluster);
		for (let c = 0; c < Number(clusters); c++) fleet.apply(benchHeartbeat(c, Number(shardsPerCluster), total), null, Date.now());
		return { jsonBytes: Buffer.byteLength(JSON.stringify(fleet.snapshot())) };
	}
});

import { PROTOCOL_VERSION, type Heartbeat, type ShardState } from '#shared';
import { createShardbeatServer, type ShardbeatServer } from '../../server/app.ts';
import { createLogger } from '../../server/log.ts';
import { freePort, serveWorker, type Service } from '../../scripts/stack.ts';
import { testServerConfig } from '../server/config.ts';
import type { ServerConfig } from '../../server/config.ts';

/** The operator secret of `startFleetPage` servers. */
export const FLEET_PAGE_OPERATOR_SECRET = 'fleet-page-operator-secret-0123456789';

/** What a shard of the fleet looks like: clusters listed here are not all ready or fast. */
export interface FleetShape {
	clusters: number;
	shardsPerCluster: number;
	/** Clusters whose shards are half resuming (degraded). */
	degraded?: number[];
	/** Clusters with no shard ready (down). */
	down?: number[];
	/** Clusters whose pings are slow, 250–650 ms. */
	slow?: number[];
}

/**
 * One heartbeat of cluster `clusterId` shaped by `shape`: shards c·k … c·k+k−1, pings 40–190 ms
 * (or slow), guilds like a real bot's. `variant` moves one ping, the way gateway pings drift.
 */
export function shapedHeartbeat(shape: FleetShape, clusterId: number, variant = 0): Heartbeat {
	const k = shape.shardsPerCluster;
	const total = shape.clusters * k;
	const slow = shape.slow?.includes(clusterId) ?? false;
	const shards = Array.from({ length: k }, (_, i) => {
		const id = clusterId * k + i;
		const state: ShardState = shape.down?.includes(clusterId) ? 'disconnected' : shape.degraded?.includes(clusterId) && i % 2 === 1 ? 'resuming' : 'ready';
		let ping = slow ? 250 + ((id * 53) % 400) : 40 + ((id * 37) % 150);
		if (variant > 0 && i === variant % k) ping += 1 + (variant % 5);
		return { id, state, ...(state === 'ready' ? { ping } : {}), guilds: 600 + ((id * 131) % 900) };
	});
	const guilds = shards.reduce((n, s) => n + s.guilds, 0);
	return { v: PROTOCOL_VERSION, clusterId, totalShards: total, shardIds: shards.map((s) => s.id), shards, guilds, members: guilds * 110, uptimeMs: 3_600_000 };
}

export interface FleetPage {
	server: ShardbeatServer;
	serverUrl: string;
	/** The built page under wrangler. */
	pageUrl: string;
	/** Marks clusters stopped, as the server does to a silent one. */
	stop(clusterIds: number[]): Promise<void>;
	/** Opens a maintenance window over `clusterIds` through the operator API. */
	maintenance(clusterIds: number[]): Promise<void>;
	close(): Promise<void>;
}

/**
 * A real server holding a fleet of `shape` and the built page (run `npx vite build` first) under
 * wrangler, for page tests and screenshots at sizes where thousands of reporter sockets would only
 * load the machine: heartbeats go through the server's own intake (`fleet.apply`), not a socket.
 * Liveness waits ten minutes, so nothing stops unless `stop` says so.
 */
export async function startFleetPage(shape: FleetShape, config: Partial<ServerConfig> = {}): Promise<FleetPage> {
	const pagePort = await freePort();
	const server = createShardbeatServer(
		testServerConfig({
			allowedOrigins: [`http://127.0.0.1:${pagePort}`],
			operatorSecret: FLEET_PAGE_OPERATOR_SECRET,
			heartbeatIntervalMs: 600_000,
			...config
		}),
		{ logger: createLogger('error') }
	);
	const serverUrl = await server.listen(0, '127.0.0.1');
	const now = Date.now();
	for (let c = 0; c < shape.clusters; c++) server.fleet.apply(shapedHeartbeat(shape, c), null, now);
	await server.flush();
	let worker: Service;
	try {
		worker = await serveWorker(pagePort, { PUBLIC_SHARDBEAT_URL: serverUrl });
	} catch (err) {
		await server.close();
		throw err;
	}
	return {
		server,
		serverUrl,
		pageUrl: worker.url,
		async stop(clusterIds) {
			for (const id of clusterIds) server.fleet.stop(id);
			await server.flush();
		},
		async maintenance(clusterIds) {
			const res = await fetch(`${serverUrl}/api/v1/operator/maintenance`, {
				method: 'POST',
				headers: { authorization: `Bearer ${FLEET_PAGE_OPERATOR_SECRET}`, 'content-type': 'application/json' },
				body: JSON.stringify({ title: 'Database upgrade', startsAt: Date.now() - 60_000, endsAt: Date.now() + 3_600_000, clusterIds })
			});
			if (!res.ok) throw new Error(`maintenance window refused: ${res.status} ${await res.text()}`);
		},
		async close() {
			await worker.stop();
			await server.close();
		}
	};
}

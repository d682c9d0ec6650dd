import { createShardbeatServer } from '../../server/app.ts';
import { createLogger } from '../../server/log.ts';
import { RATE_LIMIT_DEFAULTS, testServerConfig } from '../server/config.ts';
import { childOptions, serveCommands } from './ipc.ts';

/*
 * A Shardbeat server for soaks (`npm run bench:reliability`, e2e/faults-soak.e2e.ts), alone in its
 * process (started with --expose-gc by testing/processes/ipc.ts), answering what leaks would show: heap after
 * a full GC, and the handles (sockets, timers, servers) and requests the process holds.
 */
const options = childOptions<{ botSecret: string; tokenSecret: string; heartbeatIntervalMs: number; pushIntervalMs: number }>();
const server = createShardbeatServer(
	// The production limits: the soak's few clients stay far below them.
	testServerConfig({
		...RATE_LIMIT_DEFAULTS,
		botSecret: options.botSecret,
		tokenSecret: options.tokenSecret,
		heartbeatIntervalMs: options.heartbeatIntervalMs,
		pushIntervalMs: options.pushIntervalMs
	}),
	{ logger: createLogger('error') }
);
const url = await server.listen(0, '127.0.0.1');

type Internals = { _getActiveHandles(): { constructor: { name: string } }[]; _getActiveRequests(): unknown[] };
const internals = process as unknown as Internals;

serveCommands({
	url: () => url,
	measure: () => {
		for (let i = 0; i < 3; i++) global.gc?.();
		const m = process.memoryUsage();
		const handles = internals._getActiveHandles();
		// Every resource keeping the loop alive, timers included (unref'd ones too), by kind.
		const resources = process.getActiveResourcesInfo();
		const kinds: Record<string, number> = {};
		for (const r of resources) kinds[r] = (kinds[r] ?? 0) + 1;
		return {
			heapUsed: m.heapUsed,
			rss: m.rss,
			handles: handles.length,
			resources: resources.length,
			resourceKinds: kinds,
			requests: internals._getActiveRequests().length,
			/** Open sockets by peer, to tell a leak from a client that simply has not closed yet. */
			sockets: (handles as unknown as { remotePort?: number; bytesRead?: number; readyState?: string }[])
				.filter((h) => h.remotePort !== undefined)
				.map((h) => `${h.remotePort}:${h.readyState}:${h.bytesRead}`),
			bots: server.io.of('/bot').sockets.size,
			viewers: server.io.of('/viewer').sockets.size,
			clusters: server.feed.status.clusters.length,
			version: server.feed.version
		};
	}
});

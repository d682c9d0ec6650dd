import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createShardbeatServer } from '../../server/app.ts';
import type { ServerConfig } from '../../server/config.ts';
import { createLogger } from '../../server/log.ts';
import { testServerConfig } from '#testing/server/config';
import { BENCH_BOT_SECRET, BENCH_TOKEN_SECRET, benchHeartbeat } from '../fleet-shape.ts';
import { childOptions, serveCommands } from '../ipc.ts';

/* The Shardbeat server under test, alone in its process (and on its core). */
const options = childOptions<{ port: number; config?: Partial<ServerConfig> }>();
const server = createShardbeatServer(
	// No rate limits: every load process connects from 127.0.0.1, so limits would measure themselves, not the server.
	testServerConfig({
		botSecret: BENCH_BOT_SECRET,
		tokenSecret: BENCH_TOKEN_SECRET,
		// Bench runs are long; a token must outlive them.
		tokenTtlMs: 3_600_000,
		// The flood suite runs with production limits (and its own proxy setting).
		...options.config
	}),
	{ logger: createLogger('error') }
);
const url = await server.listen(options.port, '127.0.0.1');
// How long work waited for the event loop: the server's own share of any latency the load sees.
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

const memory = () => {
	global.gc?.();
	global.gc?.();
	const m = process.memoryUsage();
	return { heapUsed: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
};

serveCommands({
	url: () => url,
	/** Puts a fleet in place without sockets, as if every cluster had just reported. */
	load: async ({ clusters, shardsPerCluster }) => {
		const total = Number(clusters) * Number(shardsPerCluster);
		const now = Date.now();
		for (let c = 0; c < Number(clusters); c++) server.fleet.apply(benchHeartbeat(c, Number(shardsPerCluster), total), null, now);
		await server.flush();
		const full = server.feed.full();
		return { version: server.feed.version, fullBytes: full.data instanceof Uint8Array ? full.data.byteLength : 0 };
	},
	stats: () => ({
		...server.stats,
		/** CPU time this process has used, µs: heartbeats per CPU-second is capacity per core, whatever else the machine does. */
		cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
		version: server.feed.version,
		viewers: server.io.of('/viewer').sockets.size,
		bots: server.io.of('/bot').sockets.size
	}),
	memory,
	/** Event-loop delay since the last call, ms. */
	'loop-delay': () => {
		const out = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
		loopDelay.reset();
		return out;
	}
});

import { createShardbeatServer } from '../server/app.ts';
import { ConfigError, loadConfig } from '../server/config.ts';
import { createLogger } from '../server/log.ts';
import { FleetSimulator } from '../server/simulator/fleet-simulator.ts';

/*
 * `npm start`: the whole product on one machine with nothing to configure — the server and a
 * simulated 8 × 4 fleet reporting to it over real Socket.io connections.
 */
let loaded;
try {
	loaded = loadConfig({ SHARDBEAT_LOG_LEVEL: 'warn', ...process.env });
} catch (error) {
	console.error(error instanceof ConfigError ? error.message : error);
	process.exit(1);
}
const { config } = loaded;
const logger = createLogger(config.logLevel);
const server = createShardbeatServer(config, { logger });
const url = await server.listen().catch((error: NodeJS.ErrnoException) => {
	console.error(error.code === 'EADDRINUSE' ? `Port ${config.port} is in use: stop the other process or set SHARDBEAT_PORT.` : error);
	process.exit(1);
});

const fleet = new FleetSimulator({ url, secret: config.botSecret, clusters: 8, shardsPerCluster: 4, intervalMs: config.heartbeatIntervalMs });
fleet.start();
await fleet.connected();

console.log(`
  Shardbeat is running.

  Status API     ${url}/api/status
  Health         ${url}/healthz
  Simulated bot  ${fleet.clusters.length} clusters × 4 shards = ${fleet.totalShards} shards, reporting every ${config.heartbeatIntervalMs / 1000} s

  A bigger fleet:  npm run fleet -- --clusters 1000 --shards 16
  Stop with Ctrl+C.
`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		fleet.stop();
		void server.close().then(() => process.exit(0));
	});
}

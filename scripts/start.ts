import { loadConfig, ConfigError, DEV_METRICS_TOKEN, DEV_OPERATOR_SECRET } from '../server/config.ts';
import { startStack } from './stack.ts';

/*
 * `npm start`: the whole product on one machine with nothing to configure — the server, a
 * simulated 8 × 4 fleet reporting over real Socket.io connections, and the status page built
 * and served as the Cloudflare worker it deploys as (wrangler dev).
 */
let config;
try {
	({ config } = loadConfig({ SHARDBEAT_LOG_LEVEL: 'warn', ...process.env }));
} catch (error) {
	console.error(error instanceof ConfigError ? error.message : error);
	process.exit(1);
}

// The page's own origin must be allowed to fetch tokens and the summary; the default list covers the
// default port, so a page moved with SHARDBEAT_PAGE_PORT is added unless the origins are set by hand.
const pagePort = Number(process.env.SHARDBEAT_PAGE_PORT ?? 8787);
if (!process.env.SHARDBEAT_ALLOWED_ORIGINS) {
	config = { ...config, allowedOrigins: [...new Set([...config.allowedOrigins, `http://127.0.0.1:${pagePort}`, `http://localhost:${pagePort}`])] };
}

console.log('Building the status page…');
const stack = await startStack({
	build: true,
	serverPort: config.port,
	pagePort,
	config,
	// A Discord outage every three minutes or so, so the page shows unavailable guilds too.
	fleet: { clusters: 8, shardsPerCluster: 4, intervalMs: config.heartbeatIntervalMs, outageChance: 0.005 }
}).catch((error: NodeJS.ErrnoException) => {
	console.error(error.code === 'EADDRINUSE' ? `A port is in use: stop the other process or set SHARDBEAT_PORT / SHARDBEAT_PAGE_PORT.` : error.message);
	process.exit(1);
});

// The development token is public anyway; a real one is never printed.
const metricsLine = !config.metricsToken
	? 'off (set SHARDBEAT_METRICS_TOKEN)'
	: `${stack.serverUrl}/metrics  (Authorization: Bearer ${config.metricsToken === DEV_METRICS_TOKEN ? DEV_METRICS_TOKEN : '$SHARDBEAT_METRICS_TOKEN'})`;
// Like the metrics token: only the public development key is printed, never a real one.
const consoleLine = !config.consoleKeyLogin
	? `${stack.page.url}/admin/  (log in with Discord; the operator key login is off)`
	: `${stack.page.url}/admin/  (log in with the operator key: ${config.operatorSecret === DEV_OPERATOR_SECRET ? DEV_OPERATOR_SECRET : '$SHARDBEAT_OPERATOR_SECRET'})`;
console.log(`
  Shardbeat is running.

  Status page    ${stack.page.url}/      (also /de/, /fr/, /es/)
  Console        ${consoleLine}
  Status API     ${stack.serverUrl}/api/status
  Health         ${stack.serverUrl}/healthz
  Metrics        ${metricsLine}
  Simulated bot  ${stack.fleet.clusters.length} clusters × 4 shards = ${stack.fleet.totalShards} shards, reporting every ${config.heartbeatIntervalMs / 1000} s

  A bigger fleet (on a fresh server):  npm run fleet -- --clusters 1000 --shards 16
  Stop with Ctrl+C.
`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		void stack.stop().then(() => process.exit(0));
	});
}

import { parseArgs } from 'node:util';
import { DEV_BOT_SECRET } from '../config.ts';
import { FleetSimulator } from './fleet-simulator.ts';

/* `npm run fleet -- --clusters 1000 --shards 16`: points a simulated fleet at a running server. */
const { values } = parseArgs({
	options: {
		url: { type: 'string', default: process.env.SHARDBEAT_URL ?? 'http://127.0.0.1:4000' },
		secret: { type: 'string', default: process.env.SHARDBEAT_BOT_SECRET ?? DEV_BOT_SECRET },
		clusters: { type: 'string', default: '8' },
		shards: { type: 'string', default: '4' },
		interval: { type: 'string', default: '5000' },
		chaos: { type: 'string', default: '1' },
		seed: { type: 'string', default: '1' },
		help: { type: 'boolean', default: false }
	}
});

if (values.help) {
	console.log(`Usage: npm run fleet -- [--clusters 8] [--shards 4] [--url http://127.0.0.1:4000] [--secret …]
                       [--interval 5000] [--chaos 1] [--seed 1]
  --clusters  clusters (bot processes), 1–1000      --shards  shards per cluster, 1–16
  --chaos     multiplier on reconnects, cluster deaths and Discord outages (0 = a perfectly healthy fleet)
  The secret defaults to $SHARDBEAT_BOT_SECRET, then to the server's development secret.`);
	process.exit(0);
}

function intFlag(name: string, raw: string, min: number, max: number): number {
	const n = Number(raw);
	if (!Number.isInteger(n) || n < min || n > max) {
		console.error(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
		process.exit(2);
	}
	return n;
}

const chaos = Number(values.chaos);
const sim = new FleetSimulator({
	url: values.url,
	secret: values.secret,
	clusters: intFlag('clusters', values.clusters, 1, 1000),
	shardsPerCluster: intFlag('shards', values.shards, 1, 16),
	intervalMs: intFlag('interval', values.interval, 100, 600_000),
	seed: intFlag('seed', values.seed, 0, 2 ** 31),
	reconnectChance: 0.002 * (Number.isFinite(chaos) ? chaos : 1),
	deathChance: 0.0005 * (Number.isFinite(chaos) ? chaos : 1),
	outageChance: 0.002 * (Number.isFinite(chaos) ? chaos : 1)
});
sim.start();
await sim.connected(60_000).catch((error: Error) => {
	console.error(error.message);
	process.exit(1);
});
console.log(`simulated fleet: ${sim.clusters.length} clusters × ${values.shards} shards = ${sim.totalShards} shards → ${values.url}`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.on(signal, () => {
		sim.stop();
		process.exit(0);
	});
}

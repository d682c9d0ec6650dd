// A bot author's ESM bot: plain `node`, the installed package, createReporter with its own source
// for cluster 1 (shards 2 and 3 of 4).
import { createReporter } from '@shardbeat/reporter';

const reporter = createReporter({
	url: process.env.SHARDBEAT_URL,
	secret: process.env.SHARDBEAT_BOT_SECRET,
	intervalMs: 1000,
	logger: { info() {}, warn: console.error, error: console.error },
	source: () => ({
		clusterId: 1,
		totalShards: 4,
		shardIds: [2, 3],
		shards: [
			{ id: 2, state: 'ready', ping: 63, guilds: 3 },
			{ id: 3, state: 'resuming', guilds: 1 }
		],
		guilds: 4,
		members: 900,
		uptimeMs: Math.round(process.uptime() * 1000)
	})
});
const waiting = setInterval(async () => {
	if (!reporter.connected) return;
	clearInterval(waiting);
	console.log(JSON.stringify(await reporter.sendNow()));
}, 50);
process.on('SIGTERM', () => {
	clearInterval(waiting);
	reporter.stop();
});

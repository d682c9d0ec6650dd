// A bot author's CommonJS bot: plain `node`, the installed package, a fake discord.js client
// under a ShardingManager (client.shard) running shards 0 and 1 of 4.
const { reportDiscordClient } = require('@shardbeat/reporter');

const client = {
	ws: { shards: new Map([[0, { id: 0, status: 0, ping: 41 }], [1, { id: 1, status: 0, ping: 57 }]]) },
	guilds: { cache: new Map([['g1', { shardId: 0, memberCount: 120 }], ['g2', { shardId: 1, memberCount: 30 }]]) },
	shard: { ids: [0, 1], count: 4 }
};
const reporter = reportDiscordClient(client, {
	url: process.env.SHARDBEAT_URL,
	secret: process.env.SHARDBEAT_BOT_SECRET,
	intervalMs: 1000,
	logger: { info() {}, warn: console.error, error: console.error }
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

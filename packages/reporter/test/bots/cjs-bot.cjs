// A bot author's CommonJS bot: plain `node`, the installed package, a real discord.js Client
// running shards 0 and 1 of 4 (the test logs it in to its stand-in Discord: DISCORD_API, DISCORD_TOKEN).
const { Client, GatewayIntentBits } = require('discord.js');
const { reportDiscordClient } = require('@shardbeat/reporter');

const client = new Client({ intents: [GatewayIntentBits.Guilds], shards: [0, 1], shardCount: 4, rest: { api: process.env.DISCORD_API } });
const reporter = reportDiscordClient(client, {
	url: process.env.SHARDBEAT_URL,
	secret: process.env.SHARDBEAT_BOT_SECRET,
	intervalMs: 1000,
	logger: { info() {}, warn: console.error, error: console.error }
});
let waiting;
client.once('clientReady', () => {
	waiting = setInterval(async () => {
		if (!reporter.connected) return;
		clearInterval(waiting);
		console.log(JSON.stringify(await reporter.sendNow()));
	}, 50);
});
client.login(process.env.DISCORD_TOKEN);
process.on('SIGTERM', async () => {
	clearInterval(waiting);
	reporter.stop();
	await client.destroy();
});

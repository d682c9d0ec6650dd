// A bot author's ESM bot: plain `node`, the installed package, a real discord.js Client running
// shards 2 and 3 of 4 as cluster 1: createReporter with the discord.js source and a cluster id of
// its own (the test logs it in to its stand-in Discord: DISCORD_API, DISCORD_TOKEN).
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, GatewayIntentBits } from 'discord.js';
import { createReporter, discordSource } from '@shardbeat/reporter';

const client = new Client({ intents: [GatewayIntentBits.Guilds], shards: [2, 3], shardCount: 4, rest: { api: process.env.DISCORD_API } });
const shards = discordSource(client);
const reporter = createReporter({
	url: process.env.SHARDBEAT_URL,
	secret: process.env.SHARDBEAT_BOT_SECRET,
	intervalMs: 1000,
	logger: { info() {}, warn: console.error, error: console.error },
	source: () => ({ ...shards(), clusterId: 1 })
});
process.on('SIGTERM', async () => {
	reporter.stop();
	await client.destroy();
});

const ready = once(client, 'clientReady');
await client.login(process.env.DISCORD_TOKEN);
await ready;
while (!reporter.connected) await sleep(50);
console.log(JSON.stringify(await reporter.sendNow()));

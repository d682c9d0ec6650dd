import { Client, GatewayIntentBits } from 'discord.js';
import { reportDiscordClient } from '#reporter';
import { childOptions, serveCommands } from './ipc.ts';

/*
 * A bot process as a bot author runs one: a real discord.js Client logged in to a stand-in
 * Discord (testing/discord/gateway.ts) and the reporter sending to a Shardbeat server. Tests kill
 * or freeze it and watch the server (packages/reporter/test/discordjs.spec.ts). Started with
 * `startProcess(new URL('../processes/discord-bot.ts', …), options)`; `ready` answers once every
 * shard is ready and the reporter is connected.
 */
export interface DiscordBotOptions {
	/** The stand-in's REST base (`gateway.api`) and token. */
	api: string;
	token: string;
	/** The shards this process runs, of `shardCount`. */
	shards: number[];
	shardCount: number;
	shardbeatUrl: string;
	secret: string;
	intervalMs: number;
}

const options = childOptions<DiscordBotOptions>();
const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: options.api }, shards: options.shards, shardCount: options.shardCount });
const reporter = reportDiscordClient(client, {
	url: options.shardbeatUrl,
	secret: options.secret,
	intervalMs: options.intervalMs,
	logger: { info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) }
});
const ready = new Promise<void>((resolve) => client.once('clientReady', () => resolve()));
// Listening before logging in: a command sent meanwhile would otherwise be lost.
serveCommands({
	async ready() {
		await ready;
		while (!reporter.connected) await new Promise((r) => setTimeout(r, 20));
		return { pid: process.pid, shards: [...client.ws.shards.values()].map((s) => ({ id: s.id, status: s.status })) };
	}
});
await client.login(options.token);

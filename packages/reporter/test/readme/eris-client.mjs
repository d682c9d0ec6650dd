// Prelude (node --import) for the README's Eris fragment: `url`, `secret` and the `bot` it
// reports, a real Eris client connecting to the stand-in Discord. Eris's REST client only speaks
// HTTPS to port 443 of `rest.domain`, so its requests go through the test's TLS front
// (testing/net/tls-front.ts) with an agent that trusts the front's certificate (DISCORD_TLS_CA)
// and sends a port-less request to the front's port (DISCORD_TLS_PORT). Shard count and gateway
// URL come from the stand-in's GET /gateway/bot (maxShards 'auto'), as a bot's would from Discord.
import './connection.mjs';
import { Agent } from 'node:https';
import Eris from 'eris';

const agent = new Agent({ ca: process.env.DISCORD_TLS_CA, keepAlive: false });
agent.defaultPort = Number(process.env.DISCORD_TLS_PORT);
globalThis.bot = new Eris(`Bot ${process.env.DISCORD_TOKEN}`, {
	intents: ['guilds'],
	maxShards: 'auto',
	rest: { agent, domain: '127.0.0.1' }
});
// The fragment only reports; connecting is the bot's own business, done here.
void globalThis.bot.connect();

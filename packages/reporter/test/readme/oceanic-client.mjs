// Prelude (node --import) for the README's Oceanic.js fragment: `url`, `secret` and the `client`
// it reports, a real Oceanic.js client whose REST base is the stand-in Discord's (DISCORD_API),
// so the shard count and the gateway URL come from the stand-in's GET /gateway/bot.
import './connection.mjs';
import { Client } from 'oceanic.js';

globalThis.client = new Client({
	auth: `Bot ${process.env.DISCORD_TOKEN}`,
	rest: { baseURL: `${process.env.DISCORD_API}/v10` },
	gateway: { intents: ['GUILDS'] }
});
// The fragment only reports; connecting is the bot's own business, done here.
void globalThis.client.connect();

// Prelude (node --import) for the README's @discordjs/ws fragment: `url`, `secret` and the
// `manager` it reports, a real WebSocketManager whose REST client asks the stand-in Discord
// (DISCORD_API) for the gateway and the shard count, as a bot's would ask discord.com. The
// fragment itself calls `manager.connect()`.
import './connection.mjs';
import { REST } from '@discordjs/rest';
import { WebSocketManager } from '@discordjs/ws';
import { GatewayIntentBits } from 'discord-api-types/v10';

const token = process.env.DISCORD_TOKEN;
globalThis.manager = new WebSocketManager({
	token,
	intents: GatewayIntentBits.Guilds,
	rest: new REST({ api: process.env.DISCORD_API }).setToken(token)
});

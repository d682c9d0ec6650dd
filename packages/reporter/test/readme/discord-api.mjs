// Preload (node --import) for README code that builds a discord.js Client with no REST URL, as
// a bot does: discord.js then asks https://discord.com/api for the gateway. Every discord.js
// Client copies @discordjs/rest's exported DefaultRestOptions when it is constructed
// (discord.js/src/util/Options.js, createDefault), so setting its `api` to the stand-in's
// (DISCORD_API) before any Client exists points REST, and with it the gateway URL that
// GET /gateway/bot returns, at the stand-in. The block's code is untouched.
import { createRequire } from 'node:module';

const api = process.env.DISCORD_API;
if (!api) throw new Error('discord-api.mjs: DISCORD_API (the stand-in REST base, http://127.0.0.1:<port>/api) is not set');
// discord.js is CommonJS: change the @discordjs/rest instance it requires, not the ESM twin.
const fromDiscordJs = createRequire(createRequire(import.meta.url).resolve('discord.js'));
fromDiscordJs('@discordjs/rest').DefaultRestOptions.api = api;

// The names the README's TypeScript fragments use without defining them, typed as a bot has
// them (the preludes beside this file make them at run time), for the blocks' type check.
import type { WebSocketManager } from '@discordjs/ws';
import type { Client as ErisClient } from 'eris';
import type { Client as OceanicClient } from 'oceanic.js';

declare global {
	/** The Shardbeat server's URL. */
	const url: string;
	/** The server's SHARDBEAT_BOT_SECRET. */
	const secret: string;
	/** An @discordjs/ws bot's manager. */
	const manager: WebSocketManager;
	/** An Eris bot. */
	const bot: ErisClient;
	/** An Oceanic.js bot (a block that makes its own `client`, the discord.js one, shadows it). */
	const client: OceanicClient;
}

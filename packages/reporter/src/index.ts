/**
 * Shardbeat reporter: send a Discord bot's shard status to a Shardbeat server, in one call.
 *
 * - discord.js v14 `Client` (plain, `ShardingManager`, discord-hybrid-sharding): {@link reportDiscordClient}
 * - @discordjs/ws `WebSocketManager`: {@link reportWebSocketManager}
 * - Eris: {@link reportErisClient}; Oceanic.js: {@link reportOceanicClient}
 * - anything else: {@link createReporter} with a `source` of your own
 *
 * @example
 * import { Client, GatewayIntentBits } from 'discord.js';
 * import { reportDiscordClient } from '@shardbeat/reporter';
 *
 * const client = new Client({ intents: [GatewayIntentBits.Guilds] });
 * reportDiscordClient(client, { url: 'https://status-api.example.com', secret: process.env.SHARDBEAT_BOT_SECRET! });
 * await client.login(process.env.DISCORD_TOKEN);
 */
import { createReporter, type ReporterOptions, type ShardbeatReporter } from './reporter.ts';
import { discordSource, type DiscordClientLike, type DiscordSourceOptions } from './discord-source.ts';
import { erisSource, type ErisClientLike, type ErisSourceOptions } from './eris-source.ts';
import { webSocketManagerSource, type WebSocketManagerLike, type WebSocketManagerSourceOptions } from './ws-source.ts';

export { createReporter, discordSource, erisSource, webSocketManagerSource };
export type { ClusterReport, ReportSource, ReporterLogger, ReporterOptions, ShardbeatReporter } from './reporter.ts';
export type { ShardReport, ShardState } from './protocol.ts';
export type { ClusterClientLike, DiscordClientLike, DiscordShardLike, DiscordSource, DiscordSourceOptions } from './discord-source.ts';
export type { ErisClientLike, ErisShardLike, ErisShardRangeLike, ErisSourceOptions } from './eris-source.ts';
export type { WebSocketManagerLike, WebSocketManagerSource, WebSocketManagerSourceOptions } from './ws-source.ts';

/** Where and how to report: everything of {@link ReporterOptions} but the `source`, which the adapter makes. */
export type ConnectionOptions = Omit<ReporterOptions, 'source'>;

/**
 * Reports a discord.js v14 client to Shardbeat: the one call a bot makes. Works with plain
 * discord.js, its `ShardingManager` (`client.shard`), and discord-hybrid-sharding
 * (`client.cluster` is picked up automatically). Call it before or after `login()`; shards appear
 * as they connect.
 *
 * @example
 * import { reportDiscordClient } from '@shardbeat/reporter';
 *
 * const reporter = reportDiscordClient(client, {
 *   url: 'https://status-api.example.com',
 *   secret: process.env.SHARDBEAT_BOT_SECRET!,
 * });
 * process.on('SIGTERM', () => reporter.stop());
 */
export function reportDiscordClient(client: DiscordClientLike, options: ConnectionOptions & DiscordSourceOptions): ShardbeatReporter {
	const { cluster, clusterId, uptimeMs, ...rest } = options;
	return detachingOnStop(rest, discordSource(client, { cluster, clusterId, uptimeMs }));
}

/**
 * Reports an @discordjs/ws `WebSocketManager` (a bot on the raw gateway, without discord.js's
 * `Client`). Call it before `manager.connect()`: pings and guild counts are gathered from the
 * manager's events from then on. Its status numbers are @discordjs/ws's own, not discord.js's.
 *
 * @example
 * import { WebSocketManager } from '@discordjs/ws';
 * import { reportWebSocketManager } from '@shardbeat/reporter';
 *
 * const manager = new WebSocketManager({ token, intents, rest });
 * const reporter = reportWebSocketManager(manager, { url: 'https://status-api.example.com', secret: process.env.SHARDBEAT_BOT_SECRET! });
 * await manager.connect();
 */
export function reportWebSocketManager(
	manager: WebSocketManagerLike,
	options: ConnectionOptions & WebSocketManagerSourceOptions
): ShardbeatReporter {
	const { clusterId, uptimeMs, ...rest } = options;
	return detachingOnStop(rest, webSocketManagerSource(manager, { clusterId, uptimeMs }));
}

/** A reporter of `source` whose `stop()` also detaches the source's listeners: the client may outlive the reporter. */
function detachingOnStop(options: ConnectionOptions, source: ReporterOptions['source'] & { detach(): void }): ShardbeatReporter {
	const reporter = createReporter({ ...options, source });
	return {
		get connected() {
			return reporter.connected;
		},
		sendNow: () => reporter.sendNow(),
		stop() {
			reporter.stop();
			source.detach();
		}
	};
}

/**
 * Reports an Eris client: shard states and latency from `client.shards`, guilds from
 * `client.guilds` and `client.unavailableGuilds`, the shard range from
 * `firstShardID`/`lastShardID`/`maxShards`. Eris is not a
 * dependency; any object of the same shape works. Pass `clusterId` when you run several clusters.
 *
 * @example
 * import Eris from 'eris';
 * import { reportErisClient } from '@shardbeat/reporter';
 *
 * const bot = new Eris.Client(`Bot ${token}`, { firstShardID: 0, lastShardID: 3, maxShards: 8 });
 * const reporter = reportErisClient(bot, { url: 'https://status-api.example.com', secret: process.env.SHARDBEAT_BOT_SECRET! });
 * bot.connect();
 */
export function reportErisClient(client: ErisClientLike, options: ConnectionOptions & ErisSourceOptions): ShardbeatReporter {
	const { clusterId, totalShards, uptimeMs, ...rest } = options;
	return createReporter({ ...rest, source: erisSource(client, { clusterId, totalShards, uptimeMs }) });
}

/**
 * Reports an Oceanic.js client: the same shape as Eris (`client.shards` with string `status` and
 * `latency`, the range in `client.shards.options`), read by the same adapter. Oceanic.js is not a
 * dependency.
 *
 * @example
 * import { Client } from 'oceanic.js';
 * import { reportOceanicClient } from '@shardbeat/reporter';
 *
 * const client = new Client({ auth: `Bot ${token}`, gateway: { intents: ['GUILDS'] } });
 * const reporter = reportOceanicClient(client, { url: 'https://status-api.example.com', secret: process.env.SHARDBEAT_BOT_SECRET! });
 * await client.connect();
 */
export function reportOceanicClient(client: ErisClientLike, options: ConnectionOptions & ErisSourceOptions): ShardbeatReporter {
	return reportErisClient(client, options);
}

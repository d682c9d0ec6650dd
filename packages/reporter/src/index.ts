/**
 * Shardbeat reporter: send a discord.js bot's shard status to a Shardbeat server.
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

export { createReporter, discordSource };
export type { ClusterReport, ReportSource, ReporterLogger, ReporterOptions, ShardbeatReporter } from './reporter.ts';
export type { ShardReport, ShardState } from './protocol.ts';
export type { ClusterClientLike, DiscordClientLike, DiscordShardLike, DiscordSourceOptions } from './discord-source.ts';

/**
 * Reports a discord.js client to Shardbeat: the one call a bot makes. Works with plain
 * discord.js, its `ShardingManager`, and discord-hybrid-sharding (`client.cluster` is picked up
 * automatically). Call it before or after `login()`; shards appear as they connect.
 *
 * @example
 * const reporter = reportDiscordClient(client, {
 *   url: 'https://status-api.example.com',
 *   secret: process.env.SHARDBEAT_BOT_SECRET!,
 * });
 * process.on('SIGTERM', () => reporter.stop());
 */
export function reportDiscordClient(
	client: DiscordClientLike,
	options: Omit<ReporterOptions, 'source'> & DiscordSourceOptions
): ShardbeatReporter {
	const { cluster, uptimeMs, ...rest } = options;
	return createReporter({ ...rest, source: discordSource(client, { cluster, uptimeMs }) });
}

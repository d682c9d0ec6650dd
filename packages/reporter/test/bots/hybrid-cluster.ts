import { parseArgs } from 'node:util';
import { Client, GatewayIntentBits } from 'discord.js';
import { ClusterClient, getInfo } from 'discord-hybrid-sharding';
import { reportDiscordClient } from '../../src/index.ts';

/*
 * One cluster of a discord-hybrid-sharding bot, written the way the library's README has it: its
 * `ClusterManager` forks this file once per cluster with SHARD_LIST, TOTAL_SHARDS, CLUSTER and
 * DISCORD_TOKEN in the environment; the real discord.js `Client` runs those shards and
 * `client.cluster` is a real `ClusterClient`, which the reporter picks up on its own.
 * Where to connect comes as arguments (the manager's `shardArgs`), so the test process's
 * environment stays its own:
 *   --api http://127.0.0.1:…/api  --url <Shardbeat server>  --secret …  --interval 1000
 */
const { values } = parseArgs({
	options: {
		api: { type: 'string' },
		url: { type: 'string' },
		secret: { type: 'string' },
		interval: { type: 'string', default: '1000' }
	}
});

const info = getInfo();
const client: Client & { cluster?: ClusterClient<Client> } = new Client({
	intents: [GatewayIntentBits.Guilds],
	shards: info.SHARD_LIST,
	shardCount: info.TOTAL_SHARDS,
	rest: { api: values.api! }
});
client.cluster = new ClusterClient(client);

const reporter = reportDiscordClient(client, {
	url: values.url!,
	secret: values.secret!,
	intervalMs: Number(values.interval),
	logger: { info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) }
});

// A cluster must not outlive its manager: when the IPC channel closes, leave.
process.on('disconnect', () => {
	reporter.stop();
	void client.destroy().finally(() => process.exit(0));
});

await client.login(process.env.DISCORD_TOKEN);

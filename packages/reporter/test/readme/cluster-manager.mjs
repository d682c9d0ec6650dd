// The bot's entry point under discord-hybrid-sharding, as the library's README has it: a real
// ClusterManager forking the cluster file (argv[2], the README block) once per cluster.
// argv: <cluster file> <total shards> <shards per cluster> <preload for the clusters>.
// The token comes from DISCORD_TOKEN; the clusters inherit this environment and leave with this
// process (exit-with-parent.mjs). Prints one JSON line per forked cluster: { cluster, pid }.
import { fileURLToPath } from 'node:url';
import { ClusterManager } from 'discord-hybrid-sharding';

const [file, totalShards, shardsPerClusters, preload] = process.argv.slice(2);
const manager = new ClusterManager(file, {
	mode: 'process',
	totalShards: Number(totalShards),
	shardsPerClusters: Number(shardsPerClusters),
	token: process.env.DISCORD_TOKEN,
	respawn: false,
	execArgv: ['--import', fileURLToPath(new URL('exit-with-parent.mjs', import.meta.url)), '--import', preload]
});
manager.on('clusterCreate', (cluster) => {
	cluster.on('spawn', (child) => console.log(JSON.stringify({ cluster: cluster.id, pid: child.pid })));
});
// No wait between clusters: the stand-in has no identify rate limit to respect.
await manager.spawn({ amount: Number(totalShards), delay: 0, timeout: -1 });

import { createReporter, type ReporterLogger, type ShardbeatReporter } from '#reporter';
import { seededRandom } from './random.ts';
import { SimulatedCluster } from './simulated-cluster.ts';

export interface FleetSimulatorOptions {
	url: string;
	secret: string;
	/** Default 8. */
	clusters?: number;
	/** Shards per cluster. Default 4. */
	shardsPerCluster?: number;
	/** Heartbeat interval of every simulated reporter, ms. Default 5000. */
	intervalMs?: number;
	/** Simulator tick, ms: how often shard states and pings move. Default 1000. */
	tickMs?: number;
	/** Chance per shard per tick that a ready shard reconnects. Default 0.002. */
	reconnectChance?: number;
	/** Chance per cluster per tick that its process dies (it returns 15–45 s later). Default 0.0005. */
	deathChance?: number;
	/**
	 * Chance per tick that Discord has an outage: guilds unavailable on a third of the shards for
	 * 30–90 ticks (see `discordOutage`). Default 0, so tests see only what they ask for;
	 * `npm start` and `npm run fleet` turn it on.
	 */
	outageChance?: number;
	seed?: number;
	/** First reconnect delay of each reporter, ms. Default 1000 (the reporter's own default). */
	reconnectDelayMs?: number;
	logger?: ReporterLogger;
}

const quiet: ReporterLogger = { info() {}, warn() {}, error: (m) => console.error(m) };

/**
 * A simulated bot fleet: N clusters × M shards, each cluster a real reporter on its own real
 * Socket.io connection. Used by `npm start`, `npm run fleet`, the e2e tests and the benchmarks.
 */
export class FleetSimulator {
	readonly clusters: SimulatedCluster[] = [];
	readonly #reporters = new Map<number, ShardbeatReporter>();
	readonly #revivals = new Map<number, ReturnType<typeof setTimeout>>();
	readonly #options: Required<Omit<FleetSimulatorOptions, 'logger'>> & { logger: ReporterLogger };
	readonly #random: () => number;
	/** Outages draw from their own sequence, so a seed replays the same fleet with or without them. */
	readonly #outageRandom: () => number;
	/** Ticks left in the Discord outage under way; 0 when there is none. */
	#outageTicks = 0;
	#ticker: ReturnType<typeof setInterval> | undefined;

	constructor(options: FleetSimulatorOptions) {
		this.#options = {
			clusters: 8,
			shardsPerCluster: 4,
			intervalMs: 5_000,
			tickMs: 1_000,
			reconnectChance: 0.002,
			deathChance: 0.0005,
			outageChance: 0,
			seed: 1,
			reconnectDelayMs: 1_000,
			logger: quiet,
			...options
		};
		this.#random = seededRandom(this.#options.seed);
		this.#outageRandom = seededRandom(this.#options.seed + 7_919);
		const { clusters, shardsPerCluster } = this.#options;
		const total = clusters * shardsPerCluster;
		for (let c = 0; c < clusters; c++) {
			const ids = Array.from({ length: shardsPerCluster }, (_, i) => c * shardsPerCluster + i);
			this.clusters.push(new SimulatedCluster(c, ids, total, this.#random));
		}
	}

	get totalShards(): number {
		return this.#options.clusters * this.#options.shardsPerCluster;
	}

	/** Connects every cluster's reporter and starts the simulation clock. */
	start(): void {
		for (const cluster of this.clusters) this.#connect(cluster);
		this.#ticker = setInterval(() => this.#tick(), this.#options.tickMs);
	}

	/** Waits until every live cluster's reporter is connected. */
	async connected(timeoutMs = 30_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while ([...this.#reporters.values()].some((r) => !r.connected)) {
			if (Date.now() > deadline) throw new Error('simulated fleet did not connect in time; is the server running and the secret right?');
			await new Promise((r) => setTimeout(r, 50));
		}
	}

	/** Kills a cluster's process (its reporter disconnects). It stays dead until `revive`. */
	kill(clusterId: number): void {
		clearTimeout(this.#revivals.get(clusterId));
		this.#revivals.delete(clusterId);
		this.#reporters.get(clusterId)?.stop();
		this.#reporters.delete(clusterId);
	}

	/** Starts a killed cluster again as a fresh process. */
	revive(clusterId: number): void {
		const cluster = this.clusters[clusterId];
		if (!cluster || this.#reporters.has(clusterId)) return;
		cluster.restart();
		this.#connect(cluster);
	}

	/**
	 * Discord's own outage, as bots see it: on `shardShare` of the shards (picked at random),
	 * Discord marks up to `guildShare` of the shard's guilds unavailable. The shards stay ready:
	 * their gateway connections are fine, the guilds are not. Lasts until `endDiscordOutage()`
	 * (or, started by the simulation itself, 30–90 ticks).
	 */
	discordOutage({ shardShare = 1 / 3, guildShare = 0.05 }: { shardShare?: number; guildShare?: number } = {}): void {
		for (const cluster of this.clusters) {
			for (const shard of cluster.shards) {
				const hit = this.#outageRandom() < shardShare;
				shard.unavailable = hit ? Math.max(1, Math.round(shard.guilds * guildShare * this.#outageRandom())) : 0;
			}
		}
	}

	/** The outage is over: every guild is available again. */
	endDiscordOutage(): void {
		this.#outageTicks = 0;
		for (const cluster of this.clusters) for (const shard of cluster.shards) shard.unavailable = 0;
	}

	/** Sends every live cluster's heartbeat now instead of waiting for the interval. */
	async flush(): Promise<void> {
		await Promise.all([...this.#reporters.values()].map((r) => r.sendNow()));
	}

	stop(): void {
		clearInterval(this.#ticker);
		for (const timer of this.#revivals.values()) clearTimeout(timer);
		this.#revivals.clear();
		for (const reporter of this.#reporters.values()) reporter.stop();
		this.#reporters.clear();
	}

	#connect(cluster: SimulatedCluster): void {
		const reporter = createReporter({
			url: this.#options.url,
			secret: this.#options.secret,
			intervalMs: this.#options.intervalMs,
			reconnectDelayMs: this.#options.reconnectDelayMs,
			logger: this.#options.logger,
			source: () => cluster.report()
		});
		this.#reporters.set(cluster.id, reporter);
	}

	#tick(): void {
		if (this.#outageTicks > 0 && --this.#outageTicks === 0) this.endDiscordOutage();
		else if (this.#outageTicks === 0 && this.#outageRandom() < this.#options.outageChance) {
			this.#outageTicks = 30 + Math.floor(this.#outageRandom() * 60);
			this.discordOutage();
		}
		for (const cluster of this.clusters) {
			if (!this.#reporters.has(cluster.id)) continue;
			cluster.tick(this.#options.reconnectChance);
			if (this.#random() < this.#options.deathChance) {
				this.kill(cluster.id);
				const downFor = 15_000 + this.#random() * 30_000;
				this.#revivals.set(cluster.id, setTimeout(() => this.revive(cluster.id), downFor));
			}
		}
	}
}

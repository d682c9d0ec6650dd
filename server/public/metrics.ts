import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { isShardUp, type FleetStatus, type ShardStatus } from '#shared';

/** What the metrics read at scrape time. Every call is cheap; nothing is pushed into them. */
export interface MetricsSource {
	/** The fleet as committed now. */
	snapshot(): FleetStatus;
	/** Running totals since the process started; read, never written. */
	stats: { heartbeatsAccepted: number; heartbeatsRefused: number; polls: number; pushes: number };
	/** Viewers connected now. */
	viewers(): number;
	/** Bot connections (clusters) connected now. */
	bots(): number;
	/** Epoch ms. */
	now(): number;
}

export interface Metrics {
	/** A registry of its own: nothing here touches prom-client's global one. */
	registry: Registry;
	/** The `Content-Type` to serve `render()` with (Prometheus text format 0.0.4). */
	contentType: string;
	/** The exposition text, collected now (one fleet snapshot, every series). */
	render(): Promise<string>;
	/**
	 * The exposition text for a scrape: shared by every caller. Scrapes that arrive while a render
	 * runs wait for it, and its text answers every scrape for `cacheMs` after it finished, so any
	 * number of scrapers cost at most one render per `cacheMs` (plus the render's own time).
	 */
	scrape(): Promise<string>;
}

export interface MetricsOptions {
	/** Node process metrics (CPU, memory, event loop lag, GC) as `shardbeat_process_*`, `shardbeat_nodejs_*`. Default true. */
	defaultMetrics?: boolean;
	/** How long a rendered text answers scrapes after it finished, ms. Default 1000. */
	cacheMs?: number;
	/** Monotonic clock for that cache, ms. Default `performance.now`. */
	clock?: () => number;
}

/**
 * prom-client's default metrics that Prometheus naming refuses: gauges ending in `_total`
 * (`promtool check metrics`: "non-counter metrics should not have _total suffix"). Each is the
 * sum of the per-type gauge without the suffix (`sum(shardbeat_nodejs_active_handles)`), so
 * nothing is lost by dropping them.
 */
const DROPPED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Prometheus metrics for the fleet and the server. Everything is computed when scraped, through
 * prom-client `collect()` callbacks reading `source`: no bookkeeping on the heartbeat path, and
 * every labelled gauge is reset first, so a shard or cluster that left the fleet leaves the
 * output on the next scrape instead of reporting its last value forever.
 *
 * Series: `shardbeat_shard_up{cluster,shard}` (1 ready in a live cluster, else 0; every assigned
 * shard), `shardbeat_shard_state{cluster,shard,state}` (1, current state only),
 * `shardbeat_shard_ping_seconds{cluster,shard}` (when known), `shardbeat_shard_unavailable_guilds{cluster,shard}`
 * (when its reporter sends the count), `shardbeat_cluster_up{cluster}` (0 when
 * stopped), `shardbeat_cluster_last_heartbeat_age_seconds{cluster}`, `shardbeat_shards`,
 * `shardbeat_viewers`, `shardbeat_bots`, and the counters `shardbeat_heartbeats_accepted_total`,
 * `shardbeat_heartbeats_refused_total`, `shardbeat_polls_total`, `shardbeat_pushes_total`.
 * A stopped cluster's shards keep `shard_up` 0 but lose `shard_state`, `shard_ping_seconds` and
 * `shard_unavailable_guilds`: its
 * last report is stale, and a `ready` from a dead process would only mislead alerts. Names follow
 * Prometheus conventions (base units, `_total` on counters only): `promtool check metrics` is clean.
 */
export function createMetrics(source: MetricsSource, options: MetricsOptions = {}): Metrics {
	const registry = new Registry();
	if (options.defaultMetrics ?? true) {
		collectDefaultMetrics({ register: registry, prefix: 'shardbeat_' });
		for (const name of DROPPED_DEFAULTS) registry.removeSingleMetric(`shardbeat_${name}`);
	}

	/*
	 * One snapshot per scrape: registry.metrics() calls every collect() synchronously before its
	 * first await, so a snapshot cached until the next microtask is shared by all of them (the
	 * series agree with each other) and is never served to a later scrape.
	 */
	let current: { fleet: FleetStatus; now: number } | undefined;
	const scrape = () => {
		if (!current) {
			current = { fleet: source.snapshot(), now: source.now() };
			queueMicrotask(() => (current = undefined));
		}
		return current;
	};

	/** Every reported shard of every live cluster: a stopped cluster's last report is stale. */
	const eachLiveShard = (visit: (clusterId: number, shard: ShardStatus) => void) => {
		for (const c of scrape().fleet.clusters) {
			if (c.lifecycle === 'stopped') continue;
			const assigned = new Set(c.shardIds);
			for (const s of c.shards) if (assigned.has(s.id)) visit(c.id, s);
		}
	};

	new Gauge({
		name: 'shardbeat_shard_up',
		help: 'Whether the shard is ready in a live cluster (1) or not (0).',
		labelNames: ['cluster', 'shard'] as const,
		registers: [registry],
		collect() {
			this.reset();
			for (const c of scrape().fleet.clusters) {
				const live = c.lifecycle !== 'stopped';
				const ready = new Set(c.shards.filter((s) => isShardUp(s.state)).map((s) => s.id));
				for (const id of c.shardIds) this.set({ cluster: c.id, shard: id }, live && ready.has(id) ? 1 : 0);
			}
		}
	});

	new Gauge({
		name: 'shardbeat_shard_state',
		help: "The shard's gateway state as its live cluster reports it: 1 for the current state.",
		labelNames: ['cluster', 'shard', 'state'] as const,
		registers: [registry],
		collect() {
			this.reset();
			eachLiveShard((cluster, s) => this.set({ cluster, shard: s.id, state: s.state }, 1));
		}
	});

	new Gauge({
		name: 'shardbeat_shard_ping_seconds',
		help: 'Gateway heartbeat round trip of the shard in seconds, as its live cluster last reported it.',
		labelNames: ['cluster', 'shard'] as const,
		registers: [registry],
		collect() {
			this.reset();
			eachLiveShard((cluster, s) => s.ping !== null && this.set({ cluster, shard: s.id }, s.ping / 1000));
		}
	});

	new Gauge({
		name: 'shardbeat_shard_unavailable_guilds',
		help: "Guilds of the shard that Discord marks unavailable (its own outage), as the shard's live cluster last reported; only shards whose reporter sends the count.",
		labelNames: ['cluster', 'shard'] as const,
		registers: [registry],
		collect() {
			this.reset();
			eachLiveShard((cluster, s) => s.unavailableGuilds !== undefined && this.set({ cluster, shard: s.id }, s.unavailableGuilds));
		}
	});

	new Gauge({
		name: 'shardbeat_cluster_up',
		help: 'Whether the cluster process is alive (1: starting or running) or stopped (0).',
		labelNames: ['cluster'] as const,
		registers: [registry],
		collect() {
			this.reset();
			for (const c of scrape().fleet.clusters) this.set({ cluster: c.id }, c.lifecycle === 'stopped' ? 0 : 1);
		}
	});

	new Gauge({
		name: 'shardbeat_cluster_last_heartbeat_age_seconds',
		// The server refreshes lastHeartbeatAt only along with some other change, so for a live
		// cluster this can grow while all is well; it is exact for a stopped one (time since last heard).
		help: 'Seconds since the server last recorded a heartbeat from the cluster (can lag for a live, unchanging cluster).',
		labelNames: ['cluster'] as const,
		registers: [registry],
		collect() {
			this.reset();
			const { fleet, now } = scrape();
			for (const c of fleet.clusters) this.set({ cluster: c.id }, Math.max(0, (now - c.lastHeartbeatAt) / 1000));
		}
	});

	new Gauge({
		// Not `_total`: that suffix is for counters, and this is a count that can go down.
		name: 'shardbeat_shards',
		help: "The bot's total shard count (0 until a cluster reports one).",
		registers: [registry],
		collect() {
			this.set(scrape().fleet.totalShards);
		}
	});

	new Gauge({
		name: 'shardbeat_viewers',
		help: 'Status page viewers connected now.',
		registers: [registry],
		collect() {
			this.set(source.viewers());
		}
	});

	new Gauge({
		name: 'shardbeat_bots',
		help: 'Bot (cluster) connections open now.',
		registers: [registry],
		collect() {
			this.set(source.bots());
		}
	});

	/*
	 * The totals live in `source.stats`; these counters mirror them at scrape time. A Counter,
	 * not a Gauge named *_total, so Prometheus types it `counter` and rate()/increase() are right:
	 * prom-client allows collect() on a Counter, and reset() then inc(value) sets it outright
	 * (reset() puts an unlabelled counter back to 0; inc(0) is allowed). After a server restart
	 * the stats start again from 0, which Prometheus reads as an ordinary counter reset.
	 */
	const mirror = (name: string, help: string, read: () => number) =>
		new Counter({
			name,
			help,
			registers: [registry],
			collect() {
				this.reset();
				this.inc(read());
			}
		});
	mirror('shardbeat_heartbeats_accepted_total', 'Heartbeats accepted from clusters.', () => source.stats.heartbeatsAccepted);
	mirror('shardbeat_heartbeats_refused_total', 'Heartbeats refused as invalid.', () => source.stats.heartbeatsRefused);
	mirror('shardbeat_polls_total', 'Status polls (get-cluster-status) from viewers.', () => source.stats.polls);
	mirror('shardbeat_pushes_total', 'Fleet updates broadcast to viewers (one per batch, however many viewers).', () => source.stats.pushes);

	const render = () => registry.metrics();
	const cacheMs = options.cacheMs ?? 1_000;
	const clock = options.clock ?? (() => performance.now());
	let rendering: Promise<string> | undefined;
	let cached: { text: string; until: number } | undefined;
	const scrapeText = (): Promise<string> => {
		if (cached && clock() < cached.until) return Promise.resolve(cached.text);
		rendering ??= render().then(
			(text) => {
				cached = { text, until: clock() + cacheMs };
				rendering = undefined;
				return text;
			},
			(err: unknown) => {
				rendering = undefined; // a failed render is not cached: the next scrape tries again
				throw err;
			}
		);
		return rendering;
	};

	return { registry, contentType: registry.contentType, render, scrape: scrapeText };
}

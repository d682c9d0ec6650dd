import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request, Agent } from 'node:http';
import type { FleetStatus } from '#shared';
import { cluster, fleet } from '#testing/fixtures/cluster';
import { createMetricsRoute } from '../server/http/metrics-route.ts';
import { createMetrics, type Metrics } from '../server/public/metrics.ts';
import { benchHeartbeat } from './fleet-shape.ts';
import { percentile } from './wire-client.ts';

/*
 * What `/metrics` costs: one render of the synthetic fleet (bench/fleet-shape.ts, 16 shards per
 * cluster, every shard ready with a ping), and what N scrapers looping on it cost, over HTTP
 * with the real route, with the shared render (`Metrics.scrape`) and without it (a render per
 * scrape, as before). In the bench process itself: render cost is CPU on whichever core runs it.
 */

export interface RenderFigures {
	shards: number;
	bytes: number;
	series: number;
	/** Median and worst of the timed renders, ms. */
	medianMs: number;
	worstMs: number;
}

export interface ScrapeFigures {
	shards: number;
	scrapers: number;
	seconds: number;
	/** Scrapes answered and renders done; scrape latency p50/p99 and a probe's (ms), see `run`. */
	shared: ScrapeRun;
	unshared: ScrapeRun;
}

interface ScrapeRun {
	scrapes: number;
	renders: number;
	p50: number;
	p99: number;
	probeP50: number;
	probeP99: number;
}

const TOKEN = 'bench-metrics-token-0123456789abcdef';

function benchFleet(shards: number): FleetStatus {
	const perCluster = 16;
	const clusters = Array.from({ length: Math.ceil(shards / perCluster) }, (_, c) => {
		const hb = benchHeartbeat(c, perCluster, shards);
		return cluster({ id: c, totalShards: shards, shards: hb.shards.map((s) => ({ id: s.id, state: s.state, ping: s.ping ?? null, guilds: s.guilds })), lastHeartbeatAt: Date.now() });
	});
	return fleet(clusters, { totalShards: shards, generatedAt: Date.now() });
}

function metricsOf(status: FleetStatus) {
	const counter = { renders: 0 };
	const metrics = createMetrics({
		snapshot: () => {
			counter.renders++;
			return status;
		},
		stats: { heartbeatsAccepted: 1_000_000, heartbeatsRefused: 3, polls: 50_000, pushes: 7_000 },
		viewers: () => 10_000,
		bots: () => status.clusters.length,
		now: () => Date.now()
	});
	return { metrics, counter };
}

/** One render at each size: bytes, series, median/worst ms of `runs` renders after a warm-up. */
export async function benchMetricsRender(sizes: number[], runs = 7): Promise<RenderFigures[]> {
	const out: RenderFigures[] = [];
	for (const shards of sizes) {
		const { metrics } = metricsOf(benchFleet(shards));
		let text = await metrics.render(); // warm-up (JIT, label caches)
		const times: number[] = [];
		for (let i = 0; i < runs; i++) {
			const t0 = performance.now();
			text = await metrics.render();
			times.push(performance.now() - t0);
		}
		const series = text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
		out.push({ shards, bytes: Buffer.byteLength(text), series, medianMs: percentile([...times], 50), worstMs: Math.max(...times) });
	}
	return out;
}

/** `scrapers` clients each scraping in a loop for `seconds`, with the shared render and without. */
export async function benchMetricsScrapes(shards: number, scrapers: number, seconds: number): Promise<ScrapeFigures> {
	const status = benchFleet(shards);
	const run = async (shared: boolean) => {
		const { metrics, counter } = metricsOf(status);
		const served: Pick<Metrics, 'contentType' | 'scrape'> = shared ? metrics : { contentType: metrics.contentType, scrape: metrics.render };
		const route = createMetricsRoute({ metrics: served, token: TOKEN });
		// A probe route that answers at once, like /api/status's cached body: its latency is what
		// the renders make every other request on the server wait.
		const server = createServer((req, res) => {
			if (req.url === '/probe') return void res.end('ok');
			void route(req, res, new URL(req.url ?? '/', 'http://localhost'));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const port = (server.address() as AddressInfo).port;
		const agent = new Agent({ keepAlive: true, maxSockets: scrapers });
		const latencies: number[] = [];
		const until = performance.now() + seconds * 1000;
		const get = (path: string, into: number[], via: Agent) =>
			new Promise<void>((resolve, reject) => {
				const t0 = performance.now();
				request({ host: '127.0.0.1', port, path, agent: via, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
					res.on('data', () => {});
					res.on('end', () => {
						into.push(performance.now() - t0);
						resolve();
					});
				})
					.on('error', reject)
					.end();
			});
		const probes: number[] = [];
		const probeAgent = new Agent({ keepAlive: true, maxSockets: 1 });
		const t0 = performance.now();
		await Promise.all([
			...Array.from({ length: scrapers }, async () => {
				while (performance.now() < until) await get('/metrics', latencies, agent);
			}),
			(async () => {
				while (performance.now() < until) {
					await get('/probe', probes, probeAgent);
					await new Promise((r) => setTimeout(r, 50));
				}
			})()
		]);
		probeAgent.destroy();
		const elapsed = (performance.now() - t0) / 1000;
		agent.destroy();
		await new Promise((resolve) => server.close(resolve));
		return {
			scrapes: latencies.length,
			renders: counter.renders,
			p50: percentile([...latencies], 50),
			p99: percentile([...latencies], 99),
			probeP50: percentile(probes, 50),
			probeP99: percentile(probes, 99),
			elapsed
		};
	};
	const shared = await run(true);
	const unshared = await run(false);
	return { shards, scrapers, seconds, shared, unshared };
}

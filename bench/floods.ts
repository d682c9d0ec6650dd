import { DEFAULTS } from '../server/config.ts';
import { METRICS_TOKEN, RATE_LIMIT_DEFAULTS } from '#testing/server/config';
import { sleep, until, watchFleet } from '#testing/faults/scenarios';
import { startChild, type Child } from './ipc.ts';
import { percentile } from './wire-client.ts';

/*
 * The flood suite of `npm run bench:reliability` (`--floods-only` runs it alone): a server with
 * the production limits, alone on core 0, serving 16,000 shards (1,000 clusters × 16 heartbeating
 * every 5 s over real sockets) and a well-behaved viewer (10 sockets polling every second, plus the
 * page's own connection code watching for any cluster shown stopped), while one flood after
 * another comes from a separate load process on core 1. Each flood lasts `durationMs`; the table
 * gives the viewer's poll p99 and the heartbeat ack p99 under it, and whether any cluster was
 * ever shown stopped. The server trusts `X-Forwarded-For` (`SHARDBEAT_TRUST_PROXY=1`), and the HTTP
 * floods send a different forwarded address with every request: a botnet, which per-IP rate
 * limits cannot stop, so what is measured is the shedding and the bounds behind them.
 */
const SERVER_CPU = 0;
const LOAD_CPU = 1;
const CLUSTERS = 1_000;
const SHARDS_PER_CLUSTER = 16;
export const FLOOD_TARGET_MS = 250;

export interface FloodRow {
	flood: string;
	/** What the flood got (answers by status, or connections held). */
	got: string;
	polls: number;
	pollP99: number;
	acks: number;
	ackP99: number;
	/** Heartbeats refused or never answered. */
	acksMissing: number;
	/** Clusters the watching page ever showed stopped during this flood. */
	stopped: number;
	/** The server's own event-loop delay, worst 500-ms window's p99 seen during the flood, and requests it shed. */
	loopMaxMs: number;
	shed: number;
}

interface Health {
	clusters: number;
	loopDelayMs: number;
	shedRequests: number;
	connectionsRefused: number;
	connectionsSilentClosed: number;
}

const fmt = (n: number) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: 1 }) : '—');
const answers = (a: Record<string, number>) =>
	Object.entries(a)
		.sort(([x], [y]) => x.localeCompare(y))
		.map(([status, n]) => `${status}: ${fmt(n)}`)
		.join(', ');

export async function runFloods(options: { durationMs: number; log: (line: string) => void; only?: string }): Promise<FloodRow[]> {
	const { durationMs, log } = options;
	const children: Child[] = [];
	const child = (name: string, opts: object, cpu: number) => {
		const c = startChild(name, opts, cpu);
		children.push(c);
		return c;
	};
	const kill = () => children.forEach((c) => c.process.kill('SIGKILL'));
	process.once('exit', kill);
	let watcher: ReturnType<typeof watchFleet> | undefined;
	try {
		const server = child(
			'server',
			{
				port: 0,
				// As deployed: /metrics behind its token (the flood has none), production limits, a trusting proxy.
				config: { ...RATE_LIMIT_DEFAULTS, maxConnectionsPerIp: DEFAULTS.maxConnectionsPerIp, shedLagMs: DEFAULTS.shedLagMs, trustProxy: true, metricsToken: METRICS_TOKEN }
			},
			SERVER_CPU
		);
		const url = await server.call<string>('url');
		const health = async (): Promise<Health> => (await fetch(`${url}/healthz`)).json() as Promise<Health>;
		log(`floods: ${CLUSTERS} clusters × ${SHARDS_PER_CLUSTER} shards heartbeating every 5 s`);
		const bots = child('bots', { url }, LOAD_CPU);
		await bots.call('steady-start', { clusters: CLUSTERS, shardsPerCluster: SHARDS_PER_CLUSTER, intervalMs: 5_000 });
		await until(async () => (await health()).clusters === CLUSTERS, 60_000, 'every cluster reported');
		watcher = watchFleet(url);
		const w = watcher;
		await until(() => w.clusters().length === CLUSTERS, 30_000, 'the watching page to hold every cluster');
		const viewer = child('viewers', { url }, LOAD_CPU);
		await viewer.call('connect', { count: 10 });
		const flood = child('flood', { url }, LOAD_CPU);
		// Warm up: every bot has sent a few heartbeats, and the history has its first load.
		await sleep(6_000);

		const zones = Intl.supportedValuesOf('timeZone');
		// Every spelling a client may send: each zone as listed, lower- and upper-cased.
		const spellings = zones.flatMap((z) => [z, z.toLowerCase(), z.toUpperCase()]);
		const http = (method: string, paths: string[], extra: object = {}) => () => flood.call<{ answers: Record<string, number> }>('http', { method, paths, connections: 64, durationMs, botnet: true, ...extra }).then((r) => answers(r.answers));
		const scenarios: [string, (() => Promise<string>) | undefined][] = [
			['none (baseline)', undefined],
			['`GET /metrics` without a token, 64 connections', http('GET', ['/metrics'])],
			['`GET /api/status`, 64 connections, a new address per request', http('GET', ['/api/status'])],
			[
				`\`GET /api/v1/history\` and \`/history/clusters/<id>\`, ${fmt(spellings.length)} zone spellings, ids 0–1,499, 64 connections, a new address per request`,
				http('GET', ['/api/v1/history?tz={tz}', '/api/v1/history/clusters/{cluster}?tz={tz}'], { zones: spellings, clusters: 1_500 })
			],
			['`POST /api/token`, 64 connections, a new address per request', http('POST', ['/api/token'])],
			[
				'2,000 slowloris connections (one header line every 2 s, never finished), each from its own address',
				() =>
					flood.call<{ opened: number; closedByServer: number; heldAtEnd: number; medianLifetimeMs: number }>('slowloris', { count: 2_000, durationMs }).then(
						(r) => `${fmt(r.opened)} opened, ${fmt(r.closedByServer)} closed by the server after ${fmt(r.medianLifetimeMs / 1000)} s (median), ${fmt(r.heldAtEnd)} open at the end`
					)
			],
			[
				'5,000 idle Engine.IO connections (WebSocket, answering pings, never joining a namespace), a new address each',
				() =>
					flood.call<{ opened: number; refused: number; closedByServer: number; heldAtEnd: number }>('idle-eio', { count: 5_000, durationMs, botnet: true }).then(
						(r) => `${fmt(r.opened)} opened, ${fmt(r.heldAtEnd)} open at the end, ${fmt(r.refused)} refused, ${fmt(r.closedByServer)} closed by the server`
					)
			]
		];

		const rows: FloodRow[] = [];
		for (const [name, run] of scenarios) {
			if (options.only && !name.includes(options.only) && run) continue;
			log(`flood: ${name}`);
			await bots.call('steady-acks');
			const stoppedBefore = w.everStopped.size;
			const before = await health();
			let loopMax = 0;
			let sampling = true;
			const sampler = (async () => {
				while (sampling) {
					await sleep(500);
					const h = await health().catch(() => undefined);
					if (h) loopMax = Math.max(loopMax, h.loopDelayMs);
				}
			})();
			const [polls, got] = await Promise.all([
				viewer.call<{ latencies: number[] }>('paced', { intervalMs: 1_000, durationMs }),
				run ? run() : sleep(durationMs).then(() => '—')
			]);
			sampling = false;
			await sampler;
			const acks = await bots.call<{ latencies: number[]; notOk: number; open: number }>('steady-acks');
			const after = await health();
			const row: FloodRow = {
				flood: name,
				got,
				polls: polls.latencies.length,
				pollP99: percentile(polls.latencies, 99),
				acks: acks.latencies.length,
				ackP99: percentile(acks.latencies, 99),
				acksMissing: acks.notOk + (CLUSTERS - acks.open),
				stopped: w.everStopped.size - stoppedBefore,
				loopMaxMs: loopMax,
				shed: after.shedRequests - before.shedRequests
			};
			rows.push(row);
			log(`  poll p99 ${fmt(row.pollP99)} ms (${row.polls}), ack p99 ${fmt(row.ackP99)} ms (${row.acks}), stopped ${row.stopped}, loop max ${fmt(loopMax)} ms, shed ${row.shed}; ${got}`);
			// Let what the flood left (closing connections, the slowloris' last sockets) drain.
			await sleep(3_000);
		}
		return rows;
	} finally {
		watcher?.close();
		await Promise.all(children.map((c) => c.stop()));
		process.off('exit', kill);
	}
}

/** The flood table as the README quotes it. */
export function floodTable(rows: FloodRow[]): string {
	const ok = (ms: number) => (ms < FLOOD_TARGET_MS ? '✅' : '❌');
	const lines = [
		`| flood (${rows.length > 1 ? 'each' : ''} while 16,000 shards heartbeat and a viewer polls every second) | what the flood got | viewer poll p99 | heartbeat ack p99 | cluster ever shown stopped | server loop delay (worst 500 ms) | requests shed |`,
		'|---|---|---|---|---|---|---|'
	];
	for (const r of rows) {
		lines.push(
			`| ${r.flood} | ${r.got.replace(/\|/g, '\\|')} | ${ok(r.pollP99)} ${fmt(r.pollP99)} ms (${fmt(r.polls)} polls) | ${ok(r.ackP99)} ${fmt(r.ackP99)} ms (${fmt(r.acks)} acks${r.acksMissing ? `, ${fmt(r.acksMissing)} missing` : ''}) | ${r.stopped === 0 ? '✅ none' : `❌ ${r.stopped}`} | ${fmt(r.loopMaxMs)} ms | ${fmt(r.shed)} |`
		);
	}
	return lines.join('\n');
}

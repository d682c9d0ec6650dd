import { cpus, totalmem } from 'node:os';
import { startChild, type Child } from './ipc.ts';
import { benchMetricsRender, benchMetricsScrapes } from './metrics.ts';
import { benchPage, type PageFigures } from './page.ts';
import { benchPageDom, type PageDomFigures } from './page-dom.ts';
import { benchReporterCost, benchReporterPackage, buildReporterAt, reporterReport, type ReporterCostOptions } from './reporter.ts';
import { benchStorage } from './storage.ts';
import { fmt, kb, markdownTable, ok } from './print.ts';
import { percentile } from './wire-client.ts';

/*
 * `npm run bench`: a real server, load from separate processes, figures printed as tables.
 * The server runs alone on core 0 and every load process on core 1 (taskset), so "per server
 * core" is literal. Everything is bounded: each phase has a fixed duration and every child
 * process exits on its own when the bench goes away or after 15 minutes.
 *
 * Flags: --quick (shorter phases, 2,000 viewers only), --no-page, --no-build, --shards=N (one fleet
 * size), --reporter-only (only the reporter's package and its cost inside a bot), --reporter-before=<git ref>
 * (with it, also the reporter of that commit, in turns with this one), --subscribers
 * (only the outbox: bench/subscribers-only.ts, its own flags after it). `tsx
 * bench/metrics-only.ts` runs only the /metrics figures.
 */
const args = new Set(process.argv.slice(2));
// `--subscribers`: only the outbox's figures (100,000 mails and 10,000 Discord webhooks, several minutes: not in the default run).
if (args.has('--subscribers')) await import('./subscribers-only.ts');
const QUICK = args.has('--quick');
const SERVER_CPU = 0;
const LOAD_CPU = 1;
const PACED_MS = QUICK ? 4_000 : 8_000;
const SATURATE_MS = QUICK ? 2_000 : 3_000;
const POLL_INTERVAL_MS = 15_000;
const HEARTBEAT_INTERVAL_MS = 5_000;
const ALL_FLEETS = [
	{ clusters: 2, shardsPerCluster: 16 },
	{ clusters: 1_000, shardsPerCluster: 16 },
	{ clusters: 3_125, shardsPerCluster: 16 }
];
/** `--shards=16000` runs one fleet size only (for iterating; the README table comes from a full run). */
const only = process.argv.find((a) => a.startsWith('--shards='))?.slice(9);
const FLEETS = only ? ALL_FLEETS.filter((f) => f.clusters * f.shardsPerCluster === Number(only)) : ALL_FLEETS;
const VIEWER_COUNTS = QUICK ? [2_000] : [2_000, 10_000];
/** The history database's size: a simulated day of a churning fleet (storage.ts). */
const STORAGE = QUICK ? { shards: 256, hours: 6 } : { shards: 1_024, hours: 24 };
/** Viewer sockets per load process; two processes share the load core. */
const VIEWER_PROCESSES = 2;
/** The reporter inside a bot (bench/reporter.ts): 20-ms heartbeats so that a window holds 100+ of them. */
const REPORTER: ReporterCostOptions = {
	shardCounts: [16, 128],
	guildsPerShard: 1_000,
	intervalMs: 20,
	windowMs: QUICK ? 2_000 : 3_000,
	rounds: QUICK ? 3 : 5,
	reads: QUICK ? 100 : 300,
	memoryPairs: QUICK ? 1 : 3,
	serverCpu: SERVER_CPU,
	botCpu: LOAD_CPU
};

const children: Child[] = [];
process.on('exit', () => children.forEach((c) => c.process.kill('SIGKILL')));
process.on('SIGINT', () => process.exit(130));

function child(name: string, options: object, cpu: number): Child {
	const c = startChild(name, options, cpu);
	children.push(c);
	return c;
}
async function stopAll(list: Child[]): Promise<void> {
	await Promise.all(list.map((c) => c.stop()));
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface PollRow {
	shards: number;
	viewers: number;
	fleet: 'unchanged' | 'changing';
	/** Realistic load: every viewer polls every 15 s. */
	pacedPolls: number;
	pacedP50: number;
	pacedP99: number;
	bytesPerPoll: number;
	kinds: Record<string, number>;
	/** A lightly loaded probe client (100 sockets polling every second) alongside the load: p50/p99. */
	probeP50: number;
	probeP99: number;
	/** Share of one core the server used during the realistic phase, and its event-loop delay p99. */
	serverCpu: number;
	serverLoopP99: number;
	/** Capacity: polls answered per second with 64 always in flight. */
	capacity: number;
	capacityP99: number;
}

type PollResult = { latencies: number[]; bytes: number; kinds: Record<string, number>; seconds?: number };
function merge(results: PollResult[]) {
	const latencies = results.flatMap((r) => r.latencies);
	const kinds: Record<string, number> = {};
	for (const r of results) for (const [k, n] of Object.entries(r.kinds)) kinds[k] = (kinds[k] ?? 0) + n;
	return { latencies, bytes: results.reduce((n, r) => n + r.bytes, 0), kinds, seconds: Math.max(...results.map((r) => r.seconds ?? 0)) };
}

async function measurePolls(server: Child, viewers: Child[], probe: Child, row: Pick<PollRow, 'shards' | 'viewers' | 'fleet'>): Promise<PollRow> {
	type Cpu = { cpuMicros: number };
	const cpu0 = await server.call<Cpu>('stats');
	await server.call('loop-delay');
	const t0 = performance.now();
	/*
	 * The load processes hold 10,000 sockets on one shared core, and every push reaches all of them
	 * at once: a poll answered during that burst waits in the load process, not in the server. The
	 * probe is a separate process with few sockets, so it measures what the server makes a client wait.
	 */
	const [probed, ...loaded] = await Promise.all([
		probe.call<PollResult>('paced', { intervalMs: 1_000, durationMs: PACED_MS }),
		...viewers.map((v) => v.call<PollResult>('paced', { intervalMs: POLL_INTERVAL_MS, durationMs: PACED_MS }))
	]);
	const paced = merge(loaded);
	const cpu1 = await server.call<Cpu>('stats');
	const loop = await server.call<{ p99: number }>('loop-delay');
	const serverCpu = (cpu1.cpuMicros - cpu0.cpuMicros) / 1000 / (performance.now() - t0);
	const sat = merge(await Promise.all(viewers.map((v) => v.call<PollResult>('saturate', { concurrency: 64 / viewers.length, durationMs: SATURATE_MS }))));
	const out: PollRow = {
		...row,
		pacedPolls: paced.latencies.length,
		pacedP50: percentile([...paced.latencies], 50),
		pacedP99: percentile([...paced.latencies], 99),
		bytesPerPoll: paced.latencies.length ? paced.bytes / paced.latencies.length : NaN,
		kinds: paced.kinds,
		probeP50: percentile([...probed!.latencies], 50),
		probeP99: percentile([...probed!.latencies], 99),
		serverCpu,
		serverLoopP99: loop.p99,
		capacity: sat.latencies.length / sat.seconds,
		capacityP99: percentile([...sat.latencies], 99)
	};
	log(`polls ${row.shards} shards × ${row.viewers} viewers, ${row.fleet}: p50 ${fmt(out.pacedP50, 1)} ms p99 ${fmt(out.pacedP99, 1)} ms (probe p99 ${fmt(out.probeP99, 1)} ms), ${kb(out.bytesPerPoll)}/poll, server ${fmt(serverCpu * 100)}% busy, loop p99 ${fmt(loop.p99, 1)} ms, capacity ${fmt(out.capacity)}/s ${JSON.stringify(out.kinds)}`);
	return out;
}

async function connectViewers(viewers: Child[], total: number): Promise<void> {
	const per = Math.ceil(total / viewers.length);
	const current = await Promise.all(viewers.map((v) => v.call<{ viewers: number }>('disconnect', { keep: per })));
	await Promise.all(viewers.map((v, i) => (per > current[i]!.viewers ? v.call('connect', { count: per - current[i]!.viewers }) : null)));
}

// ── heartbeat ingest ──────────────────────────────────────────────────────────────────────────
/*
 * Three floods of 16-shard heartbeats (64 bot sockets, 32 in flight each). Counted on the server
 * over the middle of each run. "Per CPU-second" divides by the CPU time the server process got,
 * which is its capacity on one core whatever else this shared machine was doing.
 */
async function benchIngest() {
	const server = child('server', { port: 0 }, SERVER_CPU);
	const url = await server.call<string>('url');
	const bots = child('bots', { url }, LOAD_CPU);
	const duration = QUICK ? 4_000 : 6_000;
	const trials: { perSecond: number; perCpuSecond: number }[] = [];
	type Stats = { heartbeatsAccepted: number; heartbeatsRefused: number; cpuMicros: number };
	let refused = 0;
	for (let trial = 0; trial < 3; trial++) {
		const flood = bots.call<{ acked: number; refused: number }>('flood', { sockets: 64, shardsPerCluster: 16, window: 32, durationMs: duration, firstCluster: 0 });
		await sleep(1_500);
		const a = await server.call<Stats>('stats');
		const t0 = performance.now();
		await sleep(duration - 2_500);
		const b = await server.call<Stats>('stats');
		const seconds = (performance.now() - t0) / 1000;
		refused += (await flood).refused;
		const n = b.heartbeatsAccepted - a.heartbeatsAccepted;
		trials.push({ perSecond: n / seconds, perCpuSecond: n / ((b.cpuMicros - a.cpuMicros) / 1e6) });
	}
	await stopAll([server, bots]);
	const perSecond = percentile(trials.map((t) => t.perSecond), 50);
	const perCpuSecond = percentile(trials.map((t) => t.perCpuSecond), 50);
	log(`ingest: ${trials.map((t) => `${fmt(t.perSecond)}/s (${fmt(t.perCpuSecond)} per CPU-s)`).join(', ')}; ${refused} refused`);
	return { perSecond, perCpuSecond, refused };
}

// ── polls, pushes, memory, per fleet size ─────────────────────────────────────────────────────
interface FleetFigures {
	shards: number;
	fullBytes: number;
	bytesPerShard: number;
	bytesPerViewer: number;
	rows: PollRow[];
	push: { viewers: number; medianMs: number; worstMs: number; reached: number } | null;
}

async function benchFleet(fleet: { clusters: number; shardsPerCluster: number }): Promise<FleetFigures> {
	const shards = fleet.clusters * fleet.shardsPerCluster;
	const server = child('server', { port: 0 }, SERVER_CPU);
	const url = await server.call<string>('url');
	const mem0 = await server.call<{ heapUsed: number }>('memory');
	const { fullBytes } = await server.call<{ fullBytes: number }>('load', fleet);
	const mem1 = await server.call<{ heapUsed: number }>('memory');
	const viewers = Array.from({ length: VIEWER_PROCESSES }, () => child('viewers', { url }, LOAD_CPU));
	const bots = child('bots', { url }, LOAD_CPU);
	const probe = child('viewers', { url }, LOAD_CPU);
	await probe.call('connect', { count: 100 });
	const rows: PollRow[] = [];
	let bytesPerViewer = NaN;
	let push: FleetFigures['push'] = null;
	try {
		for (const count of VIEWER_COUNTS) {
			const before = await server.call<{ heapUsed: number }>('memory');
			await connectViewers(viewers, count);
			const after = await server.call<{ heapUsed: number }>('memory');
			if (count === VIEWER_COUNTS.at(-1)) bytesPerViewer = (after.heapUsed - before.heapUsed) / (count - (VIEWER_COUNTS.length > 1 ? VIEWER_COUNTS[0]! : 0));
			rows.push(await measurePolls(server, viewers, probe, { shards, viewers: count, fleet: 'unchanged' }));
		}

		// Push latency: a heartbeat that changes one shard, to the last of every viewer. The fleet is
		// otherwise still, so that heartbeat's version is exactly the next one.
		const runs: number[] = [];
		let reached = 0;
		const viewerCount = VIEWER_COUNTS.at(-1)!;
		for (let i = 1; i <= (QUICK ? 3 : 5); i++) {
			await Promise.all(viewers.map((v) => v.call('pushes-reset')));
			const { version } = await server.call<{ version: number }>('stats');
			const { sentAt } = await bots.call<{ sentAt: number }>('mark', { clusterId: 0, shardsPerCluster: fleet.shardsPerCluster, totalShards: shards, variant: 100 + i });
			await sleep(2_000);
			const seen = await Promise.all(viewers.map((v) => v.call<Record<string, { count: number; lastAt: number }>>('pushes')));
			const mine = seen.map((s) => s[String(version + 1)]).filter((x) => x !== undefined);
			reached = mine.reduce((n, s) => n + s.count, 0);
			if (reached > 0) runs.push(Math.max(...mine.map((s) => s.lastAt)) - sentAt);
		}
		push = { viewers: viewerCount, medianMs: percentile([...runs], 50), worstMs: Math.max(...runs), reached };
		log(`push to ${viewerCount} viewers: median ${fmt(push.medianMs)} ms, worst ${fmt(push.worstMs)} ms (${reached} reached)`);

		// A changing fleet: every cluster heartbeats every 5 s over its own socket, pings drifting.
		await bots.call('steady-start', { clusters: fleet.clusters, shardsPerCluster: fleet.shardsPerCluster, intervalMs: HEARTBEAT_INTERVAL_MS });
		await sleep(HEARTBEAT_INTERVAL_MS + 1_000);
		for (const count of [...VIEWER_COUNTS].reverse()) {
			await connectViewers(viewers, count);
			rows.push(await measurePolls(server, viewers, probe, { shards, viewers: count, fleet: 'changing' }));
		}
		await bots.call('steady-stop');
	} finally {
		await stopAll([server, bots, probe, ...viewers]);
	}
	return { shards, fullBytes, bytesPerShard: (mem1.heapUsed - mem0.heapUsed) / shards, bytesPerViewer, rows, push };
}

// ── the naive design, in the same run ─────────────────────────────────────────────────────────
async function benchNaive(fleet: { clusters: number; shardsPerCluster: number }) {
	const server = child('naive-server', { port: 0 }, SERVER_CPU);
	const url = await server.call<string>('url');
	const { jsonBytes } = await server.call<{ jsonBytes: number }>('load', fleet);
	const viewers = child('viewers', { url, naive: true }, LOAD_CPU);
	try {
		await viewers.call('connect', { count: 2_000 });
		const sat = merge([await viewers.call<PollResult>('saturate', { concurrency: 16, durationMs: SATURATE_MS * 2 })]);
		const capacity = sat.latencies.length / sat.seconds;
		log(`naive ${fleet.clusters * fleet.shardsPerCluster} shards: ${fmt(capacity, 1)} polls/s, ${kb(jsonBytes)}/poll`);
		return { shards: fleet.clusters * fleet.shardsPerCluster, capacity, p99: percentile([...sat.latencies], 99), jsonBytes };
	} finally {
		await stopAll([server, viewers]);
	}
}

// ── the reporter inside a bot ─────────────────────────────────────────────────────────────────
async function benchReporter() {
	// Packing builds packages/reporter/dist, which the bot processes then load.
	const pkg = benchReporterPackage();
	log(`reporter package: ${kb(pkg.tarballBytes)}, installs ${pkg.installed.join(', ')}${pkg.beyond.length ? `; beyond socket.io-client's tree: ${pkg.beyond.join(', ')}` : ''}`);
	// --reporter-before=<git ref>: the reporter of that commit too, in turns with this one (a ratio from one run).
	const ref = process.argv.find((a) => a.startsWith('--reporter-before='))?.slice(18);
	const before = ref ? { ref, module: await buildReporterAt(ref) } : undefined;
	return reporterReport(pkg, await benchReporterCost({ ...REPORTER, before }, log), REPORTER);
}

// ── run and print ─────────────────────────────────────────────────────────────────────────────
const started = Date.now();
const machine = `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Server pinned to one core, load on the other.`;
log(machine);
if (args.has('--reporter-only')) {
	const { targets, lines } = await benchReporter();
	console.log([machine, '', '**Targets**', '', ...markdownTable(['target', 'measured', ''], targets), ...lines, `Bench took ${fmt((Date.now() - started) / 1000)} s.`].join('\n'));
	process.exit(0);
}
const ingest = await benchIngest();
const fleets: FleetFigures[] = [];
for (const f of FLEETS) fleets.push(await benchFleet(f));
const naive = [];
for (const f of FLEETS) naive.push(await benchNaive(f));
let page: PageFigures[] = [];
if (!args.has('--no-page')) page = await benchPage(FLEETS.filter((f) => f.clusters > 2), { build: !args.has('--no-build'), deltas: QUICK ? 3 : 7 });
let pageDom: PageDomFigures | null = null;
if (!args.has('--no-page')) pageDom = await benchPageDom(1_000, 16, { build: false });
const storage = await benchStorage(STORAGE);
/** Concurrent scrapers looping on /metrics, as in issue 13 (16 took /api/status from 4 ms to 11.9 s). */
const SCRAPERS = 16;
const metricsRender = await benchMetricsRender([16_000, 50_000], QUICK ? 3 : 7);
for (const m of metricsRender) log(`metrics render ${fmt(m.shards)} shards: ${kb(m.bytes)}, ${fmt(m.series)} series, median ${fmt(m.medianMs)} ms, worst ${fmt(m.worstMs)} ms`);
const metricsScrapes = await benchMetricsScrapes(16_000, SCRAPERS, QUICK ? 3 : 5);
for (const [name, r] of Object.entries({ shared: metricsScrapes.shared, unshared: metricsScrapes.unshared })) {
	log(`metrics ${SCRAPERS} scrapers, ${name}: ${r.scrapes} scrapes, ${r.renders} renders, p50 ${fmt(r.p50)} ms, probe p99 ${fmt(r.probeP99)} ms`);
}
const reporter = await benchReporter();
log(`storage: ${fmt(STORAGE.shards)} shards × ${STORAGE.hours} h → ${fmt(storage.rows)} rows, ${fmt(storage.bytes)} B, ${fmt(storage.bytesPerShardPerDay)} B/shard/day (${fmt(storage.seconds, 1)} s)`);

/** The DOM budget of issue 16: the whole page in compact mode at 16,000 shards, under 5,000 elements in every compact state measured. */
function compactDomTarget(dom: PageDomFigures): (string | number)[] {
	const worst = Math.max(...dom.views.filter((v) => v.view.startsWith('compact')).map((v) => v.elements));
	return [`page: DOM < 5,000 elements in compact mode (${fmt(dom.shards)} shards)`, `${fmt(worst)} elements (worst of closed, one row open, scrolled)`, ok(worst < 5_000)];
}

const out: string[] = [];
const table = (head: string[], rows: (string | number)[][]) => out.push(...markdownTable(head, rows));
const fleet16k = fleets.find((f) => f.shards === 16_000)!;
const naive16k = naive.find((n) => n.shards === 16_000)!;
const target = fleet16k.rows.find((r) => r.viewers === VIEWER_COUNTS.at(-1) && r.fleet === 'changing')!;

out.push(machine, '');
out.push('**Targets**', '');
table(
	['target', 'measured', ''],
	[
		['heartbeat ingest ≥ 20,000/s on one core (16-shard heartbeats; median of 3)', `${fmt(ingest.perCpuSecond)} per server CPU-second (${fmt(ingest.perSecond)}/s wall clock)`, ok(ingest.perCpuSecond >= 20_000)],
		[
			`poll p99 < 100 ms at 16,000 shards, ${fmt(target.viewers)} viewers every 15 s, 5-s heartbeats`,
			`${fmt(target.probeP99, 1)} ms at a probe client; ${fmt(target.pacedP99, 1)} ms inside the loaded load processes (see below)`,
			ok(target.probeP99 < 100)
		],
		['unchanged answer ≤ 200 B on the wire', kb(Math.max(...fleets.flatMap((f) => f.rows.filter((r) => r.fleet === 'unchanged').map((r) => r.bytesPerPoll)))), ok(fleets.every((f) => f.rows.filter((r) => r.fleet === 'unchanged').every((r) => r.bytesPerPoll <= 200)))],
		['full snapshot ≤ 120 KB at 16,000 shards', kb(fleet16k.fullBytes), ok(fleet16k.fullBytes <= 120_000)],
		[`push to the last of ${fmt(fleet16k.push?.viewers ?? 0)} viewers < 1 s`, `${fmt(fleet16k.push?.worstMs ?? NaN)} ms worst`, ok((fleet16k.push?.worstMs ?? Infinity) < 1_000)],
		['versus naive JSON per poll ≥ 10× (16,000 shards)', `${fmt(target.capacity / naive16k.capacity, 0)}×`, ok(target.capacity / naive16k.capacity >= 10)],
		...page.filter((p) => p.shards === 16_000).flatMap((p) => [
			['page: data → grid drawn < 500 ms (16,000 shards; arrival → painted)', `${fmt(p.firstRenderMs)} ms`, ok(p.firstRenderMs < 500)],
			['page: one delta applied < 16 ms (arrival → DOM updated)', `${fmt(p.deltaMedianMs, 1)} ms median, ${fmt(p.deltaWorstMs, 1)} worst`, ok(p.deltaMedianMs < 16)],
			['fleet overview drawn < 100 ms (16,000 shards; arrival → canvas drawn)', `${fmt(p.overviewDrawnMs, 1)} ms (painted ${fmt(p.overviewPaintedMs)} ms)`, ok(p.overviewDrawnMs < 100)],
			['fleet overview: one delta reflected < 4 ms (arrival → cluster redrawn)', `${fmt(p.overviewDeltaMedianMs, 1)} ms median, ${fmt(p.overviewDeltaWorstMs, 1)} worst`, ok(p.overviewDeltaMedianMs < 4)]
		]),
		...page.filter((p) => p.shards === 50_000).map((p) => ['fleet overview drawn < 300 ms (50,000 shards)', `${fmt(p.overviewDrawnMs, 1)} ms (painted ${fmt(p.overviewPaintedMs)} ms)`, ok(p.overviewDrawnMs < 300)]),
		...(pageDom ? [compactDomTarget(pageDom)] : []),
		...reporter.targets
	]
);
out.push('**Polls** (realistic: each viewer polls every 15 s while pushes keep it current; capacity: 64 polls always in flight)', '');
table(
	['shards', 'viewers', 'fleet', 'polls', 'p50', 'p99', 'probe p50 / p99', 'bytes/poll', 'answers', 'server core busy', 'server loop delay p99', 'capacity', 'p99 at capacity'],
	fleets.flatMap((f) =>
		f.rows.map((r) => [fmt(r.shards), fmt(r.viewers), r.fleet, fmt(r.pacedPolls), `${fmt(r.pacedP50, 1)} ms`, `${fmt(r.pacedP99, 1)} ms`, `${fmt(r.probeP50, 1)} / ${fmt(r.probeP99, 1)} ms`, kb(r.bytesPerPoll), Object.entries(r.kinds).map(([k, n]) => `${k} ${n}`).join(', '), `${fmt(r.serverCpu * 100)}%`, `${fmt(r.serverLoopP99, 1)} ms`, `${fmt(r.capacity)}/s`, `${fmt(r.capacityP99, 1)} ms`])
	)
);
out.push('**Naive design side by side** (whole fleet as JSON per poll, same machine, same run)', '');
table(
	['shards', 'naive polls/s', 'naive bytes/poll', 'Shardbeat polls/s (changing)', 'ratio'],
	naive.map((n) => {
		const ours = fleets.find((f) => f.shards === n.shards)!.rows.find((r) => r.fleet === 'changing' && r.viewers === VIEWER_COUNTS[0])!;
		return [fmt(n.shards), fmt(n.capacity, 1), kb(n.jsonBytes), fmt(ours.capacity), `${fmt(ours.capacity / n.capacity, 0)}×`];
	})
);
out.push('**Push, snapshot and memory**', '');
table(
	['shards', 'full snapshot', 'push to last viewer (median / worst)', 'server heap per shard', 'server heap per viewer socket'],
	fleets.map((f) => [fmt(f.shards), kb(f.fullBytes), f.push ? `${fmt(f.push.medianMs)} / ${fmt(f.push.worstMs)} ms to ${fmt(f.push.reached)}` : '—', `${fmt(f.bytesPerShard)} B`, kb(f.bytesPerViewer)])
);
if (page.length) {
	out.push('**Page** (built worker under wrangler, Debian Chromium headless; User Timing measure from data arrival to the frame after render)', '');
	table(
		['shards', 'snapshot → first screen built', 'snapshot → first screen painted', 'snapshot → every card built and painted', 'one delta → DOM updated (median / worst)', 'one delta → painted (median)'],
		page.map((p) => [fmt(p.shards), `${fmt(p.firstApplyMs)} ms`, `${fmt(p.firstRenderMs)} ms`, `${fmt(p.completeMs)} ms`, `${fmt(p.deltaMedianMs, 1)} / ${fmt(p.deltaWorstMs, 1)} ms`, `${fmt(p.deltaPaintedMs, 1)} ms`])
	);
	out.push('**Fleet overview** (one canvas for every shard; beside it, measured in the same page, one element per cluster showing cluster colour only)', '');
	table(
		['shards', 'snapshot → canvas drawn', 'snapshot → painted', 'one delta → redrawn (median / worst)', 'overview elements', 'one element per cluster: built → painted', 'its elements'],
		page.map((p) => [fmt(p.shards), `${fmt(p.overviewDrawnMs, 1)} ms`, `${fmt(p.overviewPaintedMs)} ms`, `${fmt(p.overviewDeltaMedianMs, 1)} / ${fmt(p.overviewDeltaWorstMs, 1)} ms`, fmt(p.overviewElements), `${fmt(p.perClusterElementsMs, 1)} ms`, fmt(p.perClusterElements)])
	);
}
if (pageDom) {
	out.push(`**Page DOM size** (${fmt(pageDom.shards)} shards in ${fmt(pageDom.clusterCount)} clusters, whole document, 1280 × 900 viewport)`, '');
	const cards = pageDom.views.find((v) => v.view === 'cards (all drawn)');
	table(
		['view', 'elements', 'clusters in the DOM', 'tiles in the DOM', 'versus cards'],
		pageDom.views.map((v) => [v.view, fmt(v.elements), fmt(v.clusters), fmt(v.tiles), cards ? `${fmt(cards.elements / v.elements, 1)}× fewer` : '—'])
	);
}
out.push('**`/metrics`** (one render of the bench fleet, all shards ready with a ping, including Node process metrics; in the bench process)', '');
table(
	['shards', 'bytes', 'series', 'render (median / worst)'],
	metricsRender.map((m) => [fmt(m.shards), `${fmt(m.bytes / 2 ** 20, 2)} MiB`, fmt(m.series), `${fmt(m.medianMs)} / ${fmt(m.worstMs)} ms`])
);
out.push(
	`**\`/metrics\` under ${SCRAPERS} concurrent scrapers** (${fmt(metricsScrapes.shards)} shards, each scraper looping for ${metricsScrapes.seconds} s over HTTP; a probe request every 50 ms on the same server measures what everyone else waits)`,
	''
);
table(
	['rendering', 'scrapes answered', 'renders', 'scrape p50 / p99', 'probe p50 / p99'],
	(
		[
			['shared (single-flight, 1 s cache)', metricsScrapes.shared],
			['one per scrape (before)', metricsScrapes.unshared]
		] as const
	).map(([name, r]) => [name, fmt(r.scrapes), fmt(r.renders), `${fmt(r.p50)} / ${fmt(r.p99)} ms`, `${fmt(r.probeP50)} / ${fmt(r.probeP99)} ms`])
);
out.push(
	'**Storage** (history in an SQLite file after VACUUM; simulated fleet: 16 shards per cluster, 5-s heartbeats, each shard reconnecting 1 heartbeat in 2,000, each cluster restarting about twice a day, a ping row per cluster per minute)',
	''
);
table(
	['shards', 'simulated', 'rows', 'bytes', 'bytes per shard per day', '90 days (default retention)'],
	[[fmt(STORAGE.shards), `${STORAGE.hours} h`, fmt(storage.rows), `${fmt(storage.bytes)} (${fmt(storage.bytes / 2 ** 20, 1)} MiB)`, fmt(storage.bytesPerShardPerDay), `${fmt((storage.bytesPerShardPerDay * STORAGE.shards * 90) / 2 ** 20)} MiB`]]
);
out.push(...reporter.lines);
out.push(`Bench took ${fmt((Date.now() - started) / 1000)} s.`);
console.log(out.join('\n'));
process.exit(0);

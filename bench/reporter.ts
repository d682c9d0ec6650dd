import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { spawnNode } from '#testing/processes/ipc';
import { installedTree, installInFreshProject, packReporter, REPORTER_TARBALL_TARGET_BYTES, tarballListing } from '#testing/reporter-package';
import { BENCH_BOT_SECRET } from './fleet-shape.ts';
import { startChild } from './ipc.ts';
import { fmt, kb, markdownTable, ok } from './print.ts';

/*
 * What @shardbeat/reporter costs inside a bot (issue 14: under 0.5 ms CPU per heartbeat and
 * 5 MB, a tarball of at most 25 KB that installs nothing beyond socket.io-client's tree).
 *
 * The package: `npm pack` (which builds dist/), installed into a fresh project as a bot author
 * would. The cost: a plain-`node` bot process (processes/reporter-bot.js) with a real discord.js
 * Client holding `guildsPerShard` real guilds per shard, reporting with the built package to a
 * real server (processes/server.ts) on the other core.
 */

export const REPORTER_TARGETS = { cpuPerHeartbeatMs: 0.5, memoryBytes: 5 * 2 ** 20, tarballBytes: REPORTER_TARBALL_TARGET_BYTES } as const;

export interface ReporterPackageFigures {
	tarballBytes: number;
	/** Files in the tarball, without the `package/` prefix. */
	files: string[];
	/** Every package a fresh `npm install <tarball>` put in node_modules, sorted. */
	installed: string[];
	/** socket.io-client and its dependency closure, as installed. */
	socketIoClosure: string[];
	/** Installed packages that are neither the reporter nor in socket.io-client's closure. */
	beyond: string[];
}

/** Packs the reporter (building its dist/, which the cost section then loads) and installs it into a fresh project. */
export function benchReporterPackage(): ReporterPackageFigures {
	const work = mkdtempSync(join(tmpdir(), 'shardbeat-bench-pack-'));
	try {
		const tarball = packReporter(work);
		const project = join(work, 'my-bot');
		installInFreshProject(project, tarball);
		return {
			tarballBytes: statSync(tarball).size,
			files: tarballListing(tarball).map((f) => f.replace(/^package\//, '')),
			...installedTree(join(project, 'node_modules'))
		};
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

/**
 * Builds the reporter as it was at git `ref` (its src/ and the shared-types/ it inlines, from
 * `git archive`) into one ES module under node_modules/.cache, where it resolves socket.io-client
 * as the package does, and returns its URL: the "before" of `--reporter-before=<ref>`.
 */
export async function buildReporterAt(ref: string): Promise<string> {
	const root = fileURLToPath(new URL('..', import.meta.url));
	const dir = join(root, 'node_modules/.cache/shardbeat-bench', `reporter-${ref.replace(/[^\w.-]/g, '_')}`);
	rmSync(dir, { recursive: true, force: true });
	mkdirSync(dir, { recursive: true });
	const archive = spawnSync('git', ['-C', root, 'archive', '--format=tar', ref, 'packages/reporter/src', 'shared-types'], { maxBuffer: 256 * 2 ** 20 });
	if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr.toString().trim()} (pass a commit, branch or tag of this repository to --reporter-before)`);
	const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
	if (untar.status !== 0) throw new Error(`unpacking ${ref} into ${dir} failed: ${untar.stderr.toString().trim()}`);
	const outfile = join(dir, 'index.mjs');
	// The same bundling as packages/reporter/scripts/build.mjs, ESM only.
	await build({ entryPoints: [join(dir, 'packages/reporter/src/index.ts')], bundle: true, platform: 'node', target: 'node18', format: 'esm', external: ['socket.io-client'], outfile, logLevel: 'error' });
	return pathToFileURL(outfile).href;
}

export interface ReporterCostOptions {
	/** Shards per cluster, one bot process per size and mode. */
	shardCounts: number[];
	guildsPerShard: number;
	/** Heartbeat interval while measuring CPU: short, so a window holds many heartbeats. */
	intervalMs: number;
	/** Length of each idle and each reporting window. */
	windowMs: number;
	rounds: number;
	/** Source reads timed alone, cold and warm, per variant. */
	reads: number;
	/** Processes with and without the reporter, alternated, for the memory figures. */
	memoryPairs: number;
	serverCpu: number;
	botCpu: number;
	/** An older reporter to measure in the same bot processes, taking turns with this one (`buildReporterAt`). */
	before?: { ref: string; module: string };
}

/** One scenario: CPU per heartbeat of each round (see `cpuFigures`), ms; heartbeats sent, and how many of them walked the guild cache. */
export interface CpuFigures {
	perHeartbeatMs: number[];
	heartbeats: number;
	walks: number;
}

export interface ReadFigures {
	coldMs: number;
	warmMs: number;
	reads: number;
}

export interface ReporterCostFigures {
	shards: number;
	guilds: number;
	heartbeatBytes: number;
	/** The same reporter with a one-shard source that reads nothing: what any heartbeat costs this process here. */
	floor: CpuFigures;
	/** The guild cache unchanged between heartbeats (the reporter keeps its walk). */
	unchanged: CpuFigures;
	/** A member joining somewhere between every two heartbeats. */
	changing: CpuFigures;
	/** Shard pings moving at a real bot's rate (5 / 41.25 of the shards between two heartbeats): what a heartbeat delta carries. */
	moving: CpuFigures;
	/** The bare and the full heartbeat written by a raw `ws` client (socket.io's wire format by hand, no ack): the WebSocket write alone. */
	raw: { bare: CpuFigures; full: CpuFigures };
	/** The source read alone, median wall ms: after the heartbeat interval asleep, and again at once. */
	read: ReadFigures;
	/** The same for the older reporter of `--reporter-before`, measured in turns with these. */
	before?: { ref: string; floor: CpuFigures; unchanged: CpuFigures; changing: CpuFigures; moving: CpuFigures; read: ReadFigures };
	/** Median of the medians of each process's samples: with the reporter − without, bytes. */
	rssAdded: number;
	heapAdded: number;
	/** The same for the heap V8 keeps committed (used or not). */
	heapCommittedAdded: number;
	/** The same, within each process with the reporter (after it started − before it loaded), median over the processes: no process-to-process spread. */
	rssAddedInProcess: number;
	heapAddedInProcess: number;
	/** Per process kind, each process's median RSS and heap (after), for the spread. */
	memory: { with: Memory[]; without: Memory[] };
}

const BOT = fileURLToPath(new URL('./processes/reporter-bot.js', import.meta.url));
const running = new Set<ChildProcess>();
process.on('exit', () => running.forEach((c) => c.kill('SIGKILL')));

/** Runs the bot once with `options` and resolves with the JSON line it printed. */
function runBot<T>(options: object, cpu: number): Promise<T> {
	const child = spawnNode(BOT, [JSON.stringify(options)], { cpu, tsx: false, stdio: ['ignore', 'pipe', 'inherit'] });
	running.add(child);
	let out = '';
	child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
	return new Promise((resolve, reject) => {
		child.on('exit', (code, signal) => {
			running.delete(child);
			if (code === 0) resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
			else reject(new Error(`reporter-bot ${JSON.stringify(options)} exited (${code ?? signal})`));
		});
	});
}

interface Window {
	cpuMs: number;
	wallMs: number;
}
type Rounds = { idle: Window; reporting: Window & { heartbeats: number; walks: number } }[];
interface CpuResult {
	floor: Rounds;
	unchanged: Rounds;
	changing: Rounds;
	moving: Rounds;
	before?: { floor: Rounds; unchanged: Rounds; changing: Rounds; moving: Rounds; reads: Reads };
	reads: Reads;
	raw: { bare: Rounds; full: Rounds };
	heartbeatBytes: number;
	guilds: number;
}
/** Wall ms of each source read, after the heartbeat interval asleep (cold) and again at once (warm). */
type Reads = { cold: number[]; warm: number[] };
type Memory = { rss: number; heapUsed: number; heapTotal: number };
interface MemoryResult {
	before: Memory[];
	after: Memory[];
	guilds: number;
}

/** The middle value, or the mean of the two middle ones. */
function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Per round: (reporting CPU − the idle rate × its wall time) ÷ its heartbeats. The idle rate is the
 * median of the scenario's idle windows, so that a major GC landing in one idle window (a 1-GB heap
 * takes a while to mark) does not make one round's figure negative.
 */
function cpuFigures(rounds: Rounds): CpuFigures {
	const idleRate = median(rounds.map(({ idle }) => idle.cpuMs / idle.wallMs));
	return {
		perHeartbeatMs: rounds.map(({ reporting }) => (reporting.cpuMs - idleRate * reporting.wallMs) / reporting.heartbeats),
		heartbeats: sum(rounds.map((r) => r.reporting.heartbeats)),
		walks: sum(rounds.map((r) => r.reporting.walks))
	};
}

const readFigures = (r: Reads): ReadFigures => ({ coldMs: median(r.cold), warmMs: median(r.warm), reads: r.cold.length });

/** CPU per heartbeat and memory added, for each shard count, against one real server. */
export async function benchReporterCost(o: ReporterCostOptions, log: (line: string) => void): Promise<ReporterCostFigures[]> {
	const server = startChild('server', { port: 0 }, o.serverCpu);
	try {
		const url = await server.call<string>('url');
		const common = { url, secret: BENCH_BOT_SECRET, guildsPerShard: o.guildsPerShard, windowMs: o.windowMs };
		const figures: ReporterCostFigures[] = [];
		for (const shards of o.shardCounts) {
			const cpu = await runBot<CpuResult>({ ...common, shards, mode: 'cpu', intervalMs: o.intervalMs, rounds: o.rounds, reads: o.reads, before: o.before?.module }, o.botCpu);
			const memory: ReporterCostFigures['memory'] = { with: [], without: [] };
			const inProcess: Memory[] = [];
			const of = (samples: Memory[]): Memory => ({ rss: median(samples.map((m) => m.rss)), heapUsed: median(samples.map((m) => m.heapUsed)), heapTotal: median(samples.map((m) => m.heapTotal)) });
			for (let pair = 0; pair < o.memoryPairs; pair++) {
				for (const reporter of [false, true]) {
					const m = await runBot<MemoryResult>({ ...common, shards, mode: 'memory', reporter, intervalMs: 250, samples: 5 }, o.botCpu);
					const [before, after] = [of(m.before), of(m.after)];
					(reporter ? memory.with : memory.without).push(after);
					if (reporter) inProcess.push({ rss: after.rss - before.rss, heapUsed: after.heapUsed - before.heapUsed, heapTotal: after.heapTotal - before.heapTotal });
				}
			}
			const added = (key: keyof Memory) => median(memory.with.map((m) => m[key])) - median(memory.without.map((m) => m[key]));
			const f: ReporterCostFigures = {
				shards,
				guilds: cpu.guilds,
				heartbeatBytes: cpu.heartbeatBytes,
				floor: cpuFigures(cpu.floor),
				unchanged: cpuFigures(cpu.unchanged),
				changing: cpuFigures(cpu.changing),
				moving: cpuFigures(cpu.moving),
				read: readFigures(cpu.reads),
				raw: { bare: cpuFigures(cpu.raw.bare), full: cpuFigures(cpu.raw.full) },
				...(o.before && cpu.before
					? { before: { ref: o.before.ref, floor: cpuFigures(cpu.before.floor), unchanged: cpuFigures(cpu.before.unchanged), changing: cpuFigures(cpu.before.changing), moving: cpuFigures(cpu.before.moving), read: readFigures(cpu.before.reads) } }
					: {}),
				rssAdded: added('rss'),
				heapAdded: added('heapUsed'),
				heapCommittedAdded: added('heapTotal'),
				rssAddedInProcess: median(inProcess.map((m) => m.rss)),
				heapAddedInProcess: median(inProcess.map((m) => m.heapUsed)),
				memory
			};
			const rounds = (c: CpuFigures) => `${c.perHeartbeatMs.map((ms) => ms.toFixed(3)).join(' / ')} ms (${c.walks} walks in ${c.heartbeats} heartbeats)`;
			log(
				`reporter ${shards} shards × ${o.guildsPerShard} guilds: CPU per heartbeat ${rounds(f.unchanged)} unchanged, ${rounds(f.changing)} changing, ${rounds(f.moving)} pings moving, ${rounds(f.floor)} bare; ` +
					`raw ws ${rounds(f.raw.full)} full, ${rounds(f.raw.bare)} bare; ` +
					(f.before ? `before (${f.before.ref}): ${rounds(f.before.unchanged)} unchanged, ${rounds(f.before.changing)} changing, ${rounds(f.before.moving)} pings moving, ${rounds(f.before.floor)} bare; ` : '') +
					`idle ${[...cpu.floor, ...cpu.unchanged, ...cpu.changing].map((r) => r.idle.cpuMs.toFixed(0)).join('/')} ms CPU per ${o.windowMs} ms; ` +
					`RSS +${(f.rssAdded / 2 ** 20).toFixed(2)} MiB, heap +${(f.heapAdded / 2 ** 20).toFixed(2)} MiB (committed +${(f.heapCommittedAdded / 2 ** 20).toFixed(2)}); in-process RSS +${(f.rssAddedInProcess / 2 ** 20).toFixed(2)}, heap +${(f.heapAddedInProcess / 2 ** 20).toFixed(2)} MiB ` +
					`(RSS with ${memory.with.map((m) => (m.rss / 2 ** 20).toFixed(1)).join('/')}, without ${memory.without.map((m) => (m.rss / 2 ** 20).toFixed(1)).join('/')} MiB)`
			);
			figures.push(f);
		}
		return figures;
	} finally {
		await server.stop();
	}
}

/** With `--reporter-before`: this reporter and the older one, measured in turns in the same processes. */
function beforeLines(cost: ReporterCostFigures[]): string[] {
	const compared = cost.filter((f) => f.before);
	if (compared.length === 0) return [];
	const ms = (c: CpuFigures) => median(c.perHeartbeatMs);
	const ratio = (then: number, now: number) => `${fmt(then, 3)} → ${fmt(now, 3)} ms (${fmt(then / now, 1)}× less)`;
	const pair = (now: CpuFigures, then: CpuFigures) => ratio(ms(then), ms(now));
	return [
		`Against the reporter at \`${compared[0]!.before!.ref}\`, built from that commit and measured in the same bot processes, the two taking turns in every round, which of them first alternating (before → now):`,
		'',
		...markdownTable(
			['shards per cluster', 'CPU per heartbeat, guilds unchanged', 'a member joins between heartbeats', 'pings moving at a real bot\'s rate', 'bare one-shard heartbeat', 'the source read alone, after the interval asleep (warm)'],
			compared.map((f) => [
				fmt(f.shards),
				pair(f.unchanged, f.before!.unchanged),
				pair(f.changing, f.before!.changing),
				pair(f.moving, f.before!.moving),
				pair(f.floor, f.before!.floor),
				`${ratio(f.before!.read.coldMs, f.read.coldMs)} (${fmt(f.before!.read.warmMs, 3)} → ${fmt(f.read.warmMs, 3)})`
			])
		),
		''
	];
}

/** The Targets rows and the section's own tables, in the bench's Markdown. */
export function reporterReport(pkg: ReporterPackageFigures, cost: ReporterCostFigures[], o: Pick<ReporterCostOptions, 'guildsPerShard' | 'intervalMs' | 'windowMs' | 'rounds' | 'reads' | 'memoryPairs'>): { targets: string[][]; lines: string[] } {
	const mb = (bytes: number) => `${bytes >= 0 ? '+' : ''}${fmt(bytes / 2 ** 20, 2)} MB`;
	const ms = (c: CpuFigures) => median(c.perHeartbeatMs);
	const cpuTarget = REPORTER_TARGETS.cpuPerHeartbeatMs;
	// Across processes, RSS differs by ~20-30 MB that is V8's committed but unused heap: a process
	// that hardly allocates (the one without the reporter) gives it back seconds into the run, one
	// allocating every heartbeat keeps it, as a live bot would anyway. So RSS is judged within one process.
	const worstMemory = Math.max(...cost.flatMap((f) => [f.heapAdded, f.rssAddedInProcess, f.heapAddedInProcess]));
	const targets = [
		...cost.flatMap((f) => [
			[
				`reporter: CPU per heartbeat < ${cpuTarget} ms, ${fmt(f.shards)} shards × ${fmt(o.guildsPerShard)} guilds (median of ${o.rounds} rounds)`,
				`${fmt(ms(f.unchanged), 3)} ms (a bare one-shard heartbeat: ${fmt(ms(f.floor), 3)} ms); ${fmt(ms(f.changing), 3)} ms when a member joins between every two heartbeats; ${fmt(ms(f.moving), 3)} ms with pings moving at a real bot's rate`,
				`${ok(ms(f.unchanged) < cpuTarget)} ${ok(ms(f.changing) < cpuTarget)} ${ok(ms(f.moving) < cpuTarget)}`
			]
		]),
		[
			'reporter: memory added < 5 MB (heap: with − without; RSS: in the process with it, started − not loaded; after GC)',
			cost.map((f) => `${fmt(f.shards)} shards: heap ${mb(f.heapAdded)}, RSS ${mb(f.rssAddedInProcess)} (RSS with − without: ${mb(f.rssAdded)}, of which committed heap ${mb(f.heapCommittedAdded)})`).join('; '),
			ok(worstMemory < REPORTER_TARGETS.memoryBytes)
		],
		['reporter: tarball ≤ 25 KB', kb(pkg.tarballBytes), ok(pkg.tarballBytes <= REPORTER_TARGETS.tarballBytes)],
		[
			"reporter: a fresh install brings nothing beyond socket.io-client's tree",
			pkg.beyond.length === 0 ? `${pkg.installed.length} packages, none beyond` : `beyond: ${pkg.beyond.join(', ')}`,
			ok(pkg.beyond.length === 0)
		]
	];
	const rounds = (c: CpuFigures) => `${fmt(ms(c), 3)} ms (${c.perHeartbeatMs.map((x) => fmt(x, 3)).join(', ')}; ${fmt(c.walks)} walks in ${fmt(c.heartbeats)} heartbeats)`;
	const [small, large] = [cost[0], cost.at(-1)];
	const ratio = (a: number, b: number) => `${fmt(b / a, 1)}×`;
	const lines = [
		`**Reporter in a bot** (a plain \`node\` bot process on the load core: a real discord.js 14 \`Client\`, real \`WebSocketShard\`s in \`client.ws.shards\`, ${fmt(o.guildsPerShard)} real \`Guild\`s per shard with 5 channels and 4 roles each, reporting with the built package to a real server on the other core. ` +
			`CPU: process.cpuUsage() over ${fmt(o.windowMs / 1000, 1)}-s windows of heartbeats every ${o.intervalMs} ms, minus the same process idle for as long, ${o.rounds} rounds; it counts the source read, socket.io's encoding, the WebSocket write and the garbage collection of it all (after the first heartbeat's ack says the server answers only problems, heartbeats go without an ack, so no answer comes back to decode). ` +
			`"Bare": the same reporter in the same process with a one-shard source that reads nothing, the floor of any heartbeat here (a timer's wake-up and a WebSocket write). ` +
			`"Raw ws": the same source read and heartbeat (and the bare one) written every ${o.intervalMs} ms by a raw \`ws\` client in the same process speaking socket.io's wire format by hand, no ack: what the WebSocket write alone costs, without socket.io. ` +
			`"Member joins" sends a GUILD_MEMBER_ADD or _REMOVE through discord.js every ${o.intervalMs} ms in both windows (a bot with the GuildMembers intent). ` +
			`"Pings moving": between every two heartbeats the pings of 5 / 41.25 of the shards change (16 of 128), as a real bot's do at the default 5-s interval, Discord acking each shard's gateway heartbeat every ~41.25 s; once the server's first ack says it takes deltas, a heartbeat carries only the shards that changed (a full one every 10th). ` +
			`"Source read": one call of the discord.js source alone, wall time, median of ${fmt(o.reads)}, after ${o.intervalMs} ms asleep as every heartbeat finds it, and again at once (warm). ` +
			`Memory: ${o.memoryPairs} pair${o.memoryPairs === 1 ? '' : 's'} of otherwise identical processes with the reporter started and without it loaded, 5 samples each after two full GCs, medians; "in one process": the processes with the reporter, before loading it and after it ran (across processes RSS also differs by the heap V8 keeps committed but unused, which the process without the reporter, hardly allocating, gives back a few seconds in; so the target is judged on the heap used and the in-process RSS); MB = 2^20 bytes)`,
		'',
		...markdownTable(
			['shards per cluster', 'guilds', 'heartbeat', 'CPU per heartbeat, guilds unchanged (median; rounds)', 'a member joins between heartbeats', 'pings moving at a real bot\'s rate', 'bare one-shard heartbeat', 'raw ws, no socket.io: the same heartbeat / bare', 'source read (warm)', 'heap used added (in one process)', 'RSS added in one process', 'RSS with − without (committed heap)'],
			cost.map((f) => [fmt(f.shards), fmt(f.guilds), kb(f.heartbeatBytes), rounds(f.unchanged), rounds(f.changing), rounds(f.moving), rounds(f.floor), `${fmt(ms(f.raw.full), 3)} / ${fmt(ms(f.raw.bare), 3)} ms`, `${fmt(f.read.coldMs, 3)} ms (${fmt(f.read.warmMs, 3)})`, `${mb(f.heapAdded)} (${mb(f.heapAddedInProcess)})`, mb(f.rssAddedInProcess), `${mb(f.rssAdded)} (${mb(f.heapCommittedAdded)})`])
		),
		...(small && large && small !== large
			? [
					`${fmt(large.shards)} vs ${fmt(small.shards)} shards: CPU per heartbeat ${ratio(ms(small.unchanged), ms(large.unchanged))} unchanged, ${ratio(ms(small.changing), ms(large.changing))} with joins; heartbeat size ${ratio(small.heartbeatBytes, large.heartbeatBytes)}; heap added ${ratio(small.heapAdded, large.heapAdded)}.`,
					''
				]
			: []),
		...beforeLines(cost),
		`Package: tarball ${kb(pkg.tarballBytes)} (${pkg.files.join(', ')}); a fresh \`npm install <tarball>\` brings ${pkg.installed.join(', ')}; socket.io-client's tree is ${pkg.socketIoClosure.join(', ')}.`,
		''
	];
	return { targets, lines };
}

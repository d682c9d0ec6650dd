import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { churnSoak, fmtMb, lasting } from '#testing/faults/scenarios';
import { buildPage } from '../scripts/stack.ts';
import { floodTable, runFloods, type FloodRow } from './floods.ts';

/*
 * `npm run bench:reliability`: the fault suite (real processes: server restarts, also under the
 * built page in Chromium, killed and frozen bots, a black-holed network, Redis and PostgreSQL taken
 * away, an instance killed, wall clocks stepped and skewed), the fuzz suite and the raw protocol abuse, run once with their
 * figures collected, then a churn soak of several minutes (too long for `npm test`), printed
 * as one reliability table, then the flood suite (`bench/floods.ts`: each flood against a server
 * carrying 16,000 shards and a polling viewer) as a second table. `--quick`: a 1-minute soak.
 * `--soak-s=600`: a soak of that length. `--no-suite`: the soak only. `--floods-only`: the flood
 * suite only (about 3 minutes); `--flood-s=20`: each flood that long (default 15);
 * `--flood=/api/status`: the baseline and the floods whose name contains that text.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const SOAK_S = Number(args.find((a) => a.startsWith('--soak-s='))?.slice(9) ?? (QUICK ? 60 : 300));
const FLOODS_ONLY = args.includes('--floods-only');
const SUITE = !args.includes('--no-suite') && !FLOODS_ONLY;
const FLOOD_S = Number(args.find((a) => a.startsWith('--flood-s='))?.slice(10) ?? 15);
const log = (line: string) => process.stderr.write(`[reliability] ${line}\n`);
// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '');

interface Row {
	fault: string;
	survived: string;
	measured: string;
}
const rows: Row[] = [];

interface VitestJson {
	testResults: { name: string; assertionResults: { title: string; status: string; duration?: number }[] }[];
}

/** One vitest run of `files` in `project`, its output and its JSON results. */
async function runVitest(project: string, files: string[]): Promise<{ code: number; text: string; results: VitestJson | undefined }> {
	const dir = mkdtempSync(join(tmpdir(), 'shardbeat-reliability-'));
	const out = join(dir, 'results.json');
	let text = '';
	const code = await new Promise<number>((resolve) => {
		const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...files], {
			cwd: ROOT,
			stdio: ['ignore', 'pipe', 'pipe']
		});
		child.stdout!.on('data', (d: Buffer) => (text += d));
		child.stderr!.on('data', (d: Buffer) => {
			text += d;
			process.stderr.write(d);
		});
		child.on('exit', (c) => resolve(c ?? 1));
	});
	let results: VitestJson | undefined;
	try {
		results = JSON.parse(readFileSync(out, 'utf8')) as VitestJson;
	} catch {
		log(`no results from vitest (exit ${code}):\n${plain(text).slice(-3000)}`);
	}
	rmSync(dir, { recursive: true, force: true });
	if (code !== 0) log(`${files.join(', ')} failed (exit ${code}); see the table`);
	return { code, text: plain(text), results };
}

/** ✅ when every test whose title matches passed. */
function statusOf(results: VitestJson | undefined, re: RegExp): string {
	const tests = results?.testResults.flatMap((f) => f.assertionResults).filter((t) => re.test(t.title)) ?? [];
	if (tests.length === 0) return '? (not run)';
	return tests.every((t) => t.status === 'passed') ? '✅' : `❌ (${tests.filter((t) => t.status !== 'passed').length} failed)`;
}

/** The lines a test printed under `[tag] `, to quote in the table. */
function printed(text: string, tag: string): (re: RegExp) => string {
	const lines = text.split('\n').filter((l) => l.startsWith(`[${tag}]`)).map((l) => l.slice(tag.length + 3));
	return (re: RegExp) => lines.filter((l) => re.test(l)).join('; ') || '—';
}

async function runSuite(): Promise<void> {
	// The Chromium restart test serves the built page.
	log('building the page (vite build) for the Chromium restart test');
	await buildPage();
	const files = ['e2e/faults.e2e.ts', 'e2e/restart.e2e.ts', 'e2e/faults-redis.e2e.ts', 'e2e/faults-storage.e2e.ts', 'e2e/scale-out.e2e.ts', 'e2e/viewer-cap-scale-out.e2e.ts', 'e2e/clock.e2e.ts'];
	log(`running the fault suite (${files.join(', ')}); about 5 minutes`);
	const { code, text, results } = await runVitest('e2e', files);
	const find = printed(text, 'faults');
	const restart = printed(text, 'restart');
	const clock = printed(text, 'clock');
	const status = (re: RegExp) => statusOf(results, re);
	rows.push(
		{ fault: 'Server restart (SIGTERM, same port), 50 bots + a page', survived: status(/server restart/), measured: `${find(/server down/)}; ${find(/reconnects:/)}; no cluster shown stopped, none recorded stopped` },
		{
			fault: 'Server restart under the built page in Chromium (4 × 4 fleet), twice: bots back first, and the page back first',
			survived: status(/goes "Reconnecting…"|page is back before any bot/),
			measured: `${restart(/^page showed/)}; page first: ${restart(/^page first/).replace(/^page first: /, '')}`
		},
		{ fault: 'Bot process SIGKILLed', survived: status(/SIGKILL/), measured: find(/SIGKILL →/) },
		{ fault: 'Bot process hung (SIGSTOP), then SIGCONT', survived: status(/SIGKILL/), measured: `${find(/SIGSTOP/)}; ${find(/SIGCONT/)}` },
		{ fault: 'Network partition bots ↔ server (black hole), healed', survived: status(/network partition/), measured: `${find(/partition →/)}; ${find(/partition healed/)}; ids unique, count unchanged` },
		{ fault: 'Redis stopped, restarted empty (2 instances)', survived: status(/storeOk: false/), measured: `${find(/redis down/)}; ${find(/redis back/)}` },
		{ fault: 'Instance SIGKILLed under load (3 instances, balancer)', survived: status(/instance killed|never comes back/), measured: 'no cluster silent > 1 interval; a cluster never coming back stopped within the timeout (e2e/scale-out.e2e.ts)' },
		{ fault: 'Per-IP viewer cap across 2 instances on Redis; a crashed instance; Redis away', survived: status(/one cap across instances|lapse with their lease|while Redis is away/), measured: 'one count for both instances; a killed instance\'s slots lapse with their lease (Redis\'s clock); local count while Redis is away' },
		{ fault: 'Wall clock stepped +60 s (×5, every phase of the cycle) on a running instance (libfaketime)', survived: status(/\+60 s steps/), measured: clock(/steps of \+60 s/) },
		{ fault: 'Wall clock stepped −60 s with a bot frozen and one killed', survived: status(/−60 s step/), measured: clock(/^−60 s step/) },
		{ fault: 'Two instances on Redis, one wall clock 30 s ahead; a bot and then the instance ahead killed', survived: status(/skew/), measured: `${clock(/^30 s skew: 0/)}; ${clock(/^30 s skew: SIGKILL/)}` },
		{ fault: 'PostgreSQL unreachable (history)', survived: status(/PostgreSQL is unreachable/), measured: find(/PostgreSQL unreachable/) }
	);
	const unhandled = text.match(/Uncaught Exception[\s\S]*?\n(\S[^\n]*)/);
	if (/Unhandled Error/.test(text)) rows.push({ fault: 'Unhandled errors during the fault suite', survived: '❌', measured: unhandled?.[1] ?? 'see the log' });
	if (code !== 0) process.exitCode = code;
}

/** The fuzz suite and the raw protocol abuse: how many inputs, and whether all were refused cleanly. */
async function runBadInput(): Promise<void> {
	log('running the fuzz suite and the raw protocol abuse (server/security)');
	const { code, text, results } = await runVitest('unit', ['server/security/fuzz.spec.ts', 'server/security/raw-protocol.spec.ts']);
	const fuzzFile = results?.testResults.find((f) => f.name.endsWith('fuzz.spec.ts'));
	const rawFile = results?.testResults.find((f) => f.name.endsWith('raw-protocol.spec.ts'));
	const passed = (f: VitestJson['testResults'][number] | undefined) => (f && f.assertionResults.length > 0 && f.assertionResults.every((t) => t.status === 'passed') ? '✅' : '❌');
	const perEntry = [...text.matchAll(/^\s{2}(\S[^\n]*?)\s{2,}(\d+)$/gm)].map((m) => [m[1]!.trim(), Number(m[2])] as const);
	const total = perEntry.find(([k]) => k === 'total')?.[1];
	rows.push(
		{
			fault: 'Fuzzed network input (`server/security/fuzz.spec.ts`, fast-check)',
			survived: passed(fuzzFile),
			measured: `${total?.toLocaleString('en-US') ?? '?'} inputs: ${perEntry.filter(([k]) => k !== 'total').map(([k, n]) => `${n.toLocaleString('en-US')} ${k}`).join(', ')}; each refused with a reason or accepted if valid, no crash, fleet and history unchanged by refusals`
		},
		{
			fault: 'Raw protocol abuse (`server/security/raw-protocol.spec.ts`)',
			survived: passed(rawFile),
			measured: `${rawFile?.assertionResults.length ?? 0} cases: malformed Engine.IO and Socket.IO packets, unknown namespaces and events, oversized frames, connection floods; refused or dropped, the server stays up`
		}
	);
	if (code !== 0) process.exitCode = code;
}

async function runSoak(): Promise<void> {
	log(`churn soak: 100 clusters × 4 shards, deaths/revivals every 100 ms, pages reconnecting, ${SOAK_S} s`);
	const r = await churnSoak({ durationMs: SOAK_S * 1000, clusters: 100, warmupMs: 10_000, log });
	const growth = r.last.heapUsed - r.first.heapUsed;
	const flat = growth <= Math.max(2 * 1024 * 1024, r.first.heapUsed * 0.1);
	const clean = lasting(r.after) <= lasting(r.idle) && r.after.handles <= r.idle.handles && r.after.requests <= r.idle.requests;
	rows.push({
		fault: `Churn soak, ${Math.round(r.cycles.durationMs / 1000)} s (${r.cycles.deaths} deaths, ${r.cycles.revivals} revivals, ${r.cycles.viewerSessions} page sessions)`,
		survived: flat && clean ? '✅' : '❌',
		measured:
			`heap after GC ${fmtMb(r.first.heapUsed)} → ${fmtMb(r.last.heapUsed)} (${growth >= 0 ? '+' : ''}${fmtMb(growth)}), rss ${fmtMb(r.first.rss)} → ${fmtMb(r.last.rss)}; ` +
			`handles+requests idle ${lasting(r.idle)} → after churn ${lasting(r.after)}; ${r.last.bots} bots, ${r.last.clusters} clusters at the end`
	});
	if (!(flat && clean)) process.exitCode = 1;
}

if (SUITE) {
	await runSuite();
	await runBadInput();
}
if (!FLOODS_ONLY) await runSoak();
let floods: FloodRow[] = [];
if (SUITE || FLOODS_ONLY) {
	const only = args.find((a) => a.startsWith('--flood='))?.slice(8);
	floods = await runFloods({ durationMs: FLOOD_S * 1000, log, ...(only ? { only } : {}) });
	if (floods.some((f) => f.pollP99 >= 250 || f.ackP99 >= 250 || f.stopped > 0)) process.exitCode = 1;
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine = `${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`;
if (rows.length > 0) {
	console.log(`\n#### Reliability (${machine})\n`);
	console.log('| fault injected | survived | measured |');
	console.log('|---|---|---|');
	for (const r of rows) console.log(`| ${r.fault} | ${r.survived} | ${r.measured.replace(/\|/g, '\\|')} |`);
}
if (floods.length > 0) {
	console.log(`\n#### Floods (${machine}; server pinned to core 0, every load process on core 1; ${FLOOD_S} s each; target: both p99 under 250 ms, no cluster ever shown stopped)\n`);
	console.log(floodTable(floods));
}

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { churnSoak, fmtMb, lasting } from '../e2e/support/fault-scenarios.ts';

/*
 * `npm run bench:reliability`: the fault suite (real processes: server restarts, killed and frozen
 * bots, a black-holed network, Redis and PostgreSQL taken away, an instance killed) run once with
 * its figures collected, then a churn soak of several minutes (too long for `npm test`), printed
 * as one reliability table. `--quick`: a 1-minute soak. `--soak-s=600`: a soak of that length.
 * `--no-suite`: the soak only.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const SOAK_S = Number(args.find((a) => a.startsWith('--soak-s='))?.slice(9) ?? (QUICK ? 60 : 300));
const SUITE = !args.includes('--no-suite');
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

async function runSuite(): Promise<void> {
	const files = ['e2e/faults.e2e.ts', 'e2e/faults-redis.e2e.ts', 'e2e/faults-storage.e2e.ts', 'e2e/scale-out.e2e.ts'];
	const dir = mkdtempSync(join(tmpdir(), 'shardbeat-reliability-'));
	const out = join(dir, 'results.json');
	log(`running the fault suite (${files.join(', ')}); about 3 minutes`);
	let text = '';
	const code = await new Promise<number>((resolve) => {
		const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'e2e', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...files], {
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
	const lines = plain(text).split('\n').filter((l) => l.startsWith('[faults]')).map((l) => l.slice(9));
	const find = (re: RegExp) => lines.filter((l) => re.test(l)).join('; ') || '—';
	let results: VitestJson | undefined;
	try {
		results = JSON.parse(readFileSync(out, 'utf8')) as VitestJson;
	} catch {
		log(`no results from vitest (exit ${code}):\n${plain(text).slice(-3000)}`);
	}
	rmSync(dir, { recursive: true, force: true });
	const status = (re: RegExp) => {
		const tests = results?.testResults.flatMap((f) => f.assertionResults).filter((t) => re.test(t.title)) ?? [];
		if (tests.length === 0) return '? (not run)';
		return tests.every((t) => t.status === 'passed') ? '✅' : `❌ (${tests.filter((t) => t.status !== 'passed').length} failed)`;
	};
	rows.push(
		{ fault: 'Server restart (SIGTERM, same port), 50 bots + a page', survived: status(/server restart/), measured: `${find(/server down/)}; ${find(/reconnects:/)}; no cluster shown stopped, none recorded stopped` },
		{ fault: 'Bot process SIGKILLed', survived: status(/SIGKILL/), measured: find(/SIGKILL →/) },
		{ fault: 'Bot process hung (SIGSTOP), then SIGCONT', survived: status(/SIGKILL/), measured: `${find(/SIGSTOP/)}; ${find(/SIGCONT/)}` },
		{ fault: 'Network partition bots ↔ server (black hole), healed', survived: status(/network partition/), measured: `${find(/partition →/)}; ${find(/partition healed/)}; ids unique, count unchanged` },
		{ fault: 'Redis stopped, restarted empty (2 instances)', survived: status(/storeOk: false/), measured: `${find(/redis down/)}; ${find(/redis back/)}` },
		{ fault: 'Instance SIGKILLed under load (3 instances, balancer)', survived: status(/instance killed|never comes back/), measured: 'no cluster silent > 1 interval; a cluster never coming back stopped within the timeout (e2e/scale-out.e2e.ts)' },
		{ fault: 'PostgreSQL unreachable (history)', survived: status(/PostgreSQL is unreachable/), measured: find(/PostgreSQL unreachable/) }
	);
	const unhandled = plain(text).match(/Uncaught Exception[\s\S]*?\n(\S[^\n]*)/);
	if (/Unhandled Error/.test(plain(text))) rows.push({ fault: 'Unhandled errors during the fault suite', survived: '❌', measured: unhandled?.[1] ?? 'see the log' });
	if (code !== 0) log(`the fault suite failed (exit ${code}); see the table`);
	process.exitCode = code;
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

if (SUITE) await runSuite();
await runSoak();
rows.push({ fault: 'Fuzzed heartbeats and polls', survived: 'see fuzz suite', measured: 'see fuzz suite' });

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`\n#### Reliability (${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpu}, Node ${process.version})\n`);
console.log('| fault injected | survived | measured |');
console.log('|---|---|---|');
for (const r of rows) console.log(`| ${r.fault} | ${r.survived} | ${r.measured.replace(/\|/g, '\\|')} |`);

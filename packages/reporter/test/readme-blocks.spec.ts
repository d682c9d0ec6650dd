import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, promisify } from 'node:util';
import { transform } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetStatus } from '../../../shared-types/index.ts';
import { pythonClientShared } from '../../../testing/clients/python.ts';
import { startGateway, type GatewayOptions, type StandInGateway } from '../../../testing/discord/gateway.ts';
import { clusterView, pingMismatches, servedCluster } from '../../../testing/discord/served-status.ts';
import { startTlsFront } from '../../../testing/net/tls-front.ts';
import { fencedBlocks, markdownSection, markdownTables, readReadme, type FencedBlock } from '../../../testing/readme.ts';
import { apiStatusWhen, BOT_SECRET, compactCluster, fetchStatus, startServer, type Harness } from '../../../testing/server/harness.ts';

/*
 * Issue 14: every code block of the README's "Add Shardbeat to your bot" section runs, read from
 * README.md each time (an edited block is what the next run tests; a block no case below runs
 * fails the test, naming its line).
 *
 * TypeScript blocks type-check (tsc, strict, nodenext) against the built package's types and the
 * libraries' own, then run for real: stripped of their types by esbuild and nothing else, as ES
 * modules under plain `node`, with `@shardbeat/reporter` the package as `npm pack` builds it and
 * the real Discord libraries, against a stand-in Discord on loopback (testing/discord/) and a
 * real Shardbeat server, until GET /api/status shows their shards ready; where a block handles
 * SIGTERM, SIGTERM then shows its clusters stopped by its reporter. A fragment's free names
 * (`url`, `secret`, `manager`, `bot`, `client`) come from a prelude loaded with `--import`
 * (test/readme/*.mjs), so the block's module is the block. The discord.js block runs as the
 * cluster file of a real discord-hybrid-sharding ClusterManager, its `new Client()` pointed at
 * the stand-in by test/readme/discord-api.mjs.
 *
 * Other languages: the discord.py block carries testing/clients/heartbeat.py's functions verbatim
 * (server/http/heartbeat-clients.spec.ts runs them against a server) and must parse; the JDA
 * blocks compile with javac against stand-ins of the JDA types they use (JDA is not on this
 * machine; testing/clients/jda/stubs), and the Shardbeat class runs against a real server.
 */

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repo = join(packageDir, '..', '..');
const preludes = join(packageDir, 'test', 'readme');
const jdaDir = join(repo, 'testing', 'clients', 'jda');
const manifest = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { name: string; private?: boolean };

const SECTION = 'Add Shardbeat to your bot';
const section = markdownSection(readReadme(), SECTION);
const blocks = fencedBlocks(section);

/** Guilds per shard the stand-in serves, and its heartbeat ACK delays, well apart so pings keep their order on a busy machine. */
const GUILDS = [2, 3, 4, 5];
const ACK_DELAY_MS = [50, 350, 650, 950];
/** The libraries wait for each ACK before their next heartbeat: the stand-in's interval leaves room for the slowest. */
const GATEWAY_HEARTBEAT_MS = 2_000;
/** A ping is its ACK delay plus the trip and whatever the machine adds: generous, never tight. */
const PING_SLACK_MS = 1_500;
/**
 * How far below its ACK delay a ping may read: @discordjs/ws (under discord.js too) stamps a
 * heartbeat after `await this.send(…)` has put it on the wire (WebSocketShard.heartbeat), so on a
 * busy machine its latency undercounts the round trip by a few ms (48 ms seen for a 50 ms delay).
 */
const PING_STAMP_LAG_MS = 50;
/** The blocks report every 5 s (the reporter's default): a shard shows ready at the second heartbeat or so. */
const READY_WITHIN_MS = 40_000;
const CASE_TIMEOUT_MS = 90_000;

/** The libraries a block or its prelude imports, linked into the bot project from the repository's node_modules. */
const LIBRARIES = ['discord.js', 'discord-hybrid-sharding', '@discordjs', 'discord-api-types', 'eris', 'oceanic.js', 'socket.io-client', '@types'];

/** A bot project in a temp folder: the reporter as built for npm, the Discord libraries beside it. */
let project: string;
const processes: ChildProcess[] = [];
/** Children that lead their own process group (a ClusterManager and its clusters), ended group and all. */
const groups = new Set<ChildProcess>();
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
	// javac needs nothing of the build: let it work meanwhile (its cases await it, and fail with its errors).
	compileJava().catch(() => undefined);
	project = mkdtempSync(join(tmpdir(), 'shardbeat-readme-'));
	const installed = join(project, 'node_modules', '@shardbeat', 'reporter');
	mkdirSync(installed, { recursive: true });
	// The package's own build script (what `npm pack` runs as prepack), into this project: not
	// into packages/reporter/dist, which install.spec.ts's `npm pack` may be rebuilding meanwhile.
	await run(process.execPath, [join(packageDir, 'scripts', 'build.mjs'), join(installed, 'dist')], { cwd: packageDir });
	copyFileSync(join(packageDir, 'package.json'), join(installed, 'package.json'));
	for (const name of LIBRARIES) symlinkSync(join(repo, 'node_modules', name), join(project, 'node_modules', name));
	typeCheckBlocks().catch(() => undefined);
}, 120_000);

afterAll(async () => {
	for (const child of processes) {
		if (child.exitCode !== null || child.signalCode !== null) continue;
		if (child.pid) process.kill(groups.has(child) ? -child.pid : child.pid, 'SIGKILL');
	}
	await Promise.all(closers.map((close) => close()));
	if (project) rmSync(project, { recursive: true, force: true });
});

/** What a test calls a block: where it is and how it starts. */
function label(block: FencedBlock): string {
	const first = block.code.split('\n').find((l) => l.trim() !== '') ?? '';
	return `README.md:${block.line} \`\`\`${block.lang} "${first.trim().slice(0, 60)}"`;
}

/** One kind of block and how it is run. */
interface BlockCase {
	name: string;
	runs(block: FencedBlock): boolean;
	run(block: FencedBlock): Promise<void>;
}

const ts = (call: string) => (b: FencedBlock) => b.lang === 'ts' && b.code.includes(call);

const CASES: BlockCase[] = [
	{ name: 'installation (npm install)', runs: (b) => b.lang === 'sh', run: checkInstall },
	{ name: 'discord.js with discord-hybrid-sharding', runs: ts('reportDiscordClient('), run: runHybridClusters },
	{ name: '@discordjs/ws WebSocketManager', runs: ts('reportWebSocketManager('), run: (b) => runFragment(b, 'ws-manager.mjs') },
	{ name: 'Eris', runs: ts('reportErisClient('), run: (b) => runFragment(b, 'eris-client.mjs', { tls: true, clusterId: 0 }) },
	{ name: 'Oceanic.js', runs: ts('reportOceanicClient('), run: (b) => runFragment(b, 'oceanic-client.mjs') },
	{ name: 'createReporter', runs: ts('createReporter('), run: runCreateReporter },
	{ name: 'discord.py', runs: (b) => b.lang === 'python', run: checkDiscordPy },
	{ name: 'JDA: the Shardbeat class', runs: (b) => b.lang === 'java' && b.code.includes('class Shardbeat'), run: runJdaClass },
	{ name: 'JDA: starting it', runs: (b) => b.lang === 'java' && b.code.includes('Shardbeat.start('), run: compileJdaUsage }
];

/** The one case that runs `block`; undefined when none or several do. */
function caseOf(block: FencedBlock): BlockCase | undefined {
	const matching = CASES.filter((c) => c.runs(block));
	return matching.length === 1 ? matching[0] : undefined;
}

describe(`README "${SECTION}": every code block runs`, () => {
	it('each block is run by exactly one case, and each case runs exactly one block', () => {
		const problems = [
			...blocks.flatMap((b) => {
				const by = CASES.filter((c) => c.runs(b)).map((c) => c.name);
				return by.length === 1 ? [] : [`${label(b)} is run by ${by.length === 0 ? 'no case' : by.join(' and ')}`];
			}),
			...CASES.flatMap((c) => {
				const n = blocks.filter((b) => c.runs(b)).length;
				return n === 1 ? [] : [`case "${c.name}" runs ${n} blocks`];
			})
		];
		expect(problems).toEqual([]);
	});

	for (const block of blocks) {
		it.concurrent(
			`${label(block)}: ${caseOf(block)?.name ?? 'not one case runs it'}`,
			async () => {
				const runner = caseOf(block);
				if (!runner) throw new Error(`${label(block)}: not one case in ${relative(repo, fileURLToPath(import.meta.url))} runs this block (see the test above); add one`);
				await Promise.all([runner.run(block), block.lang === 'ts' ? expectTypesCheck(block) : undefined]);
			},
			CASE_TIMEOUT_MS
		);
	}

	it.concurrent('the inline CommonJS line works as written, in a CommonJS module', async () => {
		const line = /`(const \{[^`]+\} = require\('@shardbeat\/reporter'\);)`/.exec(section.text)?.[1];
		expect(line, 'the section shows how to require the package').toBeDefined();
		const names = /const \{([^}]+)\}/.exec(line!)![1]!.split(',').map((n) => n.trim());
		const file = join(project, 'require.cjs');
		writeFileSync(file, `${line}\nconsole.log(JSON.stringify([${names.map((n) => `typeof ${n}`).join(', ')}]));\n`);
		const { stdout } = await run(process.execPath, [file], { cwd: project });
		expect(JSON.parse(stdout)).toEqual(names.map(() => 'function'));
	});
});

// ---------------------------------------------------------------------------------------------
// Installation

async function checkInstall(block: FencedBlock): Promise<void> {
	const commands = block.code.split('\n').filter((l) => l.trim() !== '');
	expect(commands).toEqual([`npm install ${manifest.name}`]);
	expect(manifest.private, 'a package npm can publish').toBeUndefined();
}

// ---------------------------------------------------------------------------------------------
// JavaScript: real node processes, real libraries, a stand-in Discord, a real Shardbeat server

let typeCheck: Promise<string[]> | undefined;

/**
 * Every ts block of the section as its own module, type-checked once by tsc (strict, nodenext, as
 * a TypeScript bot compiles) against the built package's .d.mts and the libraries' own types,
 * the fragments' free names declared by test/readme/fragment-globals.d.mts; resolves with tsc's
 * complaints, one per line.
 */
function typeCheckBlocks(): Promise<string[]> {
	typeCheck ??= (async () => {
		const dir = join(project, 'types');
		mkdirSync(dir);
		const files = blocks.filter((b) => b.lang === 'ts').map((b) => {
			writeFileSync(join(dir, typedFile(b)), b.code);
			return typedFile(b);
		});
		copyFileSync(join(preludes, 'fragment-globals.d.mts'), join(dir, 'fragment-globals.d.mts'));
		const compilerOptions = { noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: ['node'], skipLibCheck: true };
		writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [...files, 'fragment-globals.d.mts'] }));
		const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
		const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir }).catch((error: { stdout: string }) => error);
		// One complaint per error: its continuation lines (indented) joined to its first.
		return result.stdout.split(/\n(?! )/).filter((complaint) => complaint.trim() !== '');
	})();
	return typeCheck;
}

/** The module a ts block is type-checked as. */
function typedFile(block: FencedBlock): string {
	return `readme-${block.line}.mts`;
}

/** tsc has nothing to say about `block` (nor about anything that is no block's, such as the setup). */
async function expectTypesCheck(block: FencedBlock): Promise<void> {
	const complaints = (await typeCheckBlocks()).filter((line) => line.startsWith(typedFile(block)) || !/^readme-\d+\.mts\(/.test(line));
	expect(complaints, `tsc on ${label(block)}`).toEqual([]);
}

/** `block` stripped of its types (esbuild, imports kept as written), as an ES module in the bot project. */
async function moduleOf(block: FencedBlock): Promise<string> {
	const { code } = await transform(block.code, {
		loader: 'ts',
		format: 'esm',
		target: 'esnext',
		tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } }
	});
	const file = join(project, `readme-${block.line}.mjs`);
	writeFileSync(file, code);
	return file;
}

interface Bot {
	child: ChildProcess;
	/** Everything it wrote, stdout and stderr, for a failure message. */
	output: string[];
}

/**
 * Starts `command <args>` in the bot project with only `env` (and PATH); `group`: its own process
 * group, ended whole. A node process gets an IPC channel and exit-with-parent.mjs, so it cannot
 * outlive this test.
 */
function start(command: string, args: string[], env: Record<string, string>, group = false): Bot {
	const node = command === process.execPath;
	const child = spawn(command, node ? ['--import', join(preludes, 'exit-with-parent.mjs'), ...args] : args, {
		cwd: project,
		env: { PATH: process.env.PATH, ...env },
		stdio: ['ignore', 'pipe', 'pipe', ...(node ? (['ipc'] as const) : [])],
		detached: group
	});
	processes.push(child);
	if (group) groups.add(child);
	const output: string[] = [];
	child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
	child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
	return { child, output };
}

/**
 * GET /api/status once `check` accepts it (apiStatusWhen), failing early if a bot exits first
 * (unless `exitsFine`: after SIGTERM a bot may well leave); either failure quotes what the bots said.
 */
async function statusWhen(h: Harness, bots: Bot[], check: (s: FleetStatus) => boolean, ms: number, what: string, exitsFine = false): Promise<FleetStatus> {
	const said = () => `\nThe bot said:\n${bots.flatMap((b) => b.output).join('')}`;
	const exit = new Promise<never>((_, reject) => {
		if (exitsFine) return;
		for (const { child } of bots) child.once('exit', (code, signal) => reject(new Error(`${child.spawnargs.join(' ')} exited (${code ?? signal}) before GET /api/status showed ${what}`)));
	});
	exit.catch(() => undefined); // an exit after the status showed (the test's own kill) is no failure
	return Promise.race([apiStatusWhen(h.url, check, ms, what), exit]).catch((error: Error) => {
		throw new Error(`${error.message}${said()}`);
	});
}

/** A stand-in Discord and a Shardbeat server for one block, closed after the file. */
async function stage(gatewayOptions: GatewayOptions): Promise<{ gateway: StandInGateway; h: Harness }> {
	const gateway = await startGateway({ guilds: GUILDS, ackDelayMs: ACK_DELAY_MS, heartbeatIntervalMs: GATEWAY_HEARTBEAT_MS, ...gatewayOptions });
	const h = await startServer();
	closers.push(() => gateway.close(), () => h.close());
	return { gateway, h };
}

/**
 * Waits until GET /api/status shows `clusters` with every shard ready, its guilds and members as
 * the stand-in serves them (a heartbeat may catch a shard ready before all its GUILD_CREATEs:
 * @discordjs/ws is Ready at READY; the next one has them), and pings that follow the stand-in's
 * ACK delays, less PING_STAMP_LAG_MS (a stall of a busy machine inflates one measurement, which
 * the next gateway heartbeat replaces).
 */
async function expectReady(h: Harness, bots: Bot[], gateway: StandInGateway, clusters: { id: number; shardIds: number[] }[]): Promise<FleetStatus> {
	const served = clusters.map((c) => servedCluster(gateway, c.id, c.shardIds));
	const floors = ACK_DELAY_MS.map((d) => Math.max(0, d - PING_STAMP_LAG_MS));
	const pingProblems = (s: FleetStatus) => pingMismatches(s.clusters.flatMap((c) => c.shards), floors, PING_SLACK_MS + PING_STAMP_LAG_MS);
	const asServed = (s: FleetStatus) => isDeepStrictEqual(s.clusters.map(clusterView), served) && pingProblems(s).length === 0;
	// Fails, quoting the last status and what the bots said, unless it shows exactly that in time.
	return statusWhen(h, bots, asServed, READY_WITHIN_MS, `${JSON.stringify(served)}, with pings that follow the ACK delays`);
}

/**
 * Where the block handles SIGTERM (its `reporter.stop()`), SIGTERM to each of `pids` shows every
 * cluster stopped at once, and the server heard each reporter say goodbye (a process that just
 * died would show stopped too, but its socket closes without one).
 */
async function expectStopOnSigterm(block: FencedBlock, h: Harness, bots: Bot[], pids: number[]): Promise<void> {
	if (!/process\.on\(\s*['"]SIGTERM['"]/.test(block.code)) return;
	for (const pid of pids) process.kill(pid, 'SIGTERM');
	const ids = (await fetchStatus(h.url)).clusters.map((c) => c.id);
	const stopped = await statusWhen(h, bots, (s) => s.clusters.every((c) => c.lifecycle === 'stopped'), 10_000, 'every cluster stopped after SIGTERM', true);
	expect(stopped.clusters.map((c) => [c.id, c.lifecycle])).toEqual(ids.map((id) => [id, 'stopped']));
	const goodbyes = h.logs.filter((l) => l.msg === 'bot disconnected').map((l) => l.reason);
	expect(goodbyes).toEqual(pids.map(() => 'client namespace disconnect'));
}

/**
 * A fragment (`@discordjs/ws`, Eris, Oceanic.js): its prelude makes the library object it reports
 * and connects it to a stand-in serving 2 shards (the library learns the count from
 * GET /gateway/bot); GET /api/status must show both ready. `tls`: the library's REST client only
 * speaks HTTPS (Eris), so it gets a TLS front.
 */
async function runFragment(block: FencedBlock, prelude: string, options: { tls?: boolean; clusterId?: number } = {}): Promise<void> {
	const { gateway, h } = await stage({ shards: 2 });
	const env: Record<string, string> = { SHARDBEAT_URL: h.url, SHARDBEAT_BOT_SECRET: BOT_SECRET, DISCORD_API: gateway.api, DISCORD_TOKEN: gateway.token };
	if (options.tls) {
		const front = await startTlsFront(Number(new URL(gateway.url).port));
		closers.push(() => front.close());
		Object.assign(env, { DISCORD_TLS_CA: front.cert, DISCORD_TLS_PORT: String(front.port) });
	}
	const bot = start(process.execPath, ['--import', join(preludes, prelude), await moduleOf(block)], env);
	const status = await expectReady(h, [bot], gateway, [{ id: options.clusterId ?? 0, shardIds: [0, 1] }]);
	console.log(`[readme] ${label(block)} → GET /api/status: ${JSON.stringify(status.clusters.map(compactCluster))}`);
	await expectStopOnSigterm(block, h, [bot], [bot.child.pid!]);
}

/** createReporter with the block's own source: no Discord library, the shard exactly as the block says. */
async function runCreateReporter(block: FencedBlock): Promise<void> {
	const h = await startServer();
	closers.push(() => h.close());
	const bot = start(process.execPath, ['--import', join(preludes, 'connection.mjs'), await moduleOf(block)], { SHARDBEAT_URL: h.url, SHARDBEAT_BOT_SECRET: BOT_SECRET });
	const status = await statusWhen(h, [bot], (s) => s.clusters.length > 0, READY_WITHIN_MS, 'the cluster');
	expect(status.clusters.map((c) => ({ ...clusterView(c), pings: c.shards.map((s) => s.ping) }))).toEqual([
		{ id: 0, lifecycle: 'running', totalShards: 1, shardIds: [0], shards: [{ id: 0, state: 'ready', guilds: 10, unavailableGuilds: 0 }], guilds: 10, members: 1200, pings: [42] }
	]);
	await expectStopOnSigterm(block, h, [bot], [bot.child.pid!]);
}

/**
 * The discord.js block as the cluster file of a real ClusterManager (test/readme/cluster-manager.mjs)
 * forking 2 clusters of 2 shards: both show ready, then SIGTERM to each cluster (the block's
 * handler) shows them stopped.
 */
async function runHybridClusters(block: FencedBlock): Promise<void> {
	const { gateway, h } = await stage({ shards: 4 });
	const clusterFile = await moduleOf(block);
	const manager = start(
		process.execPath,
		[join(preludes, 'cluster-manager.mjs'), clusterFile, '4', '2', join(preludes, 'discord-api.mjs')],
		{ SHARDBEAT_URL: h.url, SHARDBEAT_BOT_SECRET: BOT_SECRET, DISCORD_API: gateway.api, DISCORD_TOKEN: gateway.token },
		true
	);
	const status = await expectReady(h, [manager], gateway, [
		{ id: 0, shardIds: [0, 1] },
		{ id: 1, shardIds: [2, 3] }
	]);
	console.log(`[readme] ${label(block)} under a ClusterManager → GET /api/status: ${JSON.stringify(status.clusters.map(compactCluster))}`);

	// Each cluster's pid, as the manager printed it when it forked the cluster.
	const pids = manager.output
		.join('')
		.split('\n')
		.filter((l) => l.startsWith('{"cluster"'))
		.map((l) => (JSON.parse(l) as { pid: number }).pid);
	expect(pids).toHaveLength(2);
	await expectStopOnSigterm(block, h, [manager], pids);
}

// ---------------------------------------------------------------------------------------------
// Python and Java

async function checkDiscordPy(block: FencedBlock): Promise<void> {
	// The functions heartbeat-clients.spec.ts runs against a real server, verbatim …
	expect(block.code).toContain(pythonClientShared());
	// … and the discord.py part around them at least parses (discord.py itself is not installed).
	execFileSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read(), "README.md")'], { input: block.code, stdio: ['pipe', 'pipe', 'pipe'] });
}

let javaBuild: Promise<string> | undefined;

/** Both JDA blocks compiled once, with javac 17, against the JDA stand-ins and the check driver; resolves with the classes folder. */
function compileJava(): Promise<string> {
	javaBuild ??= (async () => {
		const dir = mkdtempSync(join(tmpdir(), 'shardbeat-readme-java-'));
		closers.push(async () => rmSync(dir, { recursive: true, force: true }));
		const [classBlock, usageBlock] = ['JDA: the Shardbeat class', 'JDA: starting it'].map((name) => {
			const block = blocks.find((b) => caseOf(b)?.name === name);
			if (!block) throw new Error(`README "${SECTION}" has no block for "${name}"`);
			return block;
		});
		writeFileSync(join(dir, 'Shardbeat.java'), classBlock!.code);
		// The usage block is statements: a bot has them in a method, with JDA's imports.
		writeFileSync(
			join(dir, 'ReadmeUsage.java'),
			`import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;\nimport net.dv8tion.jda.api.sharding.ShardManager;\n\nfinal class ReadmeUsage {\n    static void start() {\n${usageBlock!.code}    }\n}\n`
		);
		const sources = [join(dir, 'Shardbeat.java'), join(dir, 'ReadmeUsage.java'), join(jdaDir, 'ShardbeatCheck.java'), ...javaFiles(join(jdaDir, 'stubs'))];
		const classes = join(dir, 'classes');
		await run('javac', ['--release', '17', '-Xlint:all', '-Werror', '-d', classes, ...sources]).catch((error: { stderr?: string }) => {
			throw new Error(`javac: ${error.stderr}`);
		});
		return classes;
	})();
	return javaBuild;
}

function javaFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? javaFiles(join(dir, e.name)) : e.name.endsWith('.java') ? [join(dir, e.name)] : []));
}

async function compileJdaUsage(): Promise<void> {
	const classes = await compileJava();
	expect(readdirSync(classes)).toContain('ReadmeUsage.class');
}

/**
 * The Shardbeat class, verbatim, with a fake ShardManager (testing/clients/jda/ShardbeatCheck.java):
 * its state() agrees with the README's table for every JDA status, and its heartbeats show in
 * GET /api/status.
 */
async function runJdaClass(): Promise<void> {
	const classes = await compileJava();
	const h = await startServer();
	closers.push(() => h.close());
	const java = start('java', ['-cp', classes, 'ShardbeatCheck', h.url, BOT_SECRET, '2'], {});
	const states = await new Promise<Record<string, string>>((resolve, reject) => {
		let out = ''; // stdout alone: a JVM notice on stderr must not pass for the first line
		java.child.stdout!.on('data', (d: Buffer) => {
			out += d.toString();
			if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as Record<string, string>);
		});
		java.child.once('exit', (code) => reject(new Error(`java exited (${code}): ${java.output.join('')}`)));
	});

	const table = markdownTables(section).find((t) => t.header[0]?.startsWith('JDA'));
	expect(table, 'the JDA status table').toBeDefined();
	const documented = Object.fromEntries(
		table!.rows.flatMap(([jda, ours]) => [...jda!.matchAll(/`([A-Z_]+)`/g)].map((m) => [m[1]!, /`([a-z-]+)`/.exec(ours!)?.[1]]))
	);
	expect(states, 'Shardbeat.state() of every JDA status, as the README table has it').toEqual(documented);

	const status = await statusWhen(h, [java], (s) => s.clusters.length > 0, 20_000, "the JDA client's cluster");
	expect(status.clusters.map((c) => ({ ...clusterView(c), pings: c.shards.map((s) => s.ping) }))).toEqual([
		{
			id: 2,
			lifecycle: 'starting',
			totalShards: 8,
			shardIds: [0, 1, 2, 3],
			shards: [
				{ id: 0, state: 'ready', guilds: 3, unavailableGuilds: 1 },
				{ id: 1, state: 'reconnecting', guilds: 1, unavailableGuilds: 0 },
				{ id: 2, state: 'waiting-for-guilds', guilds: 1, unavailableGuilds: 0 },
				{ id: 3, state: 'idle', guilds: 0, unavailableGuilds: 0 }
			],
			guilds: 5,
			members: 157,
			pings: [42, 250, null, null]
		}
	]);
}


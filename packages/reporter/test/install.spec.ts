import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../../shared-types/index.ts';
import {
	REPORTER_DIR,
	REPORTER_TARBALL_TARGET_BYTES,
	installInFreshProject,
	installedTree,
	packReporter,
	tarballListing
} from '../../../testing/reporter-package.ts';
import { startGateway, type StandInGateway } from '../../../testing/discord/gateway.ts';
import { until } from '../../../testing/faults/scenarios.ts';
import { BOT_SECRET, compactCluster, fetchStatus, startServer, type Harness } from '../../../testing/server/harness.ts';

/*
 * Installs @shardbeat/reporter the way a bot author does: `npm pack` (which builds it, prepack),
 * a fresh project outside the repository, `npm install <tarball>`, then plain `node` bots — one
 * CommonJS, one ESM, no tsx, no TypeScript — each a real discord.js Client logged in to the
 * stand-in Discord (testing/discord/gateway.ts), reporting to a real Shardbeat server.
 */


const botsDir = join(REPORTER_DIR, 'test', 'bots');
/** What must never reach a bot's node_modules through the reporter: the server's dependencies. */
const SERVER_ONLY = ['pg', 'ioredis', 'kysely', 'libsql', 'pino', 'prom-client', 'zod', 'jose', 'socket.io', '@socket.io/redis-adapter', 'shardbeat'];
/** The repository's discord.js, which the bot project gets as a link rather than an install. */
const DISCORD_JS = join(REPORTER_DIR, '../../node_modules/discord.js');
/** Heartbeat ACK delays of shards 0–3 (cluster 0 runs 0 and 1, cluster 1 runs 2 and 3). */
const ACK_DELAYS = [40, 60, 80, 100] as const;
/** Members of each guild the stand-in serves, per shard: 120 + 30 for cluster 0, 900 for cluster 1. */
const MEMBERS = [[120], [30], [300, 200, 100], [300]] as const;

interface Bot {
	child: ChildProcess;
	firstAck: Promise<string>;
	stderr: string[];
}

function startBot(project: string, script: string, url: string, discord: StandInGateway): Bot {
	const child = spawn(process.execPath, [script], {
		cwd: project,
		env: { PATH: process.env.PATH, SHARDBEAT_URL: url, SHARDBEAT_BOT_SECRET: BOT_SECRET, DISCORD_API: discord.api, DISCORD_TOKEN: discord.token },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	const stderr: string[] = [];
	child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
	const firstAck = new Promise<string>((resolve, reject) => {
		let out = '';
		child.stdout!.on('data', (d: Buffer) => {
			out += d.toString();
			if (out.includes('\n')) resolve(out.split('\n')[0]!);
		});
		child.on('exit', (code) => reject(new Error(`${script} exited (${code}) before an ack: ${stderr.join('')}`)));
	});
	return { child, firstAck, stderr };
}

function exited(child: ChildProcess): Promise<number | null> {
	if (child.exitCode !== null) return Promise.resolve(child.exitCode);
	return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function clusters(url: string): Promise<ClusterStatus[]> {
	return (await fetchStatus(url)).clusters;
}

describe('@shardbeat/reporter installed from its tarball, like a bot author would', () => {
	let work: string;
	let project: string;
	let tarball: string;
	let h: Harness;
	let discord: StandInGateway;
	const bots: Bot[] = [];

	beforeAll(async () => {
		work = mkdtempSync(join(tmpdir(), 'shardbeat-install-'));
		tarball = packReporter(work);
		project = join(work, 'my-bot');
		installInFreshProject(project, tarball);
		copyFileSync(join(botsDir, 'cjs-bot.cjs'), join(project, 'cjs-bot.cjs'));
		copyFileSync(join(botsDir, 'esm-bot.mjs'), join(project, 'esm-bot.mjs'));

		h = await startServer();
		discord = await startGateway({ shards: 4, guilds: MEMBERS.map((g) => g.length), memberCount: (shard, i) => MEMBERS[shard]![i]!, ackDelayMs: ACK_DELAYS });
	}, 180_000);

	afterAll(async () => {
		for (const bot of bots) if (bot.child.exitCode === null) bot.child.kill('SIGKILL');
		await h?.close();
		await discord?.close();
		if (work) rmSync(work, { recursive: true, force: true });
	});

	it(`packs to at most ${REPORTER_TARBALL_TARGET_BYTES / 1024} KB: the build, its README and LICENSE, and nothing else`, () => {
		const size = statSync(tarball).size;
		console.log(`[install] tarball ${tarball.split('/').pop()}: ${size} bytes (${(size / 1024).toFixed(1)} KB)`);
		expect(size).toBeLessThanOrEqual(REPORTER_TARBALL_TARGET_BYTES);
		const listing = tarballListing(tarball);
		console.log(`[install] tarball holds: ${listing.join(', ')}`);
		expect(listing).toEqual(
			['LICENSE', 'README.md', 'dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.mts', 'dist/index.mjs', 'package.json'].map((f) => `package/${f}`)
		);
	});

	it('is published public, MIT licensed, and says where it comes from', () => {
		const installed = join(project, 'node_modules/@shardbeat/reporter');
		const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
		const root = JSON.parse(readFileSync(join(REPORTER_DIR, '../../package.json'), 'utf8')) as { license: string };
		expect(manifest).toMatchObject({
			name: '@shardbeat/reporter',
			license: root.license,
			publishConfig: { access: 'public' },
			repository: { type: 'git', url: expect.stringMatching(/^git\+https:\/\/.+\.git$/), directory: 'packages/reporter' },
			homepage: expect.stringMatching(/^https:\/\//),
			bugs: { url: expect.stringMatching(/^https:\/\/.+\/issues$/) },
			keywords: expect.arrayContaining(['discord', 'discord.js', 'shardbeat'])
		});
		expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
		expect(readFileSync(join(installed, 'README.md'), 'utf8')).toContain('npm install @shardbeat/reporter');
	});

	it("installs nothing beyond itself and socket.io-client's own dependency tree", () => {
		const nodeModules = join(project, 'node_modules');
		const { installed, beyond } = installedTree(nodeModules);
		console.log(`[install] node_modules of a fresh bot: ${installed.join(', ')}`);
		expect(beyond).toEqual([]);
		for (const name of SERVER_ONLY) expect(installed.includes(name), `${name} must not be installed`).toBe(false);
		const manifest = JSON.parse(readFileSync(join(nodeModules, '@shardbeat/reporter/package.json'), 'utf8')) as { dependencies: Record<string, string> };
		expect(Object.keys(manifest.dependencies)).toEqual(['socket.io-client']);
	});

	it('its types check in a strict TypeScript project, from ESM (.mts) and CommonJS (.cts), under nodenext resolution', () => {
		const usage = (load: string) => `${load}
const logger = { info(_m: string) {}, warn(_m: string) {}, error(_m: string) {} };
const options = { url: 'http://127.0.0.1:1', secret: 's', logger };
const client = { ws: { shards: new Map([[0, { id: 0, status: 0, ping: 1 }]]) }, guilds: { cache: new Map<string, { shardId: number; memberCount: number }>() } };
const eris = { shards: new Map([[0, { id: 0, status: 'ready', latency: 1 }]]), guilds: new Map<string, { shard: { id: number }; memberCount: number }>() };
const reporters: ShardbeatReporter[] = [
	r.reportDiscordClient(client, options),
	r.reportErisClient(eris, { ...options, clusterId: 1 }),
	r.reportOceanicClient(eris, options),
	r.createReporter({ ...options, source: async () => ({ clusterId: 0, totalShards: 1, shardIds: [0], shards: [{ id: 0, state: 'ready', guilds: 0 }], guilds: 0, members: 0, uptimeMs: 0 }) })
];
const state: ShardState = 'waiting-for-guilds';
// @ts-expect-error not a Shardbeat state
const wrong: ShardState = 'online';
for (const reporter of reporters) reporter.stop();
export { state, wrong };
`;
		writeFileSync(join(project, 'types-esm.mts'), usage(`import * as r from '@shardbeat/reporter';\nimport type { ShardbeatReporter, ShardState } from '@shardbeat/reporter';`));
		writeFileSync(join(project, 'types-cjs.cts'), usage(`import r = require('@shardbeat/reporter');\ntype ShardbeatReporter = r.ShardbeatReporter;\ntype ShardState = r.ShardState;`));
		const tsc = join(REPORTER_DIR, '../../node_modules/typescript/bin/tsc');
		// No @types/node here: the package's types must stand on their own (skipLibCheck off checks them too).
		const compilerOptions = { noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: [], skipLibCheck: false };
		writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['types-esm.mts', 'types-cjs.cts'] }));
		try {
			execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		} catch (error) {
			throw new Error(`tsc in the bot project: ${(error as { stdout?: string }).stdout}`);
		}
	}, 60_000);

	it('a CommonJS bot (require) and an ESM bot (import) under plain node, each a real discord.js Client, both appear in GET /api/status', async () => {
		// discord.js is not in the bot's tree (the test above checked what the install brought): it is
		// linked, and Node resolves its own dependencies from where it really lives.
		symlinkSync(DISCORD_JS, join(project, 'node_modules', 'discord.js'), 'dir');
		const cjs = startBot(project, 'cjs-bot.cjs', h.url, discord);
		const esm = startBot(project, 'esm-bot.mjs', h.url, discord);
		bots.push(cjs, esm);
		for (const [name, bot] of [['CJS', cjs], ['ESM', esm]] as const) {
			const ack = JSON.parse(await bot.firstAck) as { ok: boolean };
			console.log(`[install] ${name} bot ack: ${JSON.stringify(ack)}`);
			expect(ack.ok).toBe(true);
		}
		expect(discord.identifies).toEqual([1, 1, 1, 1]);

		// Shard 3 resumes and stays resuming (its RESUMED held), so the output shows one that is not ready.
		discord.holdResumed(3);
		discord.closeShard(3, 4000);
		let seen: ReturnType<typeof compactCluster>[] = [];
		const pingsPlausible = (c: ClusterStatus) => c.shards.every((s) => s.state !== 'ready' || (s.ping !== null && s.ping >= ACK_DELAYS[s.id]! && s.ping < ACK_DELAYS[s.id]! + 1_000));
		await until(
			async () => {
				const now = await clusters(h.url);
				seen = now.map(compactCluster);
				return now.length === 2 && now.every(pingsPlausible) && now[1]!.shards[1]?.state === 'resuming';
			},
			15_000,
			'both bots reporting, shard 3 resuming'
		).catch((error: Error) => {
			throw new Error(`${error.message}; last seen ${JSON.stringify(seen)}`);
		});
		console.log(`[install] GET /api/status clusters:\n${seen.map((c) => `  ${JSON.stringify(c)}`).join('\n')}`);
		// And the body itself, as a bot author would see it.
		console.log(`[install] GET /api/status: ${await (await fetch(`${h.url}/api/status`)).text()}`);
		const withoutPings = seen.map((c) => ({ ...c, shards: c.shards.map((s) => s.replace(/@\d+ms$/, '')) }));
		expect(withoutPings).toEqual([
			{ id: 0, lifecycle: 'running', totalShards: 4, shardIds: [0, 1], shards: ['0:ready', '1:ready'], guilds: 2, members: 150 },
			{ id: 1, lifecycle: 'running', totalShards: 4, shardIds: [2, 3], shards: ['2:ready', '3:resuming'], guilds: 4, members: 900 }
		]);
		expect(seen.flatMap((c) => c.shards).filter((s) => /:ready@\d+ms$/.test(s))).toHaveLength(3);
		// Shard 3 came back with a RESUME, and no shard identified twice. (A stall of a second on a busy
		// machine may make discord.js resume another shard too: that is its zombie check, not a fault.)
		expect(discord.identifies).toEqual([1, 1, 1, 1]);
		expect(discord.resumes[3]).toBeGreaterThanOrEqual(1);

		// SIGTERM → reporter.stop(): the cluster is stopped at once and the process exits on its own.
		for (const bot of bots) bot.child.kill('SIGTERM');
		expect(await Promise.all(bots.map((b) => exited(b.child)))).toEqual([0, 0]);
		await h.server.flush();
		expect((await clusters(h.url)).map((c) => [c.id, c.lifecycle])).toEqual([
			[0, 'stopped'],
			[1, 'stopped']
		]);
		expect(cjs.stderr.join('') + esm.stderr.join('')).toBe('');
	}, 60_000);
});

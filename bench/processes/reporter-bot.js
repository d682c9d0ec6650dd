// A discord.js bot measured for what @shardbeat/reporter costs it (bench/reporter.ts).
//
// Plain `node`, no tsx: the reporter is `@shardbeat/reporter` resolved as a bot resolves it (the
// workspace link to packages/reporter, whose exports map points at the built dist/index.mjs). The
// client is a real discord.js v14 `Client` whose `client.ws.shards` holds real `WebSocketShard`s
// and whose guild cache holds real `Guild`s (with channels and roles) put there by discord.js's
// own GUILD_CREATE handler; it never logs in, so nothing but the reporter (and, where said, the
// bench's own member dispatches) does any work.
//
// One shot: `node reporter-bot.js '<options json>'` measures, prints one JSON line, exits.
//   mode 'cpu':    in one process, rounds of the same window idle (no reporter) and reporting
//                  every `intervalMs`: a bare one-shard heartbeat (the floor), the client with its
//                  guilds unchanged, then with a member joining between every two heartbeats,
//                  then with shard pings moving at the rate a real bot's do; with `before` (a
//                  module URL), the older reporter built there too, in turns; the same
//                  heartbeats written by a raw ws client, without socket.io; and last the source
//                  read alone, timed after `intervalMs` asleep and again at once.
//   mode 'memory': memory after full GCs, `samples` times, before and after `reporter: true`
//                  loads and starts the reporter as a bot does (reportDiscordClient); `false`
//                  never loads it.
import { Client, Status } from 'discord.js';
import { WebSocket } from 'ws';
import { addGuild, addShard, dispatch, nextSnowflake } from '../../testing/discord/offline-client.js';

/**
 * @type {{ url: string; secret: string; shards: number; guildsPerShard: number; mode: 'cpu' | 'memory'; reporter?: boolean;
 *          intervalMs: number; windowMs: number; rounds: number; reads: number; samples: number; before?: string }}
 */
const options = JSON.parse(process.argv[2] ?? '{}');
setTimeout(() => process.exit(2), Number(process.env.SHARDBEAT_BENCH_LIFETIME_MS ?? 900_000)).unref();

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
const cpuMs = () => {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
};
/** @param {() => boolean} done */
async function until(done, what = 'the reporter to connect') {
	for (let waited = 0; !done(); waited += 10) {
		if (waited > 30_000) throw new Error(`gave up waiting for ${what}`);
		await sleep(10);
	}
}
const quiet = { info() {}, warn() {}, error: (/** @type {string} */ m) => process.stderr.write(`${m}\n`) };

// ── the bot ───────────────────────────────────────────────────────────────────────────────────
const shardIds = Array.from({ length: options.shards }, (_, i) => i);
const client = new Client({ intents: [], shards: shardIds, shardCount: options.shards });
const CHANNELS = [
	{ type: 4, name: 'Text Channels' },
	{ type: 0, name: 'welcome' },
	{ type: 0, name: 'general' },
	{ type: 0, name: 'bot-commands' },
	{ type: 2, name: 'General' }
];
const ROLES = ['Admin', 'Moderator', 'Member'];
/** A guild as the gateway sends it to a bot without privileged intents: channels, roles, a member count. */
function guildFields(/** @type {number} */ n) {
	const category = nextSnowflake();
	return {
		owner_id: '80351110224678912',
		// Most guilds are small, a few are huge, as on any public bot.
		member_count: Math.round(8 * Math.exp(((n * 7919) % 1000) / 100)),
		large: false,
		channels: CHANNELS.map((c, position) => ({ id: position === 0 ? category : nextSnowflake(), type: c.type, name: c.name, position, ...(position === 0 ? {} : { parent_id: category }) })),
		roles: ['@everyone', ...ROLES].map((name, position) => ({ id: nextSnowflake(), name, position, permissions: '0', color: 0, hoist: false, managed: false, mentionable: false }))
	};
}
for (const id of shardIds) {
	const shard = addShard(client, { id, status: Status.Ready, ping: 40 + ((id * 37) % 110) });
	for (let g = 0; g < options.guildsPerShard; g++) addGuild(client, shard, undefined, guildFields(id * options.guildsPerShard + g));
}
// A bot that has run for a while has a settled heap: without this, the major GC that building a
// 1-GB cache leaves due would land in some measured window.
global.gc?.();

// ── cpu ───────────────────────────────────────────────────────────────────────────────────────
async function measureCpu() {
	// The reporter as built now, and (with `before`, a module URL the bench built from an older
	// commit) the one it replaces: both in this one process, taking turns in every round, so that
	// their ratio is not the machine's drift between two runs.
	const variants = [{ name: 'after', module: '@shardbeat/reporter' }, ...(options.before ? [{ name: 'before', module: options.before }] : [])];
	/** @type {{ name: string; createReporter: typeof import('@shardbeat/reporter').createReporter; read: () => import('@shardbeat/reporter').ClusterReport }[]} */
	const reporters = [];
	for (const { name, module } of variants) {
		const { createReporter, discordSource } = /** @type {typeof import('@shardbeat/reporter')} */ (await import(module));
		// reportDiscordClient(client, o) is exactly createReporter({ ...o, source: discordSource(client) });
		// spelled out here only to count the heartbeats (one source read each). One source for every
		// window, as one bot keeps one.
		reporters.push({ name, createReporter, read: discordSource(client) });
	}
	// Counts the walks of the guild cache (the reporter walks it again only after guild dispatches).
	let walks = 0;
	const cache = client.guilds.cache;
	const values = cache.values;
	cache.values = function () {
		walks++;
		return values.call(this);
	};

	/**
	 * One window with the reporter sending `report()` every intervalMs, from after its first heartbeat.
	 * @param {typeof reporters[number]['createReporter']} createReporter
	 * @param {() => import('@shardbeat/reporter').ClusterReport} report
	 */
	const reporting = async (createReporter, report) => {
		let sent = 0;
		const source = () => {
			sent++;
			return report();
		};
		const reporter = createReporter({ url: options.url, secret: options.secret, intervalMs: options.intervalMs, source, logger: quiet });
		await until(() => sent > 0);
		const c0 = cpuMs();
		const t0 = performance.now();
		const [s0, w0] = [sent, walks];
		await sleep(options.windowMs);
		const out = { cpuMs: cpuMs() - c0, wallMs: performance.now() - t0, heartbeats: sent - s0, walks: walks - w0 };
		reporter.stop();
		return out;
	};
	const idle = async () => {
		const c0 = cpuMs();
		const t0 = performance.now();
		await sleep(options.windowMs);
		return { cpuMs: cpuMs() - c0, wallMs: performance.now() - t0 };
	};
	// What any heartbeat costs this process on this machine: the same reporter, one shard, nothing to read.
	const bare = { clusterId: 0, totalShards: 1, shardIds: [0], shards: [{ id: 0, state: /** @type {const} */ ('ready'), ping: 40, guilds: 1 }], guilds: 1, members: 1, uptimeMs: 0 };

	/**
	 * The same heartbeats without socket.io: a raw `ws` client speaking its wire protocol by hand
	 * (engine.io open, socket.io CONNECT to /bot, then `42/bot,["heartbeat",…]` frames, no ack),
	 * for what a WebSocket write itself costs this process. Opened once, used in turns like the rest.
	 */
	const raw = new WebSocket(new URL('/socket.io/?EIO=4&transport=websocket', options.url.replace(/^http/, 'ws')).href);
	raw.on('message', (/** @type {Buffer} */ data) => {
		if (data.toString() === '2') raw.send('3'); // engine.io ping → pong
	});
	await new Promise((resolve, reject) => raw.once('message', resolve).once('error', reject));
	raw.send(`40/bot,${JSON.stringify({ secret: options.secret })}`);
	await new Promise((resolve) => raw.once('message', resolve));
	/** @param {() => import('@shardbeat/reporter').ClusterReport} report */
	const rawWindow = async (report) => {
		let sent = 0;
		const send = () => {
			sent++;
			raw.send(`42/bot,${JSON.stringify(['heartbeat', { v: 1, ...report() }])}`);
		};
		const timer = setInterval(send, options.intervalMs);
		await until(() => sent > 0);
		const c0 = cpuMs();
		const t0 = performance.now();
		const s0 = sent;
		await sleep(options.windowMs);
		const out = { cpuMs: cpuMs() - c0, wallMs: performance.now() - t0, heartbeats: sent - s0, walks: 0 };
		clearInterval(timer);
		return out;
	};
	/** @type {{ bare: unknown[]; full: unknown[] }} */
	const rawRounds = { bare: [], full: [] };

	/** @type {Record<string, { floor: unknown[]; unchanged: unknown[]; changing: unknown[]; moving: unknown[] }>} */
	const out = Object.fromEntries(reporters.map((r) => [r.name, { floor: [], unchanged: [], changing: [], moving: [] }]));
	// Which variant goes first alternates by round: the window right after an idle one finds the
	// process coldest (and V8's memory reducer, which an idle spell sets off, lands in it), so a
	// fixed order would charge that to one variant.
	const inTurn = (/** @type {number} */ round) => (round % 2 ? [...reporters].reverse() : reporters);
	for (const r of reporters) await reporting(r.createReporter, r.read); // warm-up: JIT, socket.io's first connection, the first walk
	// Bare and unchanged (and each variant) take turns in each round, so that the machine's drift
	// (other jobs come and go) hits them alike; one idle window per round is every variant's baseline.
	for (let round = 0; round < options.rounds; round++) {
		const still = await idle();
		for (const r of inTurn(round)) {
			out[r.name].floor.push({ idle: still, reporting: await reporting(r.createReporter, () => bare) });
			out[r.name].unchanged.push({ idle: still, reporting: await reporting(r.createReporter, r.read) });
		}
		rawRounds.bare.push({ idle: still, reporting: await rawWindow(() => bare) });
		rawRounds.full.push({ idle: still, reporting: await rawWindow(reporters[0].read) });
	}
	raw.close();
	// A member joins a guild somewhere between every two heartbeats, and leaves again at the next
	// (a bot with the GuildMembers intent). The dispatches run in the idle windows too, so their
	// own cost (discord.js caching the member) is subtracted.
	const guildIds = [...cache.keys()].filter((_, i) => i % options.guildsPerShard === 0);
	let ticks = 0;
	const join = setInterval(() => {
		const guild = /** @type {import('discord.js').Guild} */ (cache.get(guildIds[Math.floor(ticks / 2) % guildIds.length] ?? ''));
		const shard = /** @type {import('discord.js').WebSocketShard} */ (client.ws.shards.get(guild.shardId));
		const user = { id: String(1_000_000 + Math.floor(ticks / 2)), username: 'newcomer', discriminator: '0' };
		if (ticks++ % 2 === 0) dispatch(client, shard, 'GUILD_MEMBER_ADD', { guild_id: guild.id, user, roles: [], joined_at: new Date().toISOString() });
		else dispatch(client, shard, 'GUILD_MEMBER_REMOVE', { guild_id: guild.id, user });
	}, options.intervalMs);
	for (let round = 0; round < options.rounds; round++) {
		const still = await idle();
		for (const r of inTurn(round)) out[r.name].changing.push({ idle: still, reporting: await reporting(r.createReporter, r.read) });
	}
	clearInterval(join);
	// Discord acks a shard's gateway heartbeat every ~41.25 s, which is when discord.js updates its
	// ping; at the reporter's default 5-s interval that is 5 / 41.25 of the shards per heartbeat
	// (16 of 128), so that many shards' pings move between every two heartbeats here, in turn.
	const wsShards = [...client.ws.shards.values()];
	const perBeat = Math.max(1, Math.round((wsShards.length * 5_000) / 41_250));
	let moved = 0;
	const move = setInterval(() => {
		for (let i = 0; i < perBeat; i++, moved++) {
			const shard = wsShards[moved % wsShards.length];
			shard.ping = 40 + ((moved * 7) % 110);
		}
	}, options.intervalMs);
	for (let round = 0; round < options.rounds; round++) {
		const still = await idle();
		for (const r of inTurn(round)) out[r.name].moving.push({ idle: still, reporting: await reporting(r.createReporter, r.read) });
	}
	clearInterval(move);
	// The source read alone, wall time around one call: after `intervalMs` asleep (as every heartbeat
	// finds the process: what it touches comes from main memory) and again at once (warm), in turns.
	/** @type {Record<string, { cold: number[]; warm: number[] }>} */
	const reads = Object.fromEntries(reporters.map((r) => [r.name, { cold: [], warm: [] }]));
	for (let i = 0; i < options.reads; i++) {
		for (const r of inTurn(i)) {
			await sleep(options.intervalMs);
			let t = performance.now();
			r.read();
			reads[r.name].cold.push(performance.now() - t);
			t = performance.now();
			r.read();
			reads[r.name].warm.push(performance.now() - t);
		}
	}
	const heartbeatBytes = Buffer.byteLength(JSON.stringify({ v: 1, ...reporters[0].read() }));
	return { ...out.after, before: out.before && { ...out.before, reads: reads.before }, reads: reads.after, raw: rawRounds, heartbeatBytes, guilds: cache.size };
}

// ── memory ────────────────────────────────────────────────────────────────────────────────────
async function measureMemory() {
	if (!global.gc) throw new Error('run with --expose-gc');
	const sample = async () => {
		const samples = [];
		for (let k = 0; k < options.samples; k++) {
			global.gc();
			global.gc();
			const m = process.memoryUsage();
			samples.push({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal });
			await sleep(Math.max(50, options.intervalMs));
		}
		return samples;
	};
	// Both kinds of process settle, sample, (start the reporter,) wait and sample alike.
	await sleep(options.windowMs);
	const before = await sample();
	/** @type {{ stop(): void } | undefined} */
	let reporter;
	if (options.reporter) {
		const { reportDiscordClient } = await import('@shardbeat/reporter');
		const started = reportDiscordClient(client, { url: options.url, secret: options.secret, intervalMs: options.intervalMs, logger: quiet });
		await until(() => started.connected);
		reporter = started;
	}
	await sleep(options.windowMs);
	const after = await sample();
	reporter?.stop();
	return { before, after, guilds: client.guilds.cache.size };
}

const result = options.mode === 'cpu' ? await measureCpu() : await measureMemory();
process.stdout.write(`${JSON.stringify(result)}\n`);
await client.destroy();
process.exit(0);

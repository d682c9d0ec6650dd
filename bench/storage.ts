import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { ChangeSet, ClusterStatus, ShardState } from '#shared';
import { openHistoryDatabase } from '#testing/databases';
import { HistoryRecorder } from '../server/history/recorder.ts';
import { createLogger } from '../server/log.ts';

/*
 * How much disk the history takes: a simulated churning fleet drives the real HistoryRecorder into
 * a real SQLite file on a fake clock, then the file is vacuumed and measured.
 *
 * The fleet: 16 shards per cluster, each cluster heartbeating every 5 s (phases spread over the
 * 5 s; the publisher commits once a second). Per heartbeat a shard drops its gateway connection
 * with probability 1/2,000 (reconnecting, ready again at the next heartbeat: ~43 reconnects per
 * shard per day, a busy day). A cluster process dies about twice a day: stopped after 15 s of
 * silence, back 30–90 s later, its shards connecting → identifying → ready two at a time, 5 s
 * apart, the cluster starting → running. Pings drift every heartbeat, so every live cluster gets a
 * ping row every minute. Seeded, so a size gives the same figures every run.
 */
const SHARDS_PER_CLUSTER = 16;
const HEARTBEAT_MS = 5_000;
const COMMIT_MS = 1_000;
const FLUSH_MS = 60_000;
const RECONNECT_PER_HEARTBEAT = 1 / 2_000;
const RESTARTS_PER_DAY = 2;
const SILENCE_MS = 15_000;
const T0 = Date.UTC(2026, 0, 5);

export interface StorageFigures {
	/** SQLite file size after VACUUM (page_count × page_size). */
	bytes: number;
	/** Rows in the three history tables. */
	rows: number;
	bytesPerShardPerDay: number;
}

/** Small, fast, seeded PRNG (mulberry32): the same fleet every run. */
function random(seed: number): () => number {
	return () => {
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

interface SimCluster {
	status: ClusterStatus;
	/** When the heartbeat cycle lands inside each 5 s. */
	phase: number;
	/** Dead process: no heartbeats until `backAt`; `stopped` once the server noticed. */
	deadSince: number | null;
	backAt: number;
	/** Heartbeats since the process (re)started, for the staggered shard start-up. */
	beats: number;
	/** Shards reconnecting since the last heartbeat (ready again at the next). */
	reconnecting: Set<number>;
}

export async function benchStorage(opts: { shards: number; hours: number }): Promise<StorageFigures & { seconds: number }> {
	const started = performance.now();
	const clusterCount = Math.ceil(opts.shards / SHARDS_PER_CLUSTER);
	const totalShards = clusterCount * SHARDS_PER_CLUSTER;
	const end = T0 + opts.hours * 3_600_000;
	const rand = random(0x5eed + opts.shards);
	const restartPerHeartbeat = (RESTARTS_PER_DAY * HEARTBEAT_MS) / 86_400_000;

	const dir = mkdtempSync(join(tmpdir(), 'shardbeat-bench-storage-'));
	const file = join(dir, 'history.sqlite');
	const db = await openHistoryDatabase(file);
	// Durability costs time, not bytes: no fsync per commit in the bench.
	await sql`PRAGMA synchronous = OFF`.execute(db);
	let now = T0;
	const recorder = new HistoryRecorder({ db, logger: createLogger('warn', { write: () => {} }), now: () => now });

	const pingOf = (shardId: number) => 40 + ((shardId * 37) % 110) + Math.floor(rand() * 12);
	const clusters: SimCluster[] = Array.from({ length: clusterCount }, (_, c) => {
		const shardIds = Array.from({ length: SHARDS_PER_CLUSTER }, (_, i) => c * SHARDS_PER_CLUSTER + i);
		const shards = shardIds.map((id) => ({ id, state: 'ready' as ShardState, ping: pingOf(id), guilds: 600 + ((id * 131) % 900) }));
		const guilds = shards.reduce((n, s) => n + s.guilds, 0);
		return {
			status: { id: c, lifecycle: 'running', shardIds, shards, guilds, members: guilds * 110, totalShards, startedAt: T0 - 3_600_000, lastHeartbeatAt: T0 },
			phase: Math.floor((c * HEARTBEAT_MS) / clusterCount / COMMIT_MS) * COMMIT_MS,
			deadSince: null,
			backAt: 0,
			beats: 1_000,
			reconnecting: new Set()
		};
	});
	const byId = (id: number) => clusters[id]?.status;

	/** One heartbeat from a live process, as the fleet would commit it. */
	const heartbeat = (c: SimCluster, at: number) => {
		const s = c.status;
		c.beats++;
		const restarting = c.beats <= SHARDS_PER_CLUSTER / 2 + 1;
		let allReady = true;
		for (let i = 0; i < s.shards.length; i++) {
			const shard = s.shards[i]!;
			let state: ShardState;
			if (restarting) {
				// Two shards identify per 5 s (max_concurrency 1, 5-s identify spacing, roughly).
				const readyAt = Math.floor(i / 2) + 1;
				state = c.beats > readyAt ? 'ready' : c.beats === readyAt ? 'identifying' : 'connecting';
			} else if (c.reconnecting.delete(shard.id)) state = 'ready';
			else if (rand() < RECONNECT_PER_HEARTBEAT) {
				state = 'reconnecting';
				c.reconnecting.add(shard.id);
			} else state = 'ready';
			if (state !== 'ready') allReady = false;
			const ping = state === 'ready' || shard.ping !== null ? pingOf(shard.id) : null;
			s.shards[i] = { id: shard.id, state, ping, guilds: shard.guilds };
		}
		const lifecycle = allReady || (s.lifecycle === 'running' && !restarting) ? 'running' : 'starting';
		c.status = { ...s, lifecycle, startedAt: restarting && c.beats === 1 ? at : s.startedAt, lastHeartbeatAt: at };
	};

	for (let tick = T0; tick < end; tick += COMMIT_MS) {
		now = tick;
		const changes: ChangeSet = new Map();
		const slot = tick % HEARTBEAT_MS;
		for (const c of clusters) {
			if (c.deadSince !== null) {
				// The server stops a silent cluster: every shard disconnected, no ping.
				if (c.status.lifecycle !== 'stopped' && tick - c.deadSince >= SILENCE_MS) {
					c.status = { ...c.status, lifecycle: 'stopped', shards: c.status.shards.map((s) => ({ ...s, state: 'disconnected', ping: null })) };
					changes.set(c.status.id, 'full');
				}
				if (tick >= c.backAt && c.phase === slot) {
					c.deadSince = null;
					c.beats = 0;
					c.reconnecting.clear();
					c.status = { ...c.status, lifecycle: 'starting' };
					heartbeat(c, tick);
					changes.set(c.status.id, 'full');
				}
				continue;
			}
			if (c.phase !== slot) continue;
			if (rand() < restartPerHeartbeat) {
				c.deadSince = tick;
				c.backAt = tick + 30_000 + Math.floor(rand() * 60_000);
				continue;
			}
			heartbeat(c, tick);
			changes.set(c.status.id, 'full');
		}
		if (changes.size > 0) recorder.observe(changes, byId, tick);
		if (tick % FLUSH_MS === 0) await recorder.flush();
	}
	now = end;
	await recorder.flush();
	await recorder.close();

	const counts = await Promise.all(
		(['shard_transitions', 'cluster_transitions', 'ping_minutes'] as const).map((t) => db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow())
	);
	const rows = counts.reduce((n, r) => n + Number(r.n), 0);
	await sql`VACUUM`.execute(db);
	const pageCount = await sql<{ page_count: number }>`PRAGMA page_count`.execute(db);
	const pageSize = await sql<{ page_size: number }>`PRAGMA page_size`.execute(db);
	const bytes = Number(pageCount.rows[0]!.page_count) * Number(pageSize.rows[0]!.page_size);
	await db.destroy();
	rmSync(dir, { recursive: true, force: true });
	return { bytes, rows, bytesPerShardPerDay: bytes / totalShards / (opts.hours / 24), seconds: (performance.now() - started) / 1000 };
}

// `npx tsx bench/storage.ts [shards] [hours]`: this section alone.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const shards = Number(process.argv[2] ?? 1_024);
	const hours = Number(process.argv[3] ?? 24);
	const f = await benchStorage({ shards, hours });
	console.log(`${shards} shards, ${hours} h simulated: ${f.rows.toLocaleString('en-US')} rows, ${f.bytes.toLocaleString('en-US')} bytes, ${Math.round(f.bytesPerShardPerDay).toLocaleString('en-US')} bytes/shard/day (${f.seconds.toFixed(1)} s)`);
}

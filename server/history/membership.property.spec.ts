import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { overallHealth, type ChangeSet } from '#shared';
import { openHistoryDatabase } from '#testing/databases';
import { heartbeat } from '#testing/server/harness';
import { FleetFeed } from '../feed/fleet-feed.ts';
import { createFleetTracking, type FleetTracking } from '../fleet/fleet-tracking.ts';
import { createLogger } from '../log.ts';
import { MemoryFleetLog } from '../store/fleet-log.ts';
import { Publisher } from '../store/publisher.ts';
import { IncidentMonitor } from './incident-monitor.ts';
import { HistoryRecorder } from './recorder.ts';
import { HistoryRepository } from './repository.ts';
import { HOUR, UptimeRollup } from './rollup.ts';
import type { HistoryDatabase } from './schema.ts';

/*
 * Issue 15, "One invariant, tested": fast-check generates fleet histories (deaths, revivals,
 * shards flapping, re-shards up and down, retirements, server restarts, maintenance windows) and
 * drives the server's own parts through them: the fleet and its liveness (`createFleetTracking`,
 * which a restart seeds from the history), the publisher and the in-memory fleet log, the
 * recorder, the incident monitor and the rollup, on one SQLite database that outlives every
 * restart. Both clocks are the test's. After every step:
 *
 * - no stale incident: when every shard of the fleet is up (the banner's own derivation) and no
 *   maintenance is active, one monitor check leaves no automatic incident open;
 * - uptime counts members only: no shard is tracked (so counted in uptime) in a cluster while
 *   the fleet does not hold it there; and at the end, no rolled-up hour counts more shard-time
 *   for a cluster than its members were there.
 *
 * Reproduce a failure with the seed fast-check prints: FUZZ_SEED=<seed> npx vitest run … membership.property
 * (MEMBERSHIP_RUNS=1000 searches longer; the default 200 take under 10 s).
 */

const T0 = Date.UTC(2026, 10, 21, 9, 30);
const MINUTE = 60_000;
const SILENCE_MS = 10_000;
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const RUNS = Number(process.env.MEMBERSHIP_RUNS ?? 200);

/** What the bot itself does: one process per cluster id. */
interface Process {
	shardIds: number[];
	total: number;
	alive: boolean;
	startedAt: number;
	down: Set<number>;
}

type Step =
	| { kind: 'wait'; ms: number }
	| { kind: 'die'; pick: number }
	| { kind: 'revive'; pick: number }
	| { kind: 'flap'; pick: number; shards: number }
	| { kind: 'heal'; pick: number }
	| { kind: 'reshard'; clusters: number; perCluster: number; oldFirst: boolean; late: number }
	| { kind: 'retire'; pick: number }
	| { kind: 'restart'; reshard: { clusters: number; perCluster: number } | null }
	| { kind: 'maintenance'; startsInMs: number; minutes: number; pick: number | null };

const step: fc.Arbitrary<Step> = fc.oneof(
	{ arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 5_000, max: 12 * MINUTE }) }), weight: 6 },
	{ arbitrary: fc.record({ kind: fc.constant('die' as const), pick: fc.nat() }), weight: 3 },
	{ arbitrary: fc.record({ kind: fc.constant('revive' as const), pick: fc.nat() }), weight: 2 },
	{ arbitrary: fc.record({ kind: fc.constant('flap' as const), pick: fc.nat(), shards: fc.nat() }), weight: 2 },
	{ arbitrary: fc.record({ kind: fc.constant('heal' as const), pick: fc.nat() }), weight: 1 },
	{
		// `late`: a bit per new cluster whose process is not up yet (a rolling re-shard); `revive` brings it.
		arbitrary: fc.record({ kind: fc.constant('reshard' as const), clusters: fc.integer({ min: 1, max: 6 }), perCluster: fc.integer({ min: 1, max: 4 }), oldFirst: fc.boolean(), late: fc.oneof(fc.constant(0), fc.nat(63)) }),
		weight: 2
	},
	{ arbitrary: fc.record({ kind: fc.constant('retire' as const), pick: fc.nat() }), weight: 2 },
	{
		// The server restarts; meanwhile the bot may have re-sharded (the 1,000 × 16, then 8 × 4).
		arbitrary: fc.record({ kind: fc.constant('restart' as const), reshard: fc.option(fc.record({ clusters: fc.integer({ min: 1, max: 6 }), perCluster: fc.integer({ min: 1, max: 4 }) }), { nil: null }) }),
		weight: 2
	},
	{
		// Planned ahead (from now on): a window posted for the past rewrites outages already reported.
		arbitrary: fc.record({ kind: fc.constant('maintenance' as const), startsInMs: fc.integer({ min: 0, max: 10 * MINUTE }), minutes: fc.integer({ min: 1, max: 30 }), pick: fc.option(fc.nat(), { nil: null }) }),
		weight: 1
	}
);

/** The server's parts for one process lifetime; a restart makes new ones on the same database. */
interface Server {
	tracking: FleetTracking;
	feed: FleetFeed;
	publisher: Publisher;
	recorder: HistoryRecorder;
	monitor: IncidentMonitor;
}

class World {
	now = T0;
	mono = 0;
	readonly bot = new Map<number, Process>();
	readonly errors: unknown[] = [];
	readonly logger = createLogger('error', { write: (line: string) => void this.errors.push(JSON.parse(line)) });
	readonly store: HistoryRepository;
	server!: Server;
	/** The fleet's members (cluster → shards) after each commit: tracked time must lie inside them. */
	readonly membership: { at: number; members: Map<number, Set<number>> }[] = [];
	/** Since when each shard has been up without a break, as the banner counts it. */
	readonly upSince = new Map<number, number>();

	constructor(readonly db: Kysely<HistoryDatabase>) {
		this.store = new HistoryRepository(db);
	}

	async start(): Promise<void> {
		this.mono = 0;
		const feed = new FleetFeed();
		const recorder = new HistoryRecorder({ db: this.db, logger: this.logger, now: () => this.now });
		const tracking = createFleetTracking({ silenceTimeoutMs: SILENCE_MS, logger: this.logger, expect: () => this.store.members(), clock: () => this.mono });
		const log = new MemoryFleetLog(feed, (changes: ChangeSet, get, at) => recorder.observe(changes, get, at));
		const publisher = new Publisher({ fleet: tracking.fleet, log, push: () => {}, logger: this.logger, now: () => this.now });
		const monitor = new IncidentMonitor({ store: this.store, logger: this.logger, notify: () => {}, totalShards: () => feed.status.totalShards, beforeCheck: () => recorder.flush(), now: () => this.now });
		this.server = { tracking, feed, publisher, recorder, monitor };
		tracking.start();
		await tracking.expected();
	}

	async stop(): Promise<void> {
		const { tracking, publisher, recorder, monitor } = this.server;
		// As the server's own close: the last batch is committed and recorded, bots are not stopped.
		await publisher.flush();
		tracking.close();
		await monitor.close();
		await recorder.close();
	}

	/** Every live process reports, as it would every few seconds. */
	round(): void {
		const { fleet, liveness } = this.server.tracking;
		for (const [id, p] of this.bot) {
			if (!p.alive) continue;
			const hb = heartbeat(id, p.shardIds, p.total, { uptimeMs: this.now - p.startedAt });
			for (const s of hb.shards) if (p.down.has(s.id)) s.state = 'reconnecting';
			fleet.apply(hb, `process-${id}`, this.now);
			liveness.touch(id);
		}
	}

	/** Commits, checks incidents once, and checks both invariants. */
	async settle(): Promise<void> {
		const { publisher, monitor, feed, tracking } = this.server;
		await publisher.flush();
		await monitor.check();
		const members = new Map<number, Set<number>>(feed.status.clusters.map((c) => [c.id, new Set(c.shardIds)]));
		for (const m of await this.store.members()) if (tracking.fleet.isExpected(m.id)) members.set(m.id, new Set(m.shardIds));
		const previous = this.membership.at(-1);
		this.membership.push({ at: this.now, members });

		const maintenance = (await this.store.maintenance(this.now)).some((w) => w.startsAt <= this.now);
		const health = overallHealth(feed.status);
		const open = await this.store.openAutoIncidents();
		if (health.state === 'operational' && !maintenance) {
			expect(open.map((i) => ({ shards: i.shardIds, startedAt: i.startedAt - T0 })), `open incidents with all ${health.total} shards up at +${(this.now - T0) / MINUTE} min`).toEqual([]);
		}
		// Nor does an open incident say a shard is down that the banner has counted up for longer
		// than coalescing may hold an update back (the minute it came back in, plus the next one).
		const up = new Set(feed.status.clusters.filter((c) => c.lifecycle !== 'stopped').flatMap((c) => c.shards.filter((x) => x.state === 'ready').map((x) => x.id)));
		for (const id of this.upSince.keys()) if (!up.has(id)) this.upSince.delete(id);
		for (const id of up) if (!this.upSince.has(id)) this.upSince.set(id, this.now);
		for (const i of open) {
			const down = i.updates.findLast((u) => u.kind)?.shardsDown ?? [];
			expect(down.filter((id) => this.now - (this.upSince.get(id) ?? Infinity) >= 2 * MINUTE), `incident ${i.id} lists shards down that are up, +${(this.now - T0) / MINUTE} min`).toEqual([]);
		}
		if (previous && this.now > previous.at) {
			const histories = await this.store.histories({ start: previous.at, end: this.now });
			for (const [cluster, shards] of histories) {
				for (const s of shards) {
					const inside = s.tracked.some((t) => Math.min(t.end, this.now) > Math.max(t.start, previous.at));
					if (inside) expect(previous.members.get(cluster)?.has(s.shardId), `cluster ${cluster} shard ${s.shardId} tracked while not a member, +${(previous.at - T0) / MINUTE} min`).toBe(true);
				}
			}
		}
	}

	/** The bot's processes become `clusters` × `perCluster`, started now (those with a `late` bit not yet). */
	layout(clusters: number, perCluster: number, late: number): void {
		for (let id = 0; id < clusters; id++) {
			const shardIds = Array.from({ length: perCluster }, (_, i) => id * perCluster + i);
			this.bot.set(id, { shardIds, total: clusters * perCluster, alive: ((late >> id) & 1) === 0, startedAt: this.now, down: new Set() });
		}
	}

	/** The `pick`th of the processes that satisfy `which`, if any. */
	pick(pick: number, which: (p: Process, id: number) => boolean): number | undefined {
		const ids = [...this.bot].filter(([id, p]) => which(p, id)).map(([id]) => id);
		return ids.length === 0 ? undefined : ids[pick % ids.length];
	}

	async run(s: Step): Promise<void> {
		const { fleet } = this.server.tracking;
		// A second between any two events, as between two of the publisher's batches: what one instant
		// recorded is not rewritten by the next step.
		this.now += 1_000;
		switch (s.kind) {
			case 'wait':
				this.now += s.ms;
				// Live processes report as time passes (in the same tick: no sweep can run in between),
				// so the sweep finds only the silent ones.
				this.mono += s.ms;
				this.round();
				this.server.tracking.liveness.sweep();
				break;
			case 'die': {
				const id = this.pick(s.pick, (p) => p.alive);
				if (id === undefined) break;
				this.bot.get(id)!.alive = false;
				fleet.stop(id);
				break;
			}
			case 'revive': {
				const id = this.pick(s.pick, (p) => !p.alive);
				if (id === undefined) break;
				Object.assign(this.bot.get(id)!, { alive: true, startedAt: this.now, down: new Set() });
				break;
			}
			case 'flap': {
				const id = this.pick(s.pick, (p) => p.alive);
				if (id === undefined) break;
				const p = this.bot.get(id)!;
				p.down = new Set(p.shardIds.filter((_, i) => ((s.shards >> i) & 1) === 1));
				break;
			}
			case 'heal':
				for (const p of this.bot.values()) p.down.clear();
				break;
			case 'reshard': {
				// Every cluster restarts with the new layout; processes beyond it exit (a dead one has no
				// connection left to lose), before the new ones report or after.
				const gone = [...this.bot].filter(([id]) => id >= s.clusters);
				const exit = () => {
					for (const [id, p] of gone) {
						this.bot.delete(id);
						if (p.alive) fleet.stop(id);
					}
				};
				if (s.oldFirst) exit();
				// The processes that stay restart: the old one's connection closes as it exits.
				for (const [id, p] of this.bot) if (id < s.clusters && p.alive) fleet.stop(id);
				this.layout(s.clusters, s.perCluster, s.late);
				if (!s.oldFirst) {
					this.round();
					await this.server.publisher.flush();
					exit();
				}
				break;
			}
			case 'retire': {
				const stopped = this.server.feed.status.clusters.filter((c) => c.lifecycle === 'stopped').map((c) => c.id);
				if (stopped.length === 0) break;
				const id = stopped[s.pick % stopped.length]!;
				// Its process, if the bot still has one for it, may come back later and rejoin.
				expect(this.server.tracking.retire(id).outcome).toBe('retired');
				break;
			}
			case 'restart': {
				await this.stop();
				this.now += 20_000;
				if (s.reshard) {
					for (const id of [...this.bot.keys()]) if (id >= s.reshard.clusters) this.bot.delete(id);
					this.layout(s.reshard.clusters, s.reshard.perCluster, 0);
				}
				await this.start();
				// The processes still running reconnect; past the grace and a silence timeout, the
				// clusters that did not are shown stopped.
				for (const mono of [0, 6_000, 12_000]) {
					this.mono = mono;
					this.round();
					await this.settle();
				}
				this.server.tracking.liveness.sweep();
				break;
			}
			case 'maintenance': {
				const ids = [...this.bot.keys()];
				const clusterIds = s.pick === null || ids.length === 0 ? null : [ids[s.pick % ids.length]!];
				await this.store.createMaintenance({ title: 'Planned', startsAt: this.now + s.startsInMs, endsAt: this.now + s.startsInMs + s.minutes * MINUTE, clusterIds });
				break;
			}
		}
		this.round();
		await this.settle();
	}

	/** No rolled-up hour counts more of a cluster than its members were there. */
	async checkRollups(): Promise<void> {
		await new UptimeRollup({ store: this.store, logger: this.logger, now: () => this.now }).run();
		const rows = await this.db.selectFrom('uptime_hours').selectAll().where('cluster_id', '>=', 0).execute();
		for (const r of rows) {
			const hour = { start: Number(r.hour), end: Number(r.hour) + HOUR };
			let allowed = 0;
			this.membership.forEach((m, i) => {
				const end = this.membership[i + 1]?.at ?? this.now;
				const overlap = Math.min(end, hour.end) - Math.max(m.at, hour.start);
				if (overlap > 0) allowed += overlap * (m.members.get(r.cluster_id)?.size ?? 0);
			});
			expect(Number(r.counted_ms), `cluster ${r.cluster_id}, hour +${(hour.start - T0) / HOUR} h`).toBeLessThanOrEqual(allowed);
		}
	}
}

describe('fleet membership over time (property)', () => {
	it('no stale incident, and uptime never counts a shard outside the fleet, whatever the fleet goes through', async () => {
		let runs = 0;
		await fc.assert(
			fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 30 }), async (steps) => {
				runs++;
				const db = await openHistoryDatabase(':memory:');
				const world = new World(db);
				try {
					// A 4 × 4 fleet that has been running for a while.
					for (let id = 0; id < 4; id++) world.bot.set(id, { shardIds: [id * 4, id * 4 + 1, id * 4 + 2, id * 4 + 3], total: 16, alive: true, startedAt: T0 - HOUR, down: new Set() });
					await world.start();
					world.round();
					await world.settle();
					for (const s of steps) await world.run(s);
					// Everything heals in the end, and nothing may stay open past one check.
					for (const p of world.bot.values()) Object.assign(p, { alive: true, down: new Set() });
					world.now += 40 * MINUTE;
					world.round();
					await world.settle();
					await world.checkRollups();
					expect(world.errors).toEqual([]);
				} finally {
					await world.stop().catch(() => undefined);
					await db.destroy();
				}
			}),
			{ numRuns: RUNS, ...(seed !== undefined ? { seed } : {}) }
		);
		expect(runs).toBeGreaterThanOrEqual(RUNS);
	}, 180_000);
});

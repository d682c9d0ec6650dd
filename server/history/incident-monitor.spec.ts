import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '#shared';
import { freshHistoryDatabase, historyDatabases } from '#testing/databases';
import { createLogger } from '../log.ts';
import { IncidentMonitor } from './incident-monitor.ts';
import type { IncidentNotice } from './incident-notice.ts';
import { HistoryRepository } from './repository.ts';
import type { HistoryDatabase } from './schema.ts';

/*
 * The monitor on real databases with an injected clock: the heartbeats' story is recorded up
 * front as transitions (rows after `now` are not read yet), then the clock moves in 5-second
 * steps, one check each, as the server's timer would. What is stored is what every channel shows.
 */

const S = 1_000;
const T0 = Date.UTC(2026, 10, 21, 12); // on a minute
const s = (seconds: number) => T0 + seconds * S;

type Story = [second: number, cluster: number, shard: number, state: 'ready' | 'disconnected'][];
const ready = (cluster: number, shards: number[]): Story => shards.map((shard) => [0, cluster, shard, 'ready']);

describe.each(historyDatabases)('IncidentMonitor on $name', (target) => {
	const fresh = freshHistoryDatabase(target);
	afterEach(fresh.close);
	let db: Kysely<HistoryDatabase> | undefined;

	async function setup(story: Story) {
		db = await fresh.open();
		await db.insertInto('shard_transitions').values(story.map(([second, cluster_id, shard_id, state]) => ({ at: s(second), cluster_id, shard_id, state }))).execute();
		const store = new HistoryRepository(db);
		const clock = { now: s(0) };
		const notices: IncidentNotice[] = [];
		const monitor = () =>
			new IncidentMonitor({ store, logger: createLogger('silent'), notify: (n) => notices.push(n), totalShards: () => 8, now: () => clock.now });
		/** One check every 5 s up to `second`, as the timer makes them. */
		const runUntil = async (second: number, monitors = [monitor()]) => {
			for (let k = 0; clock.now < s(second); k++) {
				clock.now += 5 * S;
				await monitors[k % monitors.length]!.check();
			}
		};
		const incidents = async (): Promise<Incident[]> => store.incidents(0);
		return { store, clock, notices, monitor, runUntil, incidents };
	}

	/** Each update's minute-second, kind and shards down. */
	const timeline = (incident: Incident) => incident.updates.map((u) => [(u.at - T0) / S, u.kind, u.shardsDown, u.clusterIdsDown]);

	// Shards fail at scattered instants; each is counted once it has been down 2 minutes.
	const spreading: Story = [
		...ready(0, [0, 1, 2, 3]),
		...ready(1, [4, 5, 6, 7]),
		[10, 0, 1, 'disconnected'],
		[20, 0, 2, 'disconnected'],
		[40, 0, 3, 'disconnected'],
		[75, 1, 5, 'disconnected'],
		[95, 1, 6, 'disconnected'],
		[200, 0, 1, 'ready'],
		[250, 1, 6, 'ready'],
		[260, 1, 5, 'ready'],
		[400, 0, 2, 'ready'],
		[400, 0, 3, 'ready']
	];

	it('stores one update per minute at most, each telling the shards down then and where, as facts', async () => {
		const { runUntil, incidents, notices, store } = await setup(spreading);
		await runUntil(600);
		const [incident] = await incidents();
		expect(incident).toMatchObject({ source: 'auto', status: 'resolved', startedAt: s(10), resolvedAt: s(400), shardIds: [1, 2, 3, 5, 6], clusterIds: [0, 1] });
		expect(timeline(incident!)).toEqual([
			[10, 'opened', [1], [0]],
			// Shard 2 went down at 20 s, but was counted only at 140 s: told in the next minute over.
			[60, 'worsened', [1, 2], [0]],
			[120, 'worsened', [1, 2, 3], [0]],
			// Minute 3: shard 1 back at 200 s, 5 and 6 counted meanwhile; the end of that minute is told.
			[200, 'worsened', [2, 3, 5, 6], [0, 1]],
			[260, 'improved', [2, 3], [0]],
			[400, 'resolved', [], []]
		]);
		// Stored as facts; the API's English text is rendered from them.
		const rows = await db!.selectFrom('incident_updates').select(['message', 'clusters_down']).orderBy('at').execute();
		expect(rows.map((r) => r.message)).toEqual(['', '', '', '', '', '']);
		expect(rows[3]!.clusters_down).toBe('[0,1]');
		expect((await db!.selectFrom('incidents').select(['title', 'title_facts']).executeTakeFirstOrThrow())).toEqual({ title: '', title_facts: '{"shardCount":5,"clusterIds":[0,1]}' });
		expect(incident!.title).toBe('5 shards down in clusters 0 and 1');
		expect(incident!.updates[3]!.message).toBe('The outage spread: 4 shards are down in clusters 0 and 1 (shards 2\u2060–\u20603, 5\u2060–\u20606).');
		// One notice per stored update, in order, each carrying it: webhooks hear what the page shows.
		expect(notices.map((n) => [n.type, n.update?.id])).toEqual(incident!.updates.map((u, i) => [i === 0 ? 'incident.opened' : i === 5 ? 'incident.resolved' : 'incident.updated', u.id]));
		expect(await store.openAutoIncidents()).toEqual([]);
	});

	it('a burst of thirty shards failing two seconds apart is three updates, not thirty', async () => {
		const shards = Array.from({ length: 30 }, (_, i) => i);
		const { runUntil, incidents, notices } = await setup([
			...ready(0, shards),
			...shards.map((i): Story[number] => [2 * i, 0, i, 'disconnected']),
			...shards.map((i): Story[number] => [600, 0, i, 'ready'])
		]);
		await runUntil(700);
		const [incident] = await incidents();
		expect(timeline(incident!).map(([at, kind, down]) => [at, kind, (down as number[]).length])).toEqual([
			[0, 'opened', 1],
			[60, 'worsened', 3],
			[120, 'worsened', 30],
			[600, 'resolved', 0]
		]);
		expect(notices).toHaveLength(4);
	});

	it('two instances sharing the database, and a restart, store and tell each update once and lose none', async () => {
		const { runUntil, incidents, notices, monitor } = await setup(spreading);
		await runUntil(190, [monitor(), monitor()]);
		// A restart: a new monitor remembers nothing but what is stored.
		await runUntil(600, [monitor(), monitor()]);
		const [incident] = await incidents();
		expect(timeline(incident!).map(([at, kind]) => [at, kind])).toEqual([
			[10, 'opened'],
			[60, 'worsened'],
			[120, 'worsened'],
			[200, 'worsened'],
			[260, 'improved'],
			[400, 'resolved']
		]);
		expect(notices.map((n) => n.update!.id)).toEqual(incident!.updates.map((u) => u.id));
	});

	it('a monitor that was away tells every minute it missed, in order, when it is back', async () => {
		const { incidents, notices, monitor, clock } = await setup(spreading);
		clock.now = s(390);
		await monitor().check();
		const [incident] = await incidents();
		// All of it known at once: the opening's minute and each minute after, as it ended.
		expect(timeline(incident!).map(([at, kind, down]) => [at, kind, down])).toEqual([
			[10, 'opened', [1, 2, 3]],
			[95, 'worsened', [1, 2, 3, 5, 6]],
			[200, 'improved', [2, 3, 5, 6]],
			[260, 'improved', [2, 3]]
		]);
		expect(notices.map((n) => n.type)).toEqual(['incident.opened', 'incident.updated', 'incident.updated', 'incident.updated']);
	});
});

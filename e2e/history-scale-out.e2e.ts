import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openHistoryDatabase, startPostgres, type PostgresDatabase } from '#testing/databases';
import { connectBot, eventually, heartbeat, sendHeartbeat, startServer, type Harness } from '#testing/server/harness';
import { startRedis, type RedisServer } from '#testing/redis';

/*
 * Two instances sharing one real Redis and one real PostgreSQL: every transition is recorded
 * once (by the instance that committed it), and an outage is one incident and one webhook,
 * though both instances watch for it. Only `Date` is faked, so three minutes pass at once.
 */
let redis: RedisServer;
let pg: PostgresDatabase;
let receiver: Server;
let hooks: string[] = [];
let a: Harness;
let b: Harness;

beforeAll(async () => {
	redis = await startRedis();
	pg = await startPostgres();
	receiver = createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			hooks.push(String(req.headers['x-shardbeat-event']));
			res.writeHead(204).end();
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 10, 21, 12) });
	const config = {
		redisUrl: redis.url,
		database: pg.url,
		heartbeatIntervalMs: 600_000,
		missedHeartbeats: 100,
		webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
		webhookSecret: 'scale-out-webhook-secret-0123'
	};
	[a, b] = await Promise.all([startServer(config), startServer(config)]);
	await Promise.all([a.server.history.whenReady(), b.server.history.whenReady()]);
});

afterAll(async () => {
	vi.useRealTimers();
	await Promise.all([a?.close(), b?.close()]);
	await pg?.stop();
	await redis?.stop();
	await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

async function settle() {
	await Promise.all([a.server.flush(), b.server.flush()]);
	await Promise.all([a.server.history.recorder.flush(), b.server.history.recorder.flush()]);
	await a.server.history.monitor.check();
	await b.server.history.monitor.check();
	await Promise.all([a.server.delivery.idle(), b.server.delivery.idle()]);
}

describe('history with two instances on Redis and PostgreSQL', () => {
	it('records each transition once and opens one incident with one webhook', async () => {
		const onA = await connectBot(a.url);
		await sendHeartbeat(onA, heartbeat(0, [0, 1, 2, 3]));
		const onB = await connectBot(b.url);
		await sendHeartbeat(onB, heartbeat(1, [4, 5, 6, 7]));
		await settle();
		// Both instances replay every version; each wrote only what it committed.
		await eventually(() => a.server.feed.status.clusters.length === 2 && b.server.feed.status.clusters.length === 2);
		await settle();

		const db = await openHistoryDatabase(pg.url);
		try {
			const count = async (table: 'shard_transitions' | 'cluster_transitions' | 'incidents') =>
				Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
			expect(await count('shard_transitions')).toBe(8);
			expect(await count('cluster_transitions')).toBe(2);

			onB.disconnect();
			await eventually(() => b.server.fleet.get(1)?.lifecycle === 'stopped');
			await settle();
			vi.setSystemTime(Date.now() + 3 * 60_000);
			await settle();
			await settle();

			expect(await count('incidents')).toBe(1);
			expect(await count('shard_transitions')).toBe(12);
			expect(hooks).toEqual(['incident.opened']);
			// Both instances answer the same history.
			for (const i of [a, b]) i.server.history.service.invalidate();
			const [fromA, fromB] = await Promise.all([a, b].map(async (i) => (await (await fetch(`${i.url}/api/v1/history`)).json()) as { incidents: { id: number }[] }));
			expect(fromA!.incidents.map((i) => i.id)).toEqual(fromB!.incidents.map((i) => i.id));
		} finally {
			await db.destroy();
			onA.disconnect();
		}
	});
});

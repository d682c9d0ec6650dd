import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident, MaintenanceWindow } from '#shared';
import { startPostgres, type PostgresDatabase } from '#testing/databases';
import { ConsoleClient } from '#testing/console/client';
import { CONSOLE_PAGE, OPERATOR_KEY } from '#testing/console/fixture';
import { startRedis, type RedisServer } from '#testing/redis';
import { connectViewer, eventually, fetchToken, startServer, type Harness } from '#testing/server/harness';

/*
 * The console scaled out: two instances on one Redis (a redis-server of this test's own) and one
 * PostgreSQL. A session opened on one works on the other; revoking it on one ends it, and the live
 * sockets it opened, on both; a change made through one reaches a page connected to the other.
 */

describe('the console on two instances', () => {
	let redis: RedisServer | undefined;
	let pg: PostgresDatabase | undefined;
	let instances: Harness[] = [];
	afterEach(async () => {
		for (const h of instances) await h.close();
		instances = [];
		await pg?.stop();
		await redis?.stop();
	});

	it('shares sessions, revocations and pushes between instances', async () => {
		redis = await startRedis({ own: true });
		pg = await startPostgres();
		for (let i = 0; i < 2; i++) {
			const h = await startServer({ redisUrl: redis.url, database: pg.url, operatorSecret: OPERATOR_KEY, pageUrl: CONSOLE_PAGE });
			await h.server.history.whenReady();
			instances.push(h);
		}
		const [a, b] = instances as [Harness, Harness];
		const onA = new ConsoleClient(a.url, CONSOLE_PAGE);
		expect((await onA.loginWithKey(OPERATOR_KEY)).status).toBe(200);
		// The same browser, balanced to the other instance.
		const onB = new ConsoleClient(b.url, CONSOLE_PAGE);
		for (const [k, v] of onA.jar) onB.jar.set(k, v);
		onB.csrf = onA.csrf;
		expect((await onB.whoami()).sessionId).toBe(onA.me!.sessionId);

		// A public page on A hears of changes made through B.
		const page = await connectViewer(a.url, await fetchToken(a.url));
		const incidents: Incident[] = [];
		const windows: MaintenanceWindow[][] = [];
		const deleted: number[] = [];
		page.on('incident', (i) => incidents.push(i));
		page.on('maintenance', (w) => windows.push(w));
		page.on('incident-deleted', (id) => deleted.push(id));
		const made = await onB.ok<Incident>('POST', '/incidents', { title: 'Scaled', message: 'Through B' });
		await onB.ok('PATCH', `/incidents/${made.id}`, { note: 'seen on A' });
		await onB.ok('POST', '/maintenance', { title: 'Window', startsAt: Date.now() + 3_600_000, endsAt: Date.now() + 7_200_000 });
		await onB.ok('DELETE', `/incidents/${made.id}`);
		await eventually(() => incidents.length === 2 && windows.length === 1 && deleted.length === 1);
		expect(incidents.map((i) => i.note ?? null)).toEqual([null, 'seen on A']);

		// The session's live socket on A ends when B revokes it.
		const { token } = await onA.ok<{ token: string }>('POST', '/live-token');
		const live = io(`${a.url}/viewer`, { auth: { token }, transports: ['websocket'], reconnection: false });
		await new Promise<void>((resolve, reject) => (live.once('connect', resolve), live.once('connect_error', reject)));
		const other = new ConsoleClient(b.url, CONSOLE_PAGE);
		expect((await other.loginWithKey(OPERATOR_KEY)).status).toBe(200);
		await other.ok('DELETE', `/sessions/${onA.me!.sessionId}`);
		await eventually(() => !live.connected);
		live.disconnect();
		expect((await onA.request('GET', '/me')).status).toBe(401);
		expect((await onB.request('GET', '/me')).status).toBe(401);
	});
});

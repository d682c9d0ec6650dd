import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FleetHistory, Incident } from '#shared';
import { verifySignature } from '../notify/signature.ts';
import { historyDatabases } from '#testing/databases';
import { connectBot, eventually, heartbeat, sendHeartbeat, startServer, type BotSocket, type Harness } from '#testing/server/harness';

/*
 * The whole history path on real parts: bots over real sockets, the server's recorder writing a
 * real database (an SQLite file, then PostgreSQL), the incident monitor, and webhooks delivered
 * to a local receiver. Only the wall clock is faked (`Date`), so three minutes pass at once;
 * timers stay real, so sockets behave as they do in production.
 */

const SECRET = 'integration-webhook-secret-0123';
type Delivery = { path: string; headers: Record<string, string | string[] | undefined>; body: string };
let receiver: Server;
let receiverUrl: string;
let deliveries: Delivery[] = [];

beforeAll(async () => {
	receiver = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			deliveries.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(204).end();
		});
	});
	await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
	receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

describe.each(historyDatabases)('incidents and history on $name', (target) => {
	let h: Harness | undefined;
	let cleanup: (() => Promise<void>) | undefined;
	afterEach(async () => {
		await h?.close();
		h = undefined;
		vi.useRealTimers();
		await cleanup?.();
		deliveries = [];
	});

	async function start(location: string) {
		h = await startServer({
			database: location,
			// Silence never stops a cluster here: clusters stop because their bot disconnects.
			heartbeatIntervalMs: 600_000,
			missedHeartbeats: 100,
			discordWebhookUrl: `${receiverUrl}/api/webhooks/1/discord-token`,
			webhookUrl: `${receiverUrl}/json`,
			webhookSecret: SECRET,
			operatorSecret: 'integration-operator-secret-0123'
		});
		await h.server.history.whenReady();
		return h;
	}

	/** Commits what bots said, records it and runs one incident check. */
	async function settle(server: Harness) {
		await server.server.flush();
		await server.server.history.monitor.check();
		await server.server.delivery.idle();
	}

	async function history(server: Harness): Promise<FleetHistory> {
		server.server.history.service.invalidate();
		const res = await fetch(`${server.url}/api/v1/history?tz=UTC`);
		expect(res.status).toBe(200);
		return res.json();
	}

	const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

	/** Disconnects a bot and waits until the server has stopped its cluster. */
	async function kill(server: Harness, bot: BotSocket, clusterId: number) {
		bot.disconnect();
		await eventually(() => server.server.fleet.get(clusterId)?.lifecycle === 'stopped');
	}

	it('a 3-minute outage opens one incident, tells both webhooks, resolves; a 10-second blip opens none; it all survives a restart', async () => {
		const db = await target.open();
		cleanup = db.cleanup;
		vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 10, 21, 12) });
		const server = await start(db.location);
		const stable = await connectBot(server.url);
		await sendHeartbeat(stable, heartbeat(0, [0, 1, 2, 3]));
		let flaky: BotSocket = await connectBot(server.url);
		await sendHeartbeat(flaky, heartbeat(1, [4, 5, 6, 7]));
		await settle(server);
		advance(60_000);

		// A 10-second blip: the bot disconnects and is back before anyone should be told.
		await kill(server, flaky, 1);
		await settle(server);
		advance(10_000);
		flaky = await connectBot(server.url);
		await sendHeartbeat(flaky, heartbeat(1, [4, 5, 6, 7]));
		await settle(server);
		advance(5 * 60_000);
		await settle(server);
		expect((await history(server)).incidents).toEqual([]);
		expect(deliveries).toEqual([]);

		// Killed for three minutes.
		await kill(server, flaky, 1);
		const killedAt = Date.now();
		await settle(server);
		advance(60_000);
		await settle(server);
		expect((await history(server)).incidents, 'not yet: one minute is under the threshold').toEqual([]);
		advance(2 * 60_000);
		await settle(server);
		const open = (await history(server)).incidents;
		expect(open).toHaveLength(1);
		expect(open[0]).toMatchObject({ source: 'auto', status: 'investigating', startedAt: killedAt, resolvedAt: null, clusterIds: [1], shardIds: [4, 5, 6, 7], impact: 'critical' });

		// One Discord message and one signed JSON message, each once.
		expect(deliveries.map((d) => d.path).sort()).toEqual(['/api/webhooks/1/discord-token?wait=true', '/json']);
		const discord = JSON.parse(deliveries.find((d) => d.path.startsWith('/api/webhooks'))!.body);
		expect(discord.embeds).toHaveLength(1);
		expect(discord.embeds[0].color).toEqual(expect.any(Number));
		expect(discord.embeds[0].title).toMatch(/cluster 1/);
		const json = deliveries.find((d) => d.path === '/json')!;
		expect(json.headers['x-shardbeat-event']).toBe('incident.opened');
		expect(verifySignature(SECRET, String(json.headers['x-shardbeat-timestamp']), json.body, String(json.headers['x-shardbeat-signature']))).toBe(true);
		expect(verifySignature('another-secret-0123456789', String(json.headers['x-shardbeat-timestamp']), json.body, String(json.headers['x-shardbeat-signature']))).toBe(false);
		expect(JSON.parse(json.body).incident.id).toBe(open[0]!.id);

		// Checking again changes nothing: no second incident, no second notice.
		await settle(server);
		expect((await history(server)).incidents).toHaveLength(1);
		expect(deliveries).toHaveLength(2);

		// Back: resolved, and both webhooks hear it.
		flaky = await connectBot(server.url);
		await sendHeartbeat(flaky, heartbeat(1, [4, 5, 6, 7]));
		const backAt = Date.now();
		await settle(server);
		const [resolved] = (await history(server)).incidents as Incident[];
		expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: backAt });
		expect(resolved!.updates.map((u) => u.kind)).toEqual(['opened', 'resolved']);
		expect(deliveries).toHaveLength(4);
		expect(deliveries.filter((d) => d.path === '/json').map((d) => d.headers['x-shardbeat-event'])).toEqual(['incident.opened', 'incident.resolved']);

		// 4 of 8 shards down 3 min 10 s: 95 whole-bot seconds today, and uptime below 1.
		const before = await history(server);
		expect(before.bars.downMinutes.at(-1)).toBeCloseTo((4 * 190) / 8 / 60, 1);
		expect(before.uptime['24h']).toBeLessThan(1);
		stable.disconnect();
		flaky.disconnect();
		await server.close();
		h = undefined;

		// Restarted on the same database: the past is still there.
		const again = await start(db.location);
		const after = await history(again);
		expect(after.incidents.map((i) => [i.id, i.status, i.startedAt, i.resolvedAt])).toEqual([[resolved!.id, 'resolved', killedAt, backAt]]);
		expect(after.bars.downMinutes.at(-1)).toBe(before.bars.downMinutes.at(-1));
		expect(after.clusters.map((c) => c.id)).toEqual([0, 1]);
		const cluster = await (await fetch(`${again.url}/api/v1/history/clusters/1?tz=UTC`)).json();
		expect(cluster.ping.filter((p: number | null) => p !== null).length).toBeGreaterThan(0);
		expect(cluster.bars.days).toHaveLength(90);
	});

	it('an outage inside a maintenance window opens nothing, costs no uptime, and shows as maintenance', async () => {
		const db = await target.open();
		cleanup = db.cleanup;
		vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 10, 21, 12) });
		const server = await start(db.location);
		const stable = await connectBot(server.url);
		await sendHeartbeat(stable, heartbeat(0, [0, 1, 2, 3]));
		const planned = await connectBot(server.url);
		await sendHeartbeat(planned, heartbeat(1, [4, 5, 6, 7]));
		await settle(server);
		const res = await fetch(`${server.url}/api/v1/operator/maintenance`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.config.operatorSecret}` },
			body: JSON.stringify({ title: 'Restart cluster 1', startsAt: Date.now() + 60_000, endsAt: Date.now() + 20 * 60_000, clusterIds: [1] })
		});
		expect(res.status).toBe(201);
		advance(2 * 60_000);
		await kill(server, planned, 1);
		await settle(server);
		const summary = await (await fetch(`${server.url}/api/v1/summary`)).json();
		expect(summary.clusters.find((c: { id: number }) => c.id === 1).health).toBe('maintenance');
		advance(10 * 60_000);
		await settle(server);
		const during = await history(server);
		expect(during.incidents).toEqual([]);
		expect(during.uptime['24h']).toBe(1);
		expect(during.bars.downMinutes.at(-1)).toBe(0);
		expect(deliveries).toEqual([]);
		stable.disconnect();
	});
});

import { afterEach, describe, expect, it } from 'vitest';
import { FleetReplica, type FleetUpdate, type Incident } from '#shared';
import { botDies, connectBot, connectViewer, eventually, fetchToken, heartbeat, sendHeartbeat, startServer, type Harness, type ViewerSocket } from '#testing/server/harness';

/* Versions, deltas and pushes between a real server and real viewer sockets on loopback. */
let h: Harness;
afterEach(async () => {
	await h.close();
});

/** Bytes of every frame the viewer receives, as they cross the WebSocket (text frames carry a type byte). */
function meter(viewer: ViewerSocket) {
	const frames: number[] = [];
	viewer.io.engine.on('packet', (packet: { data?: unknown }) => {
		const { data } = packet;
		if (typeof data === 'string') frames.push(Buffer.byteLength(data) + 1);
		else if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) frames.push(data.byteLength);
	});
	return {
		/** Bytes received while `fn` ran. */
		async during<T>(fn: () => Promise<T>): Promise<{ result: T; bytes: number }> {
			const start = frames.length;
			const result = await fn();
			return { result, bytes: frames.slice(start).reduce((a, b) => a + b, 0) };
		}
	};
}

async function poll(viewer: ViewerSocket, since?: number): Promise<FleetUpdate> {
	const ack = await viewer.timeout(5_000).emitWithAck('get-cluster-status', since === undefined ? {} : { since });
	if (!ack.ok) throw new Error(ack.error.message);
	return ack.update;
}

async function viewer() {
	return connectViewer(h.url, await fetchToken(h.url));
}

/** Puts a 1,000 × 16 fleet straight into the server's state (the bench does it over sockets). */
function bigFleet(now: number) {
	for (let c = 0; c < 1_000; c++) {
		const ids = Array.from({ length: 16 }, (_, i) => c * 16 + i);
		const hb = heartbeat(c, ids, 16_000, { members: 1_500_000 + c, uptimeMs: 3_600_000 + c });
		hb.shards.forEach((s, i) => Object.assign(s, { ping: 40 + ((c * 16 + i) * 37) % 110, guilds: 600 + ((c + i) * 131) % 900 }));
		h.server.fleet.apply(hb, null, now);
	}
}

describe('polls carry the version the viewer holds', () => {
	it('answers a current version with a few bytes, and an old one with the delta that catches it up', async () => {
		h = await startServer({ pushIntervalMs: 60_000 });
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, heartbeat(0, [0, 1, 2, 3], 8));
		await h.server.flush();
		const v = await viewer();
		const replica = new FleetReplica();
		expect(replica.apply(await poll(v))).toBe('applied');

		const { result: unchanged, bytes } = await meter(v).during(() => poll(v, replica.version));
		expect(unchanged).toMatchObject({ kind: 'unchanged', version: replica.version });
		expect(bytes).toBeLessThanOrEqual(200);

		const moved = heartbeat(0, [0, 1, 2, 3], 8);
		moved.shards[2]!.state = 'reconnecting';
		await sendHeartbeat(bot, moved);
		await sendHeartbeat(bot, heartbeat(1, [4, 5, 6, 7], 8));
		await h.server.flush();
		const before = replica.status.clusters[0];
		const delta = await poll(v, replica.version);
		expect(delta).toMatchObject({ kind: 'delta', from: replica.version, version: replica.version + 1 });
		expect(replica.apply(delta)).toBe('applied');
		expect(replica.status).toEqual(h.server.feed.status);
		expect(replica.status.clusters[0]!.shards[2]!.state).toBe('reconnecting');
		expect(replica.status.clusters[0]).not.toBe(before);
	});

	it('sends a 16,000-shard fleet as one snapshot of at most 120 KB, lossless', async () => {
		h = await startServer({ pushIntervalMs: 60_000 });
		bigFleet(Date.now());
		await h.server.flush();
		const v = await viewer();
		const { result, bytes } = await meter(v).during(() => poll(v));
		const replica = new FleetReplica();
		replica.apply(result);
		expect(replica.status.clusters).toHaveLength(1_000);
		expect(replica.status).toEqual(h.server.feed.status);
		expect(bytes).toBeLessThanOrEqual(120_000);
		// The JSON API still serves the same fleet, at about ten times the size.
		const json = await (await fetch(`${h.url}/api/status`)).text();
		expect(json.length).toBeGreaterThan(bytes * 5);
	});

	it.for([
		['a string', 'abc'],
		['a negative version', { since: -1 }],
		['a fractional version', { since: 1.5 }],
		['an unknown field', { since: 1, everything: true }],
		['an array', [1]]
	] as const)('refuses %s with invalid_payload and stays up', async ([, request]) => {
		h = await startServer();
		const v = await viewer();
		const ack = await v.timeout(5_000).emitWithAck('get-cluster-status', request as never);
		expect(ack).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
		expect((await poll(v)).kind).toBe('full');
	});
});

describe('pushes', () => {
	it('pushes a heartbeat\'s change to every viewer, batching many heartbeats into one push', async () => {
		h = await startServer({ pushIntervalMs: 60_000 });
		const viewers = await Promise.all([viewer(), viewer(), viewer()]);
		// Each page loads the (empty) fleet first, at the version the server started from.
		const replicas = await Promise.all(
			viewers.map(async (v) => {
				const replica = new FleetReplica();
				replica.apply(await poll(v));
				return replica;
			})
		);
		const start = h.server.feed.version;
		const pushes: FleetUpdate[][] = viewers.map(() => []);
		viewers.forEach((v, i) => v.on('fleet-update', (u) => pushes[i]!.push(u)));

		const bots = await Promise.all(Array.from({ length: 10 }, () => connectBot(h.url)));
		await Promise.all(bots.map((b, i) => sendHeartbeat(b, heartbeat(i, [i], 10))));
		await h.server.flush();
		await eventually(() => pushes.every((p) => p.length === 1));

		for (const [i, received] of pushes.entries()) {
			const replica = replicas[i]!;
			expect(received[0]).toMatchObject({ kind: 'delta', from: start, version: start + 1 });
			expect(replica.apply(received[0]!)).toBe('applied');
			expect(replica.status.clusters.map((c) => c.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		}
	});

	it('pushes on its own timer, and a heartbeat that changes nothing pushes nothing', async () => {
		h = await startServer({ pushIntervalMs: 50 });
		const v = await viewer();
		const pushes: FleetUpdate[] = [];
		v.on('fleet-update', (u) => pushes.push(u));
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, heartbeat(0, [0, 1], 2));
		await eventually(() => pushes.length === 1);
		const version = h.server.feed.version;
		// Same shards, same pings: proof of life only.
		for (let i = 0; i < 5; i++) await sendHeartbeat(bot, heartbeat(0, [0, 1], 2, { uptimeMs: 61_000 + i }));
		await h.server.flush();
		// One connection delivers in order: a push emitted before this poll's answer arrives before it.
		expect(await poll(v, version)).toMatchObject({ kind: 'unchanged', version });
		expect(pushes).toHaveLength(1);
	});
});

describe('incident pushes', () => {
	const OPERATOR = 'viewer-incidents-operator-0123';
	const post = (path: string, body: unknown) =>
		fetch(`${h.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${OPERATOR}` }, body: JSON.stringify(body) }).then(async (r) => {
			expect(r.status).toBe(201);
			return (await r.json()) as Incident;
		});

	/** Viewers listening for incidents, each with what it heard so far. */
	async function listeners(n: number) {
		const heard: Incident[][] = [];
		for (let i = 0; i < n; i++) {
			const v = await viewer();
			const mine: Incident[] = [];
			v.on('incident', (incident) => mine.push(incident));
			heard.push(mine);
		}
		return heard;
	}

	it('pushes an operator’s incident and each update to every viewer, as the API answered it', async () => {
		h = await startServer({ operatorSecret: OPERATOR });
		await h.server.history.whenReady();
		const heard = await listeners(2);
		const opened = await post('/api/v1/operator/incidents', { title: 'Slow commands', status: 'investigating', message: 'Looking into it.', impact: 'minor', clusterIds: [1] });
		await eventually(() => heard.every((h) => h.length === 1));
		const resolved = await post(`/api/v1/operator/incidents/${opened.id}/updates`, { status: 'resolved', message: 'Fixed.' });
		await eventually(() => heard.every((h) => h.length === 2));
		for (const mine of heard) expect(mine).toEqual([opened, resolved]);
		expect(resolved).toMatchObject({ status: 'resolved', updates: [{ status: 'investigating' }, { status: 'resolved' }] });
	});

	it('pushes an automatic incident when the monitor opens it and when it resolves', async () => {
		h = await startServer({ incidentThresholdMs: 50 });
		await h.server.history.whenReady();
		const [heard] = await listeners(1);
		let bot = await connectBot(h.url);
		await sendHeartbeat(bot, heartbeat(0, [0, 1], 2));
		await h.server.flush();
		// The bot's process dies; once its shards have been down past the threshold, a check opens the incident.
		await botDies(h.server, bot, [0]);
		await eventually(async () => (await h.server.history.monitor.check(), heard!.length > 0));
		expect(heard).toEqual([expect.objectContaining({ source: 'auto', status: 'investigating', shardIds: [0, 1], resolvedAt: null })]);

		bot = await connectBot(h.url);
		await sendHeartbeat(bot, heartbeat(0, [0, 1], 2));
		await h.server.flush();
		await h.server.history.monitor.check();
		await eventually(() => heard!.length === 2);
		expect(heard![1]).toMatchObject({ id: heard![0]!.id, status: 'resolved', resolvedAt: expect.any(Number) });
		expect(heard![1]!.updates.map((u) => u.kind)).toEqual(['opened', 'resolved']);
	});
});

import { constants, createInflate, inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { shardForGuild } from '../../shared-types/guild-shard.ts';
import { CLOSE, STAND_IN_TOKEN, startGateway, type GatewayOptions, type StandInGateway } from './gateway.ts';

/*
 * The stand-in, spoken to with a raw `ws` client: what Discord sends and when, and the close codes
 * it gives a client that sends something wrong. The real libraries' tests are elsewhere
 * (packages/reporter/test/discordjs.spec.ts); this spec shows the gateway does what they rely on.
 */

interface Payload {
	op: number;
	t?: string | null;
	s?: number | null;
	d?: any;
}

/** A raw gateway connection that decodes every frame (text, zlib-stream or per-payload deflate). */
interface Raw {
	ws: WebSocket;
	send(payload: unknown): void;
	/** The next payload matching `match`, skipping (and keeping) the others. */
	next(match?: (p: Payload) => boolean): Promise<Payload>;
	/** Every payload received so far. */
	received: Payload[];
	closed: Promise<{ code: number; reason: string }>;
}

let gateways: StandInGateway[] = [];
let sockets: WebSocket[] = [];

afterEach(async () => {
	for (const ws of sockets) ws.terminate();
	await Promise.all(gateways.map((g) => g.close()));
	gateways = [];
	sockets = [];
});

async function gateway(options: GatewayOptions = {}): Promise<StandInGateway> {
	const g = await startGateway(options);
	gateways.push(g);
	return g;
}

function open(g: StandInGateway, query = '?v=10&encoding=json'): Raw {
	const ws = new WebSocket(`${g.gatewayUrl}/${query}`);
	sockets.push(ws);
	const received: Payload[] = [];
	const waiters: { match: (p: Payload) => boolean; resolve: (p: Payload) => void }[] = [];
	let cursor = 0;
	const deliver = (p: Payload) => {
		received.push(p);
		const i = waiters.findIndex((w) => w.match(p));
		if (i >= 0) {
			cursor = received.length;
			waiters.splice(i, 1)[0]!.resolve(p);
		}
	};
	// zlib-stream: one inflater for the connection, fed every frame in order; each frame ends on a
	// Z_SYNC_FLUSH boundary, so what it yields after one frame is one whole payload.
	const stream = query.includes('compress=zlib-stream') ? createInflate() : undefined;
	const inflated: Buffer[] = [];
	stream?.on('data', (chunk: Buffer) => inflated.push(chunk));
	ws.on('message', (data: Buffer, isBinary) => {
		if (!isBinary) return deliver(JSON.parse(data.toString('utf8')));
		if (!stream) return deliver(JSON.parse(inflateSync(data).toString('utf8')));
		stream.write(data);
		stream.flush(constants.Z_SYNC_FLUSH, () => deliver(JSON.parse(Buffer.concat(inflated.splice(0)).toString('utf8'))));
	});
	const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
	const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
	return {
		ws,
		received,
		closed,
		send: (payload) => void opened.then(() => ws.send(typeof payload === 'string' ? payload : JSON.stringify(payload))),
		next(match = () => true) {
			const seen = received.slice(cursor).find(match);
			if (seen) {
				cursor = received.indexOf(seen) + 1;
				return Promise.resolve(seen);
			}
			return new Promise((resolve) => waiters.push({ match, resolve }));
		}
	};
}

const isDispatch = (t: string) => (p: Payload) => p.op === 0 && p.t === t;
const identifyPayload = (shard: [number, number], extra: Record<string, unknown> = {}) => ({
	op: 2,
	d: { token: STAND_IN_TOKEN, intents: 1, properties: { os: 'linux', browser: 'raw', device: 'raw' }, shard, ...extra }
});

/** HELLO, IDENTIFY, READY and the shard's GUILD_CREATEs; returns the connection and READY. */
async function identified(g: StandInGateway, shard: number, query?: string) {
	const raw = open(g, query);
	await raw.next((p) => p.op === 10);
	raw.send(identifyPayload([shard, g.totalShards]));
	const ready = await raw.next(isDispatch('READY'));
	const available = g.guilds(shard).filter((guild) => guild.available).length;
	for (let i = 0; i < available; i++) await raw.next(isDispatch('GUILD_CREATE'));
	return { raw, ready };
}

describe('stand-in Discord REST', () => {
	it('GET /gateway/bot gives the gateway URL, the shard count and session limits, with the bot token only', async () => {
		const g = await gateway({ shards: 4, maxConcurrency: 2 });
		const auth = { Authorization: `Bot ${g.token}` };
		const ok = await fetch(`${g.api}/v10/gateway/bot`, { headers: auth });
		expect(ok.status).toBe(200);
		expect(await ok.json()).toEqual({
			url: g.gatewayUrl,
			shards: 4,
			session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 2 }
		});

		for (const headers of [{}, { Authorization: 'Bot wrong' }, { Authorization: g.token }] as Record<string, string>[]) {
			const refused = await fetch(`${g.api}/v10/gateway/bot`, { headers });
			expect(refused.status).toBe(401);
			expect(await refused.json()).toEqual({ message: '401: Unauthorized', code: 0 });
		}
		expect(g.requests).toEqual(Array(4).fill('GET /api/v10/gateway/bot'));
	});

	const routes: [method: string, path: string, status: number, body: Record<string, unknown>][] = [
		['GET', '/v10/gateway', 200, { url: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/) }],
		['GET', '/gateway', 200, { url: expect.stringMatching(/^ws:/) }],
		['GET', '/v10/users/@me', 200, { id: expect.any(String), bot: true }],
		['GET', '/v10/applications/@me', 200, { id: expect.any(String), flags: 0 }],
		['GET', '/v9/oauth2/applications/@me', 200, { id: expect.any(String) }],
		['GET', '/v10/gateway/bot?with=query', 200, { shards: 1 }],
		['GET', '/v10/channels/1/messages', 404, { message: '404: Not Found', code: 0 }],
		['GET', '/nothing', 404, { message: '404: Not Found', code: 0 }],
		['POST', '/v10/gateway/bot', 405, { message: '405: Method Not Allowed', code: 0 }]
	];
	it.each(routes)('%s %s → %i', async (method, path, status, body) => {
		const g = await gateway();
		const res = await fetch(`${g.api}${path}`, { method, headers: { Authorization: `Bot ${g.token}` } });
		expect(res.status).toBe(status);
		expect(res.headers.get('content-type')).toBe('application/json');
		expect(await res.json()).toMatchObject(body);
	});

	it('counts IDENTIFYs down in session_start_limit.remaining', async () => {
		const g = await gateway({ shards: 2 });
		await identified(g, 0);
		await identified(g, 1);
		const res = await fetch(`${g.api}/v10/gateway/bot`, { headers: { Authorization: `Bot ${g.token}` } });
		expect(((await res.json()) as { session_start_limit: { remaining: number } }).session_start_limit.remaining).toBe(998);
	});
});

describe('stand-in Discord gateway', () => {
	it('HELLO, then IDENTIFY → READY listing the shard’s guilds unavailable, then a GUILD_CREATE for each available one', async () => {
		const g = await gateway({ shards: 3, guilds: [2, 3, 1], heartbeatIntervalMs: 250, unavailableGuilds: [0, 1, 0], memberCount: (s, i) => 100 * s + i });
		const raw = open(g);
		expect(await raw.next()).toEqual({ op: 10, d: { heartbeat_interval: 250, _trace: expect.any(Array) } });
		raw.send(identifyPayload([1, 3]));
		const ready = await raw.next(isDispatch('READY'));
		expect(ready.s).toBe(1);
		expect(ready.d).toMatchObject({ v: 10, shard: [1, 3], resume_gateway_url: g.gatewayUrl, user: { bot: true }, application: { id: expect.any(String) } });
		expect(ready.d.session_id).toMatch(/^[0-9a-f]{32}$/);
		const served = g.guilds(1);
		expect(ready.d.guilds).toEqual(served.map((guild) => ({ id: guild.id, unavailable: true })));
		for (const guild of served) expect(shardForGuild(guild.id, 3)).toBe(1);

		const creates = [await raw.next(isDispatch('GUILD_CREATE')), await raw.next(isDispatch('GUILD_CREATE'))];
		expect(creates.map((p) => [p.s, p.d.id, p.d.member_count, p.d.unavailable, Array.isArray(p.d.channels)])).toEqual([
			[2, served[0]!.id, 100, false, true],
			[3, served[1]!.id, 101, false, true]
		]);
		expect(served.map((guild) => guild.available)).toEqual([true, true, false]);
		expect(g.identifies).toEqual([0, 1, 0]);
		expect(g.connected(1)).toBe(true);
		expect(g.connected(0)).toBe(false);
	});

	it('ACKs each heartbeat after the shard’s delay, and never once the delay is Infinity', async () => {
		const g = await gateway({ shards: 2, ackDelayMs: [0, 120] });
		const { raw } = await identified(g, 1);
		const sent = Date.now();
		raw.send({ op: 1, d: 3 });
		await raw.next((p) => p.op === 11);
		expect(Date.now() - sent).toBeGreaterThanOrEqual(115);

		g.setAckDelay(1, Infinity);
		raw.send({ op: 1, d: 3 });
		await expect.poll(() => g.heartbeats[1]).toBe(2);
		g.setAckDelay(1, 0);
		raw.send({ op: 1, d: 3 });
		await raw.next((p) => p.op === 11);
		// The Infinity heartbeat is still unanswered when the later one is: only two ACKs in all.
		expect(raw.received.filter((p) => p.op === 11)).toHaveLength(2);
		expect(() => g.setAckDelay(1, -1)).toThrow(/ms must be ≥ 0, got -1/);
		expect(() => g.setAckDelay(2, 0)).toThrow(/shard must be in 0..1, got 2/);
	});

	const refusals: [what: string, query: string | undefined, send: unknown[], code: number, reason: RegExp, options?: GatewayOptions][] = [
		['wrong token', undefined, [identifyPayload([0, 1], { token: 'nope' })], CLOSE.authenticationFailed, /token/],
		['intents not a number', undefined, [identifyPayload([0, 1], { intents: '1' })], CLOSE.invalidIntents, /intents/],
		['an unknown intent bit', undefined, [identifyPayload([0, 1], { intents: 1 << 30 })], CLOSE.invalidIntents, /intents/],
		['a privileged intent the application lacks', undefined, [identifyPayload([0, 1], { intents: 1 << 15 })], CLOSE.disallowedIntents, /disallowed/, { refusePrivilegedIntents: true }],
		['properties missing', undefined, [identifyPayload([0, 1], { properties: undefined })], CLOSE.decodeError, /properties/],
		['d not an object', undefined, [{ op: 2, d: 'token' }], CLOSE.decodeError, /IDENTIFY d/],
		['a shard count the gateway does not serve', undefined, [identifyPayload([0, 2])], CLOSE.invalidShard, /\[0, 2\].*serves 1/],
		['a shard id past the count', undefined, [identifyPayload([2, 2])], CLOSE.invalidShard, /Invalid shard/, { shards: 2 }],
		['no shard when the bot needs sharding', undefined, [identifyPayload([0, 2], { shard: undefined })], CLOSE.shardingRequired, /Sharding required/, { shards: 2 }],
		['shard not a pair', undefined, [identifyPayload([0, 1], { shard: [0] })], CLOSE.decodeError, /shard must be/],
		['large_threshold out of range', undefined, [identifyPayload([0, 1], { large_threshold: 10 })], CLOSE.decodeError, /large_threshold/],
		['IDENTIFY twice', undefined, [identifyPayload([0, 1]), identifyPayload([0, 1])], CLOSE.alreadyAuthenticated, /Already authenticated/],
		['not JSON', undefined, ['{op:1'], CLOSE.decodeError, /not JSON/],
		['no op', undefined, [{ d: null }], CLOSE.decodeError, /op must be an integer/],
		['an unknown opcode', undefined, [{ op: 42, d: null }], CLOSE.unknownOpcode, /Unknown opcode 42/],
		['a presence update before IDENTIFY', undefined, [{ op: 3, d: {} }], CLOSE.notAuthenticated, /Not authenticated/],
		['a heartbeat with a string seq', undefined, [{ op: 1, d: 'x' }], CLOSE.decodeError, /Heartbeat d/],
		['a payload over 4096 bytes', undefined, [{ op: 1, d: null, pad: 'x'.repeat(4096) }], CLOSE.decodeError, /over 4096 bytes/],
		['RESUME without a session id', undefined, [{ op: 6, d: { token: STAND_IN_TOKEN, seq: 0 } }], CLOSE.decodeError, /session_id/],
		['API version 9', '?v=9&encoding=json', [], CLOSE.invalidApiVersion, /v=9/],
		['ETF encoding', '?v=10&encoding=etf', [], CLOSE.decodeError, /encoding=etf/],
		['zstd-stream compression', '?v=10&encoding=json&compress=zstd-stream', [], CLOSE.decodeError, /compress=zstd-stream/]
	];
	it.each(refusals)('closes on %s', async (_what, query, payloads, code, reason, options) => {
		const g = await gateway(options);
		const raw = open(g, query);
		for (const payload of payloads) raw.send(payload);
		const closed = await raw.closed;
		expect(closed.code).toBe(code);
		expect(closed.reason).toMatch(reason);
		expect(g.identifies.reduce((a, b) => a + b, 0)).toBe(payloads.length === 2 && code === CLOSE.alreadyAuthenticated ? 1 : 0);
	});

	it('a connection closed with 4000 RESUMEs: missed events replayed, then RESUMED; no new IDENTIFY', async () => {
		const g = await gateway({ shards: 2, guilds: 3 });
		const { raw, ready } = await identified(g, 0);
		expect(g.closeShard(0, 4000)).toBe(true);
		expect((await raw.closed).code).toBe(4000);
		expect(g.connected(0)).toBe(false);
		// Happens while the shard is away: Discord queues it for the session.
		const [gone] = g.makeUnavailable(0, 1);

		const again = open(g);
		await again.next((p) => p.op === 10);
		again.send({ op: 6, d: { token: STAND_IN_TOKEN, session_id: ready.d.session_id, seq: 4 } });
		const replayed = await again.next(isDispatch('GUILD_DELETE'));
		expect(replayed).toMatchObject({ s: 5, d: { id: gone, unavailable: true } });
		expect(await again.next(isDispatch('RESUMED'))).toMatchObject({ s: 6 });
		expect(again.received.filter((p) => p.op === 0).map((p) => p.t)).toEqual(['GUILD_DELETE', 'RESUMED']);
		expect([g.identifies, g.resumes, g.refusedResumes]).toEqual([
			[1, 0],
			[1, 0],
			[0, 0]
		]);
		expect(g.connected(0)).toBe(true);
	});

	it('holds RESUMED until released, so a test can watch a client resuming', async () => {
		const g = await gateway();
		const { raw, ready } = await identified(g, 0);
		g.holdResumed(0);
		g.closeShard(0);
		await raw.closed;
		const again = open(g);
		again.send({ op: 6, d: { token: `Bot ${STAND_IN_TOKEN}`, session_id: ready.d.session_id, seq: ready.s } });
		await again.next(isDispatch('GUILD_CREATE')); // the replay goes out at once
		await expect.poll(() => g.resumedHeld(0)).toBe(true);
		again.send({ op: 1, d: 3 });
		await again.next((p) => p.op === 11); // heartbeats are still answered meanwhile
		expect(again.received.some((p) => p.t === 'RESUMED')).toBe(false);
		expect(g.releaseResumed(0)).toBe(true);
		await again.next(isDispatch('RESUMED'));
		expect(g.resumedHeld(0)).toBe(false);
		expect(g.releaseResumed(0)).toBe(false);
	});

	it.each([
		['closed with 4009 (session timed out)', (g: StandInGateway) => g.closeShard(0, CLOSE.sessionTimedOut)],
		['closed with 4007 (invalid seq)', (g: StandInGateway) => g.closeShard(0, CLOSE.invalidSeq)],
		['closed by the client with 1000', (_g: StandInGateway, raw: Raw) => raw.ws.close(1000)]
	])('a session %s cannot be resumed: RESUME gets op 9 false, and IDENTIFY works on that connection', async (_what, end) => {
		const g = await gateway();
		const { raw, ready } = await identified(g, 0);
		end(g, raw);
		await raw.closed;
		const again = open(g);
		again.send({ op: 6, d: { token: STAND_IN_TOKEN, session_id: ready.d.session_id, seq: ready.s } });
		expect(await again.next((p) => p.op === 9)).toEqual({ op: 9, d: false });
		expect(g.refusedResumes).toEqual([1]);
		again.send(identifyPayload([0, 1]));
		const fresh = await again.next(isDispatch('READY'));
		expect(fresh.d.session_id).not.toBe(ready.d.session_id);
		expect([g.identifies, g.resumes]).toEqual([[2], [0]]);
	});

	it('RESUME with a seq past the session’s closes with 4007', async () => {
		const g = await gateway();
		const { raw, ready } = await identified(g, 0);
		g.closeShard(0);
		await raw.closed;
		const again = open(g);
		again.send({ op: 6, d: { token: STAND_IN_TOKEN, session_id: ready.d.session_id, seq: 99 } });
		expect(await again.closed).toMatchObject({ code: CLOSE.invalidSeq, reason: expect.stringMatching(/seq 99 is past 3/) });
	});

	it('op 9 resumable: the client RESUMEs on the same connection; op 9 not resumable: it must IDENTIFY', async () => {
		const g = await gateway();
		const { raw, ready } = await identified(g, 0);
		expect(g.invalidateSession(0, true)).toBe(true);
		expect(await raw.next((p) => p.op === 9)).toEqual({ op: 9, d: true });
		raw.send({ op: 6, d: { token: STAND_IN_TOKEN, session_id: ready.d.session_id, seq: 3 } });
		await raw.next(isDispatch('RESUMED'));
		expect(g.resumes).toEqual([1]);

		expect(g.invalidateSession(0, false)).toBe(true);
		expect(await raw.next((p) => p.op === 9)).toEqual({ op: 9, d: false });
		raw.send({ op: 6, d: { token: STAND_IN_TOKEN, session_id: ready.d.session_id, seq: 3 } });
		expect(await raw.next((p) => p.op === 9)).toEqual({ op: 9, d: false });
		raw.send(identifyPayload([0, 1]));
		await raw.next(isDispatch('READY'));
		expect([g.identifies, g.resumes, g.refusedResumes]).toEqual([[2], [1], [1]]);
	});

	it('op 7 asks the client to reconnect', async () => {
		const g = await gateway();
		const { raw } = await identified(g, 0);
		expect(g.requestReconnect(0)).toBe(true);
		expect(await raw.next((p) => p.op === 7)).toEqual({ op: 7, d: null });
	});

	it('an outage: GUILD_DELETE unavailable for the chosen guilds, GUILD_CREATE for each when restored', async () => {
		const g = await gateway({ shards: 2, guilds: [4, 1], unavailableGuilds: [1, 0] });
		const { raw } = await identified(g, 0);
		const ids = g.guilds(0).map((guild) => guild.id);
		expect(g.makeUnavailable(0, 2)).toEqual(ids.slice(0, 2));
		const deletes = [await raw.next(isDispatch('GUILD_DELETE')), await raw.next(isDispatch('GUILD_DELETE'))];
		expect(deletes.map((p) => p.d)).toEqual(ids.slice(0, 2).map((id) => ({ id, unavailable: true })));
		expect(g.guilds(0).map((guild) => guild.available)).toEqual([false, false, true, false]);
		expect(() => g.makeUnavailable(0, 2)).toThrow(/count must be in 0..1 \(available guilds of shard 0\), got 2/);

		// The one unavailable since READY comes back too.
		expect(g.restore(0)).toEqual([ids[0], ids[1], ids[3]]);
		const creates = [0, 1, 2].map(() => raw.next(isDispatch('GUILD_CREATE')));
		expect((await Promise.all(creates)).map((p) => p.d.id)).toEqual([ids[0], ids[1], ids[3]]);
		expect(g.guilds(0).every((guild) => guild.available)).toBe(true);
	});

	it('compress=zlib-stream: every payload a binary frame of one zlib stream, ending in 00 00 ff ff', async () => {
		const g = await gateway({ guilds: 2 });
		const { raw, ready } = await identified(g, 0, '?v=10&encoding=json&compress=zlib-stream');
		expect(ready.d.shard).toEqual([0, 1]);
		expect(raw.received.map((p) => p.op)).toEqual([10, 0, 0, 0]);
		const frames: Buffer[] = [];
		raw.ws.on('message', (data: Buffer, isBinary) => isBinary && frames.push(data));
		raw.send({ op: 1, d: 3 });
		await raw.next((p) => p.op === 11);
		expect(frames).toHaveLength(1);
		expect([...frames[0]!.subarray(-4)]).toEqual([0, 0, 0xff, 0xff]);
		// Not decodable on its own: it needs the stream's earlier frames (zlib's shared window).
		expect(() => inflateSync(frames[0]!)).toThrow();
	});

	it('IDENTIFY compress: true → every later payload deflated on its own', async () => {
		const g = await gateway();
		const raw = open(g);
		await raw.next((p) => p.op === 10);
		const frames: { binary: boolean; data: Buffer }[] = [];
		raw.ws.on('message', (data: Buffer, isBinary) => frames.push({ binary: isBinary, data }));
		raw.send(identifyPayload([0, 1], { compress: true }));
		await raw.next(isDispatch('GUILD_CREATE'));
		await raw.next(isDispatch('GUILD_CREATE'));
		expect(frames.map((f) => f.binary)).toEqual([true, true, true]);
		expect(frames.map((f) => (JSON.parse(inflateSync(f.data).toString()) as Payload).t)).toEqual(['READY', 'GUILD_CREATE', 'GUILD_CREATE']);
	});

	const badOptions: [options: GatewayOptions, message: RegExp][] = [
		[{ shards: 0 }, /shards must be a positive integer, got 0/],
		[{ shards: 2, guilds: [1] }, /guilds has no entry for shard 1/],
		[{ guilds: -1 }, /guilds must be ≥ 0 for shard 0, got -1/],
		[{ guilds: 1, unavailableGuilds: 2 }, /unavailableGuilds \(2\) exceeds guilds \(1\) for shard 0/],
		[{ heartbeatIntervalMs: 0 }, /heartbeatIntervalMs must be > 0, got 0/]
	];
	it.each(badOptions)('refuses options %j', async (options, message) => {
		await expect(startGateway(options)).rejects.toThrow(message);
	});

	it('control methods refuse a shard the gateway does not serve', async () => {
		const g = await gateway({ shards: 2 });
		for (const call of [() => g.closeShard(2), () => g.guilds(-1), () => g.holdResumed(1.5), () => g.restore(7)]) {
			expect(call).toThrow(RangeError);
		}
		expect(g.closeShard(1)).toBe(false); // served, but not connected
	});
});

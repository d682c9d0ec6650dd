import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
	BOT_SECRET,
	connectBot,
	connectViewer,
	fetchToken,
	heartbeat,
	NO_LIMITS,
	sendHeartbeat,
	startServer,
	type BotSocket,
	type Harness,
	type ViewerSocket
} from '#testing/server/harness';
import { CAP_RETRY_MS } from '../namespaces/viewer.ts';

/*
 * Issue 6, "Bad input", below Socket.io: raw WebSocket frames and raw HTTP long-polling requests
 * that no Socket.io client would send. Each is refused or dropped; after each, the server still
 * answers /healthz, the real viewer still polls, the real bot's heartbeats are still accepted, the
 * fleet is as it was, and nothing was logged as an error.
 */

const VALID_HB = heartbeat(0, [0, 1], 2);

let h: Harness;
let bot: BotSocket;
let viewer: ViewerSocket;
let token: string;
let version: number;
const opened: WebSocket[] = [];

beforeAll(async () => {
	// Limits are raised here (the flood is one IP on purpose); the per-IP cap has a test of its own.
	h = await startServer({ logLevel: 'warn', heartbeatIntervalMs: 600_000, ...NO_LIMITS });
	bot = await connectBot(h.url);
	expect(await sendHeartbeat(bot, VALID_HB)).toMatchObject({ ok: true });
	token = await fetchToken(h.url);
	viewer = await connectViewer(h.url, token);
	await h.server.flush();
	version = h.server.feed.version;
});

afterEach(async () => {
	for (const ws of opened.splice(0)) ws.terminate();
	await expectAlive(h);
	await h.server.flush();
	expect(h.server.feed.version).toBe(version);
	expect(h.server.fleet.size).toBe(1);
});

afterAll(async () => {
	for (const ws of opened.splice(0)) ws.terminate();
	await h?.close();
});

/** /healthz answers, the real viewer polls, the real bot is heard, and no error was logged. */
async function expectAlive(server: Harness, real: { viewer: ViewerSocket; bot: BotSocket } = { viewer, bot }): Promise<void> {
	const health = await fetch(`${server.url}/healthz`);
	expect(health.status).toBe(200);
	expect(await real.viewer.timeout(5_000).emitWithAck('get-cluster-status', {})).toMatchObject({ ok: true });
	expect(await sendHeartbeat(real.bot, VALID_HB)).toMatchObject({ ok: true });
	expect(server.logs.filter((l) => (l.level as number) >= 50).map((l) => l.msg)).toEqual([]);
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw Engine.IO v4 WebSocket: frames in, frames out, nothing interpreted for us. */
class Raw {
	readonly messages: string[] = [];
	closeCode: number | undefined;
	readonly #waiters: (() => void)[] = [];

	private constructor(readonly ws: WebSocket) {
		ws.on('message', (data, binary) => {
			this.messages.push(binary ? `<binary ${(data as Buffer).length}>` : String(data));
			for (const w of this.#waiters.splice(0)) w();
		});
		ws.on('close', (code) => {
			this.closeCode = code;
			for (const w of this.#waiters.splice(0)) w();
		});
		ws.on('error', () => {});
	}

	/** Opens and waits for the Engine.IO open packet (`0{"sid":…}`). */
	static async open(url: string): Promise<Raw> {
		const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
		opened.push(ws);
		const raw = new Raw(ws);
		await raw.next((m) => m.startsWith('0{'));
		return raw;
	}

	get closed(): boolean {
		return this.closeCode !== undefined;
	}

	send(...frames: (string | Buffer)[]): void {
		for (const f of frames) this.ws.send(f);
	}

	/** The first message (from now on or already received) matching `match`. */
	async next(match: (m: string) => boolean, ms = 3_000): Promise<string> {
		const deadline = Date.now() + ms;
		for (;;) {
			const found = this.messages.find(match);
			if (found !== undefined) return found;
			if (this.closed) throw new Error(`closed (${this.closeCode}) while waiting; got ${JSON.stringify(this.messages).slice(0, 300)}`);
			if (Date.now() > deadline) throw new Error(`no matching message; got ${JSON.stringify(this.messages).slice(0, 300)}`);
			await new Promise<void>((r) => {
				this.#waiters.push(r);
				setTimeout(r, 50);
			});
		}
	}

	/** Resolves true once the server closed the connection, false if it is still open after `ms`. */
	async closedWithin(ms = 2_000): Promise<boolean> {
		const deadline = Date.now() + ms;
		while (!this.closed && Date.now() < deadline) await wait(10);
		return this.closed;
	}

	/** Connects to a namespace and returns the server's answer: `40<nsp>,{sid}` or `44<nsp>,{error}`. */
	async join(nsp: string, auth?: unknown): Promise<string> {
		const prefix = nsp === '/' ? '' : `${nsp},`;
		this.send(`40${prefix}${auth === undefined ? '' : JSON.stringify(auth)}`);
		return this.next((m) => m.startsWith(`40${prefix}`) || m.startsWith(`44${prefix}`));
	}
}

/** The error a `44/nsp,{…}` connect refusal carries. */
const refusal = (packet: string) => JSON.parse(packet.slice(packet.indexOf('{'))) as { message: string; data?: { code: string } };

describe('malformed Engine.IO packets', () => {
	it.each<[string, string | Buffer]>([
		['an empty frame', ''],
		['an unknown packet type', '9'],
		['garbage text', 'hello'],
		['a NUL byte', '\u0000'],
		['binary junk', Buffer.from([0xff, 0x00, 0x13, 0x37])],
		['a client ping probe on a plain WebSocket', '2probe'],
		['a message with no Socket.IO packet in it', '4']
	])('drops the connection on %s', async (_, frame) => {
		const raw = await Raw.open(h.url);
		raw.send(frame);
		expect(await raw.closedWithin()).toBe(true);
	});

	it('closes a text frame that is not UTF-8 with 1007', async () => {
		const raw = await Raw.open(h.url);
		raw.ws.send(Buffer.from([0x34, 0x32, 0xed, 0xa0, 0x80, 0xff]), { binary: false });
		expect(await raw.closedWithin()).toBe(true);
		expect(raw.closeCode).toBe(1007);
	});

	it.each([
		['a stray upgrade packet', '5'],
		['a noop', '6']
	])('ignores %s and keeps the connection usable', async (_, frame) => {
		const raw = await Raw.open(h.url);
		raw.send(frame);
		expect(await raw.join('/viewer', { token })).toMatch(/^40\/viewer,\{"sid"/);
		expect(raw.closed).toBe(false);
	});

	it('closes a frame larger than maxHttpBufferSize (1 MB) with 1009 and lives on', async () => {
		const raw = await Raw.open(h.url);
		expect(await raw.join('/bot', { secret: BOT_SECRET })).toMatch(/^40\/bot,/);
		raw.send(`42/bot,1["heartbeat","${'x'.repeat(1_000_001)}"]`);
		expect(await raw.closedWithin(5_000)).toBe(true);
		expect(raw.closeCode).toBe(1009);
	});

	it('refuses a WebSocket upgrade from a foreign Origin, and one on a path that is not /socket.io/', async () => {
		const foreign = new WebSocket(`${h.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin: 'http://evil.test' } });
		opened.push(foreign);
		const status = await new Promise<number | string>((resolve) => {
			foreign.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
			foreign.on('open', () => resolve('open'));
			foreign.on('error', (e) => resolve(e.message));
		});
		expect(status).toBe(400);

		const elsewhere = new WebSocket(`${h.url.replace(/^http/, 'ws')}/api/status`);
		opened.push(elsewhere);
		const outcome = await new Promise<string>((resolve) => {
			elsewhere.on('open', () => resolve('open'));
			elsewhere.on('error', () => resolve('refused'));
			elsewhere.on('unexpected-response', () => resolve('refused'));
		});
		expect(outcome).toBe('refused');
	});
});

describe('malformed Socket.IO packets', () => {
	it.each([
		['bad JSON', '42/viewer,["get-cluster-status",{'],
		['an object instead of an event array', '42/viewer,{"a":1}'],
		['a string instead of an event array', '42/viewer,"get-cluster-status"'],
		['an empty event array', '42/viewer,[]'],
		['a null event name', '42/viewer,[null]'],
		['an object as event name', '42/viewer,[{},1]'],
		['the reserved event "disconnect"', '42/viewer,["disconnect","transport close"]'],
		['the reserved event "connect"', '42/viewer,["connect"]'],
		['the reserved event "newListener"', '42/viewer,["newListener","x"]'],
		['a negative ack id', '42/viewer,-1["get-cluster-status",{}]'],
		['a fractional ack id', '42/viewer,1.5["get-cluster-status",{}]'],
		['an ack whose payload is not an array', '43/viewer,7{"a":1}'],
		['a CONNECT_ERROR packet from the client', '44/viewer,{"message":"x"}'],
		['a DISCONNECT packet with a payload', '41/viewer,{"x":1}'],
		['an unknown Socket.IO packet type', '47/viewer,[1]'],
		['an event for a namespace it never joined', '42/bot,["heartbeat",{}]'],
		['an event for a namespace that does not exist', '42/admin,1["x"]'],
		['a binary event with a placeholder out of range', '451-/viewer,["get-cluster-status",{"_placeholder":true,"num":5}]'],
		['a binary event announcing a billion attachments', '451000000000-/viewer,["get-cluster-status",{"_placeholder":true,"num":0}]'],
		['a binary frame when no binary event is pending', Buffer.from([1, 2, 3])]
	] as [string, string | Buffer][])('drops the connection on %s (the real clients are unaffected)', async (_, frame) => {
		const raw = await Raw.open(h.url);
		expect(await raw.join('/viewer', { token })).toMatch(/^40\/viewer,/);
		raw.send(frame);
		if (typeof frame === 'string' && frame.startsWith('45')) raw.send(Buffer.from([1]));
		expect(await raw.closedWithin()).toBe(true);
	});

	it('refuses the unknown namespace /admin and keeps the connection for real ones', async () => {
		const raw = await Raw.open(h.url);
		expect(refusal(await raw.join('/admin')).message).toBe('Invalid namespace');
		expect(refusal(await raw.join('/admin/../bot')).message).toBe('Invalid namespace');
		expect(await raw.join('/viewer', { token })).toMatch(/^40\/viewer,/);
	});

	it('refuses the default namespace "/", where nothing lives', async () => {
		const raw = await Raw.open(h.url);
		expect(await raw.join('/')).toMatch(/^44\{"message":"unknown namespace/);
		raw.send('421["get-cluster-status",{}]', '422["heartbeat",{}]');
		await wait(300);
		expect(raw.messages.filter((m) => m.startsWith('43'))).toEqual([]);
	});

	it.each<[string, unknown]>([
		['no auth', undefined],
		['an empty auth object', {}],
		['a number as secret', { secret: 123 }],
		['an object with toString as secret', { secret: { toString: 1 } }],
		['__proto__ carrying the secret', JSON.parse(`{"__proto__":{"secret":"${BOT_SECRET}"}}`)],
		['an array as secret', { secret: [BOT_SECRET] }],
		['a huge secret', { secret: 'x'.repeat(200_000) }],
		['a lone surrogate', { secret: `${BOT_SECRET}\ud800` }],
		['an empty secret', { secret: '' }]
	])('refuses /bot with %s: unauthorized at connect', async (_, auth) => {
		const raw = await Raw.open(h.url);
		const answer = await raw.join('/bot', auth);
		expect(answer).toMatch(/^44\/bot,/);
		expect(refusal(answer).data?.code).toBe('unauthorized');
		expect(refusal(answer).message.length).toBeLessThan(300);
		// and a Socket.IO client without auth gets the same
		await expect(connectBot(h.url, {})).rejects.toMatchObject({ data: { code: 'unauthorized' } });
	});

	it.each<[string, unknown]>([
		['no auth', undefined],
		['a junk token', { token: 'a.b.c' }],
		['a token object', { token: { toString: 1 } }],
		['an unsigned token', { token: `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"exp":9999999999}').toString('base64url')}.` }],
		['the bot secret', { token: BOT_SECRET }]
	])('refuses /viewer with %s', async (_, auth) => {
		const raw = await Raw.open(h.url);
		const answer = await raw.join('/viewer', auth);
		expect(answer).toMatch(/^44\/viewer,/);
		expect(refusal(answer).data?.code).toBe('unauthorized');
	});

	it('answers unknown events on /viewer with a refusal or not at all, and answers the next poll', async () => {
		const raw = await Raw.open(h.url);
		await raw.join('/viewer', { token });
		raw.send('42/viewer,1["nope",{"since":1}]', '42/viewer,2["heartbeat",{}]', '42/viewer,3[42,1]', '42/viewer,4["error",1]', '42/viewer,5["__proto__",{}]', '42/viewer,["no-ack"]');
		raw.send('42/viewer,6["get-cluster-status",{}]');
		// the snapshot travels as a binary ack (46), a refusal as a plain one (43)
		expect(await raw.next((m) => /^4[36](\d+-)?\/viewer,6\[/.test(m))).toMatch(/"ok":true/);
		// packets are handled in order: whatever the unknown events got has arrived by now
		for (const answer of raw.messages.filter((m) => /^43\/viewer,[1-5]\[/.test(m))) {
			const [ack] = JSON.parse(answer.slice(answer.indexOf('['))) as [{ ok: boolean; error: { code: string; message: string } }];
			expect(ack).toMatchObject({ ok: false, error: { code: expect.any(String), message: expect.any(String) } });
		}
		expect(raw.closed).toBe(false);
	});

	it('ignores unknown events on /bot, echoes absurd ack ids, and refuses junk heartbeats by ack', async () => {
		const raw = await Raw.open(h.url);
		await raw.join('/bot', { secret: BOT_SECRET });
		raw.send('42/bot,1["nope",1]', '42/bot,2["get-cluster-status",{}]', '42/bot,3["renew-token","x"]', '43/bot,77[1]');
		raw.send('42/bot,99999999999999999999999["heartbeat",{}]');
		expect(await raw.next((m) => m.startsWith('43/bot,1e+23['))).toMatch(/"code":"invalid_payload"/);
		raw.send('42/bot,007["heartbeat",[]]');
		expect(await raw.next((m) => m.startsWith('43/bot,7['))).toMatch(/"code":"invalid_payload"/);
		raw.send(`42/bot,8["heartbeat",${'['.repeat(100_000)}${']'.repeat(100_000)}]`);
		expect(await raw.next((m) => m.startsWith('43/bot,8['))).toMatch(/"code":"invalid_payload"/);
		raw.send('42/bot,9["heartbeat",{"v":1e999}]');
		expect(await raw.next((m) => m.startsWith('43/bot,9['))).toMatch(/"code":"unsupported_version"/);
		raw.send('451-/bot,10["heartbeat",{"_placeholder":true,"num":0}]', Buffer.from([1, 2, 3]));
		expect(await raw.next((m) => m.startsWith('43/bot,10['))).toMatch(/"code":"invalid_payload"/);
		expect(raw.messages.filter((m) => /^43\/bot,[123]\[/.test(m))).toEqual([]);
		expect(raw.closed).toBe(false);
	});
});

describe('raw HTTP long-polling', () => {
	const poll = async (method: string, query: string, body?: string | Buffer) => {
		const res = await fetch(`${h.url}/socket.io/?${query}`, { method, body: body as unknown as BodyInit | undefined });
		return { status: res.status, text: await res.text() };
	};
	const handshake = async () => {
		const { status, text } = await poll('GET', 'EIO=4&transport=polling');
		expect(status).toBe(200);
		return (JSON.parse(text.slice(1)) as { sid: string }).sid;
	};

	it.each([
		['Engine.IO v3', 'GET', 'EIO=3&transport=polling', 'Unsupported protocol version'],
		['an unknown transport', 'GET', 'EIO=4&transport=flashsocket', 'Transport unknown'],
		['an unknown session id', 'GET', 'EIO=4&transport=polling&sid=nope', 'Session ID unknown'],
		['a session id with broken percent-encoding', 'GET', 'EIO=4&transport=polling&sid=%ff%fe', 'Session ID unknown'],
		['a POST without a session', 'POST', 'EIO=4&transport=polling', 'Bad handshake method'],
		['no query at all', 'GET', '', 'Transport unknown']
	])('answers %s with 400 and a reason', async (_, method, query, message) => {
		const { status, text } = await poll(method, query, method === 'POST' ? '40' : undefined);
		expect(status).toBe(400);
		expect(JSON.parse(text)).toMatchObject({ message });
	});

	it.each<[string, string | Buffer]>([
		['garbage packets', '9zz\x1e\x1e'],
		['binary junk', Buffer.from([0xff, 0xfe, 0x00, 0x01])],
		['bad Socket.IO JSON', '42/viewer,["x",{']
	])('closes the session on %s posted to it', async (_, body) => {
		const sid = await handshake();
		await poll('POST', `EIO=4&transport=polling&sid=${sid}`, body);
		await new Promise((r) => setTimeout(r, 50));
		// Either the session is gone already, or its last poll delivers the close packet (1).
		let after = await poll('GET', `EIO=4&transport=polling&sid=${sid}`);
		if (after.status === 200) {
			expect(after.text.split('\x1e')).toContain('1');
			after = await poll('GET', `EIO=4&transport=polling&sid=${sid}`);
		}
		expect(after.status).toBe(400);
		expect(JSON.parse(after.text)).toMatchObject({ message: 'Session ID unknown' });
	});

	it('refuses a body over maxHttpBufferSize with 413, and refuses overlapping GETs', async () => {
		const sid = await handshake();
		expect((await poll('POST', `EIO=4&transport=polling&sid=${sid}`, `4${'x'.repeat(1_000_001)}`)).status).toBe(413);
		const first = poll('GET', `EIO=4&transport=polling&sid=${sid}`);
		await new Promise((r) => setTimeout(r, 50));
		expect((await poll('GET', `EIO=4&transport=polling&sid=${sid}`)).status).toBe(400);
		await first;
	});

	it('refuses a viewer with a junk token over polling too', async () => {
		const sid = await handshake();
		expect((await poll('POST', `EIO=4&transport=polling&sid=${sid}`, '40/viewer,{"token":"x"}')).text).toBe('ok');
		const answer = await poll('GET', `EIO=4&transport=polling&sid=${sid}`);
		expect(answer.text).toMatch(/^44\/viewer,/);
		expect(refusal(answer.text).data?.code).toBe('unauthorized');
	});
});

describe('a flood of connections', () => {
	async function settle(ms = 5_000) {
		// Every dropped connection is cleaned up: only the real bot and viewer remain.
		const deadline = Date.now() + ms;
		for (;;) {
			const health = (await (await fetch(`${h.url}/healthz`)).json()) as { viewers: number; bots: number };
			if ((health.viewers === 1 && health.bots === 1 && h.server.io.engine.clientsCount === 2) || Date.now() > deadline) {
				expect({ viewers: health.viewers, bots: health.bots, engine: h.server.io.engine.clientsCount }).toEqual({ viewers: 1, bots: 1, engine: 2 });
				return;
			}
			await wait(50);
		}
	}

	it('survives 300 quick viewer connects and disconnects (cap raised), and cleans up after them', async () => {
		let accepted = 0;
		for (let batch = 0; batch < 10; batch++) {
			const answers = await Promise.all(
				Array.from({ length: 30 }, async () => {
					const raw = await Raw.open(h.url);
					const answer = await raw.join('/viewer', { token });
					raw.ws.terminate();
					return answer;
				})
			);
			accepted += answers.filter((a) => a.startsWith('40/viewer,')).length;
			opened.splice(0);
		}
		expect(accepted).toBe(300);
		await settle();
	});

	it('survives 300 connections dropped before the handshake ends', async () => {
		for (let batch = 0; batch < 10; batch++) {
			await Promise.all(
				Array.from({ length: 30 }, (_, i) => {
					const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
					ws.on('error', () => {});
					return new Promise<void>((resolve) => {
						// half are cut mid-handshake, half right after it
						if (i % 2) ws.once('upgrade', () => (ws.terminate(), resolve()));
						else ws.once('open', () => (ws.terminate(), resolve()));
						ws.once('close', () => resolve());
					});
				})
			);
		}
		await settle();
	});

	it('refuses viewers beyond the per-IP cap with a clear code, and lets them in again once others leave', async () => {
		const capped = await startServer({ logLevel: 'warn', ...NO_LIMITS, maxViewersPerIp: 5 });
		try {
			const realBot = await connectBot(capped.url);
			expect(await sendHeartbeat(realBot, VALID_HB)).toMatchObject({ ok: true });
			const cappedToken = await fetchToken(capped.url);
			// Concurrent handshakes: slots are claimed atomically, so exactly 5 get in and the rest are refused at connect (44).
			const raws = await Promise.all(Array.from({ length: 12 }, () => Raw.open(capped.url)));
			const answers = await Promise.all(raws.map((r) => r.join('/viewer', { token: cappedToken })));
			await wait(300);
			const kept = raws.filter((r, i) => answers[i]!.startsWith('40/viewer,') && !r.closed && !r.messages.some((m) => m.startsWith('41/viewer')));
			expect(kept.length).toBe(5);
			expect(answers.filter((x) => x.startsWith('44/viewer,'))).toHaveLength(7);
			for (const a of answers.filter((x) => x.startsWith('44/viewer,'))) {
				expect(refusal(a)).toMatchObject({ message: expect.any(String), data: { code: 'rate_limited', retryAfterMs: CAP_RETRY_MS } });
			}
			// With the cap full, one more is refused at connect with a code it can act on.
			const late = await Raw.open(capped.url);
			expect(refusal(await late.join('/viewer', { token: cappedToken }))).toMatchObject({ data: { code: 'rate_limited' } });
			for (const r of [...raws, late]) r.ws.terminate();
			// the cap is released with the connections: a real viewer gets in and polls
			let realViewer: ViewerSocket | undefined;
			const deadline = Date.now() + 5_000;
			while (!realViewer) {
				realViewer = await connectViewer(capped.url, cappedToken).catch(async (err: unknown) => {
					if (Date.now() > deadline) throw err;
					await wait(50);
					return undefined;
				});
			}
			await expectAlive(capped, { viewer: realViewer, bot: realBot });
		} finally {
			await capped.close();
		}
	});
});

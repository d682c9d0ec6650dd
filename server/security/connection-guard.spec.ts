import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { NAMESPACES } from '#shared';
import { BOT_SECRET, connectBot, connectViewer, fetchToken, heartbeat, sendHeartbeat, startServer, TOKEN_SECRET, type Harness, type ViewerSocket } from '#testing/server/harness';
import { ViewerTokens } from '../auth/viewer-token.ts';

/*
 * Connection limits at the HTTP layer, on a real server: slow and silent connections are closed
 * within the header timeout, sockets that are legitimately long-lived are not, and one address
 * holds at most `maxConnectionsPerIp` connections (its TCP peer, or its forwarded address behind
 * a proxy), refused past that with a 429 a client can read.
 */
let h: Harness | undefined;
const open: Socket[] = [];
afterEach(async () => {
	for (const s of open.splice(0)) s.destroy();
	await h?.close();
	h = undefined;
});

const portOf = (url: string) => Number(new URL(url).port);

/** A raw TCP connection to the server, from `localAddress` (any 127.x.y.z is this machine). */
function tcp(url: string, localAddress = '127.0.0.1'): Promise<Socket & { received: () => string; closedAt: Promise<number> }> {
	return new Promise((resolve, reject) => {
		const socket = connect({ port: portOf(url), host: '127.0.0.1', localAddress });
		open.push(socket);
		let text = '';
		socket.setEncoding('utf8');
		socket.on('data', (d: string) => (text += d));
		socket.on('error', () => {});
		const closedAt = new Promise<number>((done) => socket.once('close', () => done(Date.now())));
		socket.once('connect', () => resolve(Object.assign(socket, { received: () => text, closedAt })));
		socket.once('error', reject);
	});
}

/** One keep-alive request on `socket`; resolves with the answer's status line and headers once they arrived. */
async function request(socket: Socket & { received: () => string }, path: string, headers: Record<string, string> = {}): Promise<string> {
	const before = socket.received().length;
	socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
	const deadline = Date.now() + 5_000;
	while (!socket.received().slice(before).includes('\r\n\r\n')) {
		if (Date.now() > deadline || socket.destroyed) break;
		await new Promise((r) => setTimeout(r, 10));
	}
	return socket.received().slice(before);
}

async function refusedAnswer(socket: Socket & { received: () => string; closedAt: Promise<number> }): Promise<string> {
	await socket.closedAt;
	return socket.received();
}

describe('timeouts against slow and silent connections', () => {
	const timeouts = { headersTimeoutMs: 1_000, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 1_000 };

	it('closes a connection that trickles its headers (slowloris) within the header timeout', async () => {
		h = await startServer(timeouts);
		const slow = await tcp(h.url);
		const start = Date.now();
		slow.write('GET /api/status HTTP/1.1\r\nHost: x\r\n');
		const trickle = setInterval(() => !slow.destroyed && slow.write('X-Slow: 1\r\n'), 200);
		const closed = await Promise.race([slow.closedAt, new Promise<number>((r) => setTimeout(() => r(Infinity), 4_000))]);
		clearInterval(trickle);
		// Node's own default is 60 s, checked every 30 s.
		expect(closed - start).toBeLessThan(2_500);
	});

	it('closes a connection that never sends a byte within the header timeout', async () => {
		h = await startServer(timeouts);
		const silent = await tcp(h.url);
		const start = Date.now();
		const closed = await Promise.race([silent.closedAt, new Promise<number>((r) => setTimeout(() => r(Infinity), 4_000))]);
		expect(closed - start).toBeGreaterThanOrEqual(900);
		expect(closed - start).toBeLessThan(2_500);
		expect(h.server.http.listenerCount('request')).toBeGreaterThan(0);
	});

	it('keeps WebSocket bots and viewers and a long-polling viewer connected well past every timeout', async () => {
		h = await startServer(timeouts);
		const bot = await connectBot(h.url);
		const token = await fetchToken(h.url);
		const ws = await connectViewer(h.url, token);
		const polling: ViewerSocket = io(h.url + NAMESPACES.viewer, { auth: { token }, transports: ['polling'], reconnection: false });
		await new Promise<void>((resolve, reject) => {
			polling.once('connect', resolve);
			polling.once('connect_error', reject);
		});
		const dropped: string[] = [];
		bot.on('disconnect', (reason) => dropped.push(`bot: ${reason}`));
		ws.on('disconnect', (reason) => dropped.push(`ws viewer: ${reason}`));
		polling.on('disconnect', (reason) => dropped.push(`polling viewer: ${reason}`));
		await new Promise((r) => setTimeout(r, 3_000));
		expect(dropped).toEqual([]);
		expect((await sendHeartbeat(bot, heartbeat(1, [0, 1], 2))).ok).toBe(true);
		expect((await ws.timeout(3_000).emitWithAck('get-cluster-status', {})).ok).toBe(true);
		expect((await polling.timeout(3_000).emitWithAck('get-cluster-status', {})).ok).toBe(true);
		polling.disconnect();
	});
});

describe('connections per client IP', () => {
	it('refuses the connection past the cap with 429, Retry-After and a reason, counting each address apart', async () => {
		h = await startServer({ maxConnectionsPerIp: 3 });
		const held = await Promise.all([tcp(h.url), tcp(h.url), tcp(h.url)]);
		for (const c of held) expect(await request(c, '/api/status')).toMatch(/^HTTP\/1\.1 200/);
		const fourth = await tcp(h.url);
		const answer = await refusedAnswer(fourth);
		expect(answer).toMatch(/^HTTP\/1\.1 429/);
		expect(answer).toMatch(/Retry-After: 10\r\n/);
		expect(answer).toContain('"code":"too_many_connections"');
		// Another address is not affected, and a closed connection gives its slot back.
		const other = await tcp(h.url, '127.0.0.2');
		expect(await request(other, '/api/status')).toMatch(/^HTTP\/1\.1 200/);
		held[0]!.destroy();
		await held[0]!.closedAt;
		await new Promise((r) => setTimeout(r, 50));
		const again = await tcp(h.url);
		expect(await request(again, '/healthz')).toMatch(/^HTTP\/1\.1 200[\s\S]*"connectionsRefused":1/);
	});

	it('counts viewer WebSockets, and refuses the one past the cap at the upgrade', async () => {
		h = await startServer({ maxConnectionsPerIp: 2 });
		// Minted here rather than fetched: a keep-alive fetch would hold one of the two connections.
		const { token } = await new ViewerTokens(TOKEN_SECRET, 60_000).issue(Date.now());
		await connectViewer(h.url, token);
		await connectViewer(h.url, token);
		await expect(connectViewer(h.url, token)).rejects.toThrow();
	});

	it('stops counting a bot once it has authenticated, so one host can run many clusters', async () => {
		h = await startServer({ maxConnectionsPerIp: 2 });
		const bots = [];
		for (let i = 0; i < 6; i++) bots.push(await connectBot(h.url));
		for (const [i, bot] of bots.entries()) expect((await sendHeartbeat(bot, heartbeat(i, [i], 6))).ok).toBe(true);
		expect(h.server.io.of(NAMESPACES.bot).sockets.size).toBe(6);
	});

	it('lets a whole fleet on one host back in when it reconnects at once: bots refused at the cap retry and get in', async () => {
		h = await startServer({ maxConnectionsPerIp: 3 });
		const bots = Array.from({ length: 100 }, () =>
			io(h!.url + NAMESPACES.bot, { auth: { secret: BOT_SECRET }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 500 })
		);
		try {
			const deadline = Date.now() + 15_000;
			while (bots.some((b) => !b.connected) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
			expect(bots.filter((b) => b.connected)).toHaveLength(100);
			expect((await fetch(`${h.url}/healthz`).then((r) => r.json())).connectionsRefused).toBeGreaterThan(0);
		} finally {
			for (const b of bots) b.disconnect();
		}
	});

	it('behind a proxy, counts each connection against the first X-Forwarded-For hop of its first request', async () => {
		h = await startServer({ maxConnectionsPerIp: 2, trustProxy: true });
		const a1 = await tcp(h.url);
		const a2 = await tcp(h.url);
		expect(await request(a1, '/api/status', { 'X-Forwarded-For': '203.0.113.1' })).toMatch(/^HTTP\/1\.1 200/);
		expect(await request(a2, '/api/status', { 'X-Forwarded-For': '203.0.113.1, 10.0.0.1' })).toMatch(/^HTTP\/1\.1 200/);
		const a3 = await tcp(h.url);
		const refused = await request(a3, '/api/status', { 'X-Forwarded-For': '203.0.113.1' });
		expect(refused).toMatch(/^HTTP\/1\.1 429/);
		expect(refused).toMatch(/Connection: close/i);
		// The proxy's own address is not what counts: another client through it gets in.
		const b = await tcp(h.url);
		expect(await request(b, '/api/status', { 'X-Forwarded-For': '203.0.113.2' })).toMatch(/^HTTP\/1\.1 200/);
	});
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { io } from 'socket.io-client';
import { connectBot, heartbeat, sendHeartbeat, startServer, type Harness } from '#testing/server/harness';

let h: Harness;
beforeEach(async () => {
	h = await startServer({ statusMaxAgeS: 5, tokenTtlMs: 5 * 60_000 });
});
afterEach(() => h.close());

describe('HTTP API', () => {
	it('GET /healthz answers ok with counts', async () => {
		await connectBot(h.url);
		const res = await fetch(`${h.url}/healthz`);
		expect(res.status).toBe(200);
		expect(await res.json()).toMatchObject({ status: 'ok', clusters: 0, bots: 1, viewers: 0 });
	});

	it('GET /healthz uptime is a duration on the monotonic clock: a step of the wall clock does not move it', async () => {
		const day = 86_400_000;
		const wall = Date.now();
		const spy = vi.spyOn(Date, 'now').mockReturnValue(wall + day);
		try {
			const health = await (await fetch(`${h.url}/healthz`)).json();
			expect(health.uptimeS).toBeGreaterThanOrEqual(0);
			expect(health.uptimeS).toBeLessThan(60);
		} finally {
			spy.mockRestore();
		}
	});

	it('GET /api/status returns the same snapshot as get-cluster-status, cacheable for a few seconds', async () => {
		const bot = await connectBot(h.url);
		await sendHeartbeat(bot, heartbeat(2, [0, 1], 2));
		await h.server.flush();
		const res = await fetch(`${h.url}/api/status`);
		expect(res.headers.get('cache-control')).toBe('public, max-age=5');
		const body = await res.json();
		expect({ ...body, generatedAt: 0 }).toEqual({ ...h.server.snapshot(), version: h.server.feed.version, generatedAt: 0 });
		expect(body.clusters[0]).toMatchObject({ id: 2, lifecycle: 'running', shardIds: [0, 1] });
	});

	it('POST /api/token issues a token that expires in 5 minutes', async () => {
		const before = Date.now();
		const res = await fetch(`${h.url}/api/token`, { method: 'POST' });
		expect(res.status).toBe(200);
		expect(res.headers.get('cache-control')).toBe('no-store');
		const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: number };
		expect(token.split('.')).toHaveLength(3);
		expect(expiresAt).toBeGreaterThan(before + 5 * 60_000 - 2_000);
		expect(expiresAt).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
	});

	it("POST /api/token carries the operator's latency bands (SHARDBEAT_LATENCY_BANDS) to the page", async () => {
		const defaults = (await (await fetch(`${h.url}/api/token`, { method: 'POST' })).json()) as { latencyBands: unknown };
		expect(defaults.latencyBands).toEqual([200, 400]);
		const custom = await startServer({ latencyBands: [120, 900] });
		try {
			const body = (await (await fetch(`${custom.url}/api/token`, { method: 'POST' })).json()) as { latencyBands: unknown };
			expect(body.latencyBands).toEqual([120, 900]);
		} finally {
			await custom.close();
		}
	});

	it('grants CORS only to configured page origins', async () => {
		const ok = await fetch(`${h.url}/api/token`, { method: 'POST', headers: { origin: 'http://page.test' } });
		expect(ok.status).toBe(200);
		expect(ok.headers.get('access-control-allow-origin')).toBe('http://page.test');

		const preflight = await fetch(`${h.url}/api/token`, { method: 'OPTIONS', headers: { origin: 'http://page.test' } });
		expect(preflight.status).toBe(204);
		expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

		const foreign = await fetch(`${h.url}/api/token`, { method: 'POST', headers: { origin: 'http://evil.test' } });
		expect(foreign.status).toBe(403);
		expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
		expect(await foreign.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
	});

	it('refuses Socket.io connections from a foreign page origin', async () => {
		const socket = io(`${h.url}/viewer`, { transports: ['polling'], extraHeaders: { origin: 'http://evil.test' }, reconnection: false });
		const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
		socket.close();
		expect(error.message).toMatch(/xhr poll error|Forbidden|403/i);
	});

	it('refuses a WebSocket upgrade from a foreign page origin, and accepts the configured one', async () => {
		const token = await (await fetch(`${h.url}/api/token`, { method: 'POST' })).json() as { token: string };
		const open = (origin: string) => io(`${h.url}/viewer`, { transports: ['websocket'], extraHeaders: { origin }, auth: { token: token.token }, reconnection: false });
		const foreign = open('http://evil.test');
		const error = await new Promise<Error>((resolve) => foreign.once('connect_error', resolve));
		foreign.close();
		expect(error.message).toMatch(/websocket error/i);
		expect(h.server.io.of('/viewer').sockets.size).toBe(0);

		const page = open('http://page.test');
		await new Promise<void>((resolve, reject) => {
			page.once('connect', resolve);
			page.once('connect_error', reject);
		});
		expect(h.server.io.of('/viewer').sockets.size).toBe(1);
		page.close();
	});

	it.each([
		['GET', '/api/token', 405],
		['DELETE', '/api/status', 405],
		['GET', '/nope', 404],
		['GET', '/api/status/../../etc/passwd', 404]
	])('%s %s → %i with a JSON error', async (method, path, status) => {
		const res = await fetch(`${h.url}${path}`, { method });
		expect(res.status).toBe(status);
		expect(await res.json()).toHaveProperty('error.code');
	});
});

describe('requests that are not even well-formed', () => {
	it('answers a path that is not a URL with 400, not 500', async () => {
		const { connect } = await import('node:net');
		const port = Number(new URL(h.url).port);
		const answer = await new Promise<string>((resolve, reject) => {
			const socket = connect(port, '127.0.0.1', () => socket.write('GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
			let text = '';
			socket.on('data', (d) => (text += d.toString()));
			socket.on('end', () => resolve(text));
			socket.on('error', reject);
		});
		expect(answer).toMatch(/^HTTP\/1\.1 400/);
		expect(answer).toContain('invalid_url');
		expect(h.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
	});

	it('refuses sockets on the main namespace, where nothing lives', async () => {
		const socket = io(h.url, { transports: ['websocket'], reconnection: false });
		const error = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
		socket.disconnect();
		expect(error.message).toMatch(/unknown namespace/);
	});
});

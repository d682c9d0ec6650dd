import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_SECRET, eventually, startServer, type Harness } from '../../../testing/server/harness.ts';
import { createReporter, type ClusterReport, type ReporterLogger, type ShardbeatReporter } from './index.ts';

let servers: Harness[] = [];
let reporters: ShardbeatReporter[] = [];
afterEach(async () => {
	for (const r of reporters) r.stop();
	for (const s of servers) await s.close();
	servers = [];
	reporters = [];
});

async function server(port = 0) {
	const h = await startServer({}, port);
	servers.push(h);
	return h;
}

function collectingLogger() {
	const lines: string[] = [];
	const logger: ReporterLogger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
	return { lines, logger };
}

function report(guilds: number): ClusterReport {
	return {
		clusterId: 4,
		totalShards: 2,
		shardIds: [0, 1],
		shards: [
			{ id: 0, state: 'ready', ping: 50, guilds },
			{ id: 1, state: 'ready', ping: 60, guilds: 0 }
		],
		guilds,
		members: guilds * 10,
		uptimeMs: 1_000
	};
}

describe('reporter', () => {
	it('reports its cluster as soon as it connects', async () => {
		const h = await server();
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source: () => report(7), logger: collectingLogger().logger });
		reporters.push(r);
		await eventually(() => h.server.fleet.get(4) !== undefined);
		expect(h.server.fleet.get(4)).toMatchObject({ lifecycle: 'running', guilds: 7, shardIds: [0, 1] });
	});

	it('reconnects after the server restarts and sends the current state, not a stale buffer', async () => {
		let guilds = 1;
		const first = await server();
		const port = Number(new URL(first.url).port);
		const r = createReporter({
			url: first.url,
			secret: BOT_SECRET,
			source: () => report(guilds),
			intervalMs: 20,
			reconnectDelayMs: 50,
			reconnectDelayMaxMs: 200,
			logger: collectingLogger().logger
		});
		reporters.push(r);
		await eventually(() => first.server.fleet.get(4)?.guilds === 1);

		await first.close();
		servers = [];
		await eventually(() => !r.connected);
		// While the server is down, many intervals pass and the state moves on.
		guilds = 2;
		await new Promise((resolve) => setTimeout(resolve, 150));
		guilds = 3;

		const second = await server(port);
		const seen: number[] = [];
		second.server.io.of('/bot').on('connection', (socket) => socket.on('heartbeat', (hb: { guilds: number }) => seen.push(hb.guilds)));
		await eventually(() => r.connected && seen.length > 0, 10_000);
		// The first heartbeat after the restart carries the state at that moment.
		expect(seen[0]).toBe(3);
		expect(second.server.fleet.get(4)?.guilds).toBe(3);
	});

	it('logs a refused handshake clearly and does not crash', async () => {
		const h = await server();
		const { lines, logger } = collectingLogger();
		const r = createReporter({ url: h.url, secret: 'wrong-secret', source: () => report(1), logger });
		reporters.push(r);
		await eventually(() => lines.some((l) => l.startsWith('error')));
		expect(lines.find((l) => l.startsWith('error'))).toMatch(/Wrong bot secret.*SHARDBEAT_BOT_SECRET/);
		expect(h.server.fleet.size).toBe(0);
	});

	it('logs a refused heartbeat once per reason, with the field', async () => {
		const h = await server();
		const { lines, logger } = collectingLogger();
		const bad = { ...report(1), clusterId: -1 };
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source: () => bad, intervalMs: 20, logger });
		reporters.push(r);
		await eventually(() => lines.some((l) => l.startsWith('warn')));
		await new Promise((resolve) => setTimeout(resolve, 100));
		const warnings = lines.filter((l) => l.includes('heartbeat refused'));
		expect(warnings).toHaveLength(1);
		expect(warnings[0]).toContain('clusterId');
	});

	it('an async source: its report is sent when it resolves; a rejection is logged and sends nothing', async () => {
		const h = await server();
		const { lines, logger } = collectingLogger();
		let fail = false;
		const r = createReporter({
			url: h.url,
			secret: BOT_SECRET,
			source: async () => {
				await new Promise((resolve) => setTimeout(resolve, 5));
				if (fail) throw new Error('manager gone');
				return report(3);
			},
			logger
		});
		reporters.push(r);
		await eventually(() => r.connected);
		expect(await r.sendNow()).toMatchObject({ ok: true });
		fail = true;
		expect(await r.sendNow()).toMatchObject({ ok: false, error: { code: 'internal', message: expect.stringContaining('manager gone') } });
		expect(lines.some((l) => l.startsWith('error') && l.includes('manager gone'))).toBe(true);
	});

	it('asks for an ack until the server says it answers only problems, then sends heartbeats without one', async () => {
		const h = await server();
		const acked: boolean[] = [];
		h.server.io.of('/bot').on('connection', (socket) => socket.on('heartbeat', (...args: unknown[]) => acked.push(typeof args.at(-1) === 'function')));
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source: () => report(1), intervalMs: 20, logger: collectingLogger().logger });
		reporters.push(r);
		await eventually(() => acked.length >= 6);
		expect(acked[0]).toBe(true);
		expect(acked.slice(2)).not.toContain(true);
		expect(h.server.fleet.get(4)?.guilds).toBe(1);
		// sendNow() still gets the server's answer.
		expect(await r.sendNow()).toMatchObject({ ok: true, receivedAt: expect.any(Number) });
	});

	it('keeps asking an older server (acks without answersOnlyProblems) for an ack every time', async () => {
		// An older Shardbeat server: real socket.io on loopback, every heartbeat acked, no push.
		const http = createServer();
		const old = new Server(http);
		const acked: boolean[] = [];
		old.of('/bot').on('connection', (socket) =>
			socket.on('heartbeat', (...args: unknown[]) => {
				const ack = args.at(-1);
				acked.push(typeof ack === 'function');
				if (typeof ack === 'function') ack({ ok: true, receivedAt: Date.now(), conflicts: [] });
			})
		);
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		try {
			const { port } = http.address() as AddressInfo;
			const r = createReporter({ url: `http://127.0.0.1:${port}`, secret: BOT_SECRET, source: () => report(1), intervalMs: 20, logger: collectingLogger().logger });
			reporters.push(r);
			await eventually(() => acked.length >= 6);
			expect(acked.every(Boolean)).toBe(true);
		} finally {
			for (const r of reporters) r.stop();
			reporters = [];
			await new Promise((resolve) => old.close(resolve));
		}
	});

	it('ignores pushed answers of an unknown shape, logging them, without throwing inside the bot', async () => {
		const http = createServer();
		const odd = new Server(http);
		const junk: unknown[] = [null, 'text', 42, { ok: false }, { ok: false, error: null }, { ok: true }, { ok: true, conflicts: 'x' }];
		odd.of('/bot').on('connection', (socket) =>
			socket.on('heartbeat', (...args: unknown[]) => {
				const ack = args.at(-1);
				if (typeof ack === 'function') ack({ ok: true, receivedAt: 1, conflicts: [], answersOnlyProblems: true });
				for (const j of junk) socket.emit('heartbeat-result', j);
			})
		);
		await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
		const { lines, logger } = collectingLogger();
		try {
			const { port } = http.address() as AddressInfo;
			const r = createReporter({ url: `http://127.0.0.1:${port}`, secret: BOT_SECRET, source: () => report(1), intervalMs: 20, logger });
			reporters.push(r);
			await eventually(() => lines.filter((l) => l.includes('unknown shape')).length >= junk.length);
			expect(r.connected).toBe(true);
		} finally {
			for (const r of reporters) r.stop();
			reporters = [];
			await new Promise((resolve) => odd.close(resolve));
		}
	});

	it('once quiet, learns of a refusal by push, logs it once, and asks for acks again until one is accepted', async () => {
		const h = await server();
		const { lines, logger } = collectingLogger();
		const acked: boolean[] = [];
		h.server.io.of('/bot').on('connection', (socket) => socket.on('heartbeat', (...args: unknown[]) => acked.push(typeof args.at(-1) === 'function')));
		let bad = false;
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source: () => (bad ? { ...report(1), clusterId: -1 } : report(1)), intervalMs: 20, logger });
		reporters.push(r);
		await eventually(() => acked.length >= 3 && acked.at(-1) === false);
		bad = true;
		await eventually(() => lines.some((l) => l.includes('heartbeat refused')));
		const from = acked.length;
		await eventually(() => acked.length >= from + 3);
		// Refused: acks again (so the next accepted one is noticed), and the reason is logged once.
		expect(acked.slice(from + 1)).not.toContain(false);
		expect(lines.filter((l) => l.includes('heartbeat refused'))).toEqual([expect.stringContaining('clusterId')]);
		bad = false;
		await eventually(() => acked.at(-1) === false && acked.at(-2) === false);
	});

	it('logs shard conflicts whether acked or pushed by the server once quiet', async () => {
		const h = await server();
		const { lines, logger } = collectingLogger();
		const a = createReporter({ url: h.url, secret: BOT_SECRET, source: () => ({ ...report(1), clusterId: 1 }), intervalMs: 20, logger: collectingLogger().logger });
		reporters.push(a);
		await eventually(() => h.server.fleet.get(1) !== undefined);
		const b = createReporter({ url: h.url, secret: BOT_SECRET, source: () => report(1), intervalMs: 20, logger });
		reporters.push(b);
		await eventually(() => lines.filter((l) => l.includes('also claimed by another cluster')).length >= 3);
		expect(lines.find((l) => l.includes('also claimed'))).toContain('"shardId":0');
	});

	it('stopping the reporter stops the cluster at once', async () => {
		const h = await server();
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source: () => report(1), logger: collectingLogger().logger });
		await eventually(() => h.server.fleet.get(4)?.lifecycle === 'running');
		r.stop();
		await eventually(() => h.server.fleet.get(4)?.lifecycle === 'stopped');
	});
});

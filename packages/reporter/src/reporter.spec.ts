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

	it('stopping the reporter stops the cluster at once', async () => {
		const h = await server();
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source: () => report(1), logger: collectingLogger().logger });
		await eventually(() => h.server.fleet.get(4)?.lifecycle === 'running');
		r.stop();
		await eventually(() => h.server.fleet.get(4)?.lifecycle === 'stopped');
	});
});

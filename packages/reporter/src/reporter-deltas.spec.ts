import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT_SECRET, eventually, startServer, type Harness } from '../../../testing/server/harness.ts';
import { FULL_HEARTBEAT_EVERY } from './protocol.ts';
import { createReporter, type ClusterReport, type ReporterLogger, type ShardbeatReporter } from './index.ts';

let servers: Harness[] = [];
let reporters: ShardbeatReporter[] = [];
let standIns: Server[] = [];
afterEach(async () => {
	for (const r of reporters) r.stop();
	for (const s of servers) await s.close();
	for (const s of standIns) await new Promise((resolve) => s.close(resolve));
	servers = [];
	reporters = [];
	standIns = [];
});

const quiet: ReporterLogger = { info() {}, warn() {}, error() {} };
const SHARDS = [0, 1, 2, 3];

/** Cluster 4 of a bot whose shard pings move one shard at a time, as gateway heartbeats do. */
function changingSource() {
	let tick = 0;
	const source = (): ClusterReport => {
		tick++;
		return {
			clusterId: 4,
			totalShards: 4,
			shardIds: SHARDS,
			shards: SHARDS.map((id) => ({ id, state: 'ready' as const, ping: 40 + id + (tick >> 2 === id ? tick : 0), guilds: 10 + id, unavailableGuilds: 0 })),
			guilds: 46,
			members: 460,
			uptimeMs: tick * 20
		};
	};
	return { source };
}

/** What kind of heartbeat each payload was: unnumbered, numbered full, or a delta with how many shards. */
type Sent = { kind: 'plain' } | { kind: 'full'; seq: number } | { kind: 'delta'; seq: number; base: number; shards: number };
function kindOf(payload: Record<string, unknown>): Sent {
	if ('base' in payload) return { kind: 'delta', seq: payload.seq as number, base: payload.base as number, shards: (payload.shards as unknown[]).length };
	if ('seq' in payload) return { kind: 'full', seq: payload.seq as number };
	return { kind: 'plain' };
}
function recordOn(h: Harness): Sent[] {
	const seen: Sent[] = [];
	h.server.io.of('/bot').on('connection', (socket) => socket.on('heartbeat', (payload: Record<string, unknown>) => seen.push(kindOf(payload))));
	return seen;
}

/** A stand-in Shardbeat server (real socket.io on loopback) whose answers the test writes. */
async function standIn(answer: (payload: Record<string, unknown>, ack: ((a: unknown) => void) | undefined, push: (a: unknown) => void) => void) {
	const http = createServer();
	const io = new Server(http);
	standIns.push(io);
	io.of('/bot').on('connection', (socket) =>
		socket.on('heartbeat', (...args: unknown[]) => {
			const ack = args.at(-1);
			answer(args[0] as Record<string, unknown>, typeof ack === 'function' ? (ack as (a: unknown) => void) : undefined, (a) => socket.emit('heartbeat-result', a));
		})
	);
	await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
	return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

describe('reporter heartbeat deltas', () => {
	it('sends the first heartbeat plain, then numbered ones, deltas of only the changed shards, and a full one every FULL_HEARTBEAT_EVERY', async () => {
		const h = await startServer();
		servers.push(h);
		const seen = recordOn(h);
		const { source } = changingSource();
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source, intervalMs: 10, logger: quiet });
		reporters.push(r);
		await eventually(() => seen.length >= 2 + 2 * FULL_HEARTBEAT_EVERY);
		expect(seen[0]).toEqual({ kind: 'plain' });
		expect(seen[1]).toEqual({ kind: 'full', seq: 1 });
		const numbered = seen.slice(1) as Exclude<Sent, { kind: 'plain' }>[];
		numbered.forEach((s, i) => {
			expect(s.seq).toBe(i + 1);
			// Every FULL_HEARTBEAT_EVERY-th numbered heartbeat is full, the rest are deltas on the one before.
			expect(s.kind).toBe(i % FULL_HEARTBEAT_EVERY === 0 ? 'full' : 'delta');
			if (s.kind === 'delta') {
				expect(s.base).toBe(s.seq - 1);
				// The source moves one shard's ping at a time: at most the one that stopped moving and the one that started.
				expect(s.shards).toBeLessThanOrEqual(2);
			}
		});
		expect(numbered.some((s) => s.kind === 'delta' && s.shards === 0)).toBe(true);
		expect(numbered.some((s) => s.kind === 'delta' && s.shards > 0)).toBe(true);
		expect(h.logs.filter((l) => String(l.msg).includes('refused'))).toEqual([]);
	});

	it('the server holds exactly what the source says, after deltas', async () => {
		const h = await startServer();
		servers.push(h);
		const seen = recordOn(h);
		let latest: ClusterReport | undefined;
		const { source } = changingSource();
		let frozen = false;
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source: () => (frozen && latest ? latest : (latest = source())), intervalMs: 10, logger: quiet });
		reporters.push(r);
		await eventually(() => seen.filter((s) => s.kind === 'delta' && s.shards === 1).length >= 3);
		frozen = true;
		// A heartbeat acked once everything sent before it was applied (one connection keeps order).
		await eventually(async () => (await r.sendNow()).ok);
		const held = h.server.fleet.get(4)!;
		expect(held.shards.map((s) => ({ id: s.id, ping: s.ping, guilds: s.guilds }))).toEqual(latest!.shards.map((s) => ({ id: s.id, ping: s.ping, guilds: s.guilds })));
		expect(held.guilds).toBe(latest!.guilds);
	});

	it('sends no numbers and no deltas to an older server (acks without acceptsDeltas)', async () => {
		const seen: Sent[] = [];
		const url = await standIn((payload, ack) => {
			seen.push(kindOf(payload));
			ack?.({ ok: true, receivedAt: Date.now(), conflicts: [], answersOnlyProblems: true });
		});
		const { source } = changingSource();
		const r = createReporter({ url, secret: BOT_SECRET, source, intervalMs: 10, logger: quiet });
		reporters.push(r);
		await eventually(() => seen.length >= 2 * FULL_HEARTBEAT_EVERY);
		expect(seen.every((s) => s.kind === 'plain')).toBe(true);
	});

	it('answers a refused delta (unknown_base, as after a failover) with a full heartbeat, logged as info, then deltas again', async () => {
		const seen: Sent[] = [];
		let refuseNextDelta = false;
		const url = await standIn((payload, ack, push) => {
			const sent = kindOf(payload);
			seen.push(sent);
			if (sent.kind === 'delta' && refuseNextDelta) {
				refuseNextDelta = false;
				return push({ ok: false, error: { code: 'unknown_base', message: `heartbeat delta on base ${sent.base}, but this server holds none; send a full heartbeat` } });
			}
			ack?.({ ok: true, receivedAt: Date.now(), conflicts: [], answersOnlyProblems: true, acceptsDeltas: true });
		});
		const lines: string[] = [];
		const logger: ReporterLogger = { info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${m}`) };
		const { source } = changingSource();
		const r = createReporter({ url, secret: BOT_SECRET, source, intervalMs: 10, logger });
		reporters.push(r);
		await eventually(() => seen.filter((s) => s.kind === 'delta').length >= 2);
		const from = seen.length;
		refuseNextDelta = true;
		await eventually(() => seen.length >= from + 6);
		const after = seen.slice(from);
		const refusedAt = after.findIndex((s) => s.kind === 'delta');
		// Heartbeats already on their way may be deltas too; the first sent after the refusal arrived is full.
		const fullAt = after.findIndex((s, i) => i > refusedAt && s.kind === 'full');
		expect(fullAt).toBeGreaterThan(refusedAt);
		expect(after.slice(refusedAt + 1, fullAt).every((s) => s.kind === 'delta')).toBe(true);
		await eventually(() => seen.slice(from + fullAt).some((s) => s.kind === 'delta'));
		expect(lines.filter((l) => l.includes('send a full heartbeat'))).toEqual([expect.stringMatching(/^info /)]);
		expect(lines.filter((l) => l.startsWith('warn'))).toEqual([]);
	});

	it('after a refused heartbeat of another kind, sends full again', async () => {
		const h = await startServer();
		servers.push(h);
		const seen = recordOn(h);
		const { source } = changingSource();
		let bad = false;
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source: () => (bad ? { ...source(), members: -1 } : source()), intervalMs: 10, logger: quiet });
		reporters.push(r);
		await eventually(() => seen.filter((s) => s.kind === 'delta').length >= 2);
		bad = true;
		await eventually(() => h.logs.some((l) => String(l.msg).includes('refused')));
		bad = false;
		const from = seen.length;
		await eventually(() => seen.slice(from).filter((s) => s.kind === 'delta').length >= 2);
		// The server refused one (and the deltas on it); what follows the refusal starts full.
		expect(seen.slice(from).find((s) => s.kind !== 'delta')?.kind).toBe('full');
		expect(h.server.fleet.get(4)?.members).toBe(460);
	});

	it('starts plain again on a new connection, then full, then deltas', async () => {
		const h = await startServer();
		servers.push(h);
		const seen = recordOn(h);
		const { source } = changingSource();
		const r = createReporter({ url: h.url, secret: BOT_SECRET, source, intervalMs: 10, reconnectDelayMs: 20, reconnectJitter: 0, logger: quiet });
		reporters.push(r);
		await eventually(() => seen.filter((s) => s.kind === 'delta').length >= 2);
		for (const socket of h.server.io.of('/bot').sockets.values()) socket.disconnect(true);
		const from = seen.length;
		await eventually(() => seen.slice(from).filter((s) => s.kind === 'delta').length >= 1);
		const again = seen.slice(from).findIndex((s) => s.kind === 'plain');
		expect(again).toBeGreaterThanOrEqual(0);
		expect(seen.slice(from + again, from + again + 3).map((s) => s.kind)).toEqual(['plain', 'full', 'delta']);
		expect(seen[from + again + 1]).toEqual({ kind: 'full', seq: 1 });
	});
});

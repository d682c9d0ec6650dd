import { EventEmitter } from 'node:events';
import { WebSocketShardStatus, type WebSocketManager } from '@discordjs/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { parseHeartbeat } from '../../../server/protocol/heartbeat-schema.ts';
import { BOT_SECRET, eventually, startServer, type Harness } from '../../../testing/server/harness.ts';
import { reportWebSocketManager, type ShardbeatReporter } from './index.ts';
import type { ClusterReport } from './reporter.ts';
import { webSocketManagerSource, type WebSocketManagerLike } from './ws-source.ts';

/** A manager in @discordjs/ws's shape: statuses in a Map, events with the shard id in the payload (v1) or after it (v2). */
class FakeManager extends EventEmitter implements WebSocketManagerLike {
	statuses = new Map<number, number>();
	constructor(
		readonly shardIds: number[],
		readonly shardCount: number
	) {
		super();
	}
	async fetchStatus() {
		return new Map(this.statuses);
	}
	async getShardIds() {
		return this.shardIds;
	}
	async getShardCount() {
		return this.shardCount;
	}
}

async function read(manager: WebSocketManagerLike, source = webSocketManagerSource(manager, { uptimeMs: () => 99 })): Promise<ClusterReport> {
	const report = await source();
	const parsed = parseHeartbeat({ v: 1, ...report });
	expect(parsed, parsed.ok ? '' : parsed.error.message).toMatchObject({ ok: true });
	return report;
}

describe('compile-time: a real @discordjs/ws WebSocketManager is a WebSocketManagerLike', () => {
	it('assigns without a cast', () => {
		const like = (manager: WebSocketManager): WebSocketManagerLike => manager;
		expect(typeof like).toBe('function');
	});
});

describe('webSocketManagerSource reads an @discordjs/ws WebSocketManager', () => {
	it('states by @discordjs/ws numbers (3 is Ready here, Idle in discord.js), pings from heartbeat events, guilds from dispatches', async () => {
		const manager = new FakeManager([2, 3, 4, 5], 8);
		const source = webSocketManagerSource(manager, { uptimeMs: () => 99, clusterId: 1 });
		manager.statuses = new Map([
			[2, WebSocketShardStatus.Ready],
			[3, WebSocketShardStatus.Resuming],
			[4, WebSocketShardStatus.Connecting],
			[5, WebSocketShardStatus.Idle]
		]);
		// v1: the shard id inside the payload; v2: after it.
		manager.emit('heartbeat', { ackAt: 2, heartbeatAt: 1, latency: 44.4, shardId: 2 });
		manager.emit('heartbeat', { ackAt: 2, heartbeatAt: 1, latency: 70 }, 3);
		manager.emit('dispatch', { data: { t: 'GUILD_CREATE', d: { id: 'a', member_count: 10 } }, shardId: 2 });
		manager.emit('dispatch', { data: { t: 'GUILD_CREATE', d: { id: 'b', member_count: 5 } } }, 2);
		manager.emit('dispatch', { data: { t: 'GUILD_CREATE', d: { id: 'c', member_count: 1 } }, shardId: 3 });
		manager.emit('dispatch', { data: { t: 'GUILD_CREATE', d: { id: 'x', member_count: 1000 } }, shardId: 7 }); // not this cluster's
		manager.emit('dispatch', { data: { t: 'MESSAGE_CREATE', d: { id: 'm' } }, shardId: 2 });
		expect(await read(manager, source)).toEqual({
			clusterId: 1,
			totalShards: 8,
			shardIds: [2, 3, 4, 5],
			shards: [
				{ id: 2, state: 'ready', ping: 44, guilds: 2, unavailableGuilds: 0 },
				{ id: 3, state: 'resuming', ping: 70, guilds: 1, unavailableGuilds: 0 },
				{ id: 4, state: 'connecting', guilds: 0, unavailableGuilds: 0 },
				{ id: 5, state: 'idle', guilds: 0, unavailableGuilds: 0 }
			],
			guilds: 3,
			members: 16,
			uptimeMs: 99
		});

		// An outage keeps the guild, unavailable; leaving it removes it; a closed shard has no ping.
		manager.emit('dispatch', { data: { t: 'GUILD_DELETE', d: { id: 'a', unavailable: true } }, shardId: 2 });
		manager.emit('dispatch', { data: { t: 'GUILD_DELETE', d: { id: 'b' } }, shardId: 2 });
		manager.emit('closed', { code: 1000, shardId: 3 });
		manager.statuses.set(3, WebSocketShardStatus.Idle);
		const after = await read(manager, source);
		expect(after.shards.slice(0, 2)).toEqual([
			{ id: 2, state: 'ready', ping: 44, guilds: 1, unavailableGuilds: 1 },
			{ id: 3, state: 'idle', guilds: 1, unavailableGuilds: 0 }
		]);
		expect(after).toMatchObject({ guilds: 2, members: 11 });
	});

	it('an unknown status number is reported disconnected', async () => {
		const manager = new FakeManager([0], 1);
		manager.statuses.set(0, 42);
		expect((await read(manager)).shards).toEqual([{ id: 0, state: 'disconnected', guilds: 0, unavailableGuilds: 0 }]);
	});

	describe('unavailable guilds, from the dispatches', () => {
		type Dispatch = [shardId: number, t: string, d: Record<string, unknown>];
		const ready = (shardId: number, ...ids: string[]): Dispatch => [shardId, 'READY', { session_id: 's', guilds: ids.map((id) => ({ id, unavailable: true })) }];
		const create = (shardId: number, id: string, members = 10): Dispatch => [shardId, 'GUILD_CREATE', { id, member_count: members, unavailable: false }];
		const outage = (shardId: number, id: string): Dispatch => [shardId, 'GUILD_DELETE', { id, unavailable: true }];
		const cases: { name: string; events: Dispatch[]; expected: Record<number, [guilds: number, unavailable: number]>; members: number }[] = [
			{ name: "READY's guilds are unavailable until their GUILD_CREATE", events: [ready(0, 'a', 'b', 'c'), ready(1, 'd')], expected: { 0: [3, 3], 1: [1, 1] }, members: 0 },
			{ name: 'GUILD_CREATE makes them available', events: [ready(0, 'a', 'b', 'c'), create(0, 'a'), create(0, 'b')], expected: { 0: [3, 1], 1: [0, 0] }, members: 20 },
			{ name: 'GUILD_DELETE unavailable: true (Discord outage) keeps the guild and its members', events: [create(1, 'a'), create(1, 'b'), outage(1, 'a')], expected: { 0: [0, 0], 1: [2, 1] }, members: 20 },
			{ name: 'the outage ends with a GUILD_CREATE', events: [create(1, 'a'), outage(1, 'a'), create(1, 'a', 12)], expected: { 0: [0, 0], 1: [1, 0] }, members: 12 },
			{ name: 'a GUILD_CREATE with unavailable: true counts the guild as unavailable', events: [[0, 'GUILD_CREATE', { id: 'a', unavailable: true }]], expected: { 0: [1, 1], 1: [0, 0] }, members: 0 },
			{
				name: 'a new READY (a fresh session) forgets guilds the shard no longer lists, and keeps the others as unavailable',
				events: [create(0, 'a'), create(0, 'b'), create(1, 'c'), ready(0, 'b')],
				expected: { 0: [1, 1], 1: [1, 0] },
				members: 20
			},
			{ name: "another cluster's shard is not counted", events: [ready(7, 'x', 'y'), outage(7, 'z')], expected: { 0: [0, 0], 1: [0, 0] }, members: 0 },
			{ name: 'a READY without a guild list changes nothing', events: [create(0, 'a'), [0, 'READY', { session_id: 's' }]], expected: { 0: [1, 0], 1: [0, 0] }, members: 10 }
		];
		it.each(cases)('$name', async ({ events, expected, members }) => {
			const manager = new FakeManager([0, 1], 8);
			manager.statuses = new Map([
				[0, WebSocketShardStatus.Ready],
				[1, WebSocketShardStatus.Ready]
			]);
			const source = webSocketManagerSource(manager, { uptimeMs: () => 99 });
			for (const [shardId, t, d] of events) manager.emit('dispatch', { data: { t, d }, shardId });
			const report = await read(manager, source);
			expect(Object.fromEntries(report.shards.map((s) => [s.id, [s.guilds, s.unavailableGuilds]]))).toEqual(expected);
			expect(report.members).toBe(members);
		});
	});
});

describe('reportWebSocketManager: one call, reported to a real server', () => {
	let h: Harness | undefined;
	let reporter: ShardbeatReporter | undefined;
	afterEach(async () => {
		reporter?.stop();
		await h?.close();
	});

	it('the cluster appears in GET /api/status', async () => {
		h = await startServer();
		const manager = new FakeManager([0, 1], 2);
		manager.statuses = new Map([
			[0, WebSocketShardStatus.Ready],
			[1, WebSocketShardStatus.Ready]
		]);
		reporter = reportWebSocketManager(manager, { url: h.url, secret: BOT_SECRET, logger: { info() {}, warn() {}, error() {} } });
		manager.emit('heartbeat', { latency: 33, shardId: 0 });
		const url = h.url;
		await eventually(async () => {
			await h!.server.flush();
			return ((await (await fetch(`${url}/api/status`)).json()) as { clusters: unknown[] }).clusters.length === 1;
		});
		const body = (await (await fetch(`${url}/api/status`)).json()) as { clusters: { id: number; lifecycle: string; shards: { id: number; state: string; ping: number | null }[] }[] };
		expect(body.clusters).toMatchObject([{ id: 0, lifecycle: 'running', shards: [{ id: 0, state: 'ready', ping: 33 }, { id: 1, state: 'ready' }] }]);

		// stop() leaves no listener on a manager that outlives the reporter.
		expect(manager.listenerCount('heartbeat') + manager.listenerCount('closed') + manager.listenerCount('dispatch')).toBe(3);
		reporter.stop();
		expect(manager.listenerCount('heartbeat') + manager.listenerCount('closed') + manager.listenerCount('dispatch')).toBe(0);
	});
});

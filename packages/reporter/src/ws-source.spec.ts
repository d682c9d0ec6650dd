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
				{ id: 2, state: 'ready', ping: 44, guilds: 2 },
				{ id: 3, state: 'resuming', ping: 70, guilds: 1 },
				{ id: 4, state: 'connecting', guilds: 0 },
				{ id: 5, state: 'idle', guilds: 0 }
			],
			guilds: 3,
			members: 16,
			uptimeMs: 99
		});

		// An outage keeps the guild; leaving it removes it; a closed shard has no ping.
		manager.emit('dispatch', { data: { t: 'GUILD_DELETE', d: { id: 'a', unavailable: true } }, shardId: 2 });
		manager.emit('dispatch', { data: { t: 'GUILD_DELETE', d: { id: 'b' } }, shardId: 2 });
		manager.emit('closed', { code: 1000, shardId: 3 });
		manager.statuses.set(3, WebSocketShardStatus.Idle);
		const after = await read(manager, source);
		expect(after.shards.slice(0, 2)).toEqual([
			{ id: 2, state: 'ready', ping: 44, guilds: 1 },
			{ id: 3, state: 'idle', guilds: 1 }
		]);
		expect(after).toMatchObject({ guilds: 2, members: 11 });
	});

	it('an unknown status number is reported disconnected', async () => {
		const manager = new FakeManager([0], 1);
		manager.statuses.set(0, 42);
		expect((await read(manager)).shards).toEqual([{ id: 0, state: 'disconnected', guilds: 0 }]);
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

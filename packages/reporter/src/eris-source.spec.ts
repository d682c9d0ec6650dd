import { afterEach, describe, expect, it } from 'vitest';
import type { ShardState } from '../../../shared-types/index.ts';
import { parseHeartbeat } from '../../../server/protocol/heartbeat-schema.ts';
import { BOT_SECRET, eventually, startServer, type Harness } from '../../../testing/server/harness.ts';
import { erisSource, type ErisClientLike, type ErisShardLike } from './eris-source.ts';
import { reportErisClient, reportOceanicClient, type ShardbeatReporter } from './index.ts';
import type { ClusterReport } from './reporter.ts';

/*
 * Eris and Oceanic.js are not dependencies: the clients here are built in each library's shape
 * (Eris: range in client.options; Oceanic.js: range in client.shards.options, a Map subclass).
 */

function shard(id: number, status: string, latency = Number.POSITIVE_INFINITY): ErisShardLike {
	return { id, status, latency };
}

function erisClient(shards: ErisShardLike[], guilds: [shardId: number, members: number][], options: ErisClientLike['options'] = {}): ErisClientLike {
	return {
		shards: new Map(shards.map((s) => [s.id, s])),
		guilds: new Map(guilds.map(([shardId, memberCount], i) => [String(i), { shard: shards.find((s) => s.id === shardId) ?? { id: shardId }, memberCount }])),
		options
	};
}

class OceanicShardManager extends Map<number, ErisShardLike> {
	constructor(
		shards: ErisShardLike[],
		readonly options: { maxShards: number | 'auto'; firstShardID: number; lastShardID: number; shardIDs?: number[] }
	) {
		super(shards.map((s) => [s.id, s]));
	}
}

/** An Oceanic.js client holding `shardIds`, each ready, with `options` as its ShardManager has them. */
function oceanic(shardIds: number[], options: OceanicShardManager['options']): ErisClientLike {
	return { shards: new OceanicShardManager(shardIds.map((id) => shard(id, 'ready', 20)), options), guilds: new Map() };
}

function read(client: ErisClientLike, options: Parameters<typeof erisSource>[1] = {}): ClusterReport {
	const report = erisSource(client, { uptimeMs: () => 1234, ...options })();
	const parsed = parseHeartbeat({ v: 1, ...report });
	expect(parsed, parsed.ok ? '' : parsed.error.message).toMatchObject({ ok: true });
	return report;
}

describe('erisSource reads an Eris or Oceanic.js client', () => {
	const states: [status: string, expected: ShardState][] = [
		['disconnected', 'disconnected'],
		['connecting', 'connecting'],
		['handshaking', 'connecting'],
		['identifying', 'identifying'],
		['resuming', 'resuming'],
		['ready', 'ready'],
		['something-new', 'disconnected']
	];
	it.each(states)('status %s → %s', (status, expected) => {
		expect(read(erisClient([shard(0, status, 40)], [])).shards).toEqual([{ id: 0, state: expected, ping: 40, guilds: 0 }]);
	});

	it('Eris: the range and total from client.options, guilds and members per shard, latency rounded, Infinity left out', () => {
		const client = erisClient(
			[shard(5, 'ready', 41.6), shard(4, 'ready', 38), shard(6, 'resuming'), shard(7, 'connecting', -1)],
			[[4, 100], [4, 20], [5, 7], [6, Number.NaN], [2, 9999]],
			{ firstShardID: 4, lastShardID: 7, maxShards: 16 }
		);
		expect(read(client)).toEqual({
			clusterId: 0,
			totalShards: 16,
			shardIds: [4, 5, 6, 7],
			shards: [
				{ id: 4, state: 'ready', ping: 38, guilds: 2 },
				{ id: 5, state: 'ready', ping: 42, guilds: 1 },
				{ id: 6, state: 'resuming', guilds: 1 },
				{ id: 7, state: 'connecting', guilds: 0 }
			],
			guilds: 4,
			members: 127,
			uptimeMs: 1234
		});
	});

	it("Oceanic.js: the range from client.shards.options; a shard not yet created is listed but not reported; clusterId and totalShards options win", () => {
		const shards = [shard(8, 'ready', 12), shard(9, 'handshaking')];
		const client: ErisClientLike = { shards: new OceanicShardManager(shards, { maxShards: 'auto', firstShardID: 8, lastShardID: 10 }), guilds: new Map() };
		expect(read(client)).toMatchObject({ clusterId: 0, totalShards: 11, shardIds: [8, 9, 10], shards: [{ id: 8 }, { id: 9, state: 'connecting' }] });
		expect(read(client, { clusterId: 3, totalShards: 24 })).toMatchObject({ clusterId: 3, totalShards: 24, shardIds: [8, 9, 10] });
	});

	// Which shards the cluster claims, from each library's own options as they stand after connect.
	const ranges: [what: string, client: () => ErisClientLike, shardIds: number[], totalShards: number][] = [
		['Eris firstShardID..lastShardID', () => erisClient([shard(2, 'ready')], [], { firstShardID: 2, lastShardID: 3, maxShards: 4 }), [2, 3], 4],
		['Oceanic.js firstShardID..lastShardID', () => oceanic([2, 3], { maxShards: 4, firstShardID: 2, lastShardID: 3 }), [2, 3], 4],
		// Oceanic.js 1.15 with `shardIDs: [2, 3], maxShards: 'auto'`: connect sets maxShards and lastShardID from
		// GET /gateway/bot and leaves firstShardID at 0, so only shardIDs says which shards are this client's.
		['Oceanic.js shardIDs over the 0..last it fills in', () => oceanic([2, 3], { maxShards: 4, firstShardID: 0, lastShardID: 3, shardIDs: [2, 3] }), [2, 3], 4],
		['Oceanic.js shardIDs, not contiguous, unordered', () => oceanic([5, 1], { maxShards: 8, firstShardID: 0, lastShardID: -1, shardIDs: [5, 1] }), [1, 5], 8],
		['Oceanic.js before connect: empty shardIDs, lastShardID -1', () => oceanic([], { maxShards: 'auto', firstShardID: 0, lastShardID: -1, shardIDs: [] }), [0], 1]
	];
	it.each(ranges)('shard list: %s', (_, client, shardIds, totalShards) => {
		expect(read(client())).toMatchObject({ shardIds, totalShards });
	});

	it("'auto' before connecting, no range: the shards the client holds, or shard 0", () => {
		expect(read(erisClient([shard(1, 'ready'), shard(0, 'ready')], [], { maxShards: 'auto' }))).toMatchObject({ totalShards: 2, shardIds: [0, 1] });
		expect(read(erisClient([], []))).toMatchObject({ totalShards: 1, shardIds: [0], shards: [] });
	});
});

describe('reportErisClient / reportOceanicClient: one call, reported to a real server', () => {
	let h: Harness | undefined;
	const reporters: ShardbeatReporter[] = [];
	afterEach(async () => {
		for (const r of reporters.splice(0)) r.stop();
		await h?.close();
	});

	it('both clusters appear in GET /api/status', async () => {
		h = await startServer();
		const logger = { info() {}, warn() {}, error() {} };
		const eris = erisClient([shard(0, 'ready', 30), shard(1, 'ready', 31)], [[0, 10]], { firstShardID: 0, lastShardID: 1, maxShards: 4 });
		const oceanic: ErisClientLike = {
			shards: new OceanicShardManager([shard(2, 'ready', 50), shard(3, 'identifying')], { maxShards: 4, firstShardID: 2, lastShardID: 3 }),
			guilds: new Map()
		};
		reporters.push(reportErisClient(eris, { url: h.url, secret: BOT_SECRET, logger }));
		reporters.push(reportOceanicClient(oceanic, { url: h.url, secret: BOT_SECRET, clusterId: 1, logger }));
		const url = h.url;
		await eventually(async () => {
			await h!.server.flush();
			const body = (await (await fetch(`${url}/api/status`)).json()) as { clusters: { id: number }[] };
			return body.clusters.length === 2;
		});
		const body = (await (await fetch(`${url}/api/status`)).json()) as { clusters: { id: number; lifecycle: string; shardIds: number[]; guilds: number }[] };
		expect(body.clusters).toMatchObject([
			{ id: 0, lifecycle: 'running', shardIds: [0, 1], guilds: 1 },
			{ id: 1, lifecycle: 'starting', shardIds: [2, 3], guilds: 0 }
		]);
	});
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SHARD_STATES, type ShardState } from '#shared';
import { cluster, shard } from '#testing/fixtures/cluster';
import { cellPaint, clusterFrame, PROBLEM_FRAMES, summarize, type ClusterFrame } from './looks.ts';

describe('clusterFrame', () => {
	it.each([
		{ name: 'all ready', c: cluster({ states: ['ready', 'ready'] }), maintenance: false, frame: 'healthy' },
		{ name: 'some ready', c: cluster({ states: ['ready', 'resuming'] }), maintenance: false, frame: 'degraded' },
		{ name: 'none ready', c: cluster({ states: ['idle', null] }), maintenance: false, frame: 'down' },
		{ name: 'stopped', c: cluster({ states: ['ready'], lifecycle: 'stopped' }), maintenance: false, frame: 'stopped' },
		{ name: 'stopped in maintenance', c: cluster({ states: ['ready'], lifecycle: 'stopped' }), maintenance: true, frame: 'maintenance' },
		{ name: 'degraded in maintenance', c: cluster({ states: ['ready', 'idle'] }), maintenance: true, frame: 'maintenance' },
		{ name: 'healthy in maintenance', c: cluster({ states: ['ready'] }), maintenance: true, frame: 'healthy' }
	] as const)('$name → $frame', ({ c, maintenance, frame }) => {
		expect(clusterFrame(c, maintenance)).toBe(frame);
	});
});

describe('cellPaint', () => {
	const bands = [200, 400] as const;
	it.each([
		{ name: 'ready, health', s: shard(1, 'ready', { readyPing: 500 }), stopped: false, by: 'health', paint: 'up' },
		{ name: 'resuming', s: shard(1, 'resuming'), stopped: false, by: 'health', paint: 'transitional' },
		{ name: 'idle', s: shard(1, 'idle'), stopped: false, by: 'health', paint: 'down' },
		{ name: 'unreported', s: undefined, stopped: false, by: 'health', paint: 'missing' },
		{ name: 'in a stopped cluster', s: shard(1, 'ready'), stopped: true, by: 'health', paint: 'stopped' },
		{ name: 'ready at 120 ms, latency', s: shard(1, 'ready', { readyPing: 120 }), stopped: false, by: 'latency', paint: 'fast' },
		{ name: 'ready at 250 ms, latency', s: shard(1, 'ready', { readyPing: 250 }), stopped: false, by: 'latency', paint: 'ok' },
		{ name: 'ready at 900 ms, latency', s: shard(1, 'ready', { readyPing: 900 }), stopped: false, by: 'latency', paint: 'slow' },
		{ name: 'ready without a ping, latency', s: { ...shard(1, 'ready'), ping: null }, stopped: false, by: 'latency', paint: 'up' },
		{ name: 'resuming, latency: keeps its state', s: { ...shard(1, 'resuming'), ping: 900 }, stopped: false, by: 'latency', paint: 'transitional' },
		{ name: 'unreported, latency', s: undefined, stopped: false, by: 'latency', paint: 'missing' },
		{ name: 'stopped, latency', s: shard(1, 'ready', { readyPing: 900 }), stopped: true, by: 'latency', paint: 'stopped' }
	] as const)('$name → $paint', ({ s, stopped, by, paint }) => {
		expect(cellPaint(s, stopped, by, bands)).toBe(paint);
	});

	it('keeps stopped and unreported shards looking the same in both views', () => {
		fc.assert(
			fc.property(fc.constantFrom<ShardState>(...SHARD_STATES), fc.option(fc.integer({ min: 0, max: 5_000 })), (state, ping) => {
				const s = { id: 1, state, ping, guilds: 1 };
				expect(cellPaint(s, true, 'latency', bands)).toBe(cellPaint(s, true, 'health', bands));
				expect(cellPaint(undefined, false, 'latency', bands)).toBe(cellPaint(undefined, false, 'health', bands));
				if (state !== 'ready') expect(cellPaint(s, false, 'latency', bands)).toBe(cellPaint(s, false, 'health', bands));
			})
		);
	});
});

describe('summarize', () => {
	it('counts healthy clusters and lists each problem, worst first, ids ascending', () => {
		const ids = [977, 12, 5, 40, 7, 8];
		const frames: ClusterFrame[] = ['degraded', 'degraded', 'stopped', 'degraded', 'healthy', 'maintenance'];
		expect(summarize(ids, frames)).toEqual([
			{ frame: 'healthy', count: 1, ids: [7], more: 0 },
			{ frame: 'stopped', count: 1, ids: [5], more: 0 },
			{ frame: 'degraded', count: 3, ids: [12, 40, 977], more: 0 },
			{ frame: 'maintenance', count: 1, ids: [8], more: 0 }
		]);
	});

	it('lists at most maxIds ids and says how many more', () => {
		const ids = Array.from({ length: 25 }, (_, i) => 100 - i);
		const [, down] = summarize(ids, ids.map(() => 'down'), 10);
		expect(down).toEqual({ frame: 'down', count: 25, ids: [76, 77, 78, 79, 80, 81, 82, 83, 84, 85], more: 15 });
	});

	it('says 0 healthy for an all-problem fleet and nothing else for a healthy one', () => {
		expect(summarize([1], ['down'])[0]).toEqual({ frame: 'healthy', count: 0, ids: [], more: 0 });
		expect(summarize([1, 2], ['healthy', 'healthy'])).toHaveLength(1);
	});

	it('accounts for every cluster once', () => {
		const frames = fc.constantFrom<ClusterFrame>('healthy', ...PROBLEM_FRAMES);
		fc.assert(
			fc.property(fc.uniqueArray(fc.nat(10_000), { maxLength: 200 }).chain((ids) => fc.tuple(fc.constant(ids), fc.array(frames, { minLength: ids.length, maxLength: ids.length }))), ([ids, fs]) => {
				const parts = summarize(ids, fs, 5);
				expect(parts.reduce((n, p) => n + p.count, 0)).toBe(ids.length);
				for (const p of parts) expect(p.ids.length + p.more).toBe(p.count);
			})
		);
	});
});

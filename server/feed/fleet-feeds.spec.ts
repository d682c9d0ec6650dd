import { describe, expect, it } from 'vitest';
import { encodeFull } from '#shared';
import { cluster } from '#testing/fixtures/cluster';
import { createLogger } from '../log.ts';
import type { CommittedUpdate } from './fleet-feed.ts';
import { createFleetFeeds } from './fleet-feeds.ts';

const at = 1_700_000_000_000;
const full = (version: number): CommittedUpdate => ({ kind: 'full', version, at, data: encodeFull([cluster({ id: 0, states: ['ready', 'ready'], members: 500 })], at) });

describe('createFleetFeeds', () => {
	it('full detail: one feed for everyone, and every update goes public as it is', () => {
		const feeds = createFleetFeeds({ publicDetail: 'full', initialVersion: 10, logger: createLogger('silent') });
		expect(feeds.public).toBe(feeds.full);
		expect(feeds.redacts).toBe(false);
		const update = full(11);
		feeds.full.apply(update);
		expect(feeds.publicUpdate(update)).toBe(update);
		expect(feeds.snapshot().clusters[0]!.shards[0]!.ping).toBe(40);
		expect(feeds.health?.()).toEqual({ clusters: 1, version: 11 });
	});

	it('basic detail: a redacted twin at the same versions, and redacted public updates', () => {
		const feeds = createFleetFeeds({ publicDetail: 'basic', initialVersion: 10, logger: createLogger('silent') });
		expect(feeds.public).not.toBe(feeds.full);
		expect(feeds.redacts).toBe(true);
		const update = full(11);
		feeds.full.apply(update);
		expect(feeds.public.version).toBe(11);
		expect(feeds.full.status.clusters[0]).toMatchObject({ members: 500, guilds: 20 });
		expect(feeds.snapshot().clusters[0]).toMatchObject({ members: 0, guilds: 0 });
		expect(feeds.snapshot().clusters[0]!.shards.map((s) => s.ping)).toEqual([null, null]);
		const redacted = feeds.publicUpdate(update);
		expect(redacted).toMatchObject({ kind: 'full', version: 11 });
		expect(redacted).not.toBe(update);
	});
});

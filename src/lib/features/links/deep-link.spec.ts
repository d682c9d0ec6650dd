import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cluster, fleet } from '#testing/fixtures/cluster';
import { deepLinkQuery, deepLinkTarget, deepLinkUrl, findGuild, parseDeepLink, type DeepLink } from './deep-link.ts';

const GUILD = '81384788765712384'; // (id >> 22) % 16 === 2

describe('parseDeepLink', () => {
	it.each<{ query: string; link: DeepLink | null }>([
		{ query: 'cluster=12', link: { kind: 'cluster', clusterId: 12 } },
		{ query: 'cluster=0', link: { kind: 'cluster', clusterId: 0 } },
		{ query: 'shard=345', link: { kind: 'shard', shardId: 345 } },
		{ query: `guild=${GUILD}`, link: { kind: 'guild', guildId: GUILD } },
		{ query: 'cluster=12&shard=345', link: { kind: 'shard', shardId: 345 } },
		{ query: `shard=1&guild=${GUILD}`, link: { kind: 'guild', guildId: GUILD } },
		{ query: 'cluster=5&cluster=6', link: { kind: 'cluster', clusterId: 5 } },
		{ query: 'shard=abc&cluster=3', link: { kind: 'cluster', clusterId: 3 } },
		{ query: 'guild=123&shard=7', link: { kind: 'shard', shardId: 7 } },
		{ query: '', link: null },
		{ query: 'cluster=', link: null },
		{ query: 'cluster=-1', link: null },
		{ query: 'cluster=%2B1', link: null },
		{ query: 'cluster=1.5', link: null },
		{ query: 'cluster=1e3', link: null },
		{ query: 'cluster=%201', link: null },
		{ query: 'cluster=0x10', link: null },
		{ query: 'cluster=1234567890', link: null },
		{ query: 'cluster=%22%3E%3Cscript%3Ealert(1)%3C/script%3E', link: null },
		{ query: 'guild=1234567890123456', link: null },
		{ query: 'guild=99999999999999999999', link: null },
		{ query: `guild=${GUILD}x`, link: null },
		{ query: 'cluster=１２', link: null }
	])('?$query', ({ query, link }) => {
		expect(parseDeepLink(new URLSearchParams(query))).toEqual(link);
	});

	it('reads back every link it writes', () => {
		const link = fc.oneof(
			fc.integer({ min: 0, max: 999_999_999 }).map((clusterId): DeepLink => ({ kind: 'cluster', clusterId })),
			fc.integer({ min: 0, max: 999_999_999 }).map((shardId): DeepLink => ({ kind: 'shard', shardId })),
			fc.bigInt({ min: 10n ** 16n, max: (1n << 64n) - 1n }).map((id): DeepLink => ({ kind: 'guild', guildId: String(id) }))
		);
		fc.assert(
			fc.property(link, (l) => {
				expect(parseDeepLink(new URLSearchParams(deepLinkQuery(l)))).toEqual(l);
			})
		);
	});

	it('never lets anything but digits through, whatever the query', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.constantFrom('cluster', 'shard', 'guild', 'x'), fc.string()), (params) => {
				const link = parseDeepLink(new URLSearchParams(params));
				if (link) expect(deepLinkQuery(link)).toMatch(/^(cluster|shard|guild)=\d+$/);
			})
		);
	});
});

describe('deepLinkUrl', () => {
	it.each([
		{ page: 'https://status.example/de/?cluster=1&utm=x#clusters', link: { kind: 'shard', shardId: 3 } as DeepLink, url: 'https://status.example/de/?shard=3' },
		{ page: 'https://status.example/?cluster=1', link: null, url: 'https://status.example/' },
		{ page: 'https://status.example/fr/', link: { kind: 'guild', guildId: GUILD } as DeepLink, url: `https://status.example/fr/?guild=${GUILD}` }
	])('$page → $url', ({ page, link, url }) => {
		expect(deepLinkUrl(new URL(page), link)).toBe(url);
	});
});

describe('deepLinkTarget', () => {
	const status = fleet(
		[cluster({ id: 3, shardIds: [0, 1, 4, 5] }), cluster({ id: 20, shardIds: [2], lifecycle: 'stopped' }), cluster({ id: 7, shardIds: [2, 3, 6, 7] })],
		{ totalShards: 16 }
	);
	it.each<{ name: string; link: DeepLink; target: { clusterId: number; shardId: number | null } | null }>([
		{ name: 'a cluster the fleet has', link: { kind: 'cluster', clusterId: 7 }, target: { clusterId: 7, shardId: null } },
		{ name: 'a cluster it does not have', link: { kind: 'cluster', clusterId: 8 }, target: null },
		{ name: 'a shard, in its live cluster', link: { kind: 'shard', shardId: 2 }, target: { clusterId: 7, shardId: 2 } },
		{ name: 'a shard nobody runs', link: { kind: 'shard', shardId: 15 }, target: null },
		{ name: 'a guild, on its shard', link: { kind: 'guild', guildId: GUILD }, target: { clusterId: 7, shardId: 2 } }
	])('$name', ({ link, target }) => {
		expect(deepLinkTarget(link, status)).toEqual(target);
	});

	it('a guild link lands nowhere while the shard count is unknown', () => {
		expect(deepLinkTarget({ kind: 'guild', guildId: GUILD }, { ...status, totalShards: 0 })).toBeNull();
		expect(findGuild(GUILD, { ...status, totalShards: 0 })).toBeNull();
		expect(findGuild(GUILD, status)).toEqual({ guildId: GUILD, shardId: 2, clusterId: 7 });
	});
});

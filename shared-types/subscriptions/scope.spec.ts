import { describe, expect, it } from 'vitest';
import { MAX_SCOPE_CLUSTERS, parseScope, type ScopeInput } from './scope.ts';

const G = '81384788765712384';

describe('parseScope', () => {
	const cases: [name: string, input: ScopeInput, expected: ReturnType<typeof parseScope>][] = [
		['whole bot', { kind: 'bot' }, { ok: true, scope: { kind: 'bot' } }],
		['clusters sorted and deduplicated', { kind: 'clusters', clusterIds: [5, 2, 5, 0] }, { ok: true, scope: { kind: 'clusters', clusterIds: [0, 2, 5] } }],
		['no clusters', { kind: 'clusters', clusterIds: [] }, { ok: false, error: 'no_clusters' }],
		['a negative cluster', { kind: 'clusters', clusterIds: [-1] }, { ok: false, error: 'bad_cluster_id' }],
		['a fractional cluster', { kind: 'clusters', clusterIds: [1.5] }, { ok: false, error: 'bad_cluster_id' }],
		['too many clusters', { kind: 'clusters', clusterIds: Array.from({ length: MAX_SCOPE_CLUSTERS + 1 }, (_, i) => i) }, { ok: false, error: 'too_many_clusters' }],
		['a server id', { kind: 'guild', guild: ` ${G} ` }, { ok: true, scope: { kind: 'guild', guildId: G } }],
		['a message link: the guild, not the channel or message', { kind: 'guild', guild: `https://discord.com/channels/${G}/175928847299117063/175928847299117064` }, { ok: true, scope: { kind: 'guild', guildId: G } }],
		['a canary message link', { kind: 'guild', guild: `https://canary.discord.com/channels/${G}/175928847299117063/175928847299117064` }, { ok: true, scope: { kind: 'guild', guildId: G } }],
		['a DM link has no server', { kind: 'guild', guild: 'https://discord.com/channels/@me/175928847299117063/175928847299117064' }, { ok: false, error: 'direct_message_link' }],
		['not a snowflake', { kind: 'guild', guild: '12345' }, { ok: false, error: 'not_a_snowflake' }],
		['empty', { kind: 'guild', guild: '  ' }, { ok: false, error: 'empty' }],
		['an unknown kind', { kind: 'shard' } as unknown as ScopeInput, { ok: false, error: 'unknown_kind' }]
	];
	it.each(cases)('%s', (_, input, expected) => {
		expect(parseScope(input)).toEqual(expected);
	});
});

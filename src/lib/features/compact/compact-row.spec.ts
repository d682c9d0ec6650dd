import { describe, expect, it } from 'vitest';
import { cluster, FIXTURE_T0 } from '#testing/fixtures/cluster';
import { compactRow, type CompactRow } from './compact-row.ts';

const none = { maintenance: false, awaiting: false };

describe('compactRow', () => {
	it.each<{ name: string; input: Parameters<typeof compactRow>; row: Partial<CompactRow> }>([
		{
			name: 'a healthy running cluster',
			input: [cluster({ id: 3, states: [['ready', 40], ['ready', 60]], guilds: 1234 }), none],
			row: { id: 3, health: 'healthy', lifecycle: 'running', up: 2, total: 2, ping: 50, guilds: 1234, lastHeartbeatAt: null }
		},
		{
			name: 'a degraded cluster: shards up count only ready ones, ping only those that have one',
			input: [cluster({ id: 4, states: [['ready', 30], 'reconnecting', null] }), none],
			row: { health: 'degraded', up: 1, total: 3, ping: 30 }
		},
		{
			name: 'a stopped cluster: nothing up, no ping, when it was last heard from',
			input: [cluster({ id: 5, states: ['ready', 'ready'], lifecycle: 'stopped', lastHeartbeatAt: FIXTURE_T0 - 60_000 }), none],
			row: { health: 'down', lifecycle: 'stopped', up: 0, total: 2, ping: null, lastHeartbeatAt: FIXTURE_T0 - 60_000 }
		},
		{
			name: 'no shard reported yet: no ping',
			input: [cluster({ id: 6, states: [null, null] }), none],
			row: { up: 0, total: 2, ping: null }
		},
		{
			name: 'maintenance and awaiting pass through',
			input: [cluster({ id: 7, states: ['ready'] }), { maintenance: true, awaiting: true }],
			row: { maintenance: true, awaiting: true }
		}
	])('$name', ({ input, row }) => {
		expect(compactRow(...input)).toMatchObject(row);
	});
});

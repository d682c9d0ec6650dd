import { describe, expect, it } from 'vitest';
import { deriveIncidents, type Outage } from './incidents.ts';

const M = 60_000;
const T0 = Date.UTC(2026, 10, 21, 10);
const at = (minutes: number) => T0 + minutes * M;
const out = (shardId: number, from: number, to: number | null): Outage => ({ shardId, start: at(from), end: to === null ? null : at(to) });
/** An outage that ended because the shard left the fleet (re-shard, retired cluster). */
const gone = (shardId: number, from: number, to: number): Outage => ({ ...out(shardId, from, to), left: true });
const NOW = at(120);

type Row = [string, Outage[], { start: number; end: number | null; shardIds: number[]; peak: number; kinds: string[] }[], { start: number; end: number }[]?];

describe('deriveIncidents (threshold 2 minutes)', () => {
	it.each<Row>([
		['no outages, no incidents', [], []],
		['a 10-second blip opens nothing', [out(0, 10, 10 + 1 / 6)], []],
		['a reconnect just under the threshold opens nothing', [out(0, 10, 11.99)], []],
		['a 3-minute outage opens and resolves one incident', [out(0, 10, 13)], [{ start: at(10), end: at(13), shardIds: [0], peak: 1, kinds: ['opened', 'resolved'] }]],
		['an ongoing outage past the threshold is an open incident', [out(0, 100, null)], [{ start: at(100), end: null, shardIds: [0], peak: 1, kinds: ['opened'] }]],
		['an ongoing outage not yet past the threshold is not one yet', [out(0, 119, null)], []],
		[
			'overlapping outages are one incident that worsens and improves',
			[out(0, 10, 20), out(1, 12, 30), out(2, 14, 16)],
			[{ start: at(10), end: at(30), shardIds: [0, 1, 2], peak: 3, kinds: ['opened', 'worsened', 'worsened', 'improved', 'improved', 'resolved'] }]
		],
		[
			'a brief reconnect during an incident does not join it',
			[out(0, 10, 20), out(1, 12, 12.5)],
			[{ start: at(10), end: at(20), shardIds: [0], peak: 1, kinds: ['opened', 'resolved'] }]
		],
		[
			'separate outages are separate incidents',
			[out(0, 10, 15), out(0, 40, 45)],
			[
				{ start: at(10), end: at(15), shardIds: [0], peak: 1, kinds: ['opened', 'resolved'] },
				{ start: at(40), end: at(45), shardIds: [0], peak: 1, kinds: ['opened', 'resolved'] }
			]
		],
		[
			'one shard recovering as another fails (same instant) continues the incident',
			[out(0, 10, 20), out(1, 20, 30)],
			[{ start: at(10), end: at(30), shardIds: [0, 1], peak: 1, kinds: ['opened', 'worsened', 'resolved'] }]
		],
		[
			'a whole cluster failing at once is one event, not sixteen',
			Array.from({ length: 16 }, (_, i) => out(i, 10, 20)),
			[{ start: at(10), end: at(20), shardIds: Array.from({ length: 16 }, (_, i) => i), peak: 16, kinds: ['opened', 'resolved'] }]
		],
		[
			'a restart across midnight is one incident (days do not split incidents)',
			[out(0, -5, 5)],
			[{ start: at(-5), end: at(5), shardIds: [0], peak: 1, kinds: ['opened', 'resolved'] }]
		],
		['an outage inside maintenance opens nothing', [out(0, 10, 40)], [], [{ start: at(0), end: at(60) }]],
		[
			'an outage outlasting maintenance counts only after it, if that is long enough',
			[out(0, 10, 40)],
			[{ start: at(30), end: at(40), shardIds: [0], peak: 1, kinds: ['opened', 'resolved'] }],
			[{ start: at(0), end: at(30) }]
		],
		['…and not if what is left is brief', [out(0, 10, 31)], [], [{ start: at(0), end: at(30) }]],
		['shards that leave the fleet while down end the incident as retired', [gone(0, 10, 20), gone(1, 10, 20)], [{ start: at(10), end: at(20), shardIds: [0, 1], peak: 2, kinds: ['opened', 'retired'] }]],
		[
			'some leave, the rest come back later: improved, then resolved',
			[gone(0, 10, 20), out(1, 10, 30)],
			[{ start: at(10), end: at(30), shardIds: [0, 1], peak: 2, kinds: ['opened', 'improved', 'resolved'] }]
		],
		[
			'the rest come back, then the last ones leave: improved, then retired',
			[out(0, 10, 20), gone(1, 10, 30)],
			[{ start: at(10), end: at(30), shardIds: [0, 1], peak: 2, kinds: ['opened', 'improved', 'retired'] }]
		],
		['one leaves as the other comes back, at the same instant: resolved', [gone(0, 10, 20), out(1, 10, 20)], [{ start: at(10), end: at(20), shardIds: [0, 1], peak: 2, kinds: ['opened', 'resolved'] }]],
		['a shard that left before the threshold opens nothing', [gone(0, 10, 11)], []],
		[
			'leaving inside maintenance ends the counted part before it, which is not a departure',
			[gone(0, 10, 40)],
			[{ start: at(10), end: at(20), shardIds: [0], peak: 1, kinds: ['opened', 'resolved'] }],
			[{ start: at(20), end: at(60) }]
		]
	])('%s', (_, outages, expected, maintenance) => {
		const incidents = deriveIncidents(outages, { now: NOW, maintenance });
		expect(
			incidents.map((i) => ({ start: i.start, end: i.end, shardIds: i.shardIds, peak: i.peak, kinds: i.timeline.map((e) => e.kind) }))
		).toEqual(expected);
		for (const i of incidents) expect(i.detectedAt).toBe(i.start + 2 * M);
	});

	it('the timeline lists who is down after each event', () => {
		const [incident] = deriveIncidents([out(0, 10, 20), out(1, 12, 30)], { now: NOW });
		expect(incident!.timeline.map((e) => [e.at, e.shardsDown])).toEqual([
			[at(10), [0]],
			[at(12), [0, 1]],
			[at(20), [1]],
			[at(30), []]
		]);
	});

	it('says which shards left the fleet, at the event where they left', () => {
		const [incident] = deriveIncidents([gone(8, 10, 20), gone(9, 10, 20), out(0, 10, 30), gone(1, 10, 30)], { now: NOW });
		expect(incident!.timeline.map((e) => [e.kind, e.shardsDown, e.shardsLeft])).toEqual([
			['opened', [0, 1, 8, 9], undefined],
			['improved', [0, 1], [8, 9]],
			['resolved', [], [1]]
		]);
	});

	it('honours another threshold', () => {
		expect(deriveIncidents([out(0, 10, 13)], { now: NOW, thresholdMs: 5 * M })).toEqual([]);
		expect(deriveIncidents([out(0, 10, 16)], { now: NOW, thresholdMs: 5 * M })).toHaveLength(1);
	});
});

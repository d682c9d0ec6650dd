import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { updatesToTell, type Told } from './coalesce.ts';
import { deriveIncidents, type IncidentEvent, type IncidentEventKind, type Outage } from './incidents.ts';

const S = 1_000;
const MIN = 60 * S;
const T0 = Date.UTC(2026, 10, 21, 12); // on a minute: second n is T0 + n s
const s = (seconds: number) => T0 + seconds * S;
const e = (seconds: number, kind: IncidentEventKind, shardsDown: number[]): IncidentEvent => ({ at: s(seconds), kind, shardsDown });

describe('updatesToTell (one minute)', () => {
	it.each<[string, IncidentEvent[], Told | undefined, number, IncidentEvent[]]>([
		['the opening is told at once', [e(10, 'opened', [1])], undefined, 130, [e(10, 'opened', [1])]],
		[
			'a burst in the opening’s minute is told by the opening, with the state at the minute’s end',
			[e(10, 'opened', [1]), e(20, 'worsened', [1, 2]), e(40, 'worsened', [1, 2, 3])],
			undefined,
			130,
			[e(10, 'opened', [1, 2, 3])]
		],
		[
			'a burst in a later minute is one update: the latest state, stamped at its last event',
			[e(10, 'opened', [1]), e(70, 'worsened', [1, 2]), e(80, 'improved', [1]), e(100, 'worsened', [1, 3])],
			e(10, 'opened', [1]),
			130,
			[e(100, 'worsened', [1, 3])]
		],
		['…but only once the minute is over', [e(10, 'opened', [1]), e(70, 'worsened', [1, 2]), e(100, 'worsened', [1, 3])], e(10, 'opened', [1]), 119, []],
		['…which it is at its last millisecond', [e(10, 'opened', [1]), e(100, 'worsened', [1, 3])], e(10, 'opened', [1]), 120, [e(100, 'worsened', [1, 3])]],
		['changes that cancel out within a minute tell nothing', [e(10, 'opened', [1]), e(70, 'worsened', [1, 2]), e(90, 'improved', [1])], e(10, 'opened', [1]), 300, []],
		['fewer shards down is an improvement', [e(10, 'opened', [1, 2]), e(70, 'improved', [2])], e(10, 'opened', [1, 2]), 300, [e(70, 'improved', [2])]],
		[
			'the kind is relative to what was told: a shard swapped for another is worse',
			[e(10, 'opened', [1, 2]), e(70, 'improved', [2]), e(80, 'worsened', [2, 3])],
			e(10, 'opened', [1, 2]),
			300,
			[e(80, 'worsened', [2, 3])]
		],
		[
			'every minute over with a change is told, each its own state',
			[e(10, 'opened', [1]), e(70, 'worsened', [1, 2]), e(75, 'worsened', [1, 2, 3]), e(130, 'improved', [3]), e(250, 'improved', [3]), e(260, 'worsened', [3, 4])],
			undefined,
			600,
			[e(10, 'opened', [1]), e(75, 'worsened', [1, 2, 3]), e(130, 'improved', [3]), e(260, 'worsened', [3, 4])]
		],
		[
			'the resolving is told at once, and its minute tells nothing else',
			[e(10, 'opened', [1, 2]), e(130, 'improved', [2]), e(150, 'resolved', [])],
			e(10, 'opened', [1, 2]),
			151,
			[e(150, 'resolved', [])]
		],
		[
			'minutes over before the resolving are told first',
			[e(10, 'opened', [1, 2]), e(70, 'improved', [2]), e(200, 'resolved', [])],
			e(10, 'opened', [1, 2]),
			201,
			[e(70, 'improved', [2]), e(200, 'resolved', [])]
		],
		['an incident detected after it resolved is told opened and resolved', [e(10, 'opened', [1]), e(200, 'resolved', [])], undefined, 205, [e(10, 'opened', [1]), e(200, 'resolved', [])]],
		[
			'opening and resolving in one minute (a threshold under a minute) are both told',
			[e(10, 'opened', [1]), e(30, 'resolved', [])],
			undefined,
			31,
			[e(10, 'opened', [1]), e(30, 'resolved', [])]
		],
		[
			'a change that surfaced after its minute was told is told in the next minute over, stamped at its start',
			// Shard 3 went down at 65 s; counted only 2 minutes later, after 2, 3 was told at 70 s.
			[e(10, 'opened', [1]), e(65, 'worsened', [1, 3]), e(70, 'worsened', [1, 2, 3])],
			e(70, 'worsened', [1, 2]),
			300,
			[e(120, 'worsened', [1, 2, 3])]
		],
		['nothing follows a resolve', [e(10, 'opened', [1]), e(70, 'worsened', [1, 2]), e(200, 'resolved', [])], e(200, 'resolved', []), 999, []],
		['nothing new, nothing told', [e(10, 'opened', [1]), e(70, 'worsened', [1, 2])], e(70, 'worsened', [1, 2]), 999, []]
	])('%s', (_, timeline, told, now, want) => {
		expect(updatesToTell(timeline, told, { now: s(now) })).toEqual(want);
	});

	it('takes another window', () => {
		const timeline = [e(10, 'opened', [1]), e(20, 'worsened', [1, 2]), e(40, 'worsened', [1, 2, 3])];
		expect(updatesToTell(timeline, e(10, 'opened', [1]), { now: s(60), windowMs: 15 * S })).toEqual([e(20, 'worsened', [1, 2]), e(40, 'worsened', [1, 2, 3])]);
	});
});

/*
 * Properties, over incidents derived from generated outages the way the monitor derives them, and
 * monitors that check at generated instants: each check tells what `updatesToTell` returns and
 * remembers the last of it.
 */
const minute = (t: number) => Math.floor(t / MIN);

/** What a monitor checking at `checks` tells about the incident that began at `start`. */
function monitor(derive: (now: number) => { start: number; timeline: IncidentEvent[] }[], start: number, checks: number[]): IncidentEvent[] {
	const told: IncidentEvent[] = [];
	for (const now of checks) {
		const incident = derive(now).find((d) => d.start === start);
		if (incident) told.push(...updatesToTell(incident.timeline, told.at(-1), { now }));
	}
	return told;
}

/** The state a told sequence shows at `t`: the last update at or before it. */
const toldAt = (told: IncidentEvent[], t: number) => told.findLast((u) => u.at <= t)?.shardsDown;

function expectWellFormed(told: IncidentEvent[], incident: { start: number; end: number | null }) {
	expect(told[0]).toMatchObject({ at: incident.start, kind: 'opened' });
	expect(told.filter((u) => u.kind === 'opened')).toHaveLength(1);
	expect(told.filter((u) => u.kind === 'resolved')).toHaveLength(incident.end === null ? 0 : 1);
	if (incident.end !== null) expect(told.at(-1)).toEqual({ at: incident.end, kind: 'resolved', shardsDown: [] });
	for (let i = 1; i < told.length; i++) {
		const [before, u] = [told[i - 1]!, told[i]!];
		expect(u.at).toBeGreaterThan(before.at);
		// At most one per minute: only an opening and a resolving may share one.
		if (minute(u.at) === minute(before.at)) expect([before.kind, u.kind]).toEqual(['opened', 'resolved']);
		// Nothing doubled: each update says something new, and its kind says which way it went.
		if (u.kind !== 'resolved') {
			expect(u.shardsDown).not.toEqual(before.shardsDown);
			expect(u.kind).toBe(u.shardsDown.some((id) => !before.shardsDown.includes(id)) ? 'worsened' : 'improved');
		}
	}
}

const outage = (anchor: number, threshold: number) =>
	fc.record({
		shardId: fc.integer({ min: 0, max: 7 }),
		// Every outage spans `anchor` and outlasts it by the threshold: one incident, whose shards are all counted before any resolve.
		start: fc.integer({ min: anchor - 10 * MIN, max: anchor }),
		end: fc.option(fc.integer({ min: anchor + threshold, max: anchor + 20 * MIN }), { nil: null, freq: 4 })
	});

describe('updatesToTell, properties', () => {
	const ANCHOR = T0 + 15 * MIN;
	const END = ANCHOR + 40 * MIN;
	const checks = (from: number) => fc.uniqueArray(fc.integer({ min: from, max: END }), { maxLength: 60 }).map((list) => [...list.sort((a, b) => a - b), END]);

	it('with the whole timeline known as it happens, the end of every minute is told as it was', () => {
		fc.assert(
			fc.property(fc.uniqueArray(outage(ANCHOR, 2 * MIN), { minLength: 1, maxLength: 8, selector: (o) => o.shardId }), (outages: Outage[]) => {
				const [final] = deriveIncidents(outages, { now: END, thresholdMs: 2 * MIN });
				if (!final) return;
				// Each event is known from its own instant on (no detection delay).
				const known = (now: number) => [{ start: final.start, timeline: final.timeline.filter((e) => e.at <= now) }];
				const once = monitor(known, final.start, [END]);
				expectWellFormed(once, final);
				const trueAt = (t: number) => final.timeline.findLast((e) => e.at <= t)!.shardsDown;
				// Nothing lost: at the end of every minute after the opening's and before the resolving's, the page says what was true.
				const last = final.end === null ? minute(END) : minute(final.end);
				for (let m = minute(final.start) + 1; m < last; m++) expect(toldAt(once, m * MIN + MIN - 1)).toEqual(trueAt(m * MIN + MIN - 1));
				return true;
			}),
			{ numRuns: 300 }
		);
	});

	it('checking more or less often tells the same updates', () => {
		fc.assert(
			fc.property(fc.uniqueArray(outage(ANCHOR, 2 * MIN), { minLength: 1, maxLength: 8, selector: (o) => o.shardId }), checks(T0), (outages: Outage[], schedule) => {
				const [final] = deriveIncidents(outages, { now: END, thresholdMs: 2 * MIN });
				if (!final) return;
				const known = (now: number) => [{ start: final.start, timeline: final.timeline.filter((e) => e.at <= now) }];
				// From when the opening's minute is over, as with any threshold of a minute or more.
				const detectable = (minute(final.start) + 1) * MIN;
				expect(monitor(known, final.start, schedule.filter((t) => t >= detectable))).toEqual(monitor(known, final.start, [END]));
			}),
			{ numRuns: 300 }
		);
	});

	it('as the monitor sees it (each shard counted only once down for the threshold), it stays well formed and ends telling the true state', () => {
		fc.assert(
			fc.property(
				fc.constantFrom(30 * S, 2 * MIN),
				fc.uniqueArray(outage(ANCHOR, 2 * MIN), { minLength: 1, maxLength: 8, selector: (o) => o.shardId }),
				checks(T0),
				(threshold, outages: Outage[], schedule) => {
					const derive = (now: number) =>
						deriveIncidents(
							outages.filter((o) => o.start <= now).map((o) => ({ ...o, end: o.end !== null && o.end <= now ? o.end : null })),
							{ now, thresholdMs: threshold }
						);
					const [final] = derive(END);
					if (!final) return;
					const told = monitor(derive, final.start, schedule);
					expectWellFormed(told, final);
					// The last minute over before the end (the resolving's own minute tells only that).
					const lastMinuteEnd = (final.end === null ? END : minute(final.end) * MIN) - 1;
					if (lastMinuteEnd < (minute(final.start) + 1) * MIN) return;
					expect(toldAt(told, lastMinuteEnd)).toEqual(final.timeline.findLast((e) => e.at <= lastMinuteEnd)!.shardsDown);
				}
			),
			{ numRuns: 300 }
		);
	});
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Incident } from '#shared';
import { spreadingIncidentAfter } from '#testing/fixtures/incident';
import { currentIncidents } from './incident-merge.ts';

/** Incident `id` as it stood after `updates` updates (4: resolved). */
const at = (id: number, updates: number): Incident => spreadingIncidentAfter(updates, { id });
/** What the merge keeps, as `id@updates`. */
const shown = (incidents: readonly Incident[]) => incidents.map((i) => `${i.id}@${i.updates.length}${i.status === 'resolved' ? ' resolved' : ''}`);

describe('currentIncidents', () => {
	it.each<[string, Incident[], Incident[], string[]]>([
		['nothing pushed: the fetch as it is', [at(1, 2)], [], ['1@2']],
		['a push further along replaces the fetched copy', [at(1, 2)], [at(1, 3)], ['1@3']],
		['a push that resolves it replaces the open copy', [at(1, 3)], [at(1, 4)], ['1@4 resolved']],
		['a fetch that overtook the push wins', [at(1, 4)], [at(1, 2)], ['1@4 resolved']],
		['a stale fetch cannot reopen a resolved push', [at(1, 1)], [at(1, 4)], ['1@4 resolved']],
		['equal progress: the fetched copy, which may know more shards', [at(1, 2)], [{ ...at(1, 2), shardIds: [11] }], ['1@2']],
		['an incident opened since the fetch is added', [at(1, 4)], [at(2, 1)], ['1@4 resolved', '2@1']],
		['nothing fetched yet: the pushes', [], [at(2, 1), at(3, 2)], ['2@1', '3@2']],
		['each incident on its own', [at(1, 1), at(2, 3)], [at(1, 4), at(2, 2)], ['1@4 resolved', '2@3']]
	])('%s', (_, fetched, pushed, expected) => {
		expect(shown(currentIncidents(fetched, pushed))).toEqual(expected);
	});

	it.each<[string, Incident[], Incident[], number[], string[]]>([
		['a deleted incident leaves the fetch', [at(1, 2), at(2, 1)], [], [1], ['2@1']],
		['and the pushes', [at(2, 1)], [at(1, 3)], [1], ['2@1']],
		['deleting one that is not shown changes nothing', [at(1, 2)], [], [9], ['1@2']]
	])('deleted: %s', (_, fetched, pushed, deleted, expected) => {
		expect(shown(currentIncidents(fetched, pushed, new Set(deleted)))).toEqual(expected);
	});

	it.each<[string, number | undefined, number | undefined, 'fetched' | 'pushed']>([
		['a push edited in place since the fetch (renamed, annotated) wins', undefined, 1, 'pushed'],
		['an edited fetch beats an older push', 2, 1, 'fetched'],
		['equal edits: the fetched copy', 3, 3, 'fetched']
	])('equal updates, %s', (_, fetchedRevision, pushedRevision, winner) => {
		const fetched = { ...at(1, 2), revision: fetchedRevision, title: 'fetched' };
		const pushed = { ...at(1, 2), revision: pushedRevision, title: 'pushed' };
		expect(currentIncidents([fetched], [pushed])[0]!.title).toBe(winner);
	});

	it('at equal updates a resolved copy is the newer', () => {
		const open = at(1, 2);
		const resolved = { ...open, status: 'resolved' as const, resolvedAt: open.updates[1]!.at };
		expect(currentIncidents([open], [resolved])).toEqual([resolved]);
		expect(currentIncidents([resolved], [open])).toEqual([resolved]);
	});

	it.each<[string, Incident[], Incident[], string[]]>([
		['an edit in place (same updates, higher revision) replaces the fetched copy', [at(1, 2)], [{ ...at(1, 2), title: 'Renamed', revision: 1 }], ['1@2 Renamed']],
		['a fetched copy with more edits wins over an older push', [{ ...at(1, 2), title: 'Renamed twice', revision: 2 }], [{ ...at(1, 2), title: 'Renamed', revision: 1 }], ['1@2 Renamed twice']],
		['more updates win over more edits', [{ ...at(1, 2), revision: 3 }], [at(1, 3)], ['1@3']]
	])('%s', (_, fetched, pushed, expected) => {
		expect(currentIncidents(fetched, pushed).map((i) => `${i.id}@${i.updates.length}${i.title === at(1, 1).title ? '' : ` ${i.title}`}`)).toEqual(expected);
	});

	it('drops deleted incidents, fetched or pushed, so a cached fetch cannot bring one back', () => {
		expect(shown(currentIncidents([at(1, 2), at(2, 1)], [at(3, 1)], new Set([2, 3])))).toEqual(['1@2']);
		expect(shown(currentIncidents([at(1, 2)], [], new Set([1])))).toEqual([]);
	});

	it('keeps the fetched list itself when nothing was pushed (no new array for Svelte to redraw)', () => {
		const fetched = [at(1, 2)];
		expect(currentIncidents(fetched, [])).toBe(fetched);
	});
});

describe('currentIncidents, for any fetch, pushes and deletions', () => {
	/** A copy of incident `id` somewhere along its life: updates told so far (1–4) and edits in place. */
	const copy = fc.record({ id: fc.integer({ min: 1, max: 4 }), updates: fc.integer({ min: 1, max: 4 }), revision: fc.integer({ min: 0, max: 3 }) }).map(({ id, updates, revision }) => ({ ...at(id, updates), ...(revision ? { revision } : {}) }));
	const order = (i: Incident) => [i.updates.length * 2 + (i.status === 'resolved' ? 1 : 0), i.revision ?? 0] as const;
	const later = (a: Incident, b: Incident) => order(a)[0] > order(b)[0] || (order(a)[0] === order(b)[0] && order(a)[1] > order(b)[1]);

	it('shows each incident once, never a deleted one, and of each the copy furthest along (the fetched one on a tie)', () => {
		fc.assert(
			fc.property(
				fc.uniqueArray(copy, { selector: (i) => i.id, maxLength: 4 }),
				fc.uniqueArray(copy, { selector: (i) => i.id, maxLength: 4 }),
				fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
				(fetched, pushed, deletedIds) => {
					const deleted = new Set(deletedIds);
					const shownNow = currentIncidents(fetched, pushed, deleted);
					const ids = shownNow.map((i) => i.id);
					expect(new Set(ids).size).toBe(ids.length);
					expect(ids.filter((id) => deleted.has(id))).toEqual([]);
					const expectedIds = [...new Set([...fetched, ...pushed].map((i) => i.id))].filter((id) => !deleted.has(id));
					expect([...ids].sort()).toEqual(expectedIds.sort());
					for (const shown of shownNow) {
						const f = fetched.find((i) => i.id === shown.id);
						const p = pushed.find((i) => i.id === shown.id);
						const best = f && p ? (later(p, f) ? p : f) : (f ?? p);
						expect(shown).toBe(best);
					}
				}
			)
		);
	});
});

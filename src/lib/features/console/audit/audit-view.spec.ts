import { describe, expect, it } from 'vitest';
import type { AuditActor } from '#shared';
import { actorView, detailPairs, shortId, type ActorView } from './audit-view.ts';

describe('actorView', () => {
	it.each<[AuditActor, ActorView]>([
		[{ kind: 'session', sessionId: 's1', method: 'discord', discordId: '123', name: 'Ada', role: 'owner' }, { kind: 'person', name: 'Ada', sessionId: 's1' }],
		[{ kind: 'session', sessionId: 's2', method: 'key', discordId: null, name: 'Operator key', role: 'owner' }, { kind: 'key', sessionId: 's2' }],
		[{ kind: 'bearer' }, { kind: 'bearer' }],
		[{ kind: 'anonymous', discordId: '999', name: 'Mallory' }, { kind: 'anonymous', name: 'Mallory' }],
		[{ kind: 'anonymous', discordId: '999', name: null }, { kind: 'anonymous', name: '999' }],
		[{ kind: 'anonymous', discordId: null, name: null }, { kind: 'anonymous', name: null }]
	])('%j → %j', (actor, view) => {
		expect(actorView(actor)).toEqual(view);
	});
});

describe('detailPairs', () => {
	it.each<[Record<string, string | number | boolean | null>, [string, string][]]>([
		[{}, []],
		[{ title: 'Slow', status: 'resolved' }, [['status', 'resolved'], ['title', 'Slow']]],
		[{ reason: null, empty: '', ok: false, n: 0 }, [['n', '0'], ['ok', 'false']]],
		[{ startsAt: 5, endsAt: 7, title: 'DB', updatedAtText: 'x' }, [['endsAt', 't7'], ['startsAt', 't5'], ['title', 'DB'], ['updatedAtText', 'x']]]
	])('%j → %j', (detail, pairs) => {
		expect(detailPairs(detail, (at) => `t${at}`)).toEqual(pairs);
	});
});

describe('shortId', () => {
	it.each([
		['abc', 'abc'],
		['0123456789', '0123456789'],
		['0123456789a', '01234567…']
	])('%s → %s', (id, short) => {
		expect(shortId(id)).toBe(short);
	});
});

import { describe, expect, it } from 'vitest';
import type { IncidentUpdate } from '#shared';
import { shardList, updateText } from './incident-text.ts';

const update = (over: Partial<IncidentUpdate>): IncidentUpdate => ({ id: 1, at: 0, status: 'investigating', message: 'Server text', ...over });

describe('updateText (page locale: en)', () => {
	it.each([
		[{ kind: 'opened', shardsDown: [3, 7] }, 'Shards 3, 7 went down.'],
		[{ kind: 'opened', shardsDown: [3] }, 'Shard 3 went down.'],
		[{ kind: 'worsened', shardsDown: [3, 7, 9] }, 'The outage spread: shards 3, 7, 9 are down now.'],
		[{ kind: 'improved', shardsDown: [9] }, 'Some shards recovered. Shard 9 is still down.'],
		[{ kind: 'improved', shardsDown: [1, 9] }, 'Some shards recovered. Shards 1, 9 are still down.'],
		[{ kind: 'resolved', shardsDown: [] }, 'All shards are back up.']
	] satisfies [Partial<IncidentUpdate>, string][])('words an automatic update %j itself', (over, text) => {
		expect(updateText(update(over), 'en')).toBe(text);
	});

	it('shows an operator update as written', () => {
		expect(updateText(update({ message: 'We are looking into it.' }), 'en')).toBe('We are looking into it.');
	});
});

describe('shardList', () => {
	it('cuts long lists short and counts the rest, localized', () => {
		const ids = Array.from({ length: 5_000 }, (_, i) => i);
		expect(shardList(ids, 'en', 3)).toBe('0, 1, 2 and 4,997 more');
		expect(shardList([1234, 1235], 'en')).toBe('1234, 1235');
	});
});

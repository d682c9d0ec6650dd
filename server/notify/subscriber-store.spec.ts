import { afterEach, describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { freshHistoryDatabase, historyDatabases } from '#testing/databases';
import { tokenHash } from './contract.ts';
import { DatabaseSubscriberStore, targetHint } from './subscriber-store.ts';

const T0 = Date.UTC(2026, 10, 29, 8);
const HOOK = 'https://discord.com/api/webhooks/123456789012345678/very-secret-token';

describe('targetHint', () => {
	it.each([
		['email', 'alice@example.com', 'a…@example.com'],
		['email', 'nobody', '…'],
		['discord', HOOK, 'discord webhook …5678'],
		['discord', 'https://example.com/x', 'discord webhook']
	] as const)('%s %s → %s', (kind, target, hint) => expect(targetHint(kind, target)).toBe(hint));
});

describe.each(historyDatabases)('subscriber store on $name', (target) => {
	const database = freshHistoryDatabase(target);
	afterEach(database.close);

	it('stores once per target, confirms once, pages confirmed ones by id, and never prints a target', async () => {
		const store = new DatabaseSubscriberStore(await database.open());
		const a = await store.add({ kind: 'email', target: 'Alice@Example.com', scope: { kind: 'bot' }, locale: 'de', tokenHash: tokenHash('t1'), confirmTokenHash: tokenHash('c1'), createdAt: T0 });
		expect(a).toEqual({ id: expect.any(Number) });
		const again = await store.add({ kind: 'email', target: 'alice@example.com ', scope: { kind: 'bot' }, locale: 'en', tokenHash: tokenHash('t2'), confirmTokenHash: tokenHash('c2'), createdAt: T0 + 1 });
		expect('existing' in again && again.existing.locale).toBe('de');
		const b = await store.add({ kind: 'discord', target: HOOK, scope: { kind: 'guild', guildId: '81384788765712384' }, locale: 'fr', tokenHash: tokenHash('t3'), confirmTokenHash: null, createdAt: T0 });
		const c = await store.add({ kind: 'email', target: 'carol@example.com', scope: { kind: 'clusters', clusterIds: [2, 5] }, locale: 'es', tokenHash: tokenHash('t4'), confirmTokenHash: tokenHash('c4'), createdAt: T0 });
		const [ida, idb, idc] = [a, b, c].map((r) => ('id' in r ? r.id : -1));

		expect((await store.page(0, 10)).map((s) => s.id)).toEqual([idb]);
		expect((await store.byConfirmTokenHash(tokenHash('c1')))?.id).toBe(ida);
		expect(await store.confirm(ida!, T0 + 5)).toBe(true);
		expect(await store.confirm(ida!, T0 + 6)).toBe(false);
		expect(await store.byConfirmTokenHash(tokenHash('c1'))).toBeUndefined();
		expect((await store.page(0, 10)).map((s) => s.id)).toEqual([ida, idb]);
		expect((await store.page(ida!, 1)).map((s) => s.id)).toEqual([idb]);

		const sub = (await store.byTokenHash(tokenHash('t3')))!;
		expect(sub.scope).toEqual({ kind: 'guild', guildId: '81384788765712384' });
		expect(sub.target.reveal()).toBe(HOOK);
		expect(JSON.stringify(sub)).not.toContain('very-secret-token');
		expect(inspect(sub)).not.toContain('very-secret-token');
		expect(`${sub.target}`).toBe('discord webhook …5678');
		expect((await store.get(idc!))?.scope).toEqual({ kind: 'clusters', clusterIds: [2, 5] });

		expect(await store.counts()).toEqual({ email: { confirmed: 1, unconfirmed: 1 }, discord: { confirmed: 1, unconfirmed: 0 } });
		expect(await store.expireUnconfirmed(T0 + 1)).toBe(1);
		expect(await store.get(idc!)).toBeUndefined();
		expect(await store.remove(ida!)).toBe(true);
		expect(await store.remove(ida!)).toBe(false);
		expect(await store.byTarget('email', 'ALICE@example.com')).toBeUndefined();
	});
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countTotals, searchBody } from './subscriber-search.ts';

describe('searchBody', () => {
	it.each([
		['', undefined],
		['   ', undefined],
		['ada@example.com', { email: 'ada@example.com' }],
		['  ada@example.com  ', { email: 'ada@example.com' }],
		['not an address', { email: 'not an address' }],
		['https://discord.com/api/webhooks/1/abc', { discordWebhookUrl: 'https://discord.com/api/webhooks/1/abc' }],
		['HTTPS://discord.com/api/webhooks/1/abc', { discordWebhookUrl: 'HTTPS://discord.com/api/webhooks/1/abc' }],
		['http://discord.com/api/webhooks/1/abc', { discordWebhookUrl: 'http://discord.com/api/webhooks/1/abc' }],
		['discord.com/api/webhooks/1/abc', { discordWebhookUrl: 'discord.com/api/webhooks/1/abc' }],
		['ptb.discordapp.com/api/webhooks/1/abc', { discordWebhookUrl: 'ptb.discordapp.com/api/webhooks/1/abc' }]
	])('%j → %j', (text, body) => {
		expect(searchBody(text)).toEqual(body);
	});

	it('sends exactly one field, holding what was typed, trimmed', () => {
		fc.assert(
			fc.property(fc.string({ minLength: 1 }).filter((s) => s.trim() !== ''), (text) => {
				const body = searchBody(text)!;
				const values = Object.values(body).filter((v) => v !== undefined);
				expect(values).toEqual([text.trim()]);
			})
		);
	});
});

describe('countTotals', () => {
	it.each([
		[{ email: { confirmed: 0, unconfirmed: 0 }, discord: { confirmed: 0, unconfirmed: 0 } }, { email: 0, discord: 0, confirmed: 0, unconfirmed: 0, all: 0 }],
		[{ email: { confirmed: 3, unconfirmed: 1 }, discord: { confirmed: 2, unconfirmed: 0 } }, { email: 4, discord: 2, confirmed: 5, unconfirmed: 1, all: 6 }]
	])('%j → %j', (counts, totals) => {
		expect(countTotals(counts)).toEqual(totals);
	});
});

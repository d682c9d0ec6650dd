import { describe, expect, it } from 'vitest';
import { parseDiscordWebhookUrl, type WebhookUrlError } from './webhook-url.ts';

const ID = '1234567890123456789';
const TOKEN = 'aB3_-' + 'x'.repeat(63); // 68 characters, like Discord's

describe('parseDiscordWebhookUrl', () => {
	const good: [string, string][] = [
		[`https://discord.com/api/webhooks/${ID}/${TOKEN}`, 'discord.com'],
		[`https://discordapp.com/api/webhooks/${ID}/${TOKEN}`, 'discordapp.com'],
		[`https://canary.discord.com/api/webhooks/${ID}/${TOKEN}`, 'canary.discord.com'],
		[`https://ptb.discord.com/api/webhooks/${ID}/${TOKEN}/`, 'ptb.discord.com'],
		[`https://discord.com/api/v10/webhooks/${ID}/${TOKEN}`, 'discord.com'],
		[`  https://DISCORD.com/api/webhooks/${ID}/${TOKEN}\n`, 'discord.com']
	];
	it.each(good)('%s is a webhook', (raw, host) => {
		expect(parseDiscordWebhookUrl(raw)).toEqual({ ok: true, webhook: { id: ID, token: TOKEN, url: `https://${host}/api/webhooks/${ID}/${TOKEN}` } });
	});

	const bad: [string, WebhookUrlError][] = [
		['', 'not_a_url'],
		['discord.com/api/webhooks/1/2', 'not_a_url'],
		[`http://discord.com/api/webhooks/${ID}/${TOKEN}`, 'not_https'],
		[`https://discord.com.evil.example/api/webhooks/${ID}/${TOKEN}`, 'not_discord'],
		[`https://evil.example/api/webhooks/${ID}/${TOKEN}`, 'not_discord'],
		[`https://www.discord.com/api/webhooks/${ID}/${TOKEN}`, 'not_discord'],
		[`https://discord.com:8443/api/webhooks/${ID}/${TOKEN}`, 'not_discord'],
		[`https://user:pw@discord.com/api/webhooks/${ID}/${TOKEN}`, 'not_discord'],
		[`https://discord.com/api/webhooks/${ID}`, 'not_a_webhook'],
		[`https://discord.com/api/webhooks/123/${TOKEN}`, 'not_a_webhook'],
		[`https://discord.com/api/webhooks/${ID}/${TOKEN}?wait=true`, 'not_a_webhook'],
		[`https://discord.com/api/webhooks/${ID}/${TOKEN}#x`, 'not_a_webhook'],
		[`https://discord.com/api/webhooks/${ID}/${TOKEN}/slack`, 'not_a_webhook'],
		[`https://discord.com/api/webhooks/${ID}/short`, 'not_a_webhook'],
		[`https://discord.com/channels/${ID}/${ID}`, 'not_a_webhook'],
		[`https://discord.com/api/webhooks/${ID}/../../users/@me`, 'not_a_webhook']
	];
	it.each(bad)('%s → %s', (raw, error) => {
		expect(parseDiscordWebhookUrl(raw)).toEqual({ ok: false, error });
	});
});

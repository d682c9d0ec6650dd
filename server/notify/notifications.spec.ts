import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '#shared';
import type { IncidentNotice } from '../history/incident-notice.ts';
import { createLogger } from '../log.ts';
import { createNotifications, webhookTargets, type Notifications } from './notifications.ts';

const incident: Incident = {
	id: 7,
	title: 'Shards down in cluster 2',
	status: 'investigating',
	impact: 'major',
	source: 'auto',
	clusterIds: [2],
	shardIds: [8, 9],
	startedAt: 1_700_000_000_000,
	resolvedAt: null,
	updates: []
};
const opened: IncidentNotice = { type: 'incident.opened', incident };

let server: Server | undefined;
let notifications: Notifications | undefined;
afterEach(async () => {
	await notifications?.close();
	await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
	server = notifications = undefined;
});

/** A real HTTP endpoint that records the JSON bodies it is sent. */
async function endpoint(): Promise<{ url: string; bodies: Record<string, unknown>[] }> {
	const bodies: Record<string, unknown>[] = [];
	server = createServer((req, res) => {
		let text = '';
		req.on('data', (c: Buffer) => (text += c.toString('utf8')));
		req.on('end', () => {
			bodies.push(JSON.parse(text) as Record<string, unknown>);
			res.writeHead(204).end();
		});
	});
	await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/1/token`, bodies };
}

describe('webhookTargets', () => {
	it.each([
		{ name: 'nothing set', settings: {}, kinds: [] },
		{ name: 'a Discord webhook', settings: { discordWebhookUrl: 'https://discord.com/api/webhooks/1/x' }, kinds: ['discord'] },
		{ name: 'a JSON URL without its secret', settings: { webhookUrl: 'https://hooks.example.com/sb' }, kinds: [] },
		{ name: 'both', settings: { discordWebhookUrl: 'https://discord.com/api/webhooks/1/x', webhookUrl: 'https://hooks.example.com/sb', webhookSecret: 's'.repeat(16) }, kinds: ['discord', 'json'] }
	])('$name', ({ settings, kinds }) => {
		expect(webhookTargets(settings).map((t) => t.kind)).toEqual(kinds);
	});
});

describe('createNotifications', () => {
	it('has no webhooks when no target is configured, and still tells listeners', () => {
		const heard: IncidentNotice[] = [];
		notifications = createNotifications({ settings: {}, logger: createLogger('silent'), listeners: [(n) => heard.push(n)] });
		notifications.notify(opened);
		expect(notifications.webhooks).toBeUndefined();
		expect(heard).toEqual([opened]);
	});

	it('a listener that throws is logged and the others and the webhook still hear the notice; the bot name signs the embed', async () => {
		const hook = await endpoint();
		const lines: string[] = [];
		const heard: number[] = [];
		notifications = createNotifications({
			settings: { discordWebhookUrl: hook.url, botName: 'Acme Bot' },
			logger: createLogger('error', { write: (line: string) => void lines.push(line) }),
			listeners: [
				() => {
					throw new Error('listener broke');
				},
				(n) => heard.push(n.incident.id)
			]
		});
		notifications.notify(opened);
		expect(heard).toEqual([7]);
		expect(lines.join('\n')).toContain('incident listener failed');
		await expect.poll(() => hook.bodies.length).toBe(1);
		expect(hook.bodies[0]).toMatchObject({ username: 'Acme Bot Status' });
		expect(notifications.webhooks?.stats.sent).toBe(1);
	});

	it('words the embed in SHARDBEAT_WEBHOOK_LOCALE', async () => {
		const hook = await endpoint();
		notifications = createNotifications({ settings: { discordWebhookUrl: hook.url, webhookLocale: 'fr', pageUrl: 'https://status.example.com' }, logger: createLogger('silent') });
		notifications.notify({ type: 'incident.opened', incident: { ...incident, titleFacts: { shardCount: 2, clusterIds: [2] } } });
		await expect.poll(() => hook.bodies.length).toBe(1);
		expect(hook.bodies[0]).toMatchObject({ embeds: [{ title: 'Incident\u00a0: 2 shards hors service dans le cluster 2', url: 'https://status.example.com/fr/incidents/' }] });
	});
});

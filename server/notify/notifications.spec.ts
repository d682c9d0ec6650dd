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

let notifications: Notifications | undefined;
afterEach(async () => {
	await notifications?.close();
	notifications = undefined;
});

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
	it('hands every notice to delivery and to each listener; a listener that throws is logged and the rest still hear it', () => {
		const lines: string[] = [];
		const heard: string[] = [];
		notifications = createNotifications({
			logger: createLogger('error', { write: (line: string) => void lines.push(line) }),
			deliver: (n) => heard.push(`deliver ${n.incident.id}`),
			listeners: [
				() => {
					throw new Error('listener broke');
				},
				(n) => heard.push(`listener ${n.incident.id}`)
			]
		});
		notifications.notify(opened);
		expect(heard).toEqual(['deliver 7', 'listener 7']);
		expect(lines.join('\n')).toContain('incident listener failed');
	});
});

import { afterEach, describe, expect, it } from 'vitest';
import { historyDatabases } from '#testing/databases';
import { startWebhookEndpoint, type WebhookEndpoint } from '#testing/discord/webhook-endpoint';
import { deliveryStates, seedSubscribers } from '#testing/outbox';
import { METRICS_TOKEN } from '#testing/server/config';
import { scrapeMetrics, startServer, type Harness } from '#testing/server/harness';

/*
 * Delivery inside a whole server, on SQLite and PostgreSQL: operator posts through the operator
 * API reach the operator's Discord webhook and subscribers' webhooks (a stand-in on loopback),
 * edited in place; a deleted webhook ends its subscription; `/metrics` and the logs show progress
 * and failures and never a webhook token.
 */
const OPERATOR = 'delivery-operator-secret-0123456789';
const ROLE = '333333333333333333';

describe.each(historyDatabases)('delivery in the server on $name', (target) => {
	let h: Harness | undefined;
	let endpoint: WebhookEndpoint | undefined;
	let cleanup: (() => Promise<void>) | undefined;
	afterEach(async () => {
		await h?.close();
		await endpoint?.close();
		await cleanup?.();
		h = endpoint = cleanup = undefined;
	});

	async function post(path: string, body: unknown): Promise<Response> {
		return fetch(`${h!.url}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${OPERATOR}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	}

	it('operator posts reach every webhook, edited in place; a deleted one ends its subscription; metrics and logs carry no token', async () => {
		const place = await target.open();
		cleanup = place.cleanup;
		endpoint = await startWebhookEndpoint();
		h = await startServer({ database: place.location, operatorSecret: OPERATOR, metricsToken: METRICS_TOKEN, discordWebhookUrl: endpoint.webhookUrl('1', 'operator-secret-token'), discordRoleId: ROLE });
		await h.server.history.whenReady();
		const db = h.server.history.db;
		await seedSubscribers(db, [
			{ kind: 'discord', target: endpoint.webhookUrl('600000000000000001', 'sub-token-one'), locale: 'fr' },
			{ kind: 'discord', target: endpoint.webhookUrl('600000000000000002', 'sub-token-gone') },
			{ kind: 'discord', target: endpoint.webhookUrl('600000000000000003', 'sub-token-other'), scope: { kind: 'clusters', clusterIds: [9] } }
		]);
		endpoint.deleteWebhook('600000000000000002');
		endpoint.rateLimitNext('600000000000000001', 0.2);

		const opened = await post('/api/v1/operator/incidents', { title: 'Slow logins', message: 'Looking into it.', impact: 'minor', clusterIds: [3] });
		expect(opened.status).toBe(201);
		const { id } = (await opened.json()) as { id: number };
		await h.server.delivery.idle();
		expect((await post(`/api/v1/operator/incidents/${id}/updates`, { status: 'resolved', message: 'Fixed.' })).status).toBe(201);
		await h.server.delivery.idle();

		// The operator: one message, mentioning the role once, then edited to resolved.
		expect([endpoint.createsFor('1'), endpoint.editsFor('1')]).toEqual([1, 1]);
		expect(endpoint.calls.find((c) => c.webhookId === '1')!.body).toMatchObject({ content: `<@&${ROLE}>`, allowed_mentions: { roles: [ROLE] } });
		// The whole-bot subscriber (after its 429), in French; the cluster-9 one heard nothing; the deleted one is gone.
		expect([endpoint.createsFor('600000000000000001'), endpoint.editsFor('600000000000000001')]).toEqual([1, 1]);
		const fr = [...endpoint.messages.values()].find((m) => m.webhookId === '600000000000000001')!;
		expect((fr.body!.embeds as { title: string }[])[0]!.title).toBe('Résolu\u00a0: Slow logins');
		expect(endpoint.createsFor('600000000000000003')).toBe(0);
		expect(await db.selectFrom('subscribers').select('target_hint').orderBy('id').execute()).toEqual([{ target_hint: 'discord webhook …0001' }, { target_hint: 'discord webhook …0003' }]);
		expect(await deliveryStates(db)).toEqual({ sent: 4, dropped: 1 });

		const metrics = await (await scrapeMetrics(h.url)).text();
		expect(metrics).toMatch(/^shardbeat_outbox_sent_total\{channel="discord"\} 4$/m);
		expect(metrics).toMatch(/^shardbeat_outbox_gone_total\{channel="discord"\} 1$/m);
		expect(metrics).toMatch(/^shardbeat_outbox_rate_limited_total\{channel="discord"\} 1$/m);
		expect(metrics).toMatch(/^shardbeat_outbox_pending 0$/m);
		const logs = JSON.stringify(h.logs);
		expect(logs).toContain('recipient is gone; subscription ended');
		for (const secret of ['operator-secret-token', 'sub-token-one', 'sub-token-gone', 'sub-token-other', '/api/webhooks/']) {
			expect(metrics).not.toContain(secret);
			expect(logs).not.toContain(secret);
		}
	});

	it('tells subscribers when maintenance is planned, starts and ends, once each, on the server clock', async () => {
		const place = await target.open();
		cleanup = place.cleanup;
		endpoint = await startWebhookEndpoint();
		let t = Date.UTC(2026, 10, 29, 10);
		h = await startServer({ database: place.location, operatorSecret: OPERATOR }, 0, undefined, { historyNow: () => t });
		await h.server.history.whenReady();
		await seedSubscribers(h.server.history.db, [{ kind: 'discord', target: endpoint.webhookUrl('610000000000000001') }]);
		expect((await post('/api/v1/operator/maintenance', { title: 'Database upgrade', startsAt: t + 60_000, endsAt: t + 120_000, clusterIds: null })).status).toBe(201);
		const step = async () => {
			await h!.server.delivery.checkMaintenance();
			await h!.server.delivery.idle();
		};
		await step();
		await step();
		t += 60_000;
		await step();
		t += 60_000;
		await step();
		await step();
		const titles = endpoint.calls.map((c) => `${c.kind} ${(c.body!.embeds as { title: string }[])[0]!.title}`);
		expect(titles).toEqual(['create Maintenance planned: Database upgrade', 'edit Maintenance under way: Database upgrade', 'edit Maintenance over: Database upgrade']);
	});
});

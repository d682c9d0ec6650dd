import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { historyDatabases } from '#testing/databases';
import { guildIdsForShard } from '#testing/discord/snowflakes';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '#testing/mail/smtp-sink';
import { connectBot, heartbeat, sendHeartbeat, startServer, type BotSocket, type Harness } from '#testing/server/harness';

/*
 * Issue 18, "tell me when my server is affected", through the whole server on real parts: two
 * people subscribe by mail through the API for their own server (by message link and by ID),
 * confirm through the mail's link, and an operator posts incidents about one cluster. Only the
 * person whose server that cluster's shards serve gets a mail, worded in their language, with
 * RFC 8058 headers; after the bot re-shards (4 → 8 shards), the same subscriptions follow their
 * guilds to other shards and clusters without anyone touching them.
 */

const OPERATOR = 'my-server-operator-secret-0123456789';
// Guild A: shard 1 of 4 (cluster 0), shard 5 of 8 (cluster 1). Guild B: shard 3 of 4 (cluster 1), shard 3 of 8 (cluster 0).
const GUILD_A = guildIdsForShard(5, 8, 1, 11)[0]!;
const GUILD_B = guildIdsForShard(3, 8, 1, 12)[0]!;

let smtp: SmtpSink;
beforeAll(async () => {
	smtp = await startSmtpSink();
});
afterAll(() => smtp.close());

describe.each(historyDatabases)('"my server" subscribers on $name', (target) => {
	let h: Harness | undefined;
	let cleanup: (() => Promise<void>) | undefined;
	afterEach(async () => {
		await h?.close();
		await cleanup?.();
		h = cleanup = undefined;
		smtp.mails.length = 0;
	});

	const post = (path: string, body: unknown, auth = true) =>
		fetch(`${h!.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Bearer ${OPERATOR}` } : {}) }, body: JSON.stringify(body) });
	const mailsTo = (address: string) => smtp.mails.filter((m) => m.to.includes(address));

	async function subscribeAndConfirm(address: string, guild: string, locale: string): Promise<void> {
		const before = smtp.mails.length;
		expect((await post('/api/v1/subscriptions', { email: address, scope: { kind: 'guild', guild }, locale }, false)).status).toBe(202);
		await smtp.waitFor(before + 1);
		const mail = mailsTo(address).at(-1)!;
		const token = /confirm\?token=([\w-]{43})/.exec(mail.text!)![1]!;
		const res = await fetch(`${h!.url}/api/v1/subscriptions/confirm`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
		expect(res.status).toBe(200);
	}

	async function incident(clusterIds: number[], title: string): Promise<void> {
		expect((await post('/api/v1/operator/incidents', { title, message: 'Looking into it.', impact: 'minor', clusterIds })).status).toBe(201);
		await h!.server.delivery.idle();
	}

	async function report(bots: BotSocket[], layout: number[][], totalShards: number): Promise<void> {
		for (const [i, bot] of bots.entries()) expect(await sendHeartbeat(bot, heartbeat(i, layout[i]!, totalShards))).toMatchObject({ ok: true });
		await h!.server.flush();
		expect(h!.server.snapshot().totalShards).toBe(totalShards);
	}

	it('mails only the subscriber whose server the incident touches, and follows each guild through a re-shard', async () => {
		const place = await target.open();
		cleanup = place.cleanup;
		h = await startServer({ database: place.location, operatorSecret: OPERATOR, smtpUrl: smtp.url, botName: 'Mewbot' });
		await h.server.history.whenReady();
		const bots = [await connectBot(h.url), await connectBot(h.url)];
		await report(bots, [[0, 1], [2, 3]], 4);

		await subscribeAndConfirm('a@guild.test', `https://discord.com/channels/${GUILD_A}/175928847299117063/175928847299117064`, 'de');
		await subscribeAndConfirm('b@guild.test', GUILD_B, 'en');
		smtp.mails.length = 0;

		// Cluster 0 runs shards 0–1: guild A's shard 1.
		await incident([0], 'Cluster 0 is slow');
		await smtp.waitFor(1);
		expect(mailsTo('a@guild.test')).toHaveLength(1);
		expect(mailsTo('b@guild.test')).toHaveLength(0);
		const mail: ReceivedMail = mailsTo('a@guild.test')[0]!;
		expect(mail.subject).toBe('[Mewbot] Störung: Cluster 0 is slow');
		expect(mail.text).toContain(`deinen Server ${GUILD_A}`);
		const list = mail.headers!.get('list') as { unsubscribe: { url: string }; 'unsubscribe-post': { name: string } };
		expect(list['unsubscribe-post'].name).toBe('List-Unsubscribe=One-Click');
		expect(list.unsubscribe.url).toMatch(/\/api\/v1\/subscriptions\/unsubscribe\?token=[\w-]{43}$/);

		// The bot re-shards to 8: cluster 0 runs 0–3, cluster 1 runs 4–7. Guild A is on shard 5 now, B on 3.
		await report(bots, [[0, 1, 2, 3], [4, 5, 6, 7]], 8);
		smtp.mails.length = 0;
		await incident([1], 'Cluster 1 restarts');
		await smtp.waitFor(1);
		expect(mailsTo('a@guild.test')).toHaveLength(1);
		expect(mailsTo('b@guild.test')).toHaveLength(0);
		smtp.mails.length = 0;
		await incident([0], 'Cluster 0 restarts');
		await smtp.waitFor(1);
		expect(mailsTo('b@guild.test')).toHaveLength(1);
		expect(mailsTo('a@guild.test')).toHaveLength(0);
		expect(mailsTo('b@guild.test')[0]!.subject).toBe('[Mewbot] Incident: Cluster 0 restarts');

		// The one-click link in the last mail ends B's subscription; the next notice for cluster 0 reaches nobody.
		const url = (mailsTo('b@guild.test')[0]!.headers!.get('list') as { unsubscribe: { url: string } }).unsubscribe.url;
		expect((await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
		smtp.mails.length = 0;
		await incident([0], 'Cluster 0 again');
		await new Promise((r) => setTimeout(r, 300));
		expect(smtp.mails).toHaveLength(0);
	});
});

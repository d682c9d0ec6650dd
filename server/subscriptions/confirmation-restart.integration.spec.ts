import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { historyDatabases } from '#testing/databases';
import { startSmtpSink, type SmtpSink } from '#testing/mail/smtp-sink';
import { startServer, type Harness } from '#testing/server/harness';

/*
 * "Nothing lost, nothing doubled" for the mail sent on a subscriber's behalf: the confirmation
 * mail is stored in the outbox before the API answers `202`, so a mail server that is down and
 * a server restart in between lose nothing, and the mail arrives once, its link still working.
 */

/** A loopback port nothing listens on: an SMTP server that is down. */
async function deadPort(): Promise<number> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as { port: number };
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return port;
}

describe.each(historyDatabases)('the confirmation mail across a restart on $name', (target) => {
	let h: Harness | undefined;
	let smtp: SmtpSink | undefined;
	let cleanup: (() => Promise<void>) | undefined;
	afterEach(async () => {
		await h?.close();
		await smtp?.close();
		await cleanup?.();
		h = smtp = cleanup = undefined;
	});

	it('is stored before the 202, survives the mail server being down and a restart, and arrives once', async () => {
		const place = await target.open();
		cleanup = place.cleanup;
		h = await startServer({ database: place.location, smtpUrl: `smtp://127.0.0.1:${await deadPort()}` });
		await h.server.history.whenReady();
		const res = await fetch(`${h.url}/api/v1/subscriptions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'later@mail.test', scope: { kind: 'bot' }, locale: 'fr' }) });
		expect(res.status).toBe(202);
		// The mail server is down: the delivery waits in the outbox.
		const pending = async () => (await h!.server.history.db.selectFrom('outbox_deliveries').select(['state', 'channel']).execute()).map((d) => `${d.channel}:${d.state}`);
		await expect.poll(pending, { timeout: 10_000 }).toEqual(['email:pending']);
		await h.close();

		smtp = await startSmtpSink();
		h = await startServer({ database: place.location, smtpUrl: smtp.url });
		await h.server.history.whenReady();
		await smtp.waitFor(1, 60_000);
		await h.server.delivery.idle(60_000);
		expect(smtp.mails.map((m) => [m.to, m.subject])).toEqual([[['later@mail.test'], 'Confirmez votre abonnement au statut de Shardbeat']]);
		// Its link works on the new instance.
		const token = /confirm\?token=([\w-]{43})/.exec(smtp.mails[0]!.text!)![1]!;
		const confirmed = await fetch(`${h.url}/api/v1/subscriptions/confirm`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `token=${token}` });
		expect(confirmed.status).toBe(200);
		expect(await pending()).toEqual(['email:sent']);
	}, 90_000);
});

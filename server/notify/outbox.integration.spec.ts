import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '#shared';
import { freshHistoryDatabase, historyDatabases } from '#testing/databases';
import { startWebhookEndpoint, type WebhookEndpoint } from '#testing/discord/webhook-endpoint';
import { spreadingIncident, spreadingIncidentAfter } from '#testing/fixtures/incident';
import { startSmtpSink, type SmtpSink } from '#testing/mail/smtp-sink';
import { deliveryStates, seedSubscribers, type SeedSubscriber } from '#testing/outbox';
import type { IncidentNotice } from '../history/incident-notice.ts';
import type { HistoryDatabase } from '../history/schema.ts';
import { DiscordThreads, DiscordTransport } from './discord-transport.ts';
import { EmailTransport } from './email-transport.ts';
import { Outbox, type OutboxJob, type OutboxOptions, type SendOutcome, type Transport } from './outbox.ts';
import { defaultRenderDiscord, defaultRenderMail } from './render.ts';
import { DatabaseSubscriberStore } from './subscriber-store.ts';

/*
 * The outbox on real parts, on SQLite and PostgreSQL: a real SMTP server (smtp-server, parsed by
 * mailparser) and a stand-in Discord webhook API on loopback. Time is a clock the test moves
 * (leases, backoff and rate limits are read from it), never slept through.
 */
const T0 = Date.UTC(2026, 10, 29, 9);
const silent = pino({ enabled: false });

function noticeOf(type: IncidentNotice['type'], incident: Incident): IncidentNotice {
	return { type, incident, update: incident.updates.at(-1)! };
}
const opened = noticeOf('incident.opened', spreadingIncidentAfter(1, { status: 'investigating', resolvedAt: null }));
const updated = noticeOf('incident.updated', spreadingIncidentAfter(2, { status: 'investigating', resolvedAt: null }));
const resolved = noticeOf('incident.resolved', spreadingIncident());

/** A transport that stops dead (a process killed) on the job `when` says, before or after passing it on. */
function dying(inner: Transport, when: (job: OutboxJob) => 'before' | 'after' | undefined): Transport & { died: number } {
	const t = {
		died: 0,
		async send(job: OutboxJob): Promise<SendOutcome> {
			const moment = when(job);
			if (moment === 'before') return t.hang();
			const outcome = await inner.send(job);
			if (moment === 'after') return t.hang();
			return outcome;
		},
		hang(): Promise<SendOutcome> {
			t.died++;
			return new Promise(() => {});
		}
	};
	return t;
}

describe.each(historyDatabases)('outbox on $name', (target) => {
	const database = freshHistoryDatabase(target);
	let sink: SmtpSink | undefined;
	let endpoint: WebhookEndpoint | undefined;
	const outboxes: Outbox[] = [];
	let t = T0;
	const clock = () => t;
	afterEach(async () => {
		for (const o of outboxes.splice(0)) await Promise.race([o.close(), new Promise((r) => setTimeout(r, 200))]);
		await sink?.close();
		await endpoint?.close();
		sink = endpoint = undefined;
		await database.close();
		t = T0;
	});

	async function setup(subscribers: SeedSubscriber[] = []) {
		const db = await database.open();
		sink = await startSmtpSink();
		endpoint = await startWebhookEndpoint({ now: clock });
		const ids = await seedSubscribers(db, subscribers);
		return { db, ids, sink, endpoint };
	}

	function outbox(db: Kysely<HistoryDatabase>, options: Partial<OutboxOptions> & { wrap?: (t: Transport, channel: 'email' | 'discord') => Transport; roleId?: string } = {}) {
		const render = { pageUrl: 'https://status.example.com', botName: 'Mewbot', ...(options.roleId ? { operatorRoleId: options.roleId } : {}) };
		const wrap = options.wrap ?? ((x) => x);
		const email = new EmailTransport({ smtpUrl: sink!.url, from: 'Mewbot Status <status@mewbot.example>', render: defaultRenderMail(render) });
		const discord = new DiscordTransport({ threads: new DiscordThreads(db, clock), render: defaultRenderDiscord(render), now: clock });
		const o = new Outbox({ db, subscribers: new DatabaseSubscriberStore(db), logger: silent, transports: { email: wrap(email, 'email'), discord: wrap(discord, 'discord') }, now: clock, ...options });
		outboxes.push(o);
		return o;
	}

	it('stores a notice once, fans it out page by page to the confirmed subscribers it concerns, and sends each once', async () => {
		// 30 mail subscribers: every third unconfirmed, the rest split between the whole bot, cluster 5 (hit) and cluster 9 (not).
		const people: SeedSubscriber[] = Array.from({ length: 30 }, (_, i) => ({
			kind: 'email',
			target: `user${i}@example.com`,
			confirmed: i % 3 !== 0,
			scope: i % 2 === 0 ? { kind: 'bot' } : i % 4 === 1 ? { kind: 'clusters', clusterIds: [5] } : { kind: 'clusters', clusterIds: [9] }
		}));
		const { db, sink } = await setup(people);
		const store = new DatabaseSubscriberStore(db);
		const pages: number[] = [];
		const counted = Object.assign(Object.create(store) as DatabaseSubscriberStore, { page: (after: number, limit: number) => (pages.push(limit), store.page(after, limit)) });
		const o = outbox(db, { subscribers: counted, pageSize: 4 });
		expect(await o.enqueue(opened)).toEqual({ id: expect.any(Number), created: true });
		expect((await o.enqueue(opened)).created).toBe(false);
		let most = 0;
		while (await o.tick()) most = Math.max(most, (await deliveryStates(db)).pending ?? 0);

		const expected = people.filter((p, i) => p.confirmed !== false && (i % 2 === 0 || i % 4 === 1)).map((p) => p.target).sort();
		expect(sink.mails.map((m) => m.to[0]).sort()).toEqual(expected);
		// Bounded: every read is one page, and no more than two pages of deliveries ever wait.
		expect(pages.length).toBeGreaterThan(5);
		expect(new Set(pages)).toEqual(new Set([4]));
		expect(most).toBeLessThanOrEqual(3 * 4);
		expect(await deliveryStates(db)).toEqual({ sent: expected.length });
		const mail = sink.mails[0]!;
		expect(mail.subject).toMatch(/^\[Mewbot\] Incident: /);
		expect(mail.messageId).toMatch(/^<shardbeat\.\d+\.\d+@mewbot\.example>$/);
		expect(new Set(sink.mails.map((m) => m.messageId)).size).toBe(expected.length);
	});

	it('delivers exactly once when the sending instance dies between claim and send, and repeats only what was sent but not acked', async () => {
		const people = Array.from({ length: 12 }, (_, i): SeedSubscriber => ({ kind: 'email', target: `p${i}@example.com` }));
		const { db, sink } = await setup(people);
		let seen = 0;
		// Instance A sends 3 mails and acks them, sends a 4th and dies before its ack; the rest of its claim is never sent.
		const a = outbox(db, { pageSize: 6, concurrency: 1, leaseMs: 30_000, wrap: (x) => dying(x, () => (++seen === 4 ? 'after' : seen > 4 ? 'before' : undefined)) });
		await a.enqueue(opened);
		void a.tick().then(() => a.tick());
		await sink.waitFor(4);
		await new Promise((r) => setTimeout(r, 100));
		expect(sink.mails).toHaveLength(4);

		// Instance B (its own connection): nothing of A's claim before its lease ends, then all of it.
		const dbB = await database.another();
		const b = outbox(dbB, { pageSize: 6 });
		await b.drain();
		// B fans out and sends the second page; A's claim (p0–p5) is still A's.
		expect(people.map((p) => sink.countFor(p.target))).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
		t += 30_001;
		await b.drain();

		const counts = people.map((p) => sink.countFor(p.target));
		// p3 was accepted by the SMTP server but never acked: sent again, as the same message.
		expect(counts).toEqual([1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1]);
		const p3 = sink.mails.filter((m) => m.to[0] === 'p3@example.com');
		expect(p3[0]!.messageId).toBe(p3[1]!.messageId);
		expect(await deliveryStates(db)).toEqual({ sent: 12 });
	});

	it('edits each Discord message in place as the incident moves, mentions the operator role once, and never edits back', async () => {
		const { db, endpoint } = await setup();
		await seedSubscribers(db, [{ kind: 'discord', target: endpoint.webhookUrl('700000000000000000', 'tok'), locale: 'de' }]);
		const roleId = '222222222222222222';
		const o = outbox(db, { operatorTargets: [{ kind: 'discord', url: endpoint.webhookUrl('1', 'operator-token') }], roleId });
		for (const n of [opened, updated, resolved]) {
			await o.enqueue(n);
			await o.drain();
		}
		// A late update (told after the resolve) is not even stored.
		expect((await o.enqueue(noticeOf('incident.updated', spreadingIncidentAfter(3, { status: 'investigating', resolvedAt: null })))).created).toBe(false);
		await o.drain();

		for (const hook of ['1', '700000000000000000']) {
			expect([endpoint.createsFor(hook), endpoint.editsFor(hook)]).toEqual([1, 2]);
		}
		const operatorMsg = [...endpoint.messages.values()].find((m) => m.webhookId === '1')!;
		const first = endpoint.calls.find((c) => c.webhookId === '1' && c.kind === 'create')!;
		expect(first.body).toMatchObject({ content: `<@&${roleId}>`, allowed_mentions: { parse: [], roles: [roleId] } });
		expect(endpoint.calls.filter((c) => c.webhookId === '1' && c.kind === 'edit').every((c) => !('content' in c.body!) && !('username' in c.body!))).toBe(true);
		expect((operatorMsg.body!.embeds as { title: string }[])[0]!.title).toMatch(/^Resolved: /);
		const subscriberMsg = [...endpoint.messages.values()].find((m) => m.webhookId === '700000000000000000')!;
		expect((subscriberMsg.body!.embeds as { title: string }[])[0]!.title).toMatch(/^Behoben: /);

		// Delivered out of order (a notice older than what the message shows): the message is left as it is.
		const threads = new DiscordThreads(db, clock);
		const transport = new DiscordTransport({ threads, render: defaultRenderDiscord({}), now: clock });
		const sub = (await new DatabaseSubscriberStore(db).page(0, 1))[0]!;
		const outcome = await transport.send({ deliveryId: 0, noticeId: 1, notice: opened, channel: 'discord', recipient: `s:${sub.id}`, to: { kind: 'subscriber', subscriber: sub }, thread: `incident:${opened.incident.id}`, attempt: 1 });
		expect(outcome).toEqual({ kind: 'sent' });
		expect(endpoint.editsFor('700000000000000000')).toBe(2);
	});

	it('honours 429 retry_after per webhook and globally, and the bucket headers, on the clock', async () => {
		const { db, endpoint } = await setup();
		await seedSubscribers(db, ['10', '11', '12'].map((id) => ({ kind: 'discord', target: endpoint.webhookUrl(`9000000000000000${id}`) })));
		// One request at a time, so that what follows a 429 is decided by it.
		const o = outbox(db, { concurrency: 1 });
		endpoint.rateLimitNext('900000000000000010', 2.5);
		await o.enqueue(opened);
		await o.drain();
		expect([endpoint.createsFor('900000000000000010'), endpoint.createsFor('900000000000000011'), endpoint.createsFor('900000000000000012')]).toEqual([0, 1, 1]);
		t += 1_000;
		await o.drain();
		expect(endpoint.createsFor('900000000000000010')).toBe(0);
		t += 1_600;
		await o.drain();
		expect(endpoint.createsFor('900000000000000010')).toBe(1);
		expect(await deliveryStates(db)).toEqual({ sent: 3 });

		// A global 429 holds every webhook, not just the one that got it.
		endpoint.rateLimitNext('0', 4, { global: true });
		await o.enqueue(updated);
		await o.drain();
		const edits = () => ['10', '11', '12'].map((id) => endpoint.editsFor(`9000000000000000${id}`)).reduce((a, b) => a + b);
		expect(endpoint.calls.filter((c) => c.kind === 'rate-limited')).toHaveLength(2);
		expect(endpoint.calls.at(-1)!.kind).toBe('rate-limited');
		expect(edits()).toBe(0);
		t += 3_000;
		await o.drain();
		expect(edits()).toBe(0);
		t += 1_100;
		await o.drain();
		expect(edits()).toBe(3);

		// Remaining 0 with Reset-After: the next request to that webhook waits it out without a 429.
		endpoint.bucket(1, 5_000);
		t += 10_000;
		await o.enqueue(resolved);
		await o.drain();
		const limited = endpoint.calls.filter((c) => c.kind === 'rate-limited').length;
		await o.enqueue({ type: 'maintenance.scheduled', maintenance: { id: 1, title: 'DB', message: '', startsAt: T0, endsAt: T0 + 1, clusterIds: null } });
		await o.drain();
		expect(endpoint.calls.filter((c) => c.kind === 'rate-limited').length).toBe(limited);
		t += 5_001;
		await o.drain();
		expect(await deliveryStates(db)).toEqual({ sent: 12 });
	});

	it('ends a subscription whose webhook is gone (404), and sends it nothing more', async () => {
		const { db, endpoint } = await setup();
		const [gone, kept] = await seedSubscribers(db, [
			{ kind: 'discord', target: endpoint.webhookUrl('800000000000000001') },
			{ kind: 'discord', target: endpoint.webhookUrl('800000000000000002') }
		]);
		endpoint.deleteWebhook('800000000000000001');
		const o = outbox(db);
		await o.enqueue(opened);
		await o.drain();
		const store = new DatabaseSubscriberStore(db);
		expect(await store.get(gone!)).toBeUndefined();
		expect((await store.get(kept!))?.id).toBe(kept);
		expect(o.stats.gone.discord).toBe(1);
		await o.enqueue(resolved);
		await o.drain();
		expect(endpoint.calls.filter((c) => c.webhookId === '800000000000000001').map((c) => c.kind)).toEqual(['unknown-webhook']);
		expect(await deliveryStates(db)).toEqual({ sent: 2, dropped: 1 });
	});

	// Several instances share PostgreSQL; SQLite is one instance's file (its writers lock each other out).
	it.runIf(target.name === 'postgres')('two instances on one database split the work and send nothing twice', async () => {
		const people = Array.from({ length: 120 }, (_, i): SeedSubscriber => ({ kind: 'email', target: `s${i}@example.com` }));
		const { db, sink } = await setup(people);
		const dbB = await database.another();
		const a = outbox(db, { pageSize: 10, instanceId: 'a' });
		const b = outbox(dbB, { pageSize: 10, instanceId: 'b' });
		await Promise.all([a.enqueue(opened), b.enqueue(opened)]);
		// Each ticks as its loop would; one finding nothing due yet (the other holds the fan-out) goes again.
		for (let i = 0; i < 500 && sink.mails.length < 120; i++) await Promise.all([a.tick(), b.tick()]);
		await a.drain();
		expect(people.map((p) => sink.countFor(p.target))).toEqual(people.map(() => 1));
		expect(a.stats.sent.email + b.stats.sent.email).toBe(120);
		expect(Math.min(a.stats.sent.email, b.stats.sent.email)).toBeGreaterThan(0);
	});

	it("keeps the operator's webhooks across a restart and sends them once", async () => {
		const { db, endpoint } = await setup();
		const operatorTargets = [{ kind: 'discord' as const, url: endpoint.webhookUrl('5', 'op') }];
		const a = outbox(db, { operatorTargets });
		await a.enqueue(opened);
		await a.close();
		// Restarted: a new outbox on a new connection finds the notice and sends it.
		const dbB = await database.another();
		const b = outbox(dbB, { operatorTargets });
		await b.drain();
		await b.drain();
		expect([endpoint.createsFor('5'), endpoint.editsFor('5')]).toEqual([1, 0]);
	});

	it('sends a subscription notice to its one subscriber, confirmed or not, and retries a 4xx SMTP answer', async () => {
		const { db, sink, ids } = await setup([
			{ kind: 'email', target: 'new@example.com', confirmed: false },
			{ kind: 'email', target: 'old@example.com' }
		]);
		const o = outbox(db, { baseDelayMs: 1_000, maxDelayMs: 1_000 });
		sink.failNext(1, 451);
		await o.enqueue({ type: 'subscription.confirm', subscriberId: ids[0]! });
		await o.drain();
		expect(sink.mails).toHaveLength(0);
		expect(o.stats.retried.email).toBe(1);
		t += 1_001;
		await o.drain();
		expect(sink.mails.map((m) => m.to)).toEqual([['new@example.com']]);
		sink.failNext(1, 550);
		await o.enqueue({ type: 'subscription.confirm', subscriberId: ids[1]! }, { key: 'again' });
		await o.drain();
		expect(await deliveryStates(db)).toEqual({ sent: 1, failed: 1 });
	});

	it('prunes finished deliveries, then notices with none left, and keeps what is pending', async () => {
		const { db, ids } = await setup([{ kind: 'email', target: 'a@example.com' }, { kind: 'email', target: 'b@example.com' }]);
		const o = outbox(db);
		await o.enqueue(opened);
		await o.drain();
		t += 10_000;
		sink!.failNext(1, 451);
		await o.enqueue({ type: 'subscription.confirm', subscriberId: ids[0]! });
		await o.drain();
		expect(await deliveryStates(db)).toEqual({ sent: 2, pending: 1 });
		// Deliveries older than T0 + 5 s go; the notice of the pending one stays, and so does the first (its key guards it) until its own cut.
		expect(await o.prune(T0 + 5_000, T0)).toEqual({ deliveries: 2, notices: 0 });
		expect(await deliveryStates(db)).toEqual({ pending: 1 });
		expect(await o.prune(T0 + 5_000, T0 + 5_000)).toEqual({ deliveries: 0, notices: 1 });
		expect((await o.enqueue(updated)).created).toBe(true);
		expect(await o.stored(`incident:${opened.incident.id}:incident.opened:${opened.update!.id}@${opened.update!.at}`)).toBe(false);
	});
});

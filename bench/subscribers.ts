import { openHistoryDatabase, startPostgres } from '#testing/databases';
import { startWebhookEndpoint } from '#testing/discord/webhook-endpoint';
import { startSmtpSink } from '#testing/mail/smtp-sink';
import { deliveryStates, seedSubscribers, type SeedSubscriber } from '#testing/outbox';
import { startChild, type Child } from './ipc.ts';

/*
 * Subscribers at scale: a real server process (its outbox on PostgreSQL) sends one incident notice
 * to every confirmed subscriber, mail to an SMTP server on loopback and Discord messages to a
 * stand-in webhook API, both in this process in fast mode. The server is restarted mid-send; at
 * the end every address and webhook must have exactly one message.
 */
export interface SubscribersOptions {
	emails: number;
	discords: number;
	/** Restart the server once this share of the mails has arrived. */
	restartAt: number;
	/** `close`: shut down as a deploy does; `kill`: SIGKILL mid-send. */
	restart: 'close' | 'kill';
	serverCpu?: number;
	/** SMTP connections the server keeps open (production default 5). */
	smtpConnections: number;
	/** The server's Discord budget (requests per second; production default 50). */
	discordPerS: number;
	log?: (line: string) => void;
}

export interface SubscribersFigures {
	emails: number;
	discords: number;
	/** From the operator's POST to the last message, restart included, s. */
	totalS: number;
	/** The restart: from the close (or kill) to the new process sending again, s. */
	restartGapS: number;
	/** Mails per second while a server was up (the restart gap left out). */
	emailsPerS: number;
	/** Messages (mails and Discord) per second of the server's CPU time: what one core sends, whatever else the machine runs. */
	messagesPerCpuS: number;
	/** Server CPU time spent sending, s (both processes, start-up left out). */
	serverCpuS: number;
	/** CPU the bench process (the SMTP server and the Discord stand-in) used meanwhile, s. */
	sinkCpuS: number;
	discordPerS: number;
	rssBeforeMiB: number;
	rssMedianMiB: number;
	rssMaxMiB: number;
	/** Largest RSS in the first and second halves of the sending, MiB: flat when they are close. */
	rssFirstHalfMaxMiB: number;
	rssSecondHalfMaxMiB: number;
	missing: number;
	/** Mails and Discord messages received more than once, in all. */
	duplicates: number;
	/** Of them, Discord messages created twice (the one repeat the outbox cannot make idempotent). */
	discordDuplicates: number;
	/** Of the duplicates, those that were the same message (the same Message-ID): a resend of an unacked delivery, not a second delivery. */
	duplicatesSameMessage: number;
	states: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 2 ** 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function benchSubscribers(o: SubscribersOptions): Promise<SubscribersFigures> {
	const log = o.log ?? (() => {});
	const pg = await startPostgres();
	const sink = await startSmtpSink({ fast: true });
	const endpoint = await startWebhookEndpoint({ fast: true });
	const children: Child[] = [];
	try {
		const db = await openHistoryDatabase(pg.url);
		const hook = (i: number) => String(700_000_000_000_000_000n + BigInt(i));
		function* people(): Generator<SeedSubscriber> {
			for (let i = 0; i < o.emails; i++) yield { kind: 'email', target: `reader${i}@bench.example` };
			for (let i = 0; i < o.discords; i++) yield { kind: 'discord', target: endpoint.webhookUrl(hook(i)) };
		}
		const seeded = Date.now();
		await seedSubscribers(db, people());
		log(`seeded ${o.emails + o.discords} subscribers in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);
		const config = {
			database: pg.url,
			operatorSecret: 'bench-operator-secret-0123456789',
			discordWebhookUrl: endpoint.webhookUrl('1', 'operator'),
			smtpUrl: sink.url,
			mailFrom: 'Bench Status <status@bench.example>',
			outboxEmailsPerS: 100_000,
			smtpConnections: o.smtpConnections,
			discordPerS: o.discordPerS,
			heartbeatIntervalMs: 600_000
		};
		const start = () => {
			const c = startChild('outbox-server', { config }, o.serverCpu);
			children.push(c);
			return c;
		};
		let server = start();
		let url = await server.call<string>('url');
		const rssBefore = await server.call<number>('rss');
		let cpuStart = await server.call<number>('cpu');
		let cpuUsed = 0;
		const samples: { at: number; rss: number }[] = [];
		const t0 = Date.now();
		const sinkCpu0 = process.cpuUsage();
		const res = await fetch(`${url}/api/v1/operator/incidents`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${config.operatorSecret}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({ title: 'Bench outage', message: 'Every subscriber hears this once.', impact: 'major' })
		});
		if (res.status !== 201) throw new Error(`operator API answered ${res.status}`);
		// Every mail, every subscriber's Discord message, and the operator's.
		const delivered = () => sink.mails.length + endpoint.count('create');
		const wanted = o.emails + o.discords + 1;
		let restartGap = 0;
		let restarted = false;
		const deadline = t0 + 20 * 60_000;
		while (delivered() < wanted) {
			if (Date.now() > deadline) throw new Error(`not delivered after 20 minutes: ${sink.mails.length} mails, ${endpoint.count('create')} Discord messages`);
			if (!restarted && sink.mails.length >= o.emails * o.restartAt) {
				restarted = true;
				const closing = Date.now();
				cpuUsed += (await server.call<number>('cpu')) - cpuStart;
				if (o.restart === 'close') {
					await server.call('close');
					await server.stop();
				} else server.process.kill('SIGKILL');
				log(`restart (${o.restart}) after ${sink.mails.length} of ${o.emails} mails`);
				server = start();
				url = await server.call<string>('url');
				cpuStart = await server.call<number>('cpu');
				const mark = delivered();
				while (delivered() === mark && Date.now() < deadline) await sleep(20);
				restartGap = Date.now() - closing;
			}
			samples.push({ at: Date.now(), rss: await server.call<number>('rss').catch(() => NaN) });
			await sleep(200);
		}
		const tEnd = Date.now();
		cpuUsed += (await server.call<number>('cpu')) - cpuStart;
		const sinkCpu = process.cpuUsage(sinkCpu0);
		// Settled in the database too: nothing pending, nothing sent twice afterwards.
		for (let i = 0; i < 100 && ((await deliveryStates(db)).pending ?? 0) > 0; i++) await sleep(100);
		await sleep(500);
		let missing = 0;
		let duplicates = 0;
		for (let i = 0; i < o.emails; i++) {
			const n = sink.countFor(`reader${i}@bench.example`);
			if (n === 0) missing++;
			else duplicates += n - 1;
		}
		let discordDuplicates = 0;
		for (let i = 0; i < o.discords; i++) {
			const n = endpoint.createsFor(hook(i));
			if (n === 0) missing++;
			else discordDuplicates += n - 1;
		}
		duplicates += discordDuplicates;
		// A repeated mail must be the same message: one Message-ID per address.
		const ids = new Map<string, Set<string>>();
		for (const m of sink.mails) for (const to of m.to) ids.set(to, (ids.get(to) ?? new Set()).add(m.messageId));
		let duplicatesSameMessage = 0;
		for (let i = 0; i < o.emails; i++) {
			const n = sink.countFor(`reader${i}@bench.example`);
			if (n > 1 && ids.get(`reader${i}@bench.example`)!.size === 1) duplicatesSameMessage += n - 1;
		}
		const states = await deliveryStates(db);
		await db.destroy();
		const rss = samples.map((s) => s.rss).filter(Number.isFinite);
		const half = samples.length >> 1;
		const sending = (tEnd - t0 - restartGap) / 1000;
		return {
			emails: o.emails,
			discords: o.discords,
			totalS: (tEnd - t0) / 1000,
			restartGapS: restartGap / 1000,
			emailsPerS: o.emails / sending,
			messagesPerCpuS: (o.emails + o.discords + 1) / (cpuUsed / 1e6),
			serverCpuS: cpuUsed / 1e6,
			sinkCpuS: (sinkCpu.user + sinkCpu.system) / 1e6,
			discordPerS: o.discords / sending,
			rssBeforeMiB: rssBefore / MiB,
			rssMedianMiB: median(rss) / MiB,
			rssMaxMiB: Math.max(...rss) / MiB,
			rssFirstHalfMaxMiB: Math.max(...samples.slice(0, half).map((s) => s.rss).filter(Number.isFinite)) / MiB,
			rssSecondHalfMaxMiB: Math.max(...samples.slice(half).map((s) => s.rss).filter(Number.isFinite)) / MiB,
			missing,
			duplicates,
			duplicatesSameMessage,
			discordDuplicates,
			states
		};
	} finally {
		for (const c of children) await c.stop();
		await sink.close();
		await endpoint.close();
		await pg.stop();
	}
}

import { Counter, Gauge, type Registry } from 'prom-client';
import { backoffDelay, type BackoffPolicy } from '#shared';
import type { Locale } from '#i18n/runtime';
import type { HistoryRuntime } from '../history/history-runtime.ts';
import type { Logger } from '../log.ts';
import type { Subsystem } from '../subsystem.ts';
import { defaultScope } from './audience.ts';
import { noticeKey, type Notice, type NoticeOutbox, type NoticeScope, type RenderMail } from './contract.ts';
import { DiscordThreads, DiscordTransport } from './discord-transport.ts';
import { EmailTransport } from './email-transport.ts';
import { JsonTransport } from './json-transport.ts';
import { webhookTargets } from './notifications.ts';
import { DELIVERY_CHANNELS, Outbox, type DeliveryChannel, type OutboxStats, type Transport } from './outbox.ts';
import { defaultRenderDiscord, defaultRenderMail } from './render.ts';
import { DatabaseSubscriberStore } from './subscriber-store.ts';

/** The settings delivery reads (`ServerConfig` has them all). */
export interface DeliverySettings {
	discordWebhookUrl?: string | undefined;
	webhookUrl?: string | undefined;
	webhookSecret?: string | undefined;
	webhookLocale?: Locale | undefined;
	pageUrl?: string | undefined;
	botName?: string | undefined;
	/** Unset: email is off (no mail deliveries are made). */
	smtpUrl?: string | undefined;
	mailFrom?: string | undefined;
	discordRoleId?: string | undefined;
	outboxEmailsPerS: number;
	/** SMTP connections kept open side by side. */
	smtpConnections: number;
	discordPerS: number;
	outboxPageSize: number;
	outboxLeaseMs: number;
}

export interface DeliveryDeps {
	settings: DeliverySettings;
	history: Pick<HistoryRuntime, 'db' | 'whenReady' | 'ready' | 'store'>;
	logger: Logger;
	/** How subscriber mails are worded (subscribing supplies it, with its links); default `defaultRenderMail`. */
	renderMail?: RenderMail;
	/** A notice's scope against the fleet now (`fleetScope`); default the notice's own. */
	scope?: (notice: Notice) => NoticeScope;
	/** How often maintenance windows are checked for starting and ending (and, every 120th time, old rows pruned). Default 30 s. */
	maintenanceCheckMs?: number;
	/** Notices are kept this long (their keys stop an event being sent twice); finished deliveries 7 days. Default 90 days. */
	retentionDays?: number;
	now?: () => number;
	fetch?: typeof fetch;
}

/** Delivery as one part of the server: the outbox, its transports, and the notices maintenance makes. */
export interface Delivery extends Subsystem, NoticeOutbox {
	readonly outbox: Outbox;
	/** True when SMTP is configured: mail subscribers are sent to. */
	readonly emailEnabled: boolean;
	/** Stores a notice (retrying while the database is away) and returns at once. */
	notify(notice: Notice): void;
	/** Enqueues `maintenance.started` / `maintenance.ended` for windows that began or ended (idempotent by key). */
	checkMaintenance(): Promise<void>;
	/** Resolves once nothing is waiting to be fanned out or sent (tests, shutdown). */
	idle(timeoutMs?: number): Promise<void>;
	/** Adds the outbox's series to `/metrics`. */
	registerMetrics(registry: Registry): void;
	start(): void;
	close(): Promise<void>;
}

/** Storing a notice while the database is away: 1 s doubling to a minute, 20 tries (about 15 minutes) before it is given up (logged). */
const ENQUEUE_RETRY: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0, maxExponent: 6 };
const ENQUEUE_TRIES = 20;
const DAY = 86_400_000;

/**
 * Builds the outbox on the history database with a transport per configured channel: Discord
 * (subscribers' webhooks and the operator's, always on), mail (when `smtpUrl` is set) and the
 * operator's signed JSON webhook (when set). The outbox starts once the database is ready.
 */
export function createDelivery(deps: DeliveryDeps): Delivery {
	const { settings, history, logger } = deps;
	const now = deps.now ?? Date.now;
	const fetchImpl = deps.fetch ?? globalThis.fetch;
	const render = { pageUrl: settings.pageUrl, botName: settings.botName, operatorLocale: settings.webhookLocale, operatorRoleId: settings.discordRoleId };
	const transports: Partial<Record<DeliveryChannel, Transport>> = {
		discord: new DiscordTransport({ threads: new DiscordThreads(history.db, now), render: defaultRenderDiscord(render), fetch: fetchImpl, now })
	};
	if (settings.smtpUrl) transports.email = new EmailTransport({ smtpUrl: settings.smtpUrl, from: settings.mailFrom ?? 'Shardbeat <shardbeat@localhost>', render: deps.renderMail ?? defaultRenderMail(render), maxConnections: settings.smtpConnections });
	if (settings.webhookUrl && settings.webhookSecret) transports.json = new JsonTransport({ locale: settings.webhookLocale ?? 'en', fetch: fetchImpl, now });
	const outbox = new Outbox({
		db: history.db,
		subscribers: new DatabaseSubscriberStore(history.db),
		logger,
		transports,
		operatorTargets: webhookTargets(settings),
		pageSize: settings.outboxPageSize,
		leaseMs: settings.outboxLeaseMs,
		ratePerSecond: { email: settings.outboxEmailsPerS, discord: settings.discordPerS },
		now
	});
	const scopeOf = deps.scope ?? defaultScope;
	let closed = false;
	let started = false;
	let maintenanceTimer: ReturnType<typeof setInterval> | undefined;
	const retries = new Set<ReturnType<typeof setTimeout>>();
	/** Notices being stored now: `idle` waits for them too. */
	const storing = new Set<Promise<unknown>>();

	const enqueue: NoticeOutbox['enqueue'] = async (notice, options) => {
		await history.whenReady();
		if (!history.ready) throw new Error('the history database is not ready; the notice was not stored');
		return outbox.enqueue(notice, { scope: options?.scope ?? scopeOf(notice), ...(options?.key ? { key: options.key } : {}) });
	};

	const notify = (notice: Notice, attempt = 0): void => {
		if (closed) return;
		const stored: Promise<unknown> = enqueue(notice).catch((err: Error) => {
			const about = { key: noticeKey(notice), attempt: attempt + 1, err: err.message };
			if (closed) return void logger.error(about, 'notice not stored: the server is shutting down');
			if (attempt + 1 >= ENQUEUE_TRIES) return void logger.error(about, 'notice not stored after every try; it is not sent');
			logger.warn(about, 'notice not stored yet (database away?); retrying');
			const timer = setTimeout(() => {
				retries.delete(timer);
				notify(notice, attempt + 1);
			}, backoffDelay(attempt, ENQUEUE_RETRY));
			timer.unref?.();
			retries.add(timer);
		});
		storing.add(stored);
		void stored.finally(() => storing.delete(stored));
	};

	const checkMaintenance = async () => {
		if (!history.ready) return;
		const t = now();
		// Windows that ended in the last hour or end later: enough to catch a start or an end missed while down.
		for (const maintenance of await history.store.maintenance(t - 3_600_000)) {
			if (maintenance.startsAt > t) await enqueue({ type: 'maintenance.scheduled', maintenance });
			else if (maintenance.endsAt > t) await enqueue({ type: 'maintenance.started', maintenance });
			// Ended: told only to those who were told it started (a window entered after the fact says nothing).
			else if (await outbox.stored(noticeKey({ type: 'maintenance.started', maintenance }))) await enqueue({ type: 'maintenance.ended', maintenance });
		}
	};

	const idle = async (timeoutMs = 30_000) => {
		const deadline = Date.now() + timeoutMs;
		await history.whenReady();
		while (storing.size > 0 || retries.size > 0 || !(await outbox.settled())) {
			if (Date.now() > deadline) throw new Error(`outbox not idle after ${timeoutMs} ms`);
			await new Promise((r) => setTimeout(r, 20));
		}
	};

	const registerMetrics = (registry: Registry) => {
		const stats = outbox.stats;
		const perChannel = (name: string, help: string, read: (s: OutboxStats) => Record<DeliveryChannel, number>) =>
			new Counter({
				name,
				help,
				labelNames: ['channel'],
				registers: [registry],
				collect() {
					this.reset();
					for (const channel of DELIVERY_CHANNELS) this.labels({ channel }).inc(read(stats)[channel]);
				}
			});
		perChannel('shardbeat_outbox_sent_total', 'Deliveries this instance sent (mails, Discord creates and edits, JSON posts), by channel.', (s) => s.sent);
		perChannel('shardbeat_outbox_failed_total', 'Deliveries this instance gave up: refused by the receiver or out of attempts, by channel.', (s) => s.failed);
		perChannel('shardbeat_outbox_retried_total', 'Failed attempts this instance will try again, by channel.', (s) => s.retried);
		perChannel('shardbeat_outbox_rate_limited_total', 'Sends this instance put off for a rate limit (Discord 429 or bucket, a 429 from the JSON endpoint), by channel.', (s) => s.deferred);
		perChannel('shardbeat_outbox_gone_total', 'Subscriptions ended because the receiver was gone (a deleted Discord webhook), by channel.', (s) => s.gone);
		new Counter({
			name: 'shardbeat_outbox_fanned_out_total',
			help: 'Subscriber deliveries this instance created from notices.',
			registers: [registry],
			collect() {
				this.reset();
				this.inc(stats.fannedOut);
			}
		});
		new Gauge({
			name: 'shardbeat_outbox_pending',
			help: 'Deliveries waiting or in flight across every instance, as this instance last counted them.',
			registers: [registry],
			collect() {
				this.set(stats.pending);
			}
		});
	};

	return {
		outbox,
		emailEnabled: Boolean(transports.email),
		enqueue,
		notify: (notice) => notify(notice),
		checkMaintenance,
		idle,
		registerMetrics,
		start() {
			if (started || closed) return;
			started = true;
			void history.whenReady().then(() => {
				if (closed || !history.ready) return;
				outbox.start();
				let checks = 0;
				const check = () => {
					void checkMaintenance().catch((err: Error) => logger.warn({ err: err.message }, 'maintenance notices not checked; trying again later'));
					// About hourly: sent deliveries after a week, notices after the history's retention.
					if (checks++ % 120 === 0) void outbox.prune(now() - 7 * DAY, now() - (deps.retentionDays ?? 90) * DAY).catch((err: Error) => logger.warn({ err: err.message }, 'outbox not pruned; trying again later'));
				};
				check();
				maintenanceTimer = setInterval(check, deps.maintenanceCheckMs ?? 30_000);
				maintenanceTimer.unref?.();
			});
		},
		health: () => ({ outboxPending: outbox.stats.pending, outboxEmail: Boolean(transports.email) }),
		async close() {
			if (closed) return;
			closed = true;
			clearInterval(maintenanceTimer);
			for (const timer of retries) clearTimeout(timer);
			await outbox.close();
		}
	};
}

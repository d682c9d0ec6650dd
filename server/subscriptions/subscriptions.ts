import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { HistoryDatabase } from '../history/schema.ts';
import type { Logger } from '../log.ts';
import type { NoticeOutbox, RenderMail, SubscriberCounts } from '../notify/contract.ts';
import type { RouteHandler } from '../http/routes.ts';
import type { Limits } from '../security/limits.ts';
import type { Subsystem } from '../subsystem.ts';
import { createFirstMessageSender, createRenderMail, type LinkBase } from './first-message.ts';
import { SubscriptionLinks } from './links.ts';
import type { MailSite } from './mail.ts';
import { createSubscriptionRoutes } from './subscription-routes.ts';
import { SubscriptionService } from './subscription-service.ts';

export interface SubscriptionSettings {
	smtpUrl?: string | undefined;
	/** `SHARDBEAT_SERVER_URL`: where the mails' links point. */
	serverUrl?: string | undefined;
	pageUrl?: string | undefined;
	botName?: string | undefined;
	tokenSecret: string;
}

/** Subscriptions as one part of the server: routes for `createHttpApi`, the outbox's renderer, counts for `/metrics`. */
export interface Subscriptions extends Subsystem {
	readonly service: SubscriptionService;
	readonly routes: RouteHandler;
	/** Words notices and confirmation mails for the outbox. */
	readonly renderMail: RenderMail;
	/** Adds `shardbeat_subscribers{kind,state}` to a metrics registry. */
	registerMetrics(registry: Registry): void;
	/** Starts the sweep of unconfirmed subscriptions past 48 hours. */
	start(): void;
}

/**
 * Wires subscribing: the service over the history database, the first-message sender (SMTP,
 * Discord), the routes and their limits. Email is on exactly when `SHARDBEAT_SMTP_URL` is set.
 */
export function createSubscriptions(deps: {
	settings: SubscriptionSettings;
	db: () => Kysely<HistoryDatabase> | undefined;
	limits: Limits;
	/** Where confirmation mails are stored to be sent (the delivery outbox). */
	outbox: Pick<NoticeOutbox, 'enqueue'>;
	/** This server's listening URL (links fall back to it without `SHARDBEAT_SERVER_URL`). */
	serverUrl: () => string;
	/** Where Discord's API answers (tests: a stand-in on loopback). */
	discordApiBase?: string | undefined;
	now: () => number;
	logger: Logger;
}): Subscriptions {
	const { settings, logger } = deps;
	const base: LinkBase = { publicUrl: () => settings.serverUrl ?? deps.serverUrl() };
	const site: MailSite = {
		botName: settings.botName ?? 'Shardbeat',
		get pageUrl() {
			return settings.pageUrl ?? base.publicUrl();
		}
	};
	const service = new SubscriptionService({
		db: deps.db,
		links: new SubscriptionLinks(settings.tokenSecret),
		sender: createFirstMessageSender({ outbox: deps.outbox, site, discordApiBase: deps.discordApiBase, logger }),
		now: deps.now,
		logger
	});
	const routes = createSubscriptionRoutes({
		service,
		emailEnabled: settings.smtpUrl !== undefined,
		site,
		limits: { clientIp: deps.limits.http.clientIp, perIp: deps.limits.http.subscribe, perAddress: deps.limits.http.subscribeAddress },
		logger
	});

	// `/metrics` never waits on the database: it shows the counts last read (at most 15 s old).
	let counts: { at: number; value: SubscriberCounts } | undefined;
	let reading: Promise<unknown> | undefined;
	const refreshCounts = () => {
		if (reading || !service.store()) return;
		reading = service
			.counts()
			.then((value) => (counts = { at: Date.now(), value }))
			.catch(() => undefined)
			.finally(() => (reading = undefined));
	};

	return {
		service,
		routes,
		renderMail: createRenderMail({ service, base, site }),
		registerMetrics(registry) {
			new Gauge({
				name: 'shardbeat_subscribers',
				help: 'Subscribers by kind (email, discord) and state (confirmed, unconfirmed); read from the database at most every 15 s.',
				labelNames: ['kind', 'state'],
				registers: [registry],
				collect() {
					if (!counts || Date.now() - counts.at > 15_000) refreshCounts();
					this.reset();
					if (!counts) return;
					for (const kind of ['email', 'discord'] as const) {
						this.set({ kind, state: 'confirmed' }, counts.value[kind].confirmed);
						this.set({ kind, state: 'unconfirmed' }, counts.value[kind].unconfirmed);
					}
				}
			});
		},
		start() {
			service.start();
		},
		async close() {
			service.close();
			await reading;
		}
	};
}

import { subscribe_discord_test } from '#i18n/messages';
import type { Logger } from '../log.ts';
import type { Notice, NoticeOutbox, RenderedMail, RenderMail, Subscriber } from '../notify/contract.ts';
import { renderConfirmationMail, renderNoticeMail, scopeText, type MailLinks, type MailSite } from './mail.ts';
import type { FirstMessageSender, SubscriptionService } from './subscription-service.ts';

/** Where the server's own subscription pages answer, e.g. `https://status-api.example.com`. */
export interface LinkBase {
	publicUrl: () => string;
}

/** A subscriber's links: the server answers each of them itself. */
export function subscriberLinks(service: SubscriptionService, base: LinkBase, subscriber: Subscriber): MailLinks & { confirm: string } {
	const url = base.publicUrl();
	const manage = service.token('manage', subscriber);
	return {
		unsubscribe: `${url}/api/v1/subscriptions/unsubscribe?token=${manage}`,
		manage: `${url}/api/v1/subscriptions/manage?token=${manage}`,
		confirm: `${url}/api/v1/subscriptions/confirm?token=${service.token('confirm', subscriber)}`
	};
}

/**
 * The outbox's `RenderMail`: incident and maintenance notices, and the confirmation mail, in the
 * subscriber's language with its own links.
 */
export function createRenderMail(deps: { service: SubscriptionService; base: LinkBase; site: MailSite }): RenderMail {
	return (notice: Notice, subscriber: Subscriber): RenderedMail => {
		const links = subscriberLinks(deps.service, deps.base, subscriber);
		if ('subscriberId' in notice) {
			if (notice.type === 'subscription.test') throw new Error('subscription.test is a Discord message, not a mail');
			return renderConfirmationMail(subscriber, deps.site, links);
		}
		return renderNoticeMail(notice, subscriber, deps.site, links);
	};
}

/** The Discord test message that confirms a channel subscription, in its language. */
export function discordTestMessage(subscriber: Subscriber, site: MailSite): { content: string; username: string; allowed_mentions: { parse: [] } } {
	return {
		content: subscribe_discord_test({ bot: site.botName, scope: scopeText(subscriber.scope, subscriber.locale) }, { locale: subscriber.locale }),
		username: `${site.botName} Status`.slice(0, 80),
		// Nothing in it may ping anyone.
		allowed_mentions: { parse: [] }
	};
}

export interface FirstMessageOptions {
	/** The durable outbox: the confirmation mail is stored there and sent by its mail transport. */
	outbox: Pick<NoticeOutbox, 'enqueue'>;
	site: MailSite;
	/** Where Discord's API answers; tests point it at a stand-in on loopback. Default: the webhook URL's own origin. */
	discordApiBase?: string | undefined;
	fetch?: typeof fetch;
	logger: Logger;
}

/**
 * A subscription's first message. The confirmation mail goes into the durable outbox (so it
 * survives a restart and is sent once, worded by `renderMail` when it is sent); the Discord test
 * message is posted at once with `fetch`, since its answer decides whether the subscription is
 * kept. Neither the address nor the webhook URL is ever logged: only the subscriber id and
 * Discord's status.
 */
export function createFirstMessageSender(o: FirstMessageOptions): FirstMessageSender {
	const doFetch = o.fetch ?? globalThis.fetch;
	return {
		async confirmationMail(subscriber, sendKey) {
			await o.outbox.enqueue({ type: 'subscription.confirm', subscriberId: subscriber.id }, { key: `subscriber:${subscriber.id}:confirm:${sendKey}`, scope: { clusterIds: null, shardIds: null, totalShards: 0 } });
			o.logger.info({ subscriber: subscriber.id }, 'confirmation mail queued');
		},
		async discordTest(subscriber) {
			const url = new URL(subscriber.target.reveal());
			const base = o.discordApiBase ?? url.origin;
			try {
				const res = await doFetch(`${base}${url.pathname}?wait=true`, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json' },
					body: JSON.stringify(discordTestMessage(subscriber, o.site)),
					redirect: 'manual',
					signal: AbortSignal.timeout(10_000)
				});
				await res.body?.cancel();
				o.logger.info({ subscriber: subscriber.id, status: res.status }, 'discord test message posted');
				return res.ok ? { ok: true } : { ok: false, status: res.status };
			} catch (err) {
				o.logger.warn({ subscriber: subscriber.id, err: (err as Error).name }, 'discord test message could not be posted');
				return { ok: false, status: 0 };
			}
		}
	};
}

import { createTransport, type Transporter } from 'nodemailer';
import { subscribe_discord_test } from '#i18n/messages';
import type { Logger } from '../log.ts';
import type { Notice, RenderedMail, RenderMail, Subscriber } from '../notify/contract.ts';
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

export interface DirectSenderOptions {
	/** `SHARDBEAT_SMTP_URL`; unset: email is off and `confirmationMail` is never called. */
	smtpUrl?: string | undefined;
	/** `SHARDBEAT_MAIL_FROM`. */
	mailFrom: string;
	service: SubscriptionService;
	base: LinkBase;
	site: MailSite;
	/** Where Discord's API answers; tests point it at a stand-in on loopback. Default `https://discord.com`. */
	discordApiBase?: string | undefined;
	fetch?: typeof fetch;
	logger: Logger;
}

/**
 * Sends a subscription's first message at once, while the subscriber waits for the answer: the
 * confirmation mail through nodemailer's SMTP transport, the Discord test message with `fetch`.
 * (Notices to confirmed subscribers go through the durable outbox.) Neither the address nor the
 * webhook URL is ever logged: only the subscriber id and Discord's status.
 */
export function createDirectSender(o: DirectSenderOptions): FirstMessageSender & { close(): void } {
	const doFetch = o.fetch ?? globalThis.fetch;
	let transport: Transporter | undefined;
	const mailer = () => (transport ??= createTransport(o.smtpUrl!, { from: o.mailFrom }));
	return {
		async confirmationMail(subscriber) {
			const mail = renderConfirmationMail(subscriber, o.site, subscriberLinks(o.service, o.base, subscriber));
			await mailer().sendMail({ from: o.mailFrom, to: subscriber.target.reveal(), subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers });
			o.logger.info({ subscriber: subscriber.id }, 'confirmation mail sent');
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
		},
		close() {
			transport?.close();
		}
	};
}

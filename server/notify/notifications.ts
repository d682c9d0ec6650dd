import type { Locale } from '#i18n/runtime';
import type { IncidentNotice } from '../history/incident-notice.ts';
import type { Logger } from '../log.ts';
import { Broadcast, type Subsystem } from '../subsystem.ts';
import type { WebhookTarget } from './outbox.ts';

export interface NotificationSettings {
	discordWebhookUrl?: string | undefined;
	webhookUrl?: string | undefined;
	webhookSecret?: string | undefined;
	pageUrl?: string | undefined;
	/** Discord embeds say whose status this is; unset, they are signed `Shardbeat`. */
	botName?: string | undefined;
	/** The language notices are worded in. Default `en`. */
	webhookLocale?: Locale | undefined;
}

export interface Notifications extends Subsystem {
	/** Tells every listener, and hands the notice to delivery (which stores it in the outbox); returns at once. */
	notify(notice: IncidentNotice): void;
}

/** The configured webhook targets: a Discord channel, a signed JSON endpoint, both or none. */
export function webhookTargets(settings: NotificationSettings): WebhookTarget[] {
	return [
		...(settings.discordWebhookUrl ? [{ kind: 'discord' as const, url: settings.discordWebhookUrl }] : []),
		...(settings.webhookUrl && settings.webhookSecret ? [{ kind: 'json' as const, url: settings.webhookUrl, secret: settings.webhookSecret }] : [])
	];
}

/**
 * Notifications: every incident notice (automatic or posted by an operator) goes to `deliver`
 * (the durable outbox: operator webhooks and subscribers) and to `listeners` (viewers, embedders,
 * tests). A listener that throws is logged and the others still hear it.
 */
export function createNotifications(deps: { logger: Logger; listeners?: ((notice: IncidentNotice) => void)[]; deliver?: (notice: IncidentNotice) => void }): Notifications {
	const notices = new Broadcast<IncidentNotice>((err) => deps.logger.error({ err }, 'incident listener failed'));
	if (deps.deliver) notices.listen(deps.deliver);
	for (const listener of deps.listeners ?? []) notices.listen(listener);
	return {
		notify: (notice) => notices.emit(notice),
		close: () => undefined
	};
}

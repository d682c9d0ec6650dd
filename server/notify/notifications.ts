import type { Locale } from '#i18n/runtime';
import type { IncidentNotice } from '../history/incident-notice.ts';
import type { Logger } from '../log.ts';
import { Broadcast, type Subsystem } from '../subsystem.ts';
import { WebhookNotifier, type WebhookTarget } from './webhooks.ts';

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
	/** Tells every listener and webhook about an incident; returns at once (delivery is queued). */
	notify(notice: IncidentNotice): void;
	/** Outgoing webhooks, when any target is configured. */
	readonly webhooks: WebhookNotifier | undefined;
}

/** The configured webhook targets: a Discord channel, a signed JSON endpoint, both or none. */
export function webhookTargets(settings: NotificationSettings): WebhookTarget[] {
	return [
		...(settings.discordWebhookUrl ? [{ kind: 'discord' as const, url: settings.discordWebhookUrl }] : []),
		...(settings.webhookUrl && settings.webhookSecret ? [{ kind: 'json' as const, url: settings.webhookUrl, secret: settings.webhookSecret }] : [])
	];
}

/**
 * Notifications: every incident notice (automatic or posted by an operator) goes to the
 * configured webhooks and to `listeners` (embedders, tests). A listener that throws is logged and
 * the others still hear it.
 */
export function createNotifications(deps: { settings: NotificationSettings; logger: Logger; listeners?: ((notice: IncidentNotice) => void)[] }): Notifications {
	const notices = new Broadcast<IncidentNotice>((err) => deps.logger.error({ err }, 'incident listener failed'));
	for (const listener of deps.listeners ?? []) notices.listen(listener);
	const targets = webhookTargets(deps.settings);
	const { pageUrl, botName, webhookLocale } = deps.settings;
	const webhooks =
		targets.length > 0
			? new WebhookNotifier({ targets, logger: deps.logger, ...(pageUrl ? { pageUrl } : {}), ...(botName ? { botName } : {}), ...(webhookLocale ? { locale: webhookLocale } : {}) })
			: undefined;
	if (webhooks) notices.listen((notice) => webhooks.notify(notice));
	return {
		notify: (notice) => notices.emit(notice),
		webhooks,
		close: async () => {
			await webhooks?.close();
		}
	};
}

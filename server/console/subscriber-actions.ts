import type { SubscriberCountsView, SubscriberSearchResult, SubscriberView } from '#shared';
import { HttpError } from '../http/respond.ts';
import type { Subscriber } from '../notify/contract.ts';
import type { SubscriptionService } from '../subscriptions/subscription-service.ts';
import type { Caller, ConsoleActions } from './console-actions.ts';

/** What operators do with subscribers: the subscription service's reads and its one removal. */
export type SubscriberDirectory = Pick<SubscriptionService, 'counts' | 'find' | 'get' | 'remove'>;

/** A search as its schema (`SubscriberSearchSchema`) leaves it: exactly one of the two. */
export interface ParsedSubscriberSearch {
	email?: string | undefined;
	discordWebhookUrl?: string | undefined;
}

/** Subscriber as operators see it: never the address or webhook URL, only its hint. */
export function subscriberView(s: Subscriber): SubscriberView {
	return { id: s.id, kind: s.kind, target: s.hint, scope: s.scope, locale: s.locale, createdAt: s.createdAt, confirmedAt: s.confirmedAt };
}

/**
 * Counting, searching and removing subscribers, for the console and the bearer operator API
 * alike, audited the same way from both. The audit never holds the address: a search records
 * its kind and whether it found someone, a removal the subscriber's id, kind and masked hint.
 */
export function createSubscriberActions(deps: { directory: () => SubscriberDirectory | undefined; audit: ConsoleActions['audit'] }) {
	const directory = () => deps.directory() ?? (() => { throw new HttpError(404, 'subscriptions_disabled', 'subscriptions are not part of this server'); })();
	return {
		async counts(): Promise<SubscriberCountsView> {
			return directory().counts();
		},

		async search(caller: Caller, query: ParsedSubscriberSearch): Promise<SubscriberSearchResult> {
			const kind = query.email !== undefined ? 'email' : 'discord';
			const found = await directory().find(kind, query.email ?? query.discordWebhookUrl!);
			await deps.audit(caller, 'subscriber.search', found ? `subscriber:${found.id}` : null, { kind, found: found !== undefined });
			return { subscribers: found ? [subscriberView(found)] : [] };
		},

		async remove(caller: Caller, id: number): Promise<void> {
			const current = await directory().get(id);
			if (!current || !(await directory().remove(id))) throw new HttpError(404, 'unknown_subscriber', `there is no subscriber ${id}; it may have unsubscribed or been removed already — search again`);
			await deps.audit(caller, 'subscriber.remove', `subscriber:${id}`, { kind: current.kind, target: current.hint, confirmed: current.confirmedAt !== null });
		}
	};
}

export type SubscriberActions = ReturnType<typeof createSubscriberActions>;

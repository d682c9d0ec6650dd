import { z } from 'zod';
import { MAX_SCOPE_CLUSTERS, parseDiscordWebhookUrl, parseScope, type ScopeError, type ScopeInput, type WebhookUrlError } from '#shared';
import { locales } from '#i18n/runtime';
import type { SubscriberScope } from '../notify/contract.ts';
import type { SubscribeRequest } from './subscription-service.ts';

/*
 * What `POST /api/v1/subscriptions` accepts. Strict: an unknown field is refused, naming it.
 * The honeypot (`website`) is part of the schema so that a bot filling every field is accepted
 * as if it were a person, and quietly ignored (see the route).
 */

const SCOPE_ERRORS: Record<ScopeError, string> = {
	unknown_kind: 'must be one of bot, clusters, guild',
	no_clusters: 'name at least one cluster',
	too_many_clusters: `name at most ${MAX_SCOPE_CLUSTERS} clusters (or subscribe to the whole bot)`,
	bad_cluster_id: 'cluster ids are whole numbers from 0 to 1,000,000',
	empty: 'give a server ID or a message link',
	not_a_snowflake: 'not a server ID: server IDs have 17 to 20 digits (or paste a message link)',
	direct_message_link: 'a direct-message link belongs to no server: paste a link to a message in the server'
};

const WEBHOOK_ERRORS: Record<WebhookUrlError, string> = {
	not_a_url: 'must be a URL like https://discord.com/api/webhooks/<id>/<token>',
	not_https: 'must start with https://',
	not_discord: 'must be on discord.com (or discordapp.com, canary. or ptb.)',
	not_a_webhook: 'must be a webhook URL: https://discord.com/api/webhooks/<id>/<token>, nothing after the token'
};

const scopeInput = z.discriminatedUnion(
	'kind',
	[
		z.strictObject({ kind: z.literal('bot') }),
		z.strictObject({ kind: z.literal('clusters'), clusterIds: z.array(z.number().int().min(0).max(1_000_000)).min(1, SCOPE_ERRORS.no_clusters).max(MAX_SCOPE_CLUSTERS, SCOPE_ERRORS.too_many_clusters) }),
		z.strictObject({ kind: z.literal('guild'), guild: z.string().max(300, 'must be at most 300 characters') })
	],
	{ error: SCOPE_ERRORS.unknown_kind }
);

/** A scope as a client sends it, checked and reduced to what is stored (a message link → its guild). */
export const ScopeSchema: z.ZodType<SubscriberScope> = scopeInput.transform((input, ctx) => {
	const parsed = parseScope(input as ScopeInput);
	if (parsed.ok) return parsed.scope;
	ctx.addIssue({ code: 'custom', message: SCOPE_ERRORS[parsed.error], path: input.kind === 'guild' ? ['guild'] : input.kind === 'clusters' ? ['clusterIds'] : [] });
	return z.NEVER;
});

const email = z
	.string()
	.trim()
	.max(254, 'must be at most 254 characters')
	.pipe(z.email({ error: 'must be an email address like name@example.com' }));

const webhook = z
	.string()
	.max(300, 'must be at most 300 characters')
	.transform((raw, ctx) => {
		const parsed = parseDiscordWebhookUrl(raw);
		if (parsed.ok) return parsed.webhook.url;
		ctx.addIssue({ code: 'custom', message: WEBHOOK_ERRORS[parsed.error] });
		return z.NEVER;
	});

/** The body of `POST /api/v1/subscriptions`. */
export const SubscribeSchema = z
	.strictObject({
		email: email.optional(),
		discordWebhookUrl: webhook.optional(),
		scope: ScopeSchema,
		locale: z.enum(locales, { error: `must be one of ${locales.join(', ')}` }),
		/** The honeypot: hidden from people and screen readers, so only a bot fills it. */
		website: z.string().max(2_000).optional()
	})
	.superRefine((body, ctx) => {
		if ((body.email === undefined) === (body.discordWebhookUrl === undefined)) {
			ctx.addIssue({ code: 'custom', path: ['email'], message: 'give either email or discordWebhookUrl (exactly one)' });
		}
	})
	.transform((body): { request: SubscribeRequest; honeypot: boolean } => ({
		request: {
			kind: body.email !== undefined ? 'email' : 'discord',
			target: body.email ?? body.discordWebhookUrl!,
			scope: body.scope,
			locale: body.locale
		},
		honeypot: (body.website ?? '') !== ''
	}));

/** The operator's search: one exact address or webhook URL, in the body (never in a URL, where logs keep it). */
export const SubscriberSearchSchema = z
	.strictObject({ email: email.optional(), discordWebhookUrl: webhook.optional() })
	.refine((b) => (b.email === undefined) !== (b.discordWebhookUrl === undefined), { message: 'give either email or discordWebhookUrl (exactly one)', path: ['email'] });

import { parseGuildInput, type GuildInputError } from '../guild-shard.ts';

/*
 * What a subscriber wants to hear about. "My server" is stored as the guild, never as a shard:
 * which shard serves a guild depends on the bot's shard count at the time, so a re-shard moves
 * the guild and the subscription follows it (`noticeConcerns` in server/notify/audience.ts).
 */

/** The whole bot, chosen clusters, or one Discord server (guild). */
export type SubscriptionScope = { kind: 'bot' } | { kind: 'clusters'; clusterIds: number[] } | { kind: 'guild'; guildId: string };

export type SubscriptionScopeKind = SubscriptionScope['kind'];

/** The scope kinds, in the order a form offers them. */
export const SCOPE_KINDS = ['bot', 'clusters', 'guild'] as const satisfies readonly SubscriptionScopeKind[];

/** Clusters one subscription may name; beyond that, the whole bot is what is meant. */
export const MAX_SCOPE_CLUSTERS = 256;

/** Why a scope was refused; `guild` errors are those of `parseGuildInput`. */
export type ScopeError = 'unknown_kind' | 'no_clusters' | 'too_many_clusters' | 'bad_cluster_id' | GuildInputError;

/**
 * What a client sends as `scope`: the whole bot, clusters by id, or a server by ID or by a
 * Discord message link (`https://discord.com/channels/<guild>/<channel>/<message>`).
 */
export type ScopeInput = { kind: 'bot' } | { kind: 'clusters'; clusterIds: readonly number[] } | { kind: 'guild'; guild: string };

/**
 * Turns what a user gave into a stored scope: cluster ids deduplicated and sorted, a message
 * link reduced to its guild. Pure, so the page checks as it types exactly what the server will.
 */
export function parseScope(input: ScopeInput): { ok: true; scope: SubscriptionScope } | { ok: false; error: ScopeError } {
	switch (input.kind) {
		case 'bot':
			return { ok: true, scope: { kind: 'bot' } };
		case 'clusters': {
			const ids = [...new Set(input.clusterIds)].sort((a, b) => a - b);
			if (ids.length === 0) return { ok: false, error: 'no_clusters' };
			if (ids.length > MAX_SCOPE_CLUSTERS) return { ok: false, error: 'too_many_clusters' };
			if (!ids.every((id) => Number.isInteger(id) && id >= 0 && id <= 1_000_000)) return { ok: false, error: 'bad_cluster_id' };
			return { ok: true, scope: { kind: 'clusters', clusterIds: ids } };
		}
		case 'guild': {
			const parsed = parseGuildInput(input.guild);
			return parsed.ok ? { ok: true, scope: { kind: 'guild', guildId: parsed.guildId } } : { ok: false, error: parsed.error };
		}
		default:
			return { ok: false, error: 'unknown_kind' };
	}
}

import type { IncidentUpdate } from '#shared';
import { m } from '#i18n/messages';
import { formatNumber } from '$lib/format/format';

/*
 * Automatic incident updates carry an English sentence from the server, plus `kind` and
 * `shardsDown`; the page words them itself, so a German visitor reads German. Messages follow
 * the page's locale (Paraglide's `getLocale`); `locale` only formats the numbers.
 */

/**
 * Shard ids spelled out, long lists cut short: "3, 7" or "0, 1, …, 11 and 4,988 more". Ids are
 * plain digits (no grouping: "1,234, 1,235" would read as four numbers); the count is localized.
 */
export function shardList(ids: readonly number[], locale: string, max = 12): string {
	const shown = ids.slice(0, max).join(', ');
	return ids.length <= max ? shown : m.shard_list_more({ list: shown, count: formatNumber(ids.length - max, locale) });
}

/** The text to show for an update: the page's own words for an automatic one, else the operator's. */
export function updateText(update: IncidentUpdate, locale: string): string {
	const down = update.shardsDown;
	if (!update.kind || !down) return update.message;
	if (update.kind === 'resolved' || down.length === 0) return m.auto_resolved();
	const one = { shard: String(down[0]) };
	const many = { shards: shardList(down, locale) };
	switch (update.kind) {
		case 'opened':
			return down.length === 1 ? m.auto_opened_one(one) : m.auto_opened_many(many);
		case 'worsened':
			return down.length === 1 ? m.auto_worsened_one(one) : m.auto_worsened_many(many);
		case 'improved':
			return down.length === 1 ? m.auto_improved_one(one) : m.auto_improved_many(many);
	}
}

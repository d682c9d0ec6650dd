import type { ShardReport } from './protocol.ts';

/**
 * Guild and unavailable-guild counts per shard, as every adapter tallies them: an unavailable
 * guild is still one of the shard's guilds (the protocol's `guilds` counts it), and also one of
 * its `unavailableGuilds`.
 */
export class GuildTally {
	guilds = 0;
	readonly #perShard = new Map<number, { guilds: number; unavailable: number }>();

	/** Counts one guild of `shardId`; an unavailable one counts in both figures. */
	add(shardId: number, unavailable: boolean): void {
		let counts = this.#perShard.get(shardId);
		if (!counts) this.#perShard.set(shardId, (counts = { guilds: 0, unavailable: 0 }));
		counts.guilds++;
		if (unavailable) counts.unavailable++;
		this.guilds++;
	}

	/** A shard's report fields: its guilds, and how many of them are unavailable. */
	of(shardId: number): Pick<ShardReport, 'guilds' | 'unavailableGuilds'> {
		const counts = this.#perShard.get(shardId);
		return { guilds: counts?.guilds ?? 0, unavailableGuilds: counts?.unavailable ?? 0 };
	}
}


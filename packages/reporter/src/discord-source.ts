import { LIMITS, fromDiscordJsStatus, type ShardReport } from './protocol.ts';
import type { ClusterReport } from './reporter.ts';

/*
 * Structural types: the parts of discord.js (v14) and discord-hybrid-sharding (v2/v3) the reporter
 * reads. Neither is a dependency; any object of this shape works.
 */

/** A discord.js `WebSocketShard`: `status` is discord.js's numeric `Status`. */
export interface DiscordShardLike {
	id: number;
	status: number;
	/** ms; discord.js reports -1 until the first gateway heartbeat completes. */
	ping: number;
}

/** A discord-hybrid-sharding `ClusterClient` (`client.cluster`). */
export interface ClusterClientLike {
	id: number;
	shardList: number[];
	info: { TOTAL_SHARDS: number };
}

/** A discord.js `Guild`, as far as the reporter reads it. */
export interface DiscordGuildLike {
	shardId: number;
	memberCount: number;
	available?: boolean;
}

/** The parts of a discord.js `Client` the reporter reads. */
export interface DiscordClientLike {
	ws: {
		shards: { values(): Iterable<DiscordShardLike>; size: number };
		/**
		 * discord.js's WebSocketManager re-emits every gateway dispatch under its name (with its data)
		 * just before its handler applies it. When there, the guild cache is walked again only after
		 * a guild dispatch, and a member joining or leaving is counted without a walk; without it,
		 * the cache is walked at every heartbeat. (`any`: discord.js types `event` as its own enum.)
		 */
		on?(event: any, listener: (data: unknown) => void): unknown;
		off?(event: any, listener: (data: unknown) => void): unknown;
	};
	/**
	 * Unavailable guilds stay in the cache with `available` false (READY's stubs, and Discord's
	 * outages). With `get` (discord.js's Collection has it), a member joining or leaving is counted
	 * without walking the cache again.
	 */
	guilds: {
		cache: {
			values(): Iterable<DiscordGuildLike>;
			get?(id: string): DiscordGuildLike | undefined;
			readonly size?: number;
		};
	};
	/** discord.js `ShardClientUtil` when run under a `ShardingManager`. */
	shard?: { ids: number[]; count: number } | null;
	options?: { shards?: number | readonly number[] | 'auto'; shardCount?: number };
	/** Set by discord-hybrid-sharding on the client it spawns. */
	cluster?: ClusterClientLike;
}

/** A source that also removes the listeners it added to `client.ws`. */
export type DiscordSource = (() => ClusterReport) & { detach(): void };

export interface DiscordSourceOptions {
	/** A discord-hybrid-sharding `ClusterClient`; defaults to `client.cluster` when present. */
	cluster?: ClusterClientLike;
	/**
	 * This process's cluster id, when you run several plain clients as your own clusters. Default:
	 * the hybrid-sharding cluster's id, else `client.shard`'s first shard id, else 0.
	 */
	clusterId?: number;
	/** Process uptime in ms. Default `process.uptime() * 1000`. */
	uptimeMs?: () => number;
}

interface ShardLayout {
	clusterId: number;
	/** The library's own array where it has one: read, compared, and copied only when it changed. */
	shardIds: readonly number[];
	totalShards: number;
}

function shardLayout(client: DiscordClientLike, cluster: ClusterClientLike | undefined): ShardLayout {
	if (cluster) return { clusterId: cluster.id, shardIds: cluster.shardList, totalShards: cluster.info.TOTAL_SHARDS };
	if (client.shard) return { clusterId: client.shard.ids[0] ?? 0, shardIds: client.shard.ids, totalShards: client.shard.count };
	const configured = client.options?.shards;
	const shardIds = Array.isArray(configured)
		? (configured as readonly number[])
		: client.ws.shards.size > 0
			? [...client.ws.shards.values()].map((s) => s.id)
			: [0];
	let totalShards = client.options?.shardCount ?? 0;
	for (const id of shardIds) totalShards = Math.max(totalShards, id + 1);
	return { clusterId: 0, shardIds, totalShards };
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

/** A library's ping as the protocol takes it: whole ms, capped; unknown (negative, NaN, Infinity) left out. */
export function pingOf(ping: number): number | undefined {
	if (!Number.isFinite(ping) || ping < 0) return undefined;
	return Math.min(Math.round(ping), LIMITS.maxPingMs);
}

/**
 * The dispatches whose discord.js handlers change what the reporter reads from the guild cache:
 * guilds arriving (READY's stubs, GUILD_CREATE), leaving or going unavailable (GUILD_DELETE), and
 * member counts (GUILD_MEMBER_ADD / _REMOVE). discord.js applies all five even before the client
 * is ready (its `BeforeReadyWhitelist`), so none waits in its packet queue.
 */
const GUILD_DISPATCHES = ['READY', 'GUILD_CREATE', 'GUILD_DELETE', 'GUILD_MEMBER_ADD', 'GUILD_MEMBER_REMOVE'] as const;

interface CacheWalk {
	/** The cache size it was counted at. */
	size: number | undefined;
	/** Guilds of the assigned shards, unavailable ones included. */
	guilds: number;
	members: number;
	/** Per assigned shard, by its position in the shard list: its guilds, and how many are unavailable. */
	perShard: Int32Array;
	unavailable: Int32Array;
}

function walkGuilds(client: DiscordClientLike, position: ReadonlyMap<number, number>, shardCount: number): CacheWalk {
	const perShard = new Int32Array(shardCount);
	const unavailable = new Int32Array(shardCount);
	let guilds = 0;
	let members = 0;
	for (const guild of client.guilds.cache.values()) {
		const at = position.get(guild.shardId);
		if (at === undefined) continue;
		// An unavailable guild is still one of the shard's guilds (the protocol's `guilds` counts it).
		perShard[at]!++;
		if (guild.available === false) unavailable[at]!++;
		guilds++;
		if (Number.isFinite(guild.memberCount)) members += guild.memberCount;
	}
	return { size: client.guilds.cache.size, guilds, members, perShard, unavailable };
}

/**
 * Reads a discord.js client's state as a Shardbeat report: each shard's state (mapped from
 * discord.js's `Status`) and ping from `client.ws.shards`, guild, unavailable-guild and member
 * counts from the guild cache (discord.js keeps an unavailable guild there with `available`
 * false), the cluster id and shard list from discord-hybrid-sharding, `client.shard`, or
 * the client's own options, in that order. Call `detach()` when done with it. A report's shard
 * list, its shard reports and their array are frozen and shared with later reports while they
 * stay the same; copy them before changing anything.
 *
 * @example
 * const source = discordSource(client);            // plain discord.js or ShardingManager
 * const source = discordSource(client, { cluster: client.cluster }); // hybrid sharding
 */
export function discordSource(client: DiscordClientLike, options: DiscordSourceOptions = {}): DiscordSource {
	const uptimeMs = options.uptimeMs ?? (() => process.uptime() * 1000);
	// The guild cache walk is nearly all a heartbeat costs at scale: each of 128,000 guilds is a
	// cache miss, milliseconds in all, for counts that rarely change. So its result is kept until
	// a dispatch that changes them, or a change in the cache's size (a guild added or removed by
	// other means: REST, the bot's own code). Shard states and pings are read every time.
	let walk: CacheWalk | undefined;
	let assignedIds: number[] = [];
	/** Each assigned shard id's position in `assignedIds` (the first, if listed twice). */
	let position = new Map<number, number>();
	const changed = () => {
		walk = undefined;
	};
	// A member joining or leaving is the one change that comes all the time (bots with the
	// GuildMembers intent get them every second), and discord.js's handlers for it do nothing to
	// what the walk read but `guild.memberCount` ± 1 for a cached guild. So the kept walk takes the
	// same ± 1, decided by the same lookup the handler is about to make, instead of walking again.
	const memberDelta = (delta: 1 | -1) => (data: unknown) => {
		if (!walk) return;
		const id = (data as { guild_id?: unknown } | null)?.guild_id;
		const cache = client.guilds.cache;
		if (typeof id !== 'string' || !cache.get) return changed();
		const guild = cache.get(id);
		// What the walk would count: a cached guild of an assigned shard with a known member count.
		if (guild && position.has(guild.shardId) && Number.isFinite(guild.memberCount)) walk.members += delta;
	};
	const listeners: Record<(typeof GUILD_DISPATCHES)[number], (data: unknown) => void> = {
		READY: changed,
		GUILD_CREATE: changed,
		GUILD_DELETE: changed,
		GUILD_MEMBER_ADD: memberDelta(1),
		GUILD_MEMBER_REMOVE: memberDelta(-1)
	};
	const { ws } = client;
	for (const event of GUILD_DISPATCHES) ws.on?.(event, listeners[event]);

	// What follows runs every heartbeat, at 128 shards too, in a process that has slept since the
	// last one: whatever it touches comes from main memory, so it touches little. Each shard's own
	// object and, in arrays that sit together, where it was in the last heartbeat's walk of
	// `ws.shards` and its position in the shard list (looked up again only when another shard
	// object stands in that place); counts in typed arrays by position. A shard's report is kept
	// and handed out again while its four figures stay the same (pings move once per gateway
	// heartbeat, ~41 s; states and counts rarely), and so are the shard list and the array of
	// reports, so a heartbeat in which nothing moved allocates only its top object. Whether a shard
	// changed is decided from what its report was made from, kept in arrays, without touching the
	// report. Reports, their array and the shard list are frozen once handed out: an earlier one
	// stays true to its moment, and the reporter knows an unchanged shard by identity alone
	// (`changedShards`). (The bench's "reporter inside a bot" measures all of this.)
	let previous: readonly ShardReport[] = [];
	/** What each of `previous` was made from, as read (status and ping before mapping): compared instead of the reports themselves. */
	const madeFrom = { id: [] as number[], status: [] as number[], ping: [] as number[], guilds: [] as number[], unavailable: [] as number[] };
	const seen: DiscordShardLike[] = [];
	const seenIds: number[] = [];
	/** The position in `assignedIds` of the shard seen in each place, or -1 when not assigned. */
	const seenAt: number[] = [];
	const source = (): ClusterReport => {
		const layout = shardLayout(client, options.cluster ?? client.cluster);
		if (!sameIds(layout.shardIds, assignedIds)) {
			// Frozen, like every report handed out: the reporter then knows by identity that it did not change.
			assignedIds = Object.freeze([...layout.shardIds]) as number[];
			position = new Map();
			for (let i = assignedIds.length - 1; i >= 0; i--) position.set(assignedIds[i]!, i);
			seen.length = 0;
			walk = undefined;
		}
		if (!ws.on || !walk || walk.size !== client.guilds.cache.size) walk = walkGuilds(client, position, assignedIds.length);
		const { perShard, unavailable } = walk;

		// `next` stays undefined while every shard matches its previous report in place.
		let next: ShardReport[] | undefined;
		let n = 0;
		let place = 0;
		for (const shard of ws.shards.values()) {
			const id = shard.id;
			let at: number;
			if (seen[place] === shard && seenIds[place] === id) at = seenAt[place]!;
			else {
				at = position.get(id) ?? -1;
				seen[place] = shard;
				seenIds[place] = id;
				seenAt[place] = at;
			}
			place++;
			if (at < 0) continue;
			const status = shard.status;
			const rawPing = shard.ping;
			const guilds = perShard[at]!;
			const unavailableGuilds = unavailable[at]!;
			const same =
				n < previous.length &&
				madeFrom.id[n] === id &&
				madeFrom.status[n] === status &&
				madeFrom.ping[n] === rawPing &&
				madeFrom.guilds[n] === guilds &&
				madeFrom.unavailable[n] === unavailableGuilds;
			if (!same && next === undefined) next = previous.slice(0, n);
			if (next !== undefined) {
				if (same) next.push(previous[n]!);
				else {
					const state = fromDiscordJsStatus(status);
					const ping = pingOf(rawPing);
					next.push(Object.freeze(ping === undefined ? { id, state, guilds, unavailableGuilds } : { id, state, ping, guilds, unavailableGuilds }));
					madeFrom.id[n] = id;
					madeFrom.status[n] = status;
					madeFrom.ping[n] = rawPing;
					madeFrom.guilds[n] = guilds;
					madeFrom.unavailable[n] = unavailableGuilds;
				}
			}
			n++;
		}
		seen.length = seenIds.length = seenAt.length = place;
		if (next === undefined && n !== previous.length) next = previous.slice(0, n);
		if (next !== undefined) previous = Object.freeze(next);
		return {
			clusterId: options.clusterId ?? layout.clusterId,
			totalShards: layout.totalShards,
			shardIds: assignedIds,
			shards: previous as ShardReport[],
			guilds: walk.guilds,
			members: walk.members,
			uptimeMs: Math.max(0, Math.round(uptimeMs()))
		};
	};
	return Object.assign(source, {
		detach() {
			for (const event of GUILD_DISPATCHES) ws.off?.(event, listeners[event]);
		}
	});
}

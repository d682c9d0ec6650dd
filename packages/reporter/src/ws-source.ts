import { fromWebSocketShardStatus, type ShardReport } from './protocol.ts';
import { pingOf } from './discord-source.ts';
import type { ClusterReport } from './reporter.ts';
import { GuildTally } from './guild-tally.ts';

/*
 * Structural type: the parts of an @discordjs/ws (v1, v2) `WebSocketManager` the reporter reads.
 * @discordjs/ws is not a dependency; any object of this shape works.
 */

/** The parts of an @discordjs/ws `WebSocketManager` the reporter reads. */
export interface WebSocketManagerLike {
	/** Shard id → @discordjs/ws `WebSocketShardStatus` number (a `Collection`, i.e. a Map). */
	fetchStatus(): PromiseLike<{ entries(): Iterable<[number, number]> }> | { entries(): Iterable<[number, number]> };
	getShardIds(): PromiseLike<number[]>;
	getShardCount(): PromiseLike<number>;
	// `any`, not `unknown`: a real manager's `on` is AsyncEventEmitter's typed overloads, which a
	// narrower parameter type would not accept (a compile-time check in the spec holds one to this).
	on(event: any, listener: (...args: any[]) => void): unknown;
	off?(event: any, listener: (...args: any[]) => void): unknown;
}

/** A source that also removes the listeners it added to the manager. */
export type WebSocketManagerSource = (() => Promise<ClusterReport>) & { detach(): void };

export interface WebSocketManagerSourceOptions {
	/** This process's cluster id, when you run several. Default 0. */
	clusterId?: number;
	/** Process uptime in ms. Default `process.uptime() * 1000`. */
	uptimeMs?: () => number;
}

/** v1 emits `(payload with shardId)`, v2 `(payload, shardId)`. */
function shardOf(payload: { shardId?: number } | undefined, second: unknown): number | undefined {
	return typeof payload?.shardId === 'number' ? payload.shardId : typeof second === 'number' ? second : undefined;
}

/**
 * Reads an @discordjs/ws `WebSocketManager` as a Shardbeat report. States come from
 * `manager.fetchStatus()` (its own numbering, mapped in `shared-types/discord-status.ts`), shard
 * ids and count from the manager; the manager keeps no cache, so pings are taken from its
 * `heartbeat` events, and guild, unavailable-guild and member counts from the dispatches: READY
 * (its guilds, all unavailable until they arrive), `GUILD_CREATE` (available, unless it says
 * otherwise) and `GUILD_DELETE` (`unavailable: true` is Discord's outage, else the guild is gone).
 * Listeners are added once, here.
 */
export function webSocketManagerSource(manager: WebSocketManagerLike, options: WebSocketManagerSourceOptions = {}): WebSocketManagerSource {
	const uptimeMs = options.uptimeMs ?? (() => process.uptime() * 1000);
	const pings = new Map<number, number>();
	const guildsById = new Map<string, { shardId: number; members: number; unavailable: boolean }>();

	const onHeartbeat = (payload: { latency?: number; shardId?: number }, second?: unknown) => {
		const shardId = shardOf(payload, second);
		if (shardId !== undefined && typeof payload.latency === 'number') pings.set(shardId, payload.latency);
	};
	const onClosed = (payload: { shardId?: number } | number | undefined, second?: unknown) => {
		const shardId = typeof payload === 'object' ? shardOf(payload, second) : typeof second === 'number' ? second : undefined;
		if (shardId !== undefined) pings.delete(shardId);
	};
	/** Marks a guild unavailable, keeping what was known of it (its members). */
	const unavailable = (id: string, shardId: number) => guildsById.set(id, { shardId, members: guildsById.get(id)?.members ?? 0, unavailable: true });
	const onReady = (shardId: number, listed: readonly { id?: unknown }[]) => {
		// READY opens a new session and lists every guild of the shard, each unavailable until its
		// GUILD_CREATE: guilds the shard had that it no longer lists were left meanwhile.
		const ids = new Set(listed.map((g) => g?.id).filter((id): id is string => typeof id === 'string'));
		for (const [id, guild] of guildsById) if (guild.shardId === shardId && !ids.has(id)) guildsById.delete(id);
		for (const id of ids) unavailable(id, shardId);
	};
	type GuildEvent = { id?: string; member_count?: number; unavailable?: boolean; guilds?: { id?: unknown }[] };
	const onDispatch = (payload: { data?: { t?: string; d?: GuildEvent }; shardId?: number }, second?: unknown) => {
		const shardId = shardOf(payload, second);
		const event = payload?.data;
		if (shardId === undefined || !event?.d) return;
		if (event.t === 'READY' && Array.isArray(event.d.guilds)) return onReady(shardId, event.d.guilds);
		const id = event.d.id;
		if (typeof id !== 'string') return;
		if (event.t === 'GUILD_CREATE') {
			if (event.d.unavailable === true) unavailable(id, shardId);
			else guildsById.set(id, { shardId, members: event.d.member_count ?? 0, unavailable: false });
		}
		// `unavailable: true` is an outage, not a departure: the guild stays counted, as unavailable.
		else if (event.t === 'GUILD_DELETE') {
			if (event.d.unavailable === true) unavailable(id, shardId);
			else guildsById.delete(id);
		}
	};
	const listeners = [
		['heartbeat', onHeartbeat],
		['closed', onClosed],
		['dispatch', onDispatch]
	] as const;
	for (const [event, listener] of listeners) manager.on(event, listener);

	const source = async (): Promise<ClusterReport> => {
		const [statuses, shardIds, totalShards] = await Promise.all([manager.fetchStatus(), manager.getShardIds(), manager.getShardCount()]);
		const assigned = new Set(shardIds);
		const tally = new GuildTally();
		let members = 0;
		for (const guild of guildsById.values()) {
			if (!assigned.has(guild.shardId)) continue;
			tally.add(guild.shardId, guild.unavailable);
			if (Number.isFinite(guild.members)) members += guild.members;
		}
		const shards: ShardReport[] = [];
		for (const [id, status] of statuses.entries()) {
			if (!assigned.has(id)) continue;
			const ping = pings.has(id) ? pingOf(pings.get(id)!) : undefined;
			shards.push({ id, state: fromWebSocketShardStatus(status), ...(ping === undefined ? {} : { ping }), ...tally.of(id) });
		}
		shards.sort((a, b) => a.id - b.id);
		return {
			clusterId: options.clusterId ?? 0,
			totalShards,
			shardIds: [...shardIds].sort((a, b) => a - b),
			shards,
			guilds: tally.guilds,
			members,
			uptimeMs: Math.max(0, Math.round(uptimeMs()))
		};
	};
	return Object.assign(source, {
		detach() {
			for (const [event, listener] of listeners) manager.off?.(event, listener);
		}
	});
}

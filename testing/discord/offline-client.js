// @ts-check
/*
 * Real discord.js objects, built offline: no token, no login, no network. Shards are real
 * `WebSocketShard`s in the real `client.ws.shards` Collection, and guilds enter the cache through
 * discord.js's own GUILD_CREATE dispatch handler, exactly as they do when the gateway sends them.
 *
 * Plain JavaScript (JSDoc-typed) so that specs and the bench's plain-`node` bot process (which
 * loads the reporter as a bot would, without tsx) build their clients with the same code.
 */
import { WebSocketShard } from 'discord.js';

/**
 * @typedef {import('discord.js').Client} Client
 * @typedef {import('discord.js').Guild} Guild
 * @typedef {import('discord.js').Status} Status
 */

// The constructor is `private` in discord.js's typings; it is public in its JavaScript.
const RealWebSocketShard = /** @type {new (manager: import('discord.js').WebSocketManager, id: number) => WebSocketShard} */ (
	/** @type {unknown} */ (WebSocketShard)
);

/**
 * `handlePacket` is internal to discord.js's WebSocketManager (not in its typings), and its `emit`
 * is typed for dispatch names of its own enum.
 * @typedef {{ handlePacket(packet: { t: string; d: unknown }, shard: WebSocketShard): boolean; emit(event: string, ...args: unknown[]): boolean }} PacketHandler
 */

let nextId = 100_000_000_000_000_000n;

/** A fresh snowflake-shaped id (guilds, channels), unique within the process. */
export function nextSnowflake() {
	return String(nextId++);
}

/**
 * Puts a real `WebSocketShard` with this status and ping into `client.ws.shards`.
 * @param {Client} client
 * @param {{ id: number; status: Status; ping?: number }} spec
 * @returns {WebSocketShard}
 */
export function addShard(client, { id, status, ping }) {
	const shard = new RealWebSocketShard(client.ws, id);
	shard.status = status;
	if (ping !== undefined) shard.ping = ping;
	client.ws.shards.set(id, shard);
	return shard;
}

/**
 * A shard that is not in `client.ws.shards` but whose id guilds can still be tagged with.
 * @param {Client} client
 * @param {number} id
 * @returns {WebSocketShard}
 */
export function detachedShard(client, id) {
	return new RealWebSocketShard(client.ws, id);
}

/**
 * Delivers a gateway dispatch to `client` as discord.js's WebSocketManager does for each one it
 * receives: `raw` on the client, the dispatch's name on `client.ws`, then its handler (READY: the
 * shard takes it first).
 * @param {Client} client
 * @param {WebSocketShard} shard
 * @param {string} t e.g. 'GUILD_MEMBER_ADD'
 * @param {Record<string, unknown>} d
 */
export function dispatch(client, shard, t, d) {
	const manager = /** @type {PacketHandler} */ (/** @type {unknown} */ (client.ws));
	// READY goes to the shard first, as discord.js's manager does (it sets up the shard's expected guilds).
	if (t === 'READY') /** @type {{ onReadyPacket(d: unknown): void }} */ (/** @type {unknown} */ (shard)).onReadyPacket(d);
	client.emit('raw', { op: 0, t, d }, shard.id);
	manager.emit(t, d, shard.id);
	manager.handlePacket({ t, d }, shard);
}

/**
 * Feeds a GUILD_CREATE for a new guild through discord.js's own handler, as if `shard` received
 * it, and returns the cached `Guild`.
 * @param {Client} client
 * @param {WebSocketShard} shard
 * @param {number} [memberCount] `member_count`; left out when undefined
 * @param {Record<string, unknown>} [extra] more GUILD_CREATE fields (channels, roles, `unavailable`…)
 * @returns {Guild}
 */
export function addGuild(client, shard, memberCount, extra = {}) {
	const id = nextSnowflake();
	const data = {
		id,
		name: `guild ${id}`,
		channels: [],
		roles: [],
		...(memberCount === undefined ? {} : { member_count: memberCount }),
		...extra
	};
	dispatch(client, shard, 'GUILD_CREATE', data);
	const guild = client.guilds.cache.get(id);
	if (!guild) throw new Error(`discord.js did not cache guild ${id}`);
	if (guild.shardId !== shard.id) throw new Error(`guild ${id} landed on shard ${guild.shardId}, not ${shard.id}`);
	return guild;
}

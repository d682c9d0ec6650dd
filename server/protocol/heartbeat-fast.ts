import { LIMITS, PROTOCOL_VERSION, SHARD_STATES, type Heartbeat } from '#shared';

/*
 * The accept path for heartbeats, by hand. The zod schema costs ~30 µs for a 16-shard heartbeat,
 * most of the per-heartbeat budget at 20,000/s on one core; this check costs a few. It accepts
 * exactly what the schema accepts (heartbeat-fast.spec.ts compares the two on thousands of
 * mutated inputs); anything it refuses goes to the schema, which says precisely what is wrong.
 */

const HEARTBEAT_KEYS = new Set(['v', 'clusterId', 'totalShards', 'shardIds', 'shards', 'guilds', 'members', 'uptimeMs']);
const SHARD_KEYS = new Set(['id', 'state', 'ping', 'guilds', 'unavailableGuilds']);
const STATES = new Set<unknown>(SHARD_STATES);

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const intIn = (x: unknown, min: number, max: number): x is number => Number.isSafeInteger(x) && (x as number) >= min && (x as number) <= max;
const count = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

/** Every own key is allowed, and there are between `min` and `max` of them. */
function onlyKeys(o: Record<string, unknown>, allowed: Set<string>, min: number, max = allowed.size): boolean {
	const keys = Object.keys(o);
	if (keys.length < min || keys.length > max) return false;
	for (const k of keys) if (!allowed.has(k)) return false;
	return true;
}
/** True when `x` is a heartbeat the server accepts as it is. */
export function isValidHeartbeat(x: unknown): x is Heartbeat {
	if (!isRecord(x) || !onlyKeys(x, HEARTBEAT_KEYS, HEARTBEAT_KEYS.size)) return false;
	if (x.v !== PROTOCOL_VERSION) return false;
	if (!intIn(x.clusterId, 0, LIMITS.maxClusterId) || !intIn(x.totalShards, 1, LIMITS.maxTotalShards)) return false;
	if (!count(x.guilds) || !count(x.members)) return false;
	const uptime = x.uptimeMs;
	if (typeof uptime !== 'number' || !(uptime >= 0 && uptime <= Number.MAX_SAFE_INTEGER)) return false;

	const { shardIds, shards, totalShards } = x;
	if (!Array.isArray(shardIds) || shardIds.length < 1 || shardIds.length > LIMITS.maxShardsPerCluster) return false;
	const assigned = new Set<number>();
	for (const id of shardIds) {
		if (!intIn(id, 0, Math.min(LIMITS.maxTotalShards, totalShards) - 1) || assigned.has(id)) return false;
		assigned.add(id);
	}
	if (!Array.isArray(shards) || shards.length > LIMITS.maxShardsPerCluster) return false;
	const reported = new Set<number>();
	for (const s of shards) {
		if (!isRecord(s) || !onlyKeys(s, SHARD_KEYS, 3)) return false;
		if (!('id' in s) || !('state' in s) || !('guilds' in s)) return false;
		const { id, state, ping, guilds, unavailableGuilds } = s;
		if (!Number.isSafeInteger(id) || !assigned.has(id as number) || reported.has(id as number)) return false;
		reported.add(id as number);
		if (!STATES.has(state) || !count(guilds)) return false;
		if (ping !== undefined && (typeof ping !== 'number' || !(ping >= 0 && ping <= LIMITS.maxPingMs))) return false;
		if (unavailableGuilds !== undefined && !intIn(unavailableGuilds, 0, Math.min(LIMITS.maxUnavailableGuilds, guilds as number))) return false;
	}
	return true;
}

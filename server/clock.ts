/*
 * Two clocks, never mixed. Wall-clock time (`Date.now()`) is for what people read: history's
 * timestamps, `lastHeartbeatAt`, token expiry. It can step (an NTP correction, a VM resumed from
 * pause), so nothing decides silence or expiry by subtracting two wall-clock readings. In process
 * those decisions use `monotonicNow()`; across instances (Redis) they use Redis's own `TIME`, one
 * clock for every instance, read inside the Lua scripts.
 */

/** Milliseconds on this process's monotonic clock (`performance.now()`): never steps, means nothing across processes. */
export const monotonicNow = (): number => performance.now();

/** Redis `TIME` ([seconds, microseconds]) as milliseconds. */
export const redisMs = ([s, us]: [string, string] | (string | number)[]): number => Number(s) * 1000 + Math.floor(Number(us) / 1000);

/** Lua that sets `now` to Redis's clock in ms; scripts that compare times start with it. */
export const LUA_NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

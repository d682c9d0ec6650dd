import { LUA_NOW } from '../clock.ts';

/*
 * Lua run inside Redis, so each commit is atomic: conditions checked, records written, the
 * version incremented and the change published in one step no other instance can interleave.
 *
 * Last-seen times are on ONE clock, Redis's own (`TIME`, read here; Redis 7 replicates the
 * script's effects, not the call), never an instance's: instances whose clocks disagree, or one
 * whose clock steps, still agree on who is silent.
 *
 * KEYS: 1 version counter, 2 cluster records (hash id → encoded cluster), 3 last-seen (zset id → Redis ms)
 * ARGV: 1 starting version (ms, used once when the counter is missing), 2 channel, 3 `at` (ms, wall
 *       clock: what history and viewers read), 4 entry count, then five per entry: id, mode,
 *       score, record ('' = delete), delta entry bytes.
 * Modes:
 *   u  upsert from a heartbeat: always applies, and raises last-seen to Redis's now (`score` unused).
 *   s  stop: applies only while the cluster's last-seen exists and is ≤ `score` (Redis ms: when
 *      this instance last wrote it, or what a sweep read), i.e. nobody has heard it since; then
 *      forgets its last-seen so no other sweep stops it again.
 *   r  remove: applies only when the cluster's last-seen is gone or older than `score` ms (a
 *      timeout, relative to Redis's now).
 * Returns { version (unchanged when nothing applied), indexes of applied entries, Redis's now }.
 */
export const COMMIT_LUA = `
${LUA_NOW}
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
local n = tonumber(ARGV[4])
local applied, parts = {}, {}
for i = 0, n - 1 do
  local b = 5 + i * 5
  local id, mode, score, rec, entry = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local seen = redis.call('ZSCORE', KEYS[3], id)
  local ok = true
  if mode == 's' then ok = seen ~= false and tonumber(seen) <= tonumber(score)
  elseif mode == 'r' then ok = seen == false or tonumber(seen) <= now - tonumber(score) end
  if ok then
    if rec == '' then
      redis.call('HDEL', KEYS[2], id)
      redis.call('ZREM', KEYS[3], id)
    else
      redis.call('HSET', KEYS[2], id, rec)
      if mode == 'u' then redis.call('ZADD', KEYS[3], 'GT', now, id) else redis.call('ZREM', KEYS[3], id) end
    end
    applied[#applied + 1] = i
    parts[#parts + 1] = entry
  end
end
if #parts == 0 then return { tonumber(redis.call('GET', KEYS[1])), applied, now } end
local v = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[2], v .. ':' .. ARGV[3] .. ':' .. table.concat(parts))
return { v, applied, now }
`;

/**
 * Last-seen for clusters heard since the last batch, at Redis's now (raised only: GT).
 * KEYS: 1 last-seen zset. ARGV: cluster ids. Returns Redis's now (ms).
 */
export const TOUCH_LUA = `
${LUA_NOW}
for i = 1, #ARGV do redis.call('ZADD', KEYS[1], 'GT', now, ARGV[i]) end
return now
`;

/**
 * Clusters nobody has heard from for `ARGV[1]` ms by Redis's clock, at most 256, with their
 * last-seen. KEYS: 1 last-seen zset. Returns { Redis's now, id1, seen1, id2, seen2, … }.
 */
export const STALE_LUA = `
${LUA_NOW}
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]), 'WITHSCORES', 'LIMIT', 0, 256)
table.insert(stale, 1, now)
return stale
`;

/*
 * Lua run inside Redis, so each commit is atomic: conditions checked, records written, the
 * version incremented and the change published in one step no other instance can interleave.
 *
 * KEYS: 1 version counter, 2 cluster records (hash id → encoded cluster), 3 last-seen (zset id → ms)
 * ARGV: 1 starting version (ms, used once when the counter is missing), 2 channel, 3 `at` (ms),
 *       4 entry count, then five per entry: id, mode, score, record ('' = delete), delta entry bytes.
 * Modes:
 *   u  upsert from a heartbeat: always applies, and raises last-seen to `score`.
 *   s  stop: applies only while the cluster's last-seen exists and is ≤ `score`, i.e. nobody has
 *      heard it since; then forgets its last-seen so no other sweep stops it again.
 *   r  remove: applies only when the cluster's last-seen is gone or ≤ `score`.
 * Returns { version (unchanged when nothing applied), indexes of applied entries }.
 */
export const COMMIT_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
local n = tonumber(ARGV[4])
local applied, parts = {}, {}
for i = 0, n - 1 do
  local b = 5 + i * 5
  local id, mode, score, rec, entry = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local seen = redis.call('ZSCORE', KEYS[3], id)
  local ok = true
  if mode == 's' then ok = seen ~= false and tonumber(seen) <= tonumber(score)
  elseif mode == 'r' then ok = seen == false or tonumber(seen) <= tonumber(score) end
  if ok then
    if rec == '' then
      redis.call('HDEL', KEYS[2], id)
      redis.call('ZREM', KEYS[3], id)
    else
      redis.call('HSET', KEYS[2], id, rec)
      if mode == 'u' then redis.call('ZADD', KEYS[3], 'GT', score, id) else redis.call('ZREM', KEYS[3], id) end
    end
    applied[#applied + 1] = i
    parts[#parts + 1] = entry
  end
end
if #parts == 0 then return { tonumber(redis.call('GET', KEYS[1])), applied } end
local v = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[2], v .. ':' .. ARGV[3] .. ':' .. table.concat(parts))
return { v, applied }
`;

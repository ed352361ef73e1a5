-- Appends one gift (reliable lane) atomically: idempotency check, ban check, the room's gift rate, id and seq,
-- history write and trim, idempotency record, stream clock stamp and replay. (Prepended: lib/gcra.lua,
-- lib/clock.lua, lib/append.lua.)
-- The idempotency check comes first on purpose: a retry of a gift already accepted is answered as a duplicate
-- and is never refused or charged by the ban or the rate (a gift accepted is never affected by later limits).
-- KEYS[1] id counter  KEYS[2] seq counter  KEYS[3] history zset  KEYS[4] idempotency hash  KEYS[5] ban set
-- KEYS[6] the room's gift rate (GCRA)  KEYS[7] the room's stream clock  KEYS[8] the replay set of ARGV[13]'s epoch
-- ARGV[1] json head   ARGV[2] json open tail    ARGV[3] max count  ARGV[4] cutoff ms (older serverTs is trimmed)
-- ARGV[5] idempotency ttl s  ARGV[6] history ttl s  ARGV[7] '1' when KEYS[4] is used
-- ARGV[8] sender user id ('' = no ban check)  ARGV[9] '1' for a privileged sender (never banned)  ARGV[10] now ms
-- ARGV[11] room gift rate interval ms (0 = no room rate)  ARGV[12] room gift burst  ARGV[13] the epoch the caller expects
-- ARGV[14] clock stale ms  ARGV[15] replay max count  ARGV[16] replay max age ms
-- Returns {status, id, seq, json, published}: status 0 appended, 1 duplicate (the first append's id, seq, json,
-- published), -1 the sender is banned, -2 the room's gift rate is exhausted (id = retry after, ms), -100 the clock is
-- in another epoch than ARGV[13] (id = that epoch; nothing written or charged: call again with it).
if ARGV[7] == '1' then
  local prior = redis.call('HMGET', KEYS[4], 'id', 'seq', 'json', 'published')
  if prior[1] then
    return {1, tonumber(prior[1]), tonumber(prior[2]), prior[3], prior[4] or '0'}
  end
end
local clk = clock_context(KEYS[7], KEYS[8], ARGV[13], ARGV[10], ARGV[14], ARGV[15], ARGV[16])
local moved = clock_moved(clk)
if moved then
  return {-100, moved, 0, '', '0'}
end
if ARGV[8] ~= '' and ARGV[9] ~= '1' and redis.call('SISMEMBER', KEYS[5], ARGV[8]) == 1 then
  return {-1, 0, 0, '', '0'}
end
local interval = tonumber(ARGV[11])
if interval > 0 then
  local retry = gcra(KEYS[6], tonumber(ARGV[10]), interval, tonumber(ARGV[12]))
  if retry > 0 then
    return {-2, retry, 0, '', '0'}
  end
end
local id, seq, json = append_event(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[6], clk)
if ARGV[7] == '1' then
  redis.call('HSET', KEYS[4], 'id', id, 'seq', seq, 'json', json, 'published', '0')
  redis.call('EXPIRE', KEYS[4], ARGV[5])
end
return {0, id, seq, json, '0'}

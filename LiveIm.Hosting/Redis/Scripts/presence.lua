-- The one definition of a room's presence (docs/operations.md, "Presence"), used by every process:
-- a gateway's report, RoomService's join snapshot, room info and online broadcast.
-- KEYS[1] counts hash (gateway -> local member count)
-- KEYS[2] expiry zset (gateway scored by the ms time its report expires)
-- KEYS[3] last broadcast total (string; op 'broadcast' only, any key of the room otherwise)
-- ARGV[1] op: 'report' | 'read' | 'join' | 'broadcast'
-- ARGV[2] now ms
-- ARGV[3] gateway: the reporter ('report'), the gateway left out of the total ('read'; '' = none), or the joining
--         gateway ('join': left out of the total, and its count recorded first when ARGV[4] > 0)
-- ARGV[4] count ('report': this gateway's local members, 0 withdraws its report; 'join': the joining gateway's local
--         members, joiner included, recorded as its report, or 0 to record nothing)
-- ARGV[5] ttl ms ('report', 'join': how long the report counts; 'broadcast': how long the last total is remembered)
-- Returns {total, gateways, changed}: the sum of the live reports (except ARGV[3] for 'read' and 'join'), how many
-- gateways report members, and for 'broadcast' 1 when the total differs from the last one broadcast (which it
-- records); {0, 0, 0} for 'report'.
local function record(gateway, count, now, ttl)
  redis.call('HSET', KEYS[1], gateway, count)
  redis.call('ZADD', KEYS[2], now + ttl, gateway)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
local op = ARGV[1]
if op == 'report' then
  if tonumber(ARGV[4]) > 0 then
    record(ARGV[3], ARGV[4], tonumber(ARGV[2]), tonumber(ARGV[5]))
  else
    redis.call('HDEL', KEYS[1], ARGV[3])
    redis.call('ZREM', KEYS[2], ARGV[3])
  end
  -- A report needs no total (RoomService decides it): the purge and the sum are left to the reads, which run every
  -- interval for every live room (the broadcast pass), so a report is 4 commands instead of 6.
  return {0, 0, 0}
end
-- Reports whose expiry passed are removed here: a gateway that died stops counting by itself.
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
for _, gw in ipairs(dead) do
  redis.call('HDEL', KEYS[1], gw)
end
if #dead > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
end
local except = ''
if op == 'read' or op == 'join' then
  except = ARGV[3]
end
-- A join records the joining gateway's fresh count (the gateway asks for it at most every 250 ms per room; its
-- periodic report and its prompt writes do the rest), after the purge so the write is never purged with the dead.
if op == 'join' and except ~= '' and (tonumber(ARGV[4]) or 0) > 0 then
  record(except, ARGV[4], tonumber(ARGV[2]), tonumber(ARGV[5]))
end
local flat = redis.call('HGETALL', KEYS[1])
local total, gateways = 0, 0
for i = 1, #flat, 2 do
  local n = tonumber(flat[i + 1]) or 0
  if n > 0 then
    gateways = gateways + 1
    if flat[i] ~= except then
      total = total + n
    end
  end
end
local changed = 0
if op == 'broadcast' then
  -- SET ... GET swaps in the new total and hands back the old one in one command; the key's expiry is refreshed by
  -- every pass, so it only lapses once the room is no longer checked.
  local last = redis.call('SET', KEYS[3], total, 'PX', ARGV[5], 'GET')
  if last ~= tostring(total) then
    changed = 1
  end
end
return {total, gateways, changed}

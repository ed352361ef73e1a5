-- Sums the live presence reports of a room, except the asking gateway's own.
-- Reports whose expiry passed are removed here: a gateway that died stops counting by itself.
-- KEYS[1] counts hash (gateway -> count)  KEYS[2] expiry zset (gateway scored by expiry ms)
-- ARGV[1] now ms  ARGV[2] gateway to leave out
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
for _, gw in ipairs(dead) do
  redis.call('HDEL', KEYS[1], gw)
end
if #dead > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
end
local flat = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #flat, 2 do
  if flat[i] ~= ARGV[2] then
    total = total + (tonumber(flat[i + 1]) or 0)
  end
end
return total

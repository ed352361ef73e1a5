-- Appends one reliable-lane event atomically: idempotency check, id and seq, history write and trim.
-- Atomic on purpose: seq must stay contiguous and every seq handed out must be in history, even when two
-- RoomService instances sequence the same room at once or one dies halfway.
-- KEYS[1] id counter  KEYS[2] seq counter  KEYS[3] history zset  KEYS[4] idempotency hash
-- ARGV[1] json head   ARGV[2] json tail    ARGV[3] max count  ARGV[4] cutoff ms (older serverTs is trimmed)
-- ARGV[5] idempotency ttl s  ARGV[6] history ttl s  ARGV[7] '1' when KEYS[4] is used
if ARGV[7] == '1' then
  local prior = redis.call('HMGET', KEYS[4], 'id', 'seq', 'json', 'published')
  if prior[1] then
    return {1, tonumber(prior[1]), tonumber(prior[2]), prior[3], prior[4] or '0'}
  end
end
local id = redis.call('INCR', KEYS[1])
local seq = redis.call('INCR', KEYS[2])
local json = ARGV[1] .. ',"id":' .. id .. ',"seq":' .. seq .. ARGV[2]
redis.call('ZADD', KEYS[3], seq, json)
local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[3])
if excess > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, excess - 1)
end
-- Time cap: drop from the oldest end while older than the cutoff. Bounded work per append; an idle room's
-- history expires as a whole through the key TTL below. JSON strings escape quotes, so the pattern can only
-- match the real serverTs field.
local cutoff = tonumber(ARGV[4])
for _ = 1, 32 do
  local oldest = redis.call('ZRANGE', KEYS[3], 0, 0)
  if #oldest == 0 then break end
  local ts = tonumber(string.match(oldest[1], '"serverTs":(%d+)'))
  if ts == nil or ts >= cutoff then break end
  redis.call('ZREMRANGEBYRANK', KEYS[3], 0, 0)
end
redis.call('EXPIRE', KEYS[3], ARGV[6])
if ARGV[7] == '1' then
  redis.call('HSET', KEYS[4], 'id', id, 'seq', seq, 'json', json, 'published', '0')
  redis.call('EXPIRE', KEYS[4], ARGV[5])
end
return {0, id, seq, json, '0'}

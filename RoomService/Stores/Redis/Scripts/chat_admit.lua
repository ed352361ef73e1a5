-- Admits or samples one chat line against the room's chat budget (docs/chat-budget.md), and gives an admitted line
-- its id. Atomic and in Redis on purpose: every RoomService instance shares one decision per room and window, in one
-- round trip per line. Time and randomness come in as arguments so the script stays deterministic.
-- KEYS[1] id counter (shared by all lanes)  KEYS[2] room settings hash (field chatBudget = RedisKeys.ChatBudgetField)
-- KEYS[3] this window's counters (hash: in, out)  KEYS[4] the previous window's counters
-- KEYS[5] this window's admitted senders (set of user ids)
-- ARGV[1] default budget, lines/s (0 = unlimited)  ARGV[2] '1' for a privileged sender (streamer, moderator)
-- ARGV[3] sender user id  ARGV[4] uniform draw r, 0 <= r < 1  ARGV[5] ttl of the window keys, s
-- Returns {admitted: 1|0, id: the new id, or 0 when sampled}.

-- Privileged lines are always admitted and are not counted: the budget is the viewers' share of the room.
if ARGV[2] == '1' then
  return {1, redis.call('INCR', KEYS[1])}
end

-- The room's override wins over the default; a value that is not a number (set by hand) falls back to the default.
local budget = tonumber(redis.call('HGET', KEYS[2], 'chatBudget')) or tonumber(ARGV[1])
if budget <= 0 then
  return {1, redis.call('INCR', KEYS[1])}
end

local incoming = redis.call('HINCRBY', KEYS[3], 'in', 1)
if incoming == 1 then
  redis.call('EXPIRE', KEYS[3], ARGV[5])
end

local out = tonumber(redis.call('HGET', KEYS[3], 'out')) or 0
if out >= budget then
  return {0, 0}
end

-- Rate estimate: the previous full window, or this one once it has seen more (a spike that starts mid-window).
local rate = math.max(incoming, tonumber(redis.call('HGET', KEYS[4], 'in')) or 0)
if rate > budget then
  -- Over budget: every line gets the same chance budget/rate, and one sender cannot take the window by flooding.
  if redis.call('SISMEMBER', KEYS[5], ARGV[3]) == 1 then
    return {0, 0}
  end
  if tonumber(ARGV[4]) >= budget / rate then
    return {0, 0}
  end
end

redis.call('HINCRBY', KEYS[3], 'out', 1)
redis.call('SADD', KEYS[5], ARGV[3])
if out == 0 then
  redis.call('EXPIRE', KEYS[5], ARGV[5])
end
return {1, redis.call('INCR', KEYS[1])}

-- Admits or refuses one chat line: the room's moderation state (ban, mute, slow mode) and then its chat budget
-- (docs/chat-budget.md), and gives an admitted line its id. Atomic and in Redis on purpose: every RoomService
-- instance shares one decision per room and window, in one round trip per line. Time and randomness come in as
-- arguments so the script stays deterministic.
-- KEYS[1] id counter (shared by all lanes)  KEYS[2] room settings hash (fields chatBudget, slowMode)
-- KEYS[3] this window's counters (hash: in, out)  KEYS[4] the previous window's counters
-- KEYS[5] this window's admitted senders (set of user ids)  KEYS[6] the room's ban set
-- KEYS[7] the sender's mute key (value: ms the mute ends)  KEYS[8] the sender's slow-mode key (value: ms of the
-- last admitted line)  KEYS[9] the room's stream clock  KEYS[10] the replay set of ARGV[9]'s epoch
-- ARGV[1] default budget, lines/s (0 = unlimited)  ARGV[2] '1' for a privileged sender (streamer, moderator)
-- ARGV[3] sender user id  ARGV[4] uniform draw r, 0 <= r < 1  ARGV[5] ttl of the window keys, s  ARGV[6] now ms
-- ARGV[7] json head  ARGV[8] json open tail (lib/clock.lua closes it with the stream clock fields)
-- ARGV[9] the epoch the caller expects (lib/clock.lua)  ARGV[10] clock stale ms  ARGV[11] replay max count  ARGV[12] replay max age ms
-- (Prepended: lib/clock.lua.)
-- Returns {status, value, json}: {1, id, json} admitted (stamped with the stream clock, stored for replay); {0, 0}
-- sampled; {-1, 0} banned; {-2, ms the mute ends} muted; {-3, ms to wait} slow mode; {-100, epoch} the clock is in
-- another epoch than ARGV[9] (nothing written: call again with that epoch).

local clk = clock_context(KEYS[9], KEYS[10], ARGV[9], ARGV[6], ARGV[10], ARGV[11], ARGV[12])
local moved = clock_moved(clk)
if moved then
  return {-100, moved}
end

-- An admitted line takes the next id and is stamped with the clock as it is now.
local function stamp(id)
  return {1, id, stamp_event(clk, ARGV[7], id, nil, ARGV[8])}
end

-- Privileged lines are always admitted and are not counted: the budget is the viewers' share of the room, and the
-- people running the room are never banned, muted or slowed by it (their role comes from a signed token).
if ARGV[2] == '1' then
  return stamp(redis.call('INCR', KEYS[1]))
end

local now = tonumber(ARGV[6])
if redis.call('SISMEMBER', KEYS[6], ARGV[3]) == 1 then
  return {-1, 0}
end
local muted_until = tonumber(redis.call('GET', KEYS[7]))
if muted_until and muted_until > now then
  return {-2, muted_until}
end

local settings = redis.call('HMGET', KEYS[2], 'chatBudget', 'slowMode')
local slow_ms = (tonumber(settings[2]) or 0) * 1000
if slow_ms > 0 then
  local last = tonumber(redis.call('GET', KEYS[8]))
  if last and now < last + slow_ms then
    return {-3, math.ceil(last + slow_ms - now)}
  end
end

-- An admitted line starts the sender's slow-mode wait (a sampled one does not: nobody saw it).
local function admit()
  if slow_ms > 0 then
    redis.call('SET', KEYS[8], ARGV[6], 'PX', slow_ms)
  end
  return stamp(redis.call('INCR', KEYS[1]))
end

-- The room's override wins over the default; a value that is not a number (set by hand) falls back to the default.
local budget = tonumber(settings[1]) or tonumber(ARGV[1])
if budget <= 0 then
  return admit()
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
return admit()

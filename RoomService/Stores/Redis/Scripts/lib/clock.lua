-- Library (prepended by RoomScripts to every script that stamps an event): the room's stream clock as it is at the
-- moment of stamping, and the replay store. Read in the same call that admits or appends the event, so stamping costs
-- no extra round trip and no RoomService instance works from a stale copy of the clock (docs/stream-clock.md).
-- clock_key: the clock hash (liveim:{room:<id>}:clock)  replay_key: the replay set of the epoch the caller expects
-- (liveim:{room:<id>}:replay:<epoch>; declared in KEYS like every key a script touches, so a Redis Cluster, a proxy
-- or a future server can route and check it)  expected_epoch: that epoch  now: ms  stale_ms: a clock without a report
-- for this long stamps nothing  replay_max: events kept per epoch  replay_age_ms: stream ms an event stays replayable
-- behind the newest
-- The caller cannot know the epoch for sure before the call (a clock report may begin a new one at any time), so every
-- stamping script calls clock_moved(clk) before it writes anything: when the clock is in another epoch than the
-- replay key given, the script returns {-100, epoch} and the caller calls again with that epoch's key. Epochs change
-- when a stream restarts, so this costs one more round trip per epoch per RoomService instance.

-- 2^21: the score of a replay entry is streamTs * 2^21 + n, n counting the events already stored at that streamTs.
-- Scores are doubles, exact up to 2^53, so streamTs may reach 2^32 ms (49 days; StreamClock:MaxStreamMs is at most
-- that) with up to 2^21 events in one ms. Unique, integral scores are what make the replay cursor exact: a page ends
-- at a score, the next starts strictly after it, and events of equal streamTs keep their id order (they are stored
-- in id order: ids are taken in these same atomic calls).
local REPLAY_TIE = 2097152
local REPLAY_MAX_TS = 4294967295

-- The stream time and epoch at now, or nil (no clock, or a stale one).
local function clock_read(clock_key, now, stale)
  local c = redis.call('HMGET', clock_key, 'epoch', 'offset', 'lastArrival')
  local epoch, offset, last = tonumber(c[1]), tonumber(c[2]), tonumber(c[3])
  if not epoch or not offset or not last or now - last > stale then
    return nil, nil
  end
  local ts = now - offset
  -- Never before the stream's start: only another RoomService instance's clock running behind this one's could
  -- make it so, and only by that skew.
  if ts < 0 then ts = 0 end
  return ts, epoch
end

-- The clock as it is now (read once: nothing in a stamping script moves it), with where replay entries go.
local function clock_context(clock_key, replay_key, expected_epoch, now, stale_ms, replay_max, replay_age_ms)
  local clk = {replay_key = replay_key, expected = tonumber(expected_epoch), now = tonumber(now),
               max = tonumber(replay_max), age = tonumber(replay_age_ms)}
  clk.ts, clk.epoch = clock_read(clock_key, clk.now, tonumber(stale_ms))
  return clk
end

-- nil when an event stamped now may be stored under clk.replay_key (it is the clock's epoch's, or nothing would be
-- stored); else the clock's epoch, for the caller to call again with that epoch's replay key.
local function clock_moved(clk)
  if clk.ts and clk.ts <= REPLAY_MAX_TS and clk.epoch ~= clk.expected then
    return clk.epoch
  end
  return nil
end

-- Stores one stamped event for replay, trimmed to clk.max events and clk.age stream ms in the same call.
local function replay_add(clk, ts, json)
  if ts > REPLAY_MAX_TS then
    return
  end
  local key = clk.replay_key
  local base = ts * REPLAY_TIE
  local last = redis.call('ZRANGE', key, string.format('%.0f', base + REPLAY_TIE - 1), string.format('%.0f', base),
    'BYSCORE', 'REV', 'LIMIT', 0, 1, 'WITHSCORES')
  local n = 0
  if #last == 2 then
    n = tonumber(last[2]) - base + 1
  end
  if n >= REPLAY_TIE then
    return -- 2 million events in one stream ms: not a live room, nothing to keep
  end
  -- '%.0f': numbers given to redis.call are otherwise formatted with 14 significant digits, too few for a score.
  redis.call('ZADD', key, string.format('%.0f', base + n), json)
  local cutoff = ts - clk.age
  if cutoff > 0 then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. string.format('%.0f', cutoff * REPLAY_TIE))
  end
  local excess = redis.call('ZCARD', key) - clk.max
  if excess > 0 then
    redis.call('ZREMRANGEBYRANK', key, 0, excess - 1)
  end
  -- An epoch nobody writes to any more expires as a whole once its newest event is as old as Replay:MaxAge.
  redis.call('PEXPIRE', key, clk.age)
end

-- The full JSON of an event (head, id, seq, open tail, then the clock fields: the same bytes as
-- RoomEventJson.ClockFields), stored for replay when the room has a clock. seq: nil on the best-effort lanes.
local function stamp_event(clk, head, id, seq, open_tail)
  local ts, epoch = clk.ts, clk.epoch
  local seq_text = 'null'
  if seq then seq_text = string.format('%d', seq) end
  local json = head .. ',"id":' .. string.format('%d', id) .. ',"seq":' .. seq_text .. open_tail
  if ts then
    json = json .. ',"streamTs":' .. string.format('%d', ts) .. ',"streamEpoch":' .. string.format('%d', epoch) .. '}'
    replay_add(clk, ts, json)
  else
    json = json .. ',"streamTs":null}'
  end
  return json
end

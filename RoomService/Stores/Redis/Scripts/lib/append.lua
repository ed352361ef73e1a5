-- Library (prepended by RoomScripts): appends one reliable-lane event. Atomic with whatever the calling script
-- does: seq must stay contiguous and every seq handed out must be in history, even when two RoomService instances
-- sequence the same room at once or one dies halfway.
-- eid_key: id counter  seq_key: seq counter  history_key: history zset  head, open_tail: the event JSON around
-- id/seq, closed by the stream clock fields (lib/clock.lua, prepended before this)  max_count: history length
-- cutoff: ms, older serverTs is trimmed  history_ttl: s  clk: clock_context(...) of the stream clock and replay
-- Returns id, seq, json: the same bytes go to history, to replay and to the bus.
local function append_event(eid_key, seq_key, history_key, head, open_tail, max_count, cutoff, history_ttl, clk)
  local id = redis.call('INCR', eid_key)
  local seq = redis.call('INCR', seq_key)
  local json = stamp_event(clk, head, id, seq, open_tail)
  redis.call('ZADD', history_key, seq, json)
  local excess = redis.call('ZCARD', history_key) - tonumber(max_count)
  if excess > 0 then
    redis.call('ZREMRANGEBYRANK', history_key, 0, excess - 1)
  end
  -- Time cap: drop from the oldest end while older than the cutoff. Bounded work per append; an idle room's
  -- history expires as a whole through the key TTL below. JSON strings escape quotes, so the pattern can only
  -- match the real serverTs field.
  local cut = tonumber(cutoff)
  for _ = 1, 32 do
    local oldest = redis.call('ZRANGE', history_key, 0, 0)
    if #oldest == 0 then break end
    local ts = tonumber(string.match(oldest[1], '"serverTs":(%d+)'))
    if ts == nil or ts >= cut then break end
    redis.call('ZREMRANGEBYRANK', history_key, 0, 0)
  end
  redis.call('EXPIRE', history_key, history_ttl)
  return id, seq, json
end

-- Library (prepended by RoomScripts to the scripts that use it): GCRA, the generic cell rate algorithm, on one key.
-- The key holds the theoretical arrival time (TAT) in ms: when the sender's budget would be back to full if it
-- stopped now. A send is allowed while TAT - now stays within burst x interval; each allowed send moves TAT one
-- interval on. One key, one GET and one SET per send, exact retry time, no timer and no refill job; the key
-- expires by itself once the budget is full again.
-- key: the rate key  now: ms (passed in: scripts stay deterministic)  interval: ms per send at the sustained rate
-- (1000 / rate; may be fractional)  burst: sends allowed at once (>= 1)
-- Returns 0 when the send is allowed (and charged), else the whole ms until it would be (never charged).
local function gcra(key, now, interval, burst)
  local tat = tonumber(redis.call('GET', key)) or now
  if tat < now then
    tat = now
  end
  local new_tat = tat + interval
  local allow_at = new_tat - burst * interval
  if now < allow_at then
    return math.ceil(allow_at - now)
  end
  -- '%.3f': Lua prints numbers with 14 significant digits, too few for a ms time with a fraction.
  redis.call('SET', key, string.format('%.3f', new_tat), 'PX', math.ceil(new_tat - now))
  return 0
end

-- Gives one send back (the caller took it, then something after the take refused the send): TAT moves one interval
-- back, never before now; a budget that is full again needs no key.
local function gcra_refund(key, now, interval)
  local tat = tonumber(redis.call('GET', key))
  if tat == nil then
    return 0
  end
  tat = tat - interval
  if tat <= now then
    redis.call('DEL', key)
  else
    redis.call('SET', key, string.format('%.3f', tat), 'PX', math.ceil(tat - now))
  end
  return 0
end

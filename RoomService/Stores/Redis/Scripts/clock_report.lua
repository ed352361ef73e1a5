-- One stream clock report (docs/stream-clock.md): moves the room's clock, atomically, so concurrent reports through
-- several RoomService instances stay consistent. The caller validated the numbers.
-- A report says "stream time s was current when I was sent"; it arrives after a network delay d >= 0 (never
-- before), so arrival - s = offset + d is an upper bound of the true offset: the minimum over a sliding window is the
-- report that travelled fastest, and jitter can only make a report look later, never pull the estimate the wrong way.
-- The window is kept as per-bucket minima ("bucket:min,bucket:min,..."): at most window/bucket + 1 entries however
-- often reports come, and the window's edge is exact to a bucket (1 s by default), which does not matter for a minimum.
-- KEYS[1] the clock hash
-- ARGV[1] now (arrival) ms  ARGV[2] stream ms s  ARGV[3] window ms  ARGV[4] bucket ms  ARGV[5] discontinuity ms
-- ARGV[6] ttl of the clock hash, ms
-- Returns {epoch, offset, 1 when this report began the epoch else 0}.
local now, s = tonumber(ARGV[1]), tonumber(ARGV[2])
local window, bucket_ms, jump = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local c = redis.call('HMGET', KEYS[1], 'epoch', 'lastStream', 'lastArrival', 'window')
local epoch, last_stream, last_arrival = tonumber(c[1]), tonumber(c[2]), tonumber(c[3])

local new_epoch = false
local buckets = {}
if not epoch or not last_stream or not last_arrival then
  new_epoch = true
else
  -- Where the stream should be now if it kept playing since the last report. A report further off than any jitter
  -- (DiscontinuityMs) is a restart or an encoder reset: a new epoch, and the old window says nothing about it.
  local predicted = last_stream + (now - last_arrival)
  if math.abs(s - predicted) > jump then
    new_epoch = true
  elseif c[4] then
    local oldest = math.floor((now - window) / bucket_ms)
    for b, o in string.gmatch(c[4], '(%-?%d+):(%-?%d+)') do
      b = tonumber(b)
      if b > oldest then
        buckets[#buckets + 1] = {b, tonumber(o)}
      end
    end
  end
end

if new_epoch then
  -- Epochs are the server ms at which they began, made strictly increasing: they never repeat, even if this hash is
  -- lost, so an old epoch's replay set is never mixed with a new one.
  local begun = now
  if epoch and epoch >= begun then begun = epoch + 1 end
  epoch = begun
  buckets = {}
end

local b = math.floor(now / bucket_ms)
local o = now - s
if #buckets > 0 and buckets[#buckets][1] == b then
  if o < buckets[#buckets][2] then buckets[#buckets][2] = o end
else
  buckets[#buckets + 1] = {b, o}
end

local offset = nil
local parts = {}
for i = 1, #buckets do
  if offset == nil or buckets[i][2] < offset then offset = buckets[i][2] end
  parts[i] = string.format('%d:%d', buckets[i][1], buckets[i][2])
end

redis.call('HSET', KEYS[1], 'epoch', string.format('%d', epoch), 'offset', string.format('%d', offset),
  'lastStream', string.format('%d', s), 'lastArrival', string.format('%d', now), 'window', table.concat(parts, ','))
redis.call('PEXPIRE', KEYS[1], ARGV[6])
if new_epoch then
  return {epoch, offset, 1}
end
return {epoch, offset, 0}

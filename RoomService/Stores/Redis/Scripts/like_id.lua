-- The id and stamped JSON of a like event, unless the sender is banned from the room. (Prepended: lib/clock.lua.)
-- KEYS[1] id counter  KEYS[2] ban set  KEYS[3] the room's stream clock  KEYS[4] the replay set of ARGV[6]'s epoch
-- ARGV[1] sender user id  ARGV[2] '1' for a privileged sender (never banned)  ARGV[3] json head  ARGV[4] json open
-- tail  ARGV[5] now ms  ARGV[6] the epoch the caller expects  ARGV[7] clock stale ms  ARGV[8] replay max count
-- ARGV[9] replay max age ms
-- Returns {id, json}, {-1, ''} when the sender is banned, or {-100, epoch} when the clock is in another epoch than
-- ARGV[6] (nothing written: call again with that epoch).
if ARGV[2] ~= '1' and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return {-1, ''}
end
local clk = clock_context(KEYS[3], KEYS[4], ARGV[6], ARGV[5], ARGV[7], ARGV[8], ARGV[9])
local moved = clock_moved(clk)
if moved then
  return {-100, moved}
end
local id = redis.call('INCR', KEYS[1])
return {id, stamp_event(clk, ARGV[3], id, nil, ARGV[4])}

-- One moderation action, atomically: the state write (mute, ban, slow mode) and the action's reliable `system`
-- event (id, seq, history), so a state change without its event, or an event without its state, cannot happen.
-- (Prepended: lib/clock.lua, lib/append.lua.) The caller has checked the role and the arguments.
-- KEYS[1] id counter  KEYS[2] seq counter  KEYS[3] history zset  KEYS[4] room settings hash  KEYS[5] ban set
-- KEYS[6] the target's mute key (any room key when the action has no target)  KEYS[7] the room's stream clock
-- KEYS[8] the replay set of ARGV[12]'s epoch
-- ARGV[1] json head  ARGV[2] json open tail  ARGV[3] max count  ARGV[4] cutoff ms  ARGV[5] history ttl s
-- ARGV[6] action  ARGV[7] target user id  ARGV[8] seconds  ARGV[9] mute ends, ms  ARGV[10] now ms
-- ARGV[11] message id (delete)  ARGV[12] the epoch the caller expects  ARGV[13] clock stale ms  ARGV[14] replay max count
-- ARGV[15] replay max age ms
-- Returns {0, id, seq, json}, {-1} when delete names an id the room never gave out, or {-100, epoch} when the clock is
-- in another epoch than ARGV[12] (nothing written: call again with that epoch).
local clk = clock_context(KEYS[7], KEYS[8], ARGV[12], ARGV[10], ARGV[13], ARGV[14], ARGV[15])
local moved = clock_moved(clk)
if moved then
  return {-100, moved}
end
local action = ARGV[6]
if action == 'mute' then
  redis.call('SET', KEYS[6], ARGV[9], 'PX', tonumber(ARGV[9]) - tonumber(ARGV[10]))
elseif action == 'unmute' then
  redis.call('DEL', KEYS[6])
elseif action == 'ban' then
  redis.call('SADD', KEYS[5], ARGV[7])
elseif action == 'unban' then
  redis.call('SREM', KEYS[5], ARGV[7])
elseif action == 'slow_mode' then
  if tonumber(ARGV[8]) > 0 then
    redis.call('HSET', KEYS[4], 'slowMode', ARGV[8])
  else
    redis.call('HDEL', KEYS[4], 'slowMode')
  end
elseif action == 'delete' then
  if tonumber(ARGV[11]) > (tonumber(redis.call('GET', KEYS[1])) or 0) then
    return {-1}
  end
else
  return redis.error_reply('unknown moderation action')
end
local id, seq, json = append_event(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], clk)
return {0, id, seq, json}

-- The id of a like event, unless the sender is banned from the room.
-- KEYS[1] id counter  KEYS[2] ban set  ARGV[1] sender user id  ARGV[2] '1' for a privileged sender (never banned)
-- Returns the new id, or -1 when the sender is banned.
if ARGV[2] ~= '1' and redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  return -1
end
return redis.call('INCR', KEYS[1])

-- Takes one send from a GCRA budget, or gives one back (prepended: lib/gcra.lua): the per-user chat and gift rates,
-- shared by every connection and gateway of the user. A script of its own because the key carries the {user:<id>}
-- hash tag, not the room's: a Redis Cluster script may only touch keys of one slot.
-- KEYS[1] the rate key  ARGV[1] now ms  ARGV[2] interval ms (1000 / rate)  ARGV[3] burst
-- ARGV[4] 'take' or 'refund'
-- Returns 0 when allowed (charged) or refunded, else the ms until a send would be allowed (not charged).
if ARGV[4] == 'refund' then
  return gcra_refund(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]))
end
return gcra(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))

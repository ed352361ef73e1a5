-- Marks a gift's idempotency record as published, only while the record lives (never resurrect it without a TTL).
-- KEYS[1] idempotency hash
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'published', '1')
end
return 1

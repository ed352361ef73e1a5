-- A test script for the Redis adapter: increments KEYS[1] and returns the new value.
return redis.call('INCR', KEYS[1])

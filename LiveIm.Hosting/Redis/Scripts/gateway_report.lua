-- One gateway's load report (RedisGatewayRegistry): the report itself with its time-to-live, and the index that lets a
-- reader find the reports without SCAN; entries of dead gateways are pruned here. Both keys carry the {gateways} hash
-- tag: one slot for every gateway, so one MGET reads them all (docs/operations.md, "Redis keys", says how it scales).
-- KEYS[1] the gateway's report  KEYS[2] the index (gateway id scored by the ms time its report expires)
-- ARGV[1] gateway id  ARGV[2] report JSON  ARGV[3] ttl ms  ARGV[4] expiry ms  ARGV[5] now ms
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return 1

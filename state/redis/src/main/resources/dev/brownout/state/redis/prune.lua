-- Brownout: drop an index entry whose record has expired, unless it was created again meanwhile.
-- KEYS[1] the record's hash; KEYS[2] the index set. ARGV[1] the record's key.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.call('SREM', KEYS[2], ARGV[1])
end
return 0

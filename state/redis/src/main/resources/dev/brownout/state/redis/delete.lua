-- Brownout: delete one record, with a precondition, leaving nothing behind.
-- KEYS[1] the record's hash; KEYS[2], for a small namespace, its index set.
-- ARGV: 1 precondition (n|p|v), 2 expected version, 3 channel ('' for none), 4 the record's key,
--       5 's' to publish with SPUBLISH (sharded pub/sub: the channel is in KEYS[1]'s slot), else 'p'.
-- Returns {1, 1} deleted | {1, 0} nothing to delete | {0, current version or -1} precondition failed.
local v = redis.call('HGET', KEYS[1], '_v')
local exists = v ~= false
local current = -1
if exists then current = tonumber(v) end
if ARGV[1] == 'p' and not exists then return {0, -1} end
if ARGV[1] == 'v' and ((not exists) or current ~= tonumber(ARGV[2])) then return {0, current} end
if #KEYS == 2 then redis.call('SREM', KEYS[2], ARGV[4]) end
if not exists then return {1, 0} end
redis.call('DEL', KEYS[1])
if ARGV[3] ~= '' then
  if ARGV[5] == 's' then
    redis.call('SPUBLISH', ARGV[3], 'd -1 - ' .. ARGV[4])
  else
    redis.call('PUBLISH', ARGV[3], 'd -1 - ' .. ARGV[4])
  end
end
return {1, 1}

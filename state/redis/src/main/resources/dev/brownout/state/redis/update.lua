-- Brownout: the atomic update of one record, in one round trip.
-- KEYS[1] the record's hash; KEYS[2], for a small namespace, its index set (same cluster slot).
-- ARGV: 1 precondition (n|a|p|v), 2 expected version, 3 expiry change (k|s|p), 4 expiry epoch ms,
--       5 max record bytes, 6 channel to publish on ('' for none), 7 the record's key,
--       8 number of fields set N, then N name/value pairs, then the names of fields to remove.
-- Hash layout: _v version, _s size in bytes, _e expiry epoch ms, f:<name> each field.
-- Returns {1, version, created} | {0, current version or -1} (precondition) | {-1, size} (too large).
local key = KEYS[1]
local v = redis.call('HGET', key, '_v')
local exists = v ~= false
local current = -1
if exists then current = tonumber(v) end
local pre = ARGV[1]
if pre == 'a' and exists then return {0, current} end
if pre == 'p' and not exists then return {0, -1} end
if pre == 'v' and ((not exists) or current ~= tonumber(ARGV[2])) then return {0, current} end

local size = 0
if exists then size = tonumber(redis.call('HGET', key, '_s') or '0') end
local n = tonumber(ARGV[8])
local first_remove = 9 + 2 * n
for i = 9, first_remove - 1, 2 do
  local field = 'f:' .. ARGV[i]
  local old = redis.call('HSTRLEN', key, field)
  if old > 0 or redis.call('HEXISTS', key, field) == 1 then size = size - #ARGV[i] - old end
  size = size + #ARGV[i] + #ARGV[i + 1]
end
for i = first_remove, #ARGV do
  local field = 'f:' .. ARGV[i]
  if redis.call('HEXISTS', key, field) == 1 then
    size = size - #ARGV[i] - redis.call('HSTRLEN', key, field)
  end
end
if size > tonumber(ARGV[5]) then return {-1, size} end

local version
if exists then
  version = redis.call('HINCRBY', key, '_v', 1)
else
  -- A new record's version comes from the server's clock in microseconds, so a record deleted and
  -- created again does not reuse a version a stale writer may still hold.
  local t = redis.call('TIME')
  version = tonumber(t[1]) * 1000000 + tonumber(t[2])
  redis.call('HSET', key, '_v', string.format('%.0f', version))
end
for i = 9, first_remove - 1, 2 do
  redis.call('HSET', key, 'f:' .. ARGV[i], ARGV[i + 1])
end
for i = first_remove, #ARGV do
  redis.call('HDEL', key, 'f:' .. ARGV[i])
end
redis.call('HSET', key, '_s', string.format('%.0f', size))
if ARGV[3] == 's' then
  redis.call('HSET', key, '_e', ARGV[4])
  redis.call('PEXPIREAT', key, ARGV[4])
elseif ARGV[3] == 'p' then
  redis.call('HDEL', key, '_e')
  redis.call('PERSIST', key)
end
if #KEYS == 2 then redis.call('SADD', KEYS[2], ARGV[7]) end
if ARGV[6] ~= '' then
  redis.call('PUBLISH', ARGV[6], 'u ' .. string.format('%.0f', version) .. ' ' .. ARGV[7])
end
local created = 0
if not exists then created = 1 end
return {1, version, created}

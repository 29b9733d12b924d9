-- Brownout: the atomic update of one record, in one round trip.
-- KEYS[1] the record's hash; KEYS[2], for a small namespace, its index set (same cluster slot).
-- ARGV: 1 precondition (n|a|p|v), 2 expected version, 3 expiry change (k|s|p), 4 expiry epoch ms,
--       5 max record bytes, 6 channel to publish on ('' for none), 7 the record's key,
--       8 number of fields set N, 9 number of fields removed M, 10 the update's origin ('-' for none),
--       11 's' to publish with SPUBLISH (sharded pub/sub: the channel is in KEYS[1]'s slot), else 'p',
--       then the N + M hash field names (set ones first, each 'f:<name>'),
--       then the N set fields as name/value pairs, followed by '_e', expiry when ARGV[3] is 's'.
-- The client sends names ready to use, twice, so the script builds no tables and joins no
-- strings on the common path: Lua allocation is most of a script's cost.
-- Hash layout: _v version, _s size in bytes, _e expiry epoch ms, f:<name> each field.
-- A field's size is its name without the 'f:' prefix plus its value.
-- Returns {1, version, created} | {0, current version or -1} (precondition) | {-1, size} (too large).
local key = KEYS[1]
local n = tonumber(ARGV[8])
local m = tonumber(ARGV[9])
local names = 12
local pairs_at = names + n + m
-- unpack is bounded by Lua's C stack: more than this many arguments go in chunks.
local chunk = 990

-- One read of the version, the size and every field this update touches (for their old sizes).
local meta
if n + m <= chunk then
  meta = redis.call('HMGET', key, '_v', '_s', unpack(ARGV, names, pairs_at - 1))
else
  meta = redis.call('HMGET', key, '_v', '_s')
  for from = names, pairs_at - 1, chunk do
    local part = redis.call('HMGET', key, unpack(ARGV, from, math.min(from + chunk - 1, pairs_at - 1)))
    for j = 1, #part do meta[#meta + 1] = part[j] end
  end
end
local v = meta[1]
local exists = v ~= false
local current = -1
if exists then current = tonumber(v) end
local pre = ARGV[1]
if pre == 'a' and exists then return {0, current} end
if pre == 'p' and not exists then return {0, -1} end
if pre == 'v' and ((not exists) or current ~= tonumber(ARGV[2])) then return {0, current} end

local size = 0
if exists then size = tonumber(meta[2] or '0') end
for i = 0, n - 1 do
  local name_size = #ARGV[names + i] - 2
  local old = meta[3 + i]
  if old then size = size - name_size - #old end
  size = size + name_size + #ARGV[pairs_at + 2 * i + 1]
end
for i = n, n + m - 1 do
  local old = meta[3 + i]
  if old then size = size - (#ARGV[names + i] - 2) - #old end
end
if size > tonumber(ARGV[5]) then return {-1, size} end

local version
if exists then
  version = current + 1
else
  -- A new record's version comes from the server's clock in microseconds, so a record deleted and
  -- created again does not reuse a version a stale writer may still hold.
  local t = redis.call('TIME')
  version = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
-- Every field, the expiry, the version and the size in one HSET.
local last = #ARGV
if last - pairs_at + 1 <= chunk then
  redis.call('HSET', key, '_v', string.format('%.0f', version), '_s', string.format('%.0f', size),
    unpack(ARGV, pairs_at, last))
else
  redis.call('HSET', key, '_v', string.format('%.0f', version), '_s', string.format('%.0f', size))
  -- chunk is even, so every chunk starts on a name.
  for from = pairs_at, last, chunk do
    redis.call('HSET', key, unpack(ARGV, from, math.min(from + chunk - 1, last)))
  end
end
for from = names + n, pairs_at - 1, chunk do
  redis.call('HDEL', key, unpack(ARGV, from, math.min(from + chunk - 1, pairs_at - 1)))
end
if ARGV[3] == 's' then
  redis.call('PEXPIREAT', key, ARGV[4])
elseif ARGV[3] == 'p' then
  redis.call('HDEL', key, '_e')
  redis.call('PERSIST', key)
end
if #KEYS == 2 then redis.call('SADD', KEYS[2], ARGV[7]) end
if ARGV[6] ~= '' then
  local message = 'u ' .. string.format('%.0f', version) .. ' ' .. ARGV[10] .. ' ' .. ARGV[7]
  if ARGV[11] == 's' then
    redis.call('SPUBLISH', ARGV[6], message)
  else
    redis.call('PUBLISH', ARGV[6], message)
  end
end
local created = 0
if not exists then created = 1 end
return {1, version, created}

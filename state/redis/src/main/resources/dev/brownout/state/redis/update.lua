-- Brownout: the atomic update of one record, in one round trip.
-- KEYS[1] the record's hash; KEYS[2], for a small namespace, its index set (same cluster slot).
-- ARGV: 1 precondition (n|a|p|v), 2 expected version, 3 expiry change (k|s|p), 4 expiry epoch ms,
--       5 max record bytes, 6 channel to publish on ('' for none), 7 the record's key,
--       8 number of fields set N, then N name/value pairs, then the names of fields to remove.
-- Hash layout: _v version, _s size in bytes, _e expiry epoch ms, f:<name> each field.
-- Returns {1, version, created} | {0, current version or -1} (precondition) | {-1, size} (too large).
local key = KEYS[1]
local n = tonumber(ARGV[8])
local first_remove = 9 + 2 * n
-- One read of the version, the size and every field this update touches (for their old sizes).
local wanted = {'_v', '_s'}
for i = 9, first_remove - 1, 2 do wanted[#wanted + 1] = 'f:' .. ARGV[i] end
for i = first_remove, #ARGV do wanted[#wanted + 1] = 'f:' .. ARGV[i] end
-- unpack is bounded by Lua's C stack: read in chunks of 1000 names.
local meta = {}
for from = 1, #wanted, 1000 do
  local part = redis.call('HMGET', key, unpack(wanted, from, math.min(from + 999, #wanted)))
  for j = 1, #part do meta[#meta + 1] = part[j] end
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
local slot = 3
for i = 9, first_remove - 1, 2 do
  local old = meta[slot]
  if old then size = size - #ARGV[i] - #old end
  size = size + #ARGV[i] + #ARGV[i + 1]
  slot = slot + 1
end
for i = first_remove, #ARGV do
  local old = meta[slot]
  if old then size = size - #ARGV[i] - #old end
  slot = slot + 1
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
-- Every field, the version, the size and the expiry in one HSET.
local sets = {'_v', string.format('%.0f', version), '_s', string.format('%.0f', size)}
for i = 9, first_remove - 1, 2 do
  sets[#sets + 1] = 'f:' .. ARGV[i]
  sets[#sets + 1] = ARGV[i + 1]
end
if ARGV[3] == 's' then
  sets[#sets + 1] = '_e'
  sets[#sets + 1] = ARGV[4]
end
-- unpack is bounded by Lua's C stack: write in chunks of 1000 arguments.
local function chunked(command, args)
  for from = 1, #args, 1000 do
    redis.call(command, key, unpack(args, from, math.min(from + 999, #args)))
  end
end
chunked('HSET', sets)
if first_remove <= #ARGV then
  local removes = {}
  for i = first_remove, #ARGV do removes[#removes + 1] = 'f:' .. ARGV[i] end
  chunked('HDEL', removes)
end
if ARGV[3] == 's' then
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

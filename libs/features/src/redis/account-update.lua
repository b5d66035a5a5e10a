-- Applies a batch's account updates for ONE shard (one hash slot): the Lua twin of
-- updateAccountStateInPlace in ../state.ts (same steps, same order, same double arithmetic; the
-- parity test checks bit equality). Double-underscored names are definition parameters
-- substituted from ../parameters.ts when the script is loaded.
--
-- ARGV[1] state TTL (ms), ARGV[2] idempotency TTL (ms), then 5 per update, in batch order:
--   role ('1' outgoing, '2' incoming, '3' both = self-transfer), event time (ms),
--   amount (minor units), '1' for a TRANSFER, idempotency field (role .. transaction id).
-- KEYS: 2 per update: the account's state key, the shard's idempotency hash for the event hour.
-- Returns one view per update (16 little-endian doubles): the account before the transaction.
-- A redelivery returns the view stored the first time and writes nothing.
--
-- Redis commands are batched per call (each redis.call costs about as much as the update itself):
-- ONE MGET reads every state of the call, ONE HMGET per idempotency hash finds redeliveries, the
-- updates then run on the strings in a Lua table (an account updated twice in a call reads its
-- own first update, as with sequential GET/SET), and the end writes each changed state ONCE
-- (SET .. PX, which also refreshes its TTL) and each idempotency hash with ONE HSET. Nothing else
-- runs between, so this is the same as the update-by-update sequence, byte for byte.
local HDR = '<dddddddddddddddddd'
local VIEW = '<dddddddddddddddd'
local ENT = '<ddddd'
local stateTtl = ARGV[1]
local idemTtl = ARGV[2]
-- Allocation-light on purpose (Lua GC and string copies dominated the cost): queues are kept as
-- [from, to] byte ranges of the stored string, and the header table is reused across updates.
local h = {}
local s

-- Advances the front of a queue past buckets older than `oldest`, taking them out of the totals
-- at h[j..j+3]; returns the new start position.
local function evict(from, to, oldest, j)
  while from < to do
    local i, oc, os, ic, is = struct.unpack(ENT, s, from)
    if i >= oldest then break end
    h[j] = h[j] - oc
    h[j + 1] = h[j + 1] - os
    h[j + 2] = h[j + 2] - ic
    h[j + 3] = h[j + 3] - is
    from = from + 40
  end
  return from
end

-- The queue's bytes after adding to bucket idx: merged into the last entry or appended.
local function add(from, to, idx, oc, os, ic, is)
  if to > from then
    local i, a, c, d, e = struct.unpack(ENT, s, to - 39)
    if i == idx then
      return string.sub(s, from, to - 40) .. struct.pack(ENT, i, a + oc, c + os, d + ic, e + is)
    end
  end
  return string.sub(s, from, to) .. struct.pack(ENT, idx, oc, os, ic, is)
end

-- redis.call with many arguments, in slices that stay inside Lua's C stack (unpack limit).
local SLICE = 1000
local function callSliced(cmd, key, args, step, collect)
  local i = 1
  while i <= #args do
    local j = math.min(#args, i + SLICE * step - 1)
    local r
    if key then
      r = redis.call(cmd, key, unpack(args, i, j))
    else
      r = redis.call(cmd, unpack(args, i, j))
    end
    if collect then
      for k = 1, #r do collect[#collect + 1] = r[k] end
    end
    i = j + 1
  end
end

local n = #KEYS / 2
-- Distinct state keys (first-touch order) and their current strings (false = absent).
local stateKeys, state, dirty = {}, {}, {}
-- Per idempotency hash: its fields in this call, the stored views, and the views written now.
local idemKeys, idemFields, stored, written = {}, {}, {}, {}
for u = 1, n do
  local key, idemKey = KEYS[2 * u - 1], KEYS[2 * u]
  if state[key] == nil then
    state[key] = false
    stateKeys[#stateKeys + 1] = key
  end
  local fields = idemFields[idemKey]
  if not fields then
    fields = {}
    idemFields[idemKey] = fields
    idemKeys[#idemKeys + 1] = idemKey
    written[idemKey] = {}
  end
  fields[#fields + 1] = ARGV[3 + 5 * (u - 1) + 4]
end
local got = {}
callSliced('MGET', nil, stateKeys, 1, got)
for i = 1, #stateKeys do state[stateKeys[i]] = got[i] end
for _, idemKey in ipairs(idemKeys) do
  local fields, views = idemFields[idemKey], {}
  callSliced('HMGET', idemKey, fields, 1, views)
  local byField = {}
  for i = 1, #fields do
    if views[i] then byField[fields[i]] = views[i] end
  end
  stored[idemKey] = byField
end

local out = {}
local a = 3
for u = 1, n do
  local key, idemKey = KEYS[2 * u - 1], KEYS[2 * u]
  local role, t, amt, transfer, field = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3], ARGV[a + 4]
  a = a + 5
  local previous = stored[idemKey][field] or written[idemKey][field]
  if previous then
    -- A redelivery: the view stored the first time, and no state change.
    out[u] = previous
  else
    s = state[key]
    if s then
      h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15], h[16], h[17], h[18] =
        struct.unpack(HDR, s)
      -- Idle longer than the horizon: start from empty history (TTL-independent features).
      if t - h[2] > __HISTORY_HORIZON_MS__ then s = false end
    end
    if not s then
      s = ''
      for j = 1, 18 do h[j] = 0 end
    end
    -- Byte ranges of the two queues (empty when from > to).
    local f1, t1 = 145, 144 + h[18] * 40
    local f2, t2 = t1 + 1, #s
    -- Windows only move forward: a late event lands in the account's latest bucket.
    local b = h[1]
    local tb = math.floor(t / __SHORT_BUCKET_MS__)
    if tb > b then b = tb end
    h[1] = b
    local lb = math.floor(b / __SHORT_PER_LONG__)
    f1 = evict(f1, t1, b - __SHORT_WINDOW_BUCKETS__ + 1, 10)
    f2 = evict(f2, t2, lb - __LONG_WINDOW_BUCKETS__ + 1, 14)

    local view = struct.pack(VIEW, h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
      h[10], h[11], h[12], h[13], h[14], h[15], h[16], h[17])
    written[idemKey][field] = view
    out[u] = view
    local oc, os, ic, is = 0, 0, 0, 0
    if role ~= '2' then
      oc, os = 1, amt
      h[3] = h[3] + 1
      h[4] = h[4] + amt
      if amt > h[5] then h[5] = amt end
    end
    if role ~= '1' then
      ic, is = 1, amt
      h[6] = h[6] + 1
      h[7] = h[7] + amt
      if transfer == '1' then
        h[8] = amt
        h[9] = t
      end
    end
    if t > h[2] then h[2] = t end
    h[10] = h[10] + oc
    h[11] = h[11] + os
    h[12] = h[12] + ic
    h[13] = h[13] + is
    h[14] = h[14] + oc
    h[15] = h[15] + os
    h[16] = h[16] + ic
    h[17] = h[17] + is
    local q1 = add(f1, t1, b, oc, os, ic, is)
    h[18] = #q1 / 40
    state[key] = struct.pack(HDR, h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
      h[13], h[14], h[15], h[16], h[17], h[18]) .. q1 .. add(f2, t2, lb, oc, os, ic, is)
    dirty[key] = true
  end
end

-- Each changed state once (PX: it lives state-TTL after its latest update).
for _, key in ipairs(stateKeys) do
  if dirty[key] then redis.call('SET', key, state[key], 'PX', stateTtl) end
end
-- New idempotency records, one HSET per hash; the hash of an event hour lives idempotency-TTL
-- after the latest call that touched it (redeliveries included, as before).
for _, idemKey in ipairs(idemKeys) do
  local pairsToSet, fields = {}, idemFields[idemKey]
  local w = written[idemKey]
  for i = 1, #fields do
    local v = w[fields[i]]
    if v then
      pairsToSet[#pairsToSet + 1] = fields[i]
      pairsToSet[#pairsToSet + 1] = v
      w[fields[i]] = nil -- a field twice in the call is written once
    end
  end
  callSliced('HSET', idemKey, pairsToSet, 2)
end
for _, idemKey in ipairs(idemKeys) do redis.call('PEXPIRE', idemKey, idemTtl) end
return out

-- Applies a batch's account updates for ONE shard (one hash slot): the Lua twin of
-- updateAccountStateInPlace in ../state.ts (same steps, same order, same double arithmetic; the
-- parity test checks bit equality). Double-underscored names are definition parameters
-- substituted from ../parameters.ts when the script is loaded.
--
-- Call protocol (built by ./shard-call.ts; one script call per shard and batch):
--   KEYS: the call's distinct entity state keys, then its distinct idempotency hashes.
--   ARGV[1] TTL (ms) set when a state is created or its event hour advances, ARGV[2] idempotency
--   TTL (ms), ARGV[3] the packed updates: '<H' number of state keys, then per update, in batch
--   order, UPDATE below (state key index, idempotency hash index (1-based into KEYS), role
--   1 outgoing / 2 incoming / 3 both = self-transfer, 1 for a TRANSFER, event time ms, amount
--   minor units), ARGV[3 + u] update u's idempotency field (role prefix .. transaction id).
-- Returns one view per update (16 little-endian doubles): the account before the transaction.
-- A redelivery returns the view stored the first time and writes nothing.
--
-- Why this shape (measured on Redis 7.0, see ../../README.md "Benchmark"): the cost is Lua work
-- per update, not commands. Every Lua string costs an allocation, interning and later GC (about
-- 1.5 ns per byte plus ~0.2 us each), so numbers come in ONE packed string instead of 4 strings per
-- update (plus strtod), keys come once each, and the view is a slice of the stored bytes when
-- aging changed no total. Redis commands are batched per call: ONE MGET reads every state, ONE
-- HMGET per idempotency hash finds redeliveries, the updates then run on the strings in a Lua
-- table (an account updated twice in a call reads its own first update, as with sequential
-- GET/SET), and the end writes each changed state ONCE and each idempotency hash with ONE HSET.
-- Nothing else runs between, so this is the same as the update-by-update sequence, byte for byte.
local HDR = '<dddddddddddddddddd'
local VIEW = '<dddddddddddddddd'
local ENT = '<ddddd'
local UPDATE = '<HHBBdd'
local UPDATE_BYTES = 22
local stateTtl = ARGV[1]
local idemTtl = ARGV[2]
local packed = ARGV[3]
local ZERO_VIEW = string.rep('\0', 128)
-- Queues are kept as [from, to] byte ranges of the stored string, and the header table is
-- reused across updates (allocation-light: Lua GC and string copies dominate the cost).
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

-- The queue [from, to] after adding to bucket idx, as (kept prefix end, new last entry): the
-- last entry is merged when it is the same bucket, otherwise the entry is appended. A queue's
-- last entry is always the bucket of the account's previous head, so only `same` (the head did
-- not move) can merge, and an append needs no unpack.
local function add(from, to, same, idx, oc, os, ic, is)
  if same and to > from then
    local i, a, c, d, e = struct.unpack(ENT, s, to - 39)
    if i == idx then return to - 40, struct.pack(ENT, i, a + oc, c + os, d + ic, e + is) end
  end
  return to, struct.pack(ENT, idx, oc, os, ic, is)
end

-- redis.call with many arguments, in slices that stay inside Lua's C stack (unpack limit).
local SLICE = 1000
local function callSliced(cmd, key, args, from, to, collect)
  local i = from
  while i <= to do
    local j = math.min(to, i + SLICE - 1)
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

local nStates = struct.unpack('<H', packed)
local n = #ARGV - 3
-- Current strings by state key index (false = absent), which changed, which need a TTL refresh.
local state, dirty, refresh = {}, {}, {}
callSliced('MGET', nil, KEYS, 1, nStates, state)
-- Per idempotency hash (by KEYS index): its fields in this call, the stored and the new views.
local idemFields, stored, written = {}, {}, {}
local pos = 3
for u = 1, n do
  local _, idemIdx = struct.unpack('<HH', packed, pos)
  pos = pos + UPDATE_BYTES
  local fields = idemFields[idemIdx]
  if not fields then
    fields = {}
    idemFields[idemIdx] = fields
    written[idemIdx] = {}
  end
  fields[#fields + 1] = ARGV[3 + u]
end
for idemIdx = nStates + 1, #KEYS do
  local fields, views = idemFields[idemIdx], {}
  callSliced('HMGET', KEYS[idemIdx], fields, 1, #fields, views)
  local byField = {}
  for i = 1, #fields do
    if views[i] then byField[fields[i]] = views[i] end
  end
  stored[idemIdx] = byField
end

local out = {}
pos = 3
for u = 1, n do
  local k, idemIdx, role, transfer, t, amt = struct.unpack(UPDATE, packed, pos)
  pos = pos + UPDATE_BYTES
  local field = ARGV[3 + u]
  local previous = stored[idemIdx][field] or written[idemIdx][field]
  if previous then
    -- A redelivery: the view stored the first time, and no state change.
    out[u] = previous
  else
    s = state[k]
    local fresh = not s
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
    local oldB = h[1]
    local oldLb = math.floor(oldB / __SHORT_PER_LONG__)
    local b = oldB
    local tb = math.floor(t / __SHORT_BUCKET_MS__)
    if tb > b then b = tb end
    h[1] = b
    local lb = math.floor(b / __SHORT_PER_LONG__)
    -- The previous update already evicted everything outside the previous head's windows, so a
    -- queue can only lose entries when its bucket moved (saves reading its front entry).
    local e1, e2 = f1, f2
    if b > oldB then e1 = evict(f1, t1, b - __SHORT_WINDOW_BUCKETS__ + 1, 10) end
    if lb > oldLb then e2 = evict(f2, t2, lb - __LONG_WINDOW_BUCKETS__ + 1, 14) end

    -- The view is header slots 2..17 after aging; unless aging evicted or reset something, those
    -- are the stored bytes 9..136 unchanged, and slicing them is cheaper than packing 16 doubles.
    local view
    if s == '' then
      view = ZERO_VIEW
    elseif e1 == f1 and e2 == f2 then
      view = string.sub(s, 9, 136)
    else
      view = struct.pack(VIEW, h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9],
        h[10], h[11], h[12], h[13], h[14], h[15], h[16], h[17])
    end
    written[idemIdx][field] = view
    out[u] = view
    local oc, os, ic, is = 0, 0, 0, 0
    if role ~= 2 then
      oc, os = 1, amt
      h[3] = h[3] + 1
      h[4] = h[4] + amt
      if amt > h[5] then h[5] = amt end
    end
    if role ~= 1 then
      ic, is = 1, amt
      h[6] = h[6] + 1
      h[7] = h[7] + amt
      if transfer == 1 then
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
    local k1, n1 = add(e1, t1, b == oldB, b, oc, os, ic, is)
    local k2, n2 = add(e2, t2, lb == oldLb, lb, oc, os, ic, is)
    h[18] = (k1 - e1 + 1) / 40 + 1
    -- One concatenation builds the new state (no intermediate queue strings).
    state[k] = struct.pack(HDR, h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
      h[13], h[14], h[15], h[16], h[17], h[18]) .. string.sub(s, e1, k1) .. n1 .. string.sub(s, e2, k2) .. n2
    dirty[k] = true
    -- The TTL is set when the key is (re)created or its event hour advances, not on every write.
    if fresh or lb > oldLb then refresh[k] = true end
  end
end

-- Each changed state once. KEEPTTL saves the expiry bookkeeping of PX (the costliest part of a
-- SET here); a state's TTL is renewed at least once per event hour it is active in.
for k = 1, nStates do
  if dirty[k] then
    if refresh[k] then
      redis.call('SET', KEYS[k], state[k], 'PX', stateTtl)
    else
      redis.call('SET', KEYS[k], state[k], 'KEEPTTL')
    end
  end
end
-- New idempotency records, one HSET per hash; the hash of an event hour lives idempotency-TTL
-- after the latest call that touched it (redeliveries included, as before).
for idemIdx = nStates + 1, #KEYS do
  local pairsToSet, fields = {}, idemFields[idemIdx]
  local w = written[idemIdx]
  for i = 1, #fields do
    local v = w[fields[i]]
    if v then
      pairsToSet[#pairsToSet + 1] = fields[i]
      pairsToSet[#pairsToSet + 1] = v
      w[fields[i]] = nil -- a field twice in the call is written once
    end
  end
  callSliced('HSET', KEYS[idemIdx], pairsToSet, 1, #pairsToSet)
  redis.call('PEXPIRE', KEYS[idemIdx], idemTtl)
end
return out

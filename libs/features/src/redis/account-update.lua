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
-- Why this shape (measured on Redis 7.0, see ../../README.md "Benchmark"): most of the cost is
-- Lua work per update, not commands. Every new Lua string is allocated, interned and later
-- collected, and Redis's Lua hashes EVERY byte of it (~1.5 ns a byte), so numbers come in ONE
-- packed string instead of 4 strings per update (plus strtod), keys come once each, and the view
-- is a slice of the stored bytes when aging changed no total. Redis commands are batched per call: ONE MGET reads every state, ONE
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
-- One update of one state string (false = absent): returns the prior view, the new state string
-- and whether its TTL must be set. Header fields live in locals h1..h18 (Lua index = state.ts
-- slot + 1), so the update is a function of its inputs (no shared mutable table between updates).
-- Queues stay [from, to] byte ranges of the stored string until the one final concatenation.
local function apply(s, t, amt, role, transfer)
  local h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18 =
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  local fresh = not s
  if s then
    h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18 = struct.unpack(HDR, s)
    -- Idle longer than the horizon: start from empty history (TTL-independent features).
    if t - h2 > __HISTORY_HORIZON_MS__ then
      s = false
      h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18 =
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    end
  end
  if not s then s = '' end
  -- Byte ranges of the two queues (empty when from > to).
  local f1, t1 = 145, 144 + h18 * 40
  local f2, t2 = t1 + 1, #s
  -- Windows only move forward: a late event lands in the account's latest bucket.
  local oldB = h1
  local oldLb = math.floor(oldB / __SHORT_PER_LONG__)
  local b = oldB
  local tb = math.floor(t / __SHORT_BUCKET_MS__)
  if tb > b then b = tb end
  h1 = b
  local lb = math.floor(b / __SHORT_PER_LONG__)
  -- Evict buckets that left the windows, taking them out of the running totals. The previous
  -- update already evicted everything outside the previous head's windows, so a queue can only
  -- lose entries when its bucket moved (saves reading its front entry).
  local e1, e2 = f1, f2
  if b > oldB then
    local oldest = b - __SHORT_WINDOW_BUCKETS__ + 1
    while e1 < t1 do
      local i, oc, os, ic, is = struct.unpack(ENT, s, e1)
      if i >= oldest then break end
      h10, h11, h12, h13 = h10 - oc, h11 - os, h12 - ic, h13 - is
      e1 = e1 + 40
    end
  end
  if lb > oldLb then
    local oldest = lb - __LONG_WINDOW_BUCKETS__ + 1
    while e2 < t2 do
      local i, oc, os, ic, is = struct.unpack(ENT, s, e2)
      if i >= oldest then break end
      h14, h15, h16, h17 = h14 - oc, h15 - os, h16 - ic, h17 - is
      e2 = e2 + 40
    end
  end

  -- The view is header slots 2..17 after aging; unless aging evicted or reset something, those
  -- are the stored bytes 9..136 unchanged, and slicing them is cheaper than packing 16 doubles.
  local view
  if s == '' then
    view = ZERO_VIEW
  elseif e1 == f1 and e2 == f2 then
    view = string.sub(s, 9, 136)
  else
    view = struct.pack(VIEW, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17)
  end
  local oc, os, ic, is = 0, 0, 0, 0
  if role ~= 2 then
    oc, os = 1, amt
    h3 = h3 + 1
    h4 = h4 + amt
    if amt > h5 then h5 = amt end
  end
  if role ~= 1 then
    ic, is = 1, amt
    h6 = h6 + 1
    h7 = h7 + amt
    if transfer == 1 then
      h8 = amt
      h9 = t
    end
  end
  if t > h2 then h2 = t end
  h10, h11, h12, h13 = h10 + oc, h11 + os, h12 + ic, h13 + is
  h14, h15, h16, h17 = h14 + oc, h15 + os, h16 + ic, h17 + is
  -- Add to the newest bucket of each queue: merged into the last entry when it is the same
  -- bucket, otherwise appended. The last entry is always the previous head's bucket, so only an
  -- unmoved head can merge, and an append needs no unpack. k = end of the kept prefix.
  local k1, n1, k2, n2 = t1, nil, t2, nil
  if b == oldB and t1 > e1 then
    local i, x1, x2, x3, x4 = struct.unpack(ENT, s, t1 - 39)
    if i == b then k1, n1 = t1 - 40, struct.pack(ENT, i, x1 + oc, x2 + os, x3 + ic, x4 + is) end
  end
  if not n1 then n1 = struct.pack(ENT, b, oc, os, ic, is) end
  if lb == oldLb and t2 > e2 then
    local i, x1, x2, x3, x4 = struct.unpack(ENT, s, t2 - 39)
    if i == lb then k2, n2 = t2 - 40, struct.pack(ENT, i, x1 + oc, x2 + os, x3 + ic, x4 + is) end
  end
  if not n2 then n2 = struct.pack(ENT, lb, oc, os, ic, is) end
  h18 = (k1 - e1 + 1) / 40 + 1
  -- One concatenation builds the new state (no intermediate queue strings). The TTL is set when
  -- the key is (re)created or its event hour advances, not on every write.
  return view,
    struct.pack(HDR, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14, h15, h16, h17, h18)
      .. string.sub(s, e1, k1) .. n1 .. string.sub(s, e2, k2) .. n2,
    fresh or lb > oldLb
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
    local view, updated, renew = apply(state[k], t, amt, role, transfer)
    written[idemIdx][field] = view
    out[u] = view
    state[k] = updated
    dirty[k] = true
    if renew then refresh[k] = true end
  end
end

-- Each changed state once. KEEPTTL skips the expiry bookkeeping of PX (1.35 vs 2.6 us per SET
-- in a micro-benchmark); a state's TTL is renewed at least once per event hour it is active in.
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

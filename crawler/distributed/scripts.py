"""The Lua scripts a distributed crawl runs in Redis: each is one atomic step of the queue, claims or commits."""

from __future__ import annotations

#: pop the best request and keep it in the worker's processing hash (score|data) until it is acked
POP = """
local items = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #items == 0 then return nil end
redis.call('ZREM', KEYS[1], items[1])
local job = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], job, items[2] .. '|' .. items[1])
return {job, items[1]}
"""
#: give a worker's unfinished requests back to the queue, release the records it claimed but never committed
#: and end its session (it cannot claim or commit any more); {requests, its output id, that output's committed size}
REQUEUE = """
local entries = redis.call('HVALS', KEYS[2])
for _, v in ipairs(entries) do
  local i = string.find(v, '|', 1, true)
  redis.call('ZADD', KEYS[1], tonumber(string.sub(v, 1, i - 1)), string.sub(v, i + 1))
end
for _, c in ipairs(redis.call('SMEMBERS', KEYS[3])) do redis.call('SREM', KEYS[4], c) end
local output = redis.call('HGET', KEYS[6], 'output') or ''
redis.call('DEL', KEYS[2], KEYS[3], KEYS[6])
redis.call('SREM', KEYS[5], ARGV[1])
local committed = ''
if output ~= '' then committed = redis.call('HGET', KEYS[7], output) or '' end
return {#entries, output, committed}
"""
#: start (or go on with) a worker's session; with an output, its committed size (set to 0 for a new one)
JOIN = """
redis.call('HSET', KEYS[1], 'token', ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
if ARGV[3] == '' then return false end
redis.call('HSET', KEYS[1], 'output', ARGV[3])
local committed = redis.call('HGET', KEYS[3], ARGV[3])
if not committed then redis.call('HSET', KEYS[3], ARGV[3], 0) end
return committed
"""
#: claim a record's keys (URLs, content hash) unless any was emitted already: 1 claimed, 0 duplicate,
#: -1 this worker's session is over (declared dead)
CLAIM = """
if redis.call('HGET', KEYS[3], 'token') ~= ARGV[1] then return -1 end
for i = 2, #ARGV do if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 1 then return 0 end end
for i = 2, #ARGV do redis.call('SADD', KEYS[1], ARGV[i]); redis.call('SADD', KEYS[2], ARGV[i]) end
return 1
"""
#: the record is in the output file (fsynced): its claims become permanent and the file's committed size moves,
#: in one step; -1 the session is over or a claim was released, -2 the committed size is not the one written after
COMMIT = """
if redis.call('HGET', KEYS[2], 'token') ~= ARGV[1] then return -1 end
if (redis.call('HGET', KEYS[3], ARGV[2]) or '') ~= ARGV[3] then return -2 end
for i = 5, #ARGV do if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then return -1 end end
for i = 5, #ARGV do redis.call('SREM', KEYS[1], ARGV[i]) end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
return 1
"""
#: a record dropped after its claim: release the keys this worker still holds (never another worker's)
RELEASE = """
for _, k in ipairs(ARGV) do
  if redis.call('SREM', KEYS[2], k) == 1 then redis.call('SREM', KEYS[1], k) end
end
"""
#: the last worker out of a finished crawl deletes its keys, so the next run starts afresh
FINISH = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
local workers = redis.call('SMEMBERS', KEYS[2])
for _, w in ipairs(workers) do
  if redis.call('EXISTS', ARGV[1] .. w) == 1 or redis.call('HLEN', ARGV[2] .. w) > 0 then return 0 end
end
for _, w in ipairs(workers) do redis.call('DEL', ARGV[3] .. w, ARGV[4] .. w) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
local bands = tonumber(redis.call('HGET', ARGV[5] .. 'meta', 'bands') or '0')
for b = 0, bands - 1 do redis.call('DEL', ARGV[5] .. 'band:' .. b) end
for _, k in ipairs({'meta', 'docs', 'sigs', 'urls', 'seq', 'bands_of'}) do redis.call('DEL', ARGV[5] .. k) end
return 1
"""

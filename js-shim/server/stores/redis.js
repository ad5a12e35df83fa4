// The Redis store (Node in production, through ioredis, an optional peer dependency). Each
// commit is one Lua script, so Redis runs the compare-and-set and everything that goes with it
// as one atomic step; claims, outcomes and releases are scripts too. One Redis (or one
// primary): the scripts touch keys of several contacts, which Redis Cluster would refuse.
//
// Keys, under `prefix`:  c:<contact> hash {state, version} · due zset (action → at) ·
// due:c hash (action → contact) · due:lease hash (action → end of the lease a tick took on it:
// claimDue) · cdue:<contact>, clinks:<contact>, cint:<contact> sets (for erasure) ·
// link:<key> string · i:<action> hash (the intent, then its ledger entry) ·
// msg:<provider>:<provider id> string (the action a provider's message id names) ·
// pending zset (action → earliest claim time) · meta:lastTickAt string (the scheduler's record,
// no personal data: kept through eraseAll) · n:<key> hash {count, resetAt} (counters that span
// contacts, expiring with their window) · the outcome log (no personal data, kept through
// erasure): o:lines zset (member "<seq> <line>", score seq), o:seq counter, oj:<journey> set of
// its members (for the roll-up), o:rollups string and o:version counter · the message index
// (stores/message-index.js): om:<send> zset of the members naming that send (score seq),
// omj:<journey> set of the sends it logged, om:kept zset of rolled-up `sent` members ("<send>
// <member>", score: sent at) until the retention horizon · log:<name> lists
// (stores/logs.js: the audit log, the playbook's publications, each contact's timeline, which
// goes with the contact).

import { indexEntry } from './message-index.js';

const LIB = `
local p = ARGV[1]
-- The provider's id leads to the message (and its address) at the provider: erasure drops it.
local function unindex(ikey)
  local m = redis.call('HMGET', ikey, 'provider', 'providerId')
  if m[1] and m[1] ~= '' and m[2] and m[2] ~= '' then redis.call('DEL', p..'msg:'..m[1]..':'..m[2]) end
  redis.call('HDEL', ikey, 'provider', 'providerId')
end
local function unschedule(id)
  redis.call('ZREM', p..'due', id)
  local owner = redis.call('HGET', p..'due:c', id)
  redis.call('HDEL', p..'due:c', id)
  redis.call('HDEL', p..'due:lease', id)
  if owner then redis.call('SREM', p..'cdue:'..owner, id) end
end
`;

const COMMIT = `${LIB}
local cid, expected, state = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local change = cjson.decode(ARGV[5])
local ckey = p..'c:'..cid
local current = redis.call('HGET', ckey, 'version')
current = current and tonumber(current) or 0
if current ~= expected then return 0 end
redis.call('HSET', ckey, 'state', state, 'version', current + 1)
local function erase_rows()
  redis.call('DEL', p..'log:timeline:'..cid)
  for _, id in ipairs(redis.call('SMEMBERS', p..'cdue:'..cid)) do unschedule(id) end
  for _, key in ipairs(redis.call('SMEMBERS', p..'clinks:'..cid)) do
    if redis.call('GET', p..'link:'..key) == cid then redis.call('DEL', p..'link:'..key) end
  end
  redis.call('DEL', p..'clinks:'..cid)
  for _, id in ipairs(redis.call('SMEMBERS', p..'cint:'..cid)) do
    local ikey = p..'i:'..id
    if redis.call('HGET', ikey, 'status') == 'pending' then
      redis.call('HSET', ikey, 'status', 'cancelled')
      redis.call('ZREM', p..'pending', id)
    end
    redis.call('HDEL', ikey, 'action', 'detail')
    unindex(ikey)
  end
end
-- A purge goes first: this change's own entries stay.
if change.purge then erase_rows() end
for _, id in ipairs(change.unschedule) do unschedule(id) end
if type(change.settle) == 'table' then
  local at = redis.call('ZSCORE', p..'due', change.settle.id)
  if at and tonumber(at) == change.settle.at then unschedule(change.settle.id) end
end
for _, s in ipairs(change.schedule) do
  -- A lease is on the entry's time: a moved entry is free again.
  local was = redis.call('ZSCORE', p..'due', s.id)
  if not was or tonumber(was) ~= s.at then redis.call('HDEL', p..'due:lease', s.id) end
  redis.call('ZADD', p..'due', s.at, s.id)
  redis.call('HSET', p..'due:c', s.id, cid)
  redis.call('SADD', p..'cdue:'..cid, s.id)
end
for _, key in ipairs(change.links) do
  if redis.call('SETNX', p..'link:'..key, cid) == 1 then redis.call('SADD', p..'clinks:'..cid, key) end
end
for _, i in ipairs(change.intents) do
  local ikey = p..'i:'..i.id
  if redis.call('EXISTS', ikey) == 0 then
    redis.call('HSET', ikey, 'contactId', cid, 'action', i.action, 'status', 'pending', 'attempts', 0,
      'nextAt', 0, 'leaseUntil', 0, 'owner', '')
    redis.call('ZADD', p..'pending', 0, i.id)
    redis.call('SADD', p..'cint:'..cid, i.id)
  end
end
for _, o in ipairs(change.outcomes) do
  local seq = redis.call('INCR', p..'o:seq')
  local member = seq..' '..o.line
  redis.call('ZADD', p..'o:lines', seq, member)
  redis.call('SADD', p..'oj:'..o.journey, member)
  if o.send then
    redis.call('ZADD', p..'om:'..o.send, seq, member)
    redis.call('SADD', p..'omj:'..o.journey, o.send)
  end
end
for _, line in ipairs(change.timeline) do redis.call('RPUSH', p..'log:timeline:'..cid, line) end
if change.erase then erase_rows() end
if change.forget then
  redis.call('DEL', p..'log:timeline:'..cid)
  for _, id in ipairs(redis.call('SMEMBERS', p..'cdue:'..cid)) do unschedule(id) end
  for _, key in ipairs(redis.call('SMEMBERS', p..'clinks:'..cid)) do
    if redis.call('GET', p..'link:'..key) == cid then redis.call('DEL', p..'link:'..key) end
  end
  for _, id in ipairs(redis.call('SMEMBERS', p..'cint:'..cid)) do
    redis.call('ZREM', p..'pending', id)
    unindex(p..'i:'..id)
    redis.call('DEL', p..'i:'..id)
  end
  redis.call('DEL', ckey, p..'clinks:'..cid, p..'cdue:'..cid, p..'cint:'..cid)
end
return 1
`;

const TAKE = `
local p, key, max, windowMs, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local nkey = p..'n:'..key
local h = redis.call('HMGET', nkey, 'count', 'resetAt')
if not h[1] or tonumber(h[2]) <= now then
  if max < 1 then return 0 end
  redis.call('HSET', nkey, 'count', 1, 'resetAt', now + windowMs)
  redis.call('PEXPIRE', nkey, windowMs)
  return 1
end
if tonumber(h[1]) >= max then return 0 end
redis.call('HINCRBY', nkey, 'count', 1)
return 1
`;

const CLAIM = `
local p, id, owner, now, lease = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local ikey = p..'i:'..id
local h = redis.call('HMGET', ikey, 'status', 'nextAt', 'leaseUntil', 'attempts', 'contactId', 'action')
if h[1] ~= 'pending' or tonumber(h[2]) > now or tonumber(h[3]) > now then return false end
local attempts = tonumber(h[4]) + 1
redis.call('HSET', ikey, 'owner', owner, 'leaseUntil', now + lease, 'attempts', attempts)
redis.call('ZADD', p..'pending', now + lease, id)
return { h[5], h[6], attempts }
`;

// The due entries are read in time order a page at a time, passing over those under a live
// lease (at most the batches other tickers hold, plus entries whose tick failed, until their
// lease ends), and the first `limit` free ones are leased, all in one atomic script.
const CLAIM_DUE = `
local p, now, limit, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local taken, offset = {}, 0
while #taken < limit * 3 do
  local page = redis.call('ZRANGEBYSCORE', p..'due', '-inf', now, 'WITHSCORES', 'LIMIT', offset, 200)
  if #page == 0 then break end
  for i = 1, #page, 2 do
    local id = page[i]
    local leased = redis.call('HGET', p..'due:lease', id)
    if not leased or tonumber(leased) <= now then
      redis.call('HSET', p..'due:lease', id, now + lease)
      taken[#taken + 1] = id
      taken[#taken + 1] = redis.call('HGET', p..'due:c', id) or ''
      taken[#taken + 1] = page[i + 1]
      if #taken >= limit * 3 then break end
    end
  end
  offset = offset + 200
end
return taken
`;

const FINISH = `
local p, id, owner, provider, providerId = ARGV[1], ARGV[2], ARGV[3], ARGV[7], ARGV[5]
local ikey = p..'i:'..id
local h = redis.call('HMGET', ikey, 'status', 'owner')
if h[1] ~= 'pending' or h[2] ~= owner then return 0 end
redis.call('HSET', ikey, 'status', ARGV[4], 'providerId', providerId, 'provider', provider, 'detail', ARGV[6], 'leaseUntil', 0)
if provider ~= '' and providerId ~= '' then redis.call('SET', p..'msg:'..provider..':'..providerId, id) end
redis.call('HDEL', ikey, 'action')
redis.call('ZREM', p..'pending', id)
return 1
`;

const RETRY = `
local p, id, owner, nextAt = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local ikey = p..'i:'..id
local h = redis.call('HMGET', ikey, 'status', 'owner')
if h[1] ~= 'pending' or h[2] ~= owner then return 0 end
redis.call('HSET', ikey, 'nextAt', nextAt, 'leaseUntil', 0, 'owner', '')
redis.call('ZADD', p..'pending', nextAt, id)
return 1
`;

// The latest tick wins, whichever process records last (clocks of several hosts may differ).
const RECORD_TICK = `
local key, at = ARGV[1], tonumber(ARGV[2])
local current = redis.call('GET', key)
if not current or tonumber(current) < at then redis.call('SET', key, at) end
return 1
`;

// The lines, the roll-ups and their version as of one moment.
const READ_OUTCOMES = `
local p = ARGV[1]
return { redis.call('ZRANGE', p..'o:lines', 0, -1), redis.call('GET', p..'o:rollups') or false, redis.call('GET', p..'o:version') or '0' }
`;

// Compare-and-set on the version: lines of the rolled-up journeys up to the read go, the
// roll-ups are replaced, the version moves on.
const ROLL_UP = `
local p, upTo, version, forget = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[5]
if (redis.call('GET', p..'o:version') or '0') ~= version then return 0 end
for i = 6, #ARGV do
  local jkey = p..'oj:'..ARGV[i]
  for _, member in ipairs(redis.call('SMEMBERS', jkey)) do
    if tonumber(string.match(member, '^(%d+)')) <= upTo then
      redis.call('ZREM', p..'o:lines', member)
      redis.call('SREM', jkey, member)
    end
  end
  -- The message index: a rolled-up send keeps its sent line (the message's record) in om:kept.
  local mjkey = p..'omj:'..ARGV[i]
  for _, send in ipairs(redis.call('SMEMBERS', mjkey)) do
    local mkey = p..'om:'..send
    for _, member in ipairs(redis.call('ZRANGEBYSCORE', mkey, '-inf', upTo)) do
      local line = cjson.decode(string.sub(member, string.find(member, ' ') + 1))
      if line.kind == 'sent' then
        redis.call('ZADD', p..'om:kept', tonumber(line.at) or 0, send..' '..member)
      else
        redis.call('ZREM', mkey, member)
      end
    end
    if redis.call('ZCOUNT', mkey, '('..upTo, '+inf') == 0 then redis.call('SREM', mjkey, send) end
  end
end
if forget ~= '' then
  for _, kept in ipairs(redis.call('ZRANGEBYSCORE', p..'om:kept', '-inf', '('..forget)) do
    local cut = string.find(kept, ' ')
    redis.call('ZREM', p..'om:'..string.sub(kept, 1, cut - 1), string.sub(kept, cut + 1))
    redis.call('ZREM', p..'om:kept', kept)
  end
end
redis.call('SET', p..'o:rollups', ARGV[4])
redis.call('INCR', p..'o:version')
return 1
`;

// Appends only if the log still holds `expected` lines (-1: whatever it holds).
const APPEND_LOG = `
local key, expected = ARGV[1], tonumber(ARGV[2])
if expected >= 0 and redis.call('LLEN', key) ~= expected then return 0 end
for i = 3, #ARGV do redis.call('RPUSH', key, ARGV[i]) end
return 1
`;

/** `redis`: a connected ioredis client (the caller owns its options); `prefix` namespaces keys. */
export function redisStore(redis, { prefix = 'rekindle:' } = {}) {
  redis.defineCommand('rekindleCommit', { numberOfKeys: 0, lua: COMMIT });
  redis.defineCommand('rekindleClaim', { numberOfKeys: 0, lua: CLAIM });
  redis.defineCommand('rekindleClaimDue', { numberOfKeys: 0, lua: CLAIM_DUE });
  redis.defineCommand('rekindleFinish', { numberOfKeys: 0, lua: FINISH });
  redis.defineCommand('rekindleRetry', { numberOfKeys: 0, lua: RETRY });
  redis.defineCommand('rekindleRecordTick', { numberOfKeys: 0, lua: RECORD_TICK });
  redis.defineCommand('rekindleTake', { numberOfKeys: 0, lua: TAKE });
  redis.defineCommand('rekindleReadOutcomes', { numberOfKeys: 0, lua: READ_OUTCOMES });
  redis.defineCommand('rekindleRollUp', { numberOfKeys: 0, lua: ROLL_UP });
  redis.defineCommand('rekindleAppendLog', { numberOfKeys: 0, lua: APPEND_LOG });
  const k = (name) => prefix + name;

  return {
    async load(contactId) {
      const [state, version] = await redis.hmget(k(`c:${contactId}`), 'state', 'version');
      return state === null ? null : { state, version: Number(version) };
    },
    async commit(contactId, change) {
      // Actions travel as JSON text: Lua's cjson would turn an empty array into an object.
      const rest = {
        schedule: change.schedule,
        unschedule: change.unschedule,
        settle: change.settle ?? false,
        links: change.links,
        intents: change.intents.map(({ id, action }) => ({ id, action: JSON.stringify(action) })),
        erase: change.erase,
        purge: change.purge ?? false,
        forget: change.forget ?? false,
        outcomes: (change.outcomes ?? []).map(({ journey, line }) => ({ journey, line, send: indexEntry(line)?.send })),
        timeline: change.timeline ?? [],
      };
      return (await redis.rekindleCommit(prefix, contactId, change.expected, change.state, JSON.stringify(rest))) === 1;
    },
    async resolve(keys) {
      for (const key of keys) {
        const contactId = await redis.get(k(`link:${key}`));
        if (contactId !== null) return contactId;
      }
      return null;
    },
    async dueBefore(now, limit) {
      const flat = await redis.zrangebyscore(k('due'), '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit);
      if (flat.length === 0) return [];
      const ids = flat.filter((_, i) => i % 2 === 0);
      const contacts = await redis.hmget(k('due:c'), ...ids);
      return ids
        .map((id, i) => ({ id, contactId: contacts[i], at: Number(flat[i * 2 + 1]) }))
        .filter((d) => d.contactId !== null); // removed between the two reads
    },
    async claimDue(now, limit, owner, leaseMs) {
      // The owner is not kept: nothing but the lease's end decides who may take an entry.
      const flat = await redis.rekindleClaimDue(prefix, now, limit, leaseMs);
      const taken = [];
      for (let i = 0; i < flat.length; i += 3) taken.push({ id: flat[i], contactId: flat[i + 1], at: Number(flat[i + 2]) });
      return taken;
    },
    async dueSummary(now) {
      // MULTI/EXEC: the count, the oldest entry and the last tick as of one moment.
      const [[, due], [, oldest], [, lastTickAt]] = await redis.multi()
        .zcount(k('due'), '-inf', now)
        .zrangebyscore(k('due'), '-inf', now, 'WITHSCORES', 'LIMIT', 0, 1)
        .get(k('meta:lastTickAt'))
        .exec();
      return { due: Number(due), oldestDueAt: oldest.length ? Number(oldest[1]) : null, lastTickAt: lastTickAt === null ? null : Number(lastTickAt) };
    },
    async recordTick(at) {
      await redis.rekindleRecordTick(k('meta:lastTickAt'), at);
    },
    async claimable(now, limit) {
      return redis.zrangebyscore(k('pending'), '-inf', now, 'LIMIT', 0, limit);
    },
    async claim(id, owner, now, leaseMs) {
      const row = await redis.rekindleClaim(prefix, id, owner, now, leaseMs);
      return row ? { id, contactId: row[0], action: JSON.parse(row[1]), attempts: Number(row[2]) } : null;
    },
    async finish(id, owner, { status, provider = null, providerId = null, detail = null }) {
      return (await redis.rekindleFinish(prefix, id, owner, status, providerId ?? '', detail ?? '', provider ?? '')) === 1;
    },
    async providerMessage(provider, providerId) {
      const actionId = await redis.get(k(`msg:${provider}:${providerId}`));
      const contactId = actionId === null ? null : await redis.hget(k(`i:${actionId}`), 'contactId');
      return contactId ? { contactId, actionId } : null;
    },
    async retryLater(id, owner, nextAt) {
      return (await redis.rekindleRetry(prefix, id, owner, nextAt)) === 1;
    },
    async ledger(id) {
      const [status, attempts, providerId, detail] = await redis.hmget(k(`i:${id}`), 'status', 'attempts', 'providerId', 'detail');
      if (status === null) return null;
      return { status, attempts: Number(attempts), providerId: providerId || null, detail: detail || null };
    },
    async take(key, max, windowMs, now) {
      return (await redis.rekindleTake(prefix, key, max, windowMs, now)) === 1;
    },
    async readOutcomes() {
      const [members, rollups, version] = await redis.rekindleReadOutcomes(prefix);
      const lines = members.map((m) => m.slice(m.indexOf(' ') + 1));
      const upTo = members.length ? Number(members[members.length - 1].slice(0, members[members.length - 1].indexOf(' '))) : 0;
      return { lines, rollups: rollups || null, upTo, version: Number(version) };
    },
    async rollUpOutcomes({ upTo, version, journeys, rollups, forgetBefore = null }) {
      return (await redis.rekindleRollUp(prefix, upTo, String(version), rollups, forgetBefore === null ? '' : String(forgetBefore), ...journeys)) === 1;
    },
    async readMessage(actionId) {
      const members = await redis.zrange(k(`om:${actionId}`), 0, -1);
      return members.map((m) => m.slice(m.indexOf(' ') + 1));
    },
    async appendLog(name, lines, expected = null) {
      return (await redis.rekindleAppendLog(k(`log:${name}`), expected ?? -1, ...lines)) === 1;
    },
    async readLog(name, limit = Infinity) {
      const from = Number.isFinite(limit) ? -limit : 0;
      const [[, lines], [, count]] = await redis.multi().lrange(k(`log:${name}`), from, -1).llen(k(`log:${name}`)).exec();
      return { lines: limit === 0 ? [] : lines, count: Number(count) };
    },
    /** Keys held under the prefix (tests and the abuse benchmark count what is left). */
    async size() {
      let cursor = '0';
      let keys = 0;
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        // The scheduler's record and the outcome log hold no one's data.
        // Nor do the audit log and the playbook's publications (pseudonymous ids, staff names).
        keys += found.filter((key) => key !== k('meta:lastTickAt') && !key.startsWith(k('o:')) && !key.startsWith(k('oj:')) && !key.startsWith(k('om:')) && !key.startsWith(k('omj:')) && key !== k('log:audit') && key !== k('log:policies')).length;
        cursor = next;
      } while (cursor !== '0');
      return { keys, due: await redis.zcard(k('due')) };
    },
    async eraseAll() {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        const keys = found.filter((key) => key !== k('meta:lastTickAt'));
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    },
    async close() {
      await redis.quit();
    },
  };
}

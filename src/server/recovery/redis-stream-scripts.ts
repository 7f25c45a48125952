import type { RedisConnection } from '../broker/redis/redis-client.js';
import { hashSlot, tagOfSlot } from '../broker/redis/redis-hash-slot.js';

/**
 * The key layout and the scripts of `RedisStreamLog` (docs/recovery-design.md, sections 1-2).
 *
 * A stream has two keys: its entries, a Redis Stream whose ids are the offsets (`<o>-0`), each
 * entry with fields `f` (the positioned frame) and `t` (the target's JSON); and its meta, a hash
 * with `e` (the epoch) and `s` (the last offset given). Both live in the slot of the stream's
 * channel, since the append script publishes on that channel (`SPUBLISH` in a script must stay
 * in the slot of its keys): `<prefix>:h:{<channel>}` and `<prefix>:hm:{<channel>}` hash exactly
 * like `<channel>` (`<prefix>:room:<name>`, `<prefix>:user:<id>`, `<prefix>:all`). A channel
 * with a brace in it (in the prefix or the name) is not usable as a hash tag; its keys take a
 * short tag of the channel's slot instead, then the stream name for uniqueness:
 * `<prefix>:h:{<slot tag>}:<stream>` (or `{<slot tag>}:<prefix>:h:<stream>` for a prefix with
 * a brace, whose own brace would otherwise be the tag).
 */
export interface StreamKeys {
  readonly entries: string;
  readonly meta: string;
  /** Of a latest-value stream: key -> the offset of its newest entry. */
  readonly latest: string;
}

export function streamKeys(prefix: string, channel: string, stream: string): StreamKeys {
  if (!/[{}]/.test(channel)) {
    const tag = `{${channel}}`;
    return {
      entries: `${prefix}:h:${tag}`,
      meta: `${prefix}:hm:${tag}`,
      latest: `${prefix}:hk:${tag}`,
    };
  }
  const tag = `{${tagOfSlot(hashSlot(channel))}}`;
  if (/[{}]/.test(prefix)) {
    const at = (kind: string) => `${tag}:${prefix}:${kind}:${stream}`;
    return { entries: at('h'), meta: at('hm'), latest: at('hk') };
  }
  const at = (kind: string) => `${prefix}:${kind}:${tag}:${stream}`;
  return { entries: at('h'), meta: at('hm'), latest: at('hk') };
}

/** Redis's clock in whole ms (one clock for every instance; `TIME` is allowed in scripts). */
const NOW = `
local function now()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end`;

/**
 * One publication: opens an epoch when the meta is missing or a reset is asked for, gives the
 * next offset, keeps the positioned frame (when `size` > 0) and publishes it, all in one step,
 * so the channel's order is the offsets' order. Lua numbers print exactly up to 10^14 offsets.
 *
 * A latest-value stream (ARGV 11, the push's key, not empty) keeps one entry per key: the key's
 * previous entry is deleted (the latest hash, KEYS 3, knows its offset), and beyond `size` keys
 * the oldest entry goes.
 *
 * Each entry has its append time (field `a`, Redis's clock in ms) and the meta the entries' ttl
 * (field `t`): entries older than it are dropped from the head here (at most 100 per append) and
 * left out by `READ`, so a busy stream ages out one entry at a time, as in-process. The `PEXPIRE`
 * of the whole key still forgets a quiet stream.
 *
 * KEYS: entries, meta, latest. ARGV: 1 a fresh epoch, 2 reset (`1`/`0`), 3 size, 4 ttlMs of the
 * entries (0: none), 5 ttlMs of the meta (0: none), 6 the channel, 7 the stream as a JSON string,
 * 8 the push's frame without its `{`, 9 the wire message's head (up to its target), 10 the
 * target's JSON, 11 the key of a latest-value push (`''`: none). Returns `{offset, epoch}`.
 */
const APPEND = `${NOW}
local epoch = redis.call('HGET', KEYS[2], 'e')
if not epoch or ARGV[2] == '1' then
  epoch = ARGV[1]
  redis.call('HSET', KEYS[2], 'e', epoch, 's', 0)
end
local o = redis.call('HINCRBY', KEYS[2], 's', 1)
redis.call('HSET', KEYS[2], 't', ARGV[4])
local frame = '{"o":' .. o .. ',"e":"' .. epoch .. '","s":' .. ARGV[7] .. ',' .. ARGV[8]
if o == 1 then redis.call('DEL', KEYS[1], KEYS[3]) end
local size = tonumber(ARGV[3])
local at = now()
local ttl = tonumber(ARGV[4])
if size > 0 and ttl > 0 then
  -- The head, one entry at a time: usually it is young and one small read is all this costs.
  for _ = 1, 100 do
    local entry = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
    if not entry then break end
    local fields, born, key = entry[2], nil, nil
    for i = 1, #fields, 2 do
      if fields[i] == 'a' then born = tonumber(fields[i + 1]) end
      if fields[i] == 'k' then key = fields[i + 1] end
    end
    if not born or at - born < ttl then break end
    if key then redis.call('HDEL', KEYS[3], key) end
    redis.call('XDEL', KEYS[1], entry[1])
  end
end
if size > 0 and ARGV[11] ~= '' then
  local previous = redis.call('HGET', KEYS[3], ARGV[11])
  if previous then redis.call('XDEL', KEYS[1], previous .. '-0') end
  redis.call('HSET', KEYS[3], ARGV[11], o)
  redis.call('XADD', KEYS[1], o .. '-0', 'f', frame, 't', ARGV[10], 'k', ARGV[11], 'a', at)
  if redis.call('XLEN', KEYS[1]) > size then
    local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
    local fields = oldest[2]
    for i = 1, #fields, 2 do
      if fields[i] == 'k' then redis.call('HDEL', KEYS[3], fields[i + 1]) end
    end
    redis.call('XDEL', KEYS[1], oldest[1])
  end
  if ARGV[4] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
  if ARGV[4] ~= '0' then redis.call('PEXPIRE', KEYS[3], ARGV[4]) end
elseif size > 0 then
  redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[3], o .. '-0', 'f', frame, 't', ARGV[10], 'a', at)
  if ARGV[4] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
end
if ARGV[5] ~= '0' then redis.call('PEXPIRE', KEYS[2], ARGV[5]) end
redis.call('SPUBLISH', ARGV[6], ARGV[9] .. ARGV[10] .. '}\\n' .. frame)
return {o, epoch}`;

/**
 * Where a stream is and its entries after an offset, without those older than the ttl the last
 * append gave (meta field `t`): an aged-out entry is missing, so a resume that needs it is a gap. An unknown stream (or one to reset) gets
 * a new epoch at offset 0 here, so the epoch a client is told stays the stream's epoch.
 *
 * KEYS: entries, meta. ARGV: 1 a fresh epoch, 2 reset (`1`/`0`), 3 ttlMs of a new meta (0: none),
 * 4 the first entry id to return, 5 how many at most. Returns `{epoch, offset, entries}` with
 * the entries as `XRANGE` gives them.
 */
const READ = `${NOW}
local meta = redis.call('HMGET', KEYS[2], 'e', 's', 't')
if not meta[1] or ARGV[2] == '1' then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', ARGV[1], 's', 0)
  if ARGV[3] ~= '0' then redis.call('PEXPIRE', KEYS[2], ARGV[3]) end
  return {ARGV[1], 0, {}}
end
local entries = {}
if tonumber(ARGV[5]) > 0 then
  entries = redis.call('XRANGE', KEYS[1], ARGV[4], '+', 'COUNT', ARGV[5])
end
local ttl = tonumber(meta[3]) or 0
if ttl > 0 and #entries > 0 then
  local at, fresh = now(), {}
  for _, entry in ipairs(entries) do
    local fields, born = entry[2], nil
    for i = 1, #fields, 2 do
      if fields[i] == 'a' then born = tonumber(fields[i + 1]) end
    end
    if not born or at - born < ttl then fresh[#fresh + 1] = entry end
  end
  entries = fresh
end
return {meta[1], tonumber(meta[2]) or 0, entries}`;

/** An entry as `XRANGE` returns it: its id and its fields and values, alternating. */
export type RawEntry = [id: string, fields: string[]];

export type AppendArgs = [
  epoch: string,
  reset: '0' | '1',
  size: string,
  ttlMs: string,
  metaTtlMs: string,
  channel: string,
  stream: string,
  tail: string,
  wireHead: string,
  target: string,
  latest: string,
];

export type ReadArgs = [
  epoch: string,
  reset: '0' | '1',
  metaTtlMs: string,
  from: string,
  limit: string,
];

export type StreamScripts = RedisConnection & {
  rtStreamAppend(
    entries: string,
    meta: string,
    latest: string,
    ...args: AppendArgs
  ): Promise<[number, string]>;
  rtStreamRead(
    entries: string,
    meta: string,
    ...args: ReadArgs
  ): Promise<[string, number, RawEntry[]]>;
};

const scripted = new WeakSet<RedisConnection>();

/** The client with the scripts defined (once per client; ioredis loads them on first use). */
export function withStreamScripts(client: RedisConnection): StreamScripts {
  if (!scripted.has(client)) {
    client.defineCommand('rtStreamAppend', { numberOfKeys: 3, lua: APPEND });
    client.defineCommand('rtStreamRead', { numberOfKeys: 2, lua: READ });
    scripted.add(client);
  }
  return client as StreamScripts;
}

/** A whole number of milliseconds for `PEXPIRE`, `0` for none (not finite, or not positive). */
export function ttlArg(ms: number): string {
  return Number.isFinite(ms) && ms >= 1 ? String(Math.floor(ms)) : '0';
}

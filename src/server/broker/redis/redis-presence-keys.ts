import type { RoomMember } from '../delivery.js';
import type { MembersPage, PresenceSnapshot } from '../presence-store.js';
import type { RedisConnection } from './redis-client.js';
import { parseMember, splitEntry } from './redis-member.js';

/** Adds a member to a room: its entry, its place in the page order, its instance's count. */
const JOIN = `
if redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) == 1 then
  redis.call('ZADD', KEYS[2], 0, ARGV[1])
  redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
end`;

/** Removes members of one instance from a room (ARGV[1] the instance, then the fields). */
const LEAVE = `
local removed = redis.call('HDEL', KEYS[1], unpack(ARGV, 2))
if removed > 0 then
  redis.call('ZREM', KEYS[2], unpack(ARGV, 2))
  if redis.call('HINCRBY', KEYS[3], ARGV[1], -removed) <= 0 then redis.call('HDEL', KEYS[3], ARGV[1]) end
end
return removed`;

/** Sets an instance's count of a room to its entries there (ARGV[1] the instance, [2] its tag). */
const RECOUNT = `
local n = 0
for _, field in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.sub(field, 1, #ARGV[2]) == ARGV[2] then n = n + 1 end
end
if n > 0 then redis.call('HSET', KEYS[2], ARGV[1], n) else redis.call('HDEL', KEYS[2], ARGV[1]) end
return n`;

const PURGE_SLICE = 1000;

/**
 * The heartbeat set: every instance's last beat (ms since the epoch) as its score. Presence
 * purges the instances silent for `presenceTtlMs`; the bus obeys commands of the others only.
 */
export const instancesKey = (prefix: string): string => `${prefix}:instances`;

/** This instance's entries as Redis has them (see `ownEntries()`). */
export interface OwnEntries {
  rooms: Map<string, string[]>;
  users: Map<string, string[]>;
}

type Scripted = RedisConnection & {
  rtJoin(k1: string, k2: string, k3: string, field: string, json: string, inst: string): Promise<0>;
  rtLeave(k1: string, k2: string, k3: string, inst: string, ...fields: string[]): Promise<number>;
  rtRecount(k1: string, k2: string, inst: string, tag: string): Promise<number>;
};

/**
 * The key layout of presence in Redis and its commands: who is in which room and which users are
 * online, on every instance. Each entry is tagged with its instance, and each instance refreshes
 * its score in a sorted set; an instance that stops refreshing (crash, `kill -9`) is purged by the
 * others after `ttlMs`.
 *
 * A room's three keys share a hash tag (`{r:<room>}`), so on a Redis Cluster they live in one slot
 * and change together in one script: its members (a hash of `instance|connection` to the member),
 * their order for pages (a sorted set of the same fields), and a count per instance (so counting
 * a room reads one small hash, whatever its size). No command spans two slots.
 */
export class RedisPresenceKeys {
  private readonly redis: Scripted;

  constructor(
    redis: RedisConnection,
    private readonly prefix: string,
    private readonly instanceId: string,
    private readonly ttlMs: number,
    /** Told of each entry read back that is malformed (and skipped), with the reason. */
    private readonly skip: (reason: string) => void = () => undefined,
  ) {
    redis.defineCommand('rtJoin', { numberOfKeys: 3, lua: JOIN });
    redis.defineCommand('rtLeave', { numberOfKeys: 3, lua: LEAVE });
    redis.defineCommand('rtRecount', { numberOfKeys: 2, lua: RECOUNT });
    this.redis = redis as Scripted;
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  /** The member hash, page order and counts of a room, in one slot. */
  private roomKeys(room: string): [string, string, string] {
    // `r:` keeps the tag non-empty whatever the name ('' or one starting with `}`), so the three
    // keys always hash alike.
    const tag = `{r:${room}}`;
    return [this.key('room', tag), this.key('order', tag), this.key('count', tag)];
  }

  private field(connectionId: string, instanceId = this.instanceId): string {
    return `${instanceId}|${connectionId}`;
  }

  async join(room: string, member: RoomMember): Promise<void> {
    const field = this.field(member.connectionId);
    await Promise.all([
      this.redis.rtJoin(...this.roomKeys(room), field, JSON.stringify(member), this.instanceId),
      this.redis.sadd(this.key('inst', this.instanceId, 'rooms'), room),
    ]);
  }

  async leave(room: string, member: RoomMember): Promise<void> {
    await this.redis.rtLeave(
      ...this.roomKeys(room),
      this.instanceId,
      this.field(member.connectionId),
    );
  }

  async open(member: RoomMember): Promise<void> {
    await Promise.all([
      this.redis.sadd(this.key('user', member.userId), this.field(member.connectionId)),
      this.redis.sadd(this.key('inst', this.instanceId, 'users'), member.userId),
    ]);
  }

  async close(member: RoomMember): Promise<void> {
    await this.redis.srem(this.key('user', member.userId), this.field(member.connectionId));
  }

  /** Members of a room on live instances. */
  async members(room: string): Promise<RoomMember[]> {
    const [entries, alive] = await Promise.all([
      this.redis.hgetall(this.roomKeys(room)[0]),
      this.aliveInstances(),
    ]);
    const out: RoomMember[] = [];
    for (const [field, value] of Object.entries(entries)) {
      const member = this.liveMember(field, value, alive);
      if (member) out.push(member);
    }
    return out;
  }

  /**
   * The member of a room entry when its instance is live; a malformed entry is skipped and
   * counted, the others are listed all the same.
   */
  private liveMember(field: string, value: string, alive: Set<string>): RoomMember | undefined {
    const entry = splitEntry(field);
    if (!entry) return void this.skip('member field');
    if (!alive.has(entry[0])) return undefined;
    return parseMember(value, entry[1]) ?? void this.skip('member entry');
  }

  /** Members of a room on live instances, in pages ordered by `instance|connection`. */
  async page(room: string, after: string | undefined, limit: number): Promise<MembersPage> {
    const [hash, order] = this.roomKeys(room);
    const start = after === undefined ? '-' : `(${after}`;
    // One more than asked tells whether another page follows.
    const found = await this.redis.zrangebylex(order, start, '+', 'LIMIT', 0, limit + 1);
    const fields = found.slice(0, limit);
    if (fields.length === 0) return { members: [] };
    const [values, alive] = await Promise.all([
      this.redis.hmget(hash, ...fields),
      this.aliveInstances(),
    ]);
    const members: RoomMember[] = [];
    fields.forEach((field, i) => {
      // Absent: the member left between the two reads, not a fault.
      const value = values[i];
      const member =
        value === null || value === undefined ? undefined : this.liveMember(field, value, alive);
      if (member) members.push(member);
    });
    const next = found.length > limit ? fields[fields.length - 1] : undefined;
    return next === undefined ? { members } : { members, next };
  }

  /** How many members a room has on live instances, without listing them. */
  async count(room: string): Promise<number> {
    const [counts, alive] = await Promise.all([
      this.redis.hgetall(this.roomKeys(room)[2]),
      this.aliveInstances(),
    ]);
    let total = 0;
    for (const [instanceId, n] of Object.entries(counts)) {
      if (!alive.has(instanceId)) continue;
      // As the scripts write it: a positive integer. Anything else counts nothing.
      if (/^[1-9]\d{0,8}$/.test(n)) total += Number(n);
      else this.skip('room count');
    }
    return total;
  }

  /** Whether the user has a connection on a live instance. */
  async isOnline(userId: string): Promise<boolean> {
    const [entries, alive] = await Promise.all([
      this.redis.smembers(this.key('user', userId)),
      this.aliveInstances(),
    ]);
    return entries.some((value) => {
      const entry = splitEntry(value);
      if (!entry) this.skip('user entry');
      return entry !== undefined && alive.has(entry[0]);
    });
  }

  /**
   * Marks this instance alive, then purges instances that stopped doing so. `lost` is true when
   * this instance was not listed any more (the others purged it after a stall, or Redis lost it).
   */
  async beat(now = Date.now()): Promise<{ purged: string[]; lost: boolean }> {
    const added = await this.redis.zadd(instancesKey(this.prefix), now, this.instanceId);
    const dead = await this.redis.zrangebyscore(
      instancesKey(this.prefix),
      '-inf',
      now - this.ttlMs,
    );
    for (const id of dead) await this.purge(id);
    return { purged: dead, lost: Number(added) === 1 };
  }

  /** This instance's entries as Redis has them: fields by room, entries by user. */
  async ownEntries(): Promise<OwnEntries> {
    const tag = `${this.instanceId}|`;
    const rooms = new Map<string, string[]>();
    for (const room of await this.redis.smembers(this.key('inst', this.instanceId, 'rooms'))) {
      const fields = await this.redis.hkeys(this.roomKeys(room)[0]);
      rooms.set(
        room,
        fields.filter((f) => f.startsWith(tag)),
      );
    }
    const users = new Map<string, string[]>();
    for (const user of await this.redis.smembers(this.key('inst', this.instanceId, 'users'))) {
      const entries = await this.redis.smembers(this.key('user', user));
      users.set(
        user,
        entries.filter((e) => e.startsWith(tag)),
      );
    }
    return { rooms, users };
  }

  /**
   * Removes the entries of `before` (read before this instance's presence was written again)
   * that its current view (`now`) no longer has: writes dropped while Redis was unreachable.
   * Entries written since `before` was read are never touched, so a join made meanwhile stays.
   * Then sets this instance's count of each of those rooms to what is there.
   */
  async prune(before: OwnEntries, now: PresenceSnapshot): Promise<void> {
    const tag = `${this.instanceId}|`;
    const current = new Set(now.rooms.map(([room, m]) => `${room}\n${m.connectionId}`));
    const nowRooms = new Set(now.rooms.map(([room]) => room));
    const roomsKey = this.key('inst', this.instanceId, 'rooms');
    for (const [room, fields] of before.rooms) {
      const keys = this.roomKeys(room);
      const stale = fields.filter((f) => !current.has(`${room}\n${f.slice(tag.length)}`));
      for (let i = 0; i < stale.length; i += PURGE_SLICE) {
        await this.redis.rtLeave(...keys, this.instanceId, ...stale.slice(i, i + PURGE_SLICE));
      }
      const left = await this.redis.rtRecount(keys[0], keys[2], this.instanceId, tag);
      if (left === 0 && !nowRooms.has(room)) await this.redis.srem(roomsKey, room);
    }
    const online = new Set(now.connections.map((m) => this.field(m.connectionId)));
    for (const [user, entries] of before.users) {
      const stale = entries.filter((e) => !online.has(e));
      if (stale.length > 0) await this.redis.srem(this.key('user', user), ...stale);
    }
  }

  /** Removes every entry of an instance (a dead one, or this one at shutdown). */
  async purge(instanceId = this.instanceId): Promise<void> {
    const tag = `${instanceId}|`;
    const roomsKey = this.key('inst', instanceId, 'rooms');
    const usersKey = this.key('inst', instanceId, 'users');
    for (const room of await this.redis.smembers(roomsKey)) {
      const keys = this.roomKeys(room);
      const fields = (await this.redis.hkeys(keys[0])).filter((f) => f.startsWith(tag));
      // Lua's unpack() takes about 8 000 values at most: a big room goes in slices.
      for (let i = 0; i < fields.length; i += PURGE_SLICE) {
        await this.redis.rtLeave(...keys, instanceId, ...fields.slice(i, i + PURGE_SLICE));
      }
      await this.redis.hdel(keys[2], instanceId);
    }
    for (const user of await this.redis.smembers(usersKey)) {
      const entries = (await this.redis.smembers(this.key('user', user))).filter((e) =>
        e.startsWith(tag),
      );
      if (entries.length > 0) await this.redis.srem(this.key('user', user), ...entries);
    }
    await Promise.all([
      this.redis.del(roomsKey),
      this.redis.del(usersKey),
      this.redis.zrem(instancesKey(this.prefix), instanceId),
    ]);
  }

  private async aliveInstances(now = Date.now()): Promise<Set<string>> {
    const ids = await this.redis.zrangebyscore(instancesKey(this.prefix), now - this.ttlMs, '+inf');
    return new Set(ids);
  }
}

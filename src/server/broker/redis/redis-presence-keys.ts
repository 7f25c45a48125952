import type { Redis } from 'ioredis';
import type { RoomMember } from '../delivery.js';

/**
 * The key layout of presence in Redis and its commands: who is in which room and which users are
 * online, on every instance. Each entry is tagged with its instance, and each instance refreshes
 * its score in a sorted set; an instance that stops refreshing (crash, `kill -9`) is purged by the
 * others after `ttlMs`.
 */
export class RedisPresenceKeys {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly instanceId: string,
    private readonly ttlMs: number,
  ) {}

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(':');
  }

  private field(connectionId: string, instanceId = this.instanceId): string {
    return `${instanceId}|${connectionId}`;
  }

  async join(room: string, member: RoomMember): Promise<void> {
    await this.redis
      .multi()
      .hset(this.key('room', room), this.field(member.connectionId), JSON.stringify(member))
      .sadd(this.key('inst', this.instanceId, 'rooms'), room)
      .exec();
  }

  async leave(room: string, member: RoomMember): Promise<void> {
    await this.redis.hdel(this.key('room', room), this.field(member.connectionId));
  }

  async open(member: RoomMember): Promise<void> {
    await this.redis
      .multi()
      .sadd(this.key('user', member.userId), this.field(member.connectionId))
      .sadd(this.key('inst', this.instanceId, 'users'), member.userId)
      .exec();
  }

  async close(member: RoomMember): Promise<void> {
    await this.redis.srem(this.key('user', member.userId), this.field(member.connectionId));
  }

  /** Members of a room on live instances. */
  async members(room: string): Promise<RoomMember[]> {
    const [entries, alive] = await Promise.all([
      this.redis.hgetall(this.key('room', room)),
      this.aliveInstances(),
    ]);
    const out: RoomMember[] = [];
    for (const [field, value] of Object.entries(entries)) {
      if (!alive.has(field.split('|')[0] ?? '')) continue;
      try {
        out.push(JSON.parse(value) as RoomMember);
      } catch {
        // A corrupt entry is skipped, never shown.
      }
    }
    return out;
  }

  /** Whether the user has a connection on a live instance. */
  async isOnline(userId: string): Promise<boolean> {
    const [entries, alive] = await Promise.all([
      this.redis.smembers(this.key('user', userId)),
      this.aliveInstances(),
    ]);
    return entries.some((entry) => alive.has(entry.split('|')[0] ?? ''));
  }

  /** Marks this instance alive, then purges instances that stopped doing so. */
  async beat(now = Date.now()): Promise<string[]> {
    await this.redis.zadd(this.key('instances'), now, this.instanceId);
    const dead = await this.redis.zrangebyscore(this.key('instances'), '-inf', now - this.ttlMs);
    for (const id of dead) await this.purge(id);
    return dead;
  }

  /** Removes every entry of an instance (a dead one, or this one at shutdown). */
  async purge(instanceId = this.instanceId): Promise<void> {
    const tag = `${instanceId}|`;
    const roomsKey = this.key('inst', instanceId, 'rooms');
    const usersKey = this.key('inst', instanceId, 'users');
    for (const room of await this.redis.smembers(roomsKey)) {
      const fields = (await this.redis.hkeys(this.key('room', room))).filter((f) =>
        f.startsWith(tag),
      );
      if (fields.length > 0) await this.redis.hdel(this.key('room', room), ...fields);
    }
    for (const user of await this.redis.smembers(usersKey)) {
      const entries = (await this.redis.smembers(this.key('user', user))).filter((e) =>
        e.startsWith(tag),
      );
      if (entries.length > 0) await this.redis.srem(this.key('user', user), ...entries);
    }
    await this.redis.multi().del(roomsKey, usersKey).zrem(this.key('instances'), instanceId).exec();
  }

  private async aliveInstances(now = Date.now()): Promise<Set<string>> {
    const ids = await this.redis.zrangebyscore(this.key('instances'), now - this.ttlMs, '+inf');
    return new Set(ids);
  }
}

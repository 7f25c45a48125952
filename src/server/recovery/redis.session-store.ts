import { Logger } from '@nestjs/common';
import type { RedisConnection } from '../broker/redis/redis-client.js';
import type { RedisBus } from '../broker/redis/redis.bus.js';
import { isSessionRecord, SessionStore, type SessionRecord } from './session-store.js';

/**
 * Closed sessions in Redis, so a client may resume on any instance: one string key per session,
 * `<prefix>:s:{<id>}` holding the record's JSON, expiring after the window (`SET ... PX`); taken
 * with `GETDEL` (Redis 6.2 or later), so two instances racing for one session cannot both get it.
 * The braces make the id the key's hash tag on a cluster. It runs on the bus's connection.
 *
 * A value that is not a session record (corrupt, foreign) is dropped, counted in `corrupt` and
 * logged without its content; a session id is never logged.
 */
export class RedisSessionStore extends SessionStore {
  private readonly logger = new Logger('RedisSessionStore');
  /** Stored values that were not session records. */
  corrupt = 0;

  constructor(private readonly bus: RedisBus) {
    super();
  }

  override start(): Promise<void> {
    return Promise.resolve();
  }

  override stop(): Promise<void> {
    return Promise.resolve();
  }

  override async save(id: string, record: SessionRecord, ttlMs: number): Promise<void> {
    const ttl = Math.floor(ttlMs);
    if (!Number.isFinite(ttl) || ttl < 1) return;
    await this.client().set(this.key(id), JSON.stringify(record), 'PX', ttl);
  }

  override async take(id: string): Promise<SessionRecord | undefined> {
    const value = await this.client().getdel(this.key(id));
    if (value === null) return undefined;
    let record: unknown;
    try {
      record = JSON.parse(value);
    } catch {
      record = undefined;
    }
    if (isSessionRecord(record)) return record;
    this.corrupt++;
    this.logger.warn(`Dropped a stored session that is not a session record (${value.length} B)`);
    return undefined;
  }

  /** The key of a session. */
  key(id: string): string {
    return `${this.bus.prefix}:s:{${id}}`;
  }

  private client(): RedisConnection {
    const client = this.bus.publisher;
    if (!client) throw new Error('Redis session store is unavailable');
    return client;
  }
}

import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { RoomMember } from '../delivery.js';
import { PresenceStore, type MembersPage, type PresenceSource } from '../presence-store.js';
import {
  closeRedisClient,
  createRedisClient,
  RedisErrorLog,
  type RedisConnection,
} from './redis-client.js';
import { RedisPresenceKeys } from './redis-presence-keys.js';
import { RejectionLog } from './redis-rejections.js';
import type { RedisBrokerOptions } from './redis.broker.js';

const unavailable = () => Promise.reject(new Error('Redis presence is unavailable'));

/**
 * Presence in Redis hashes and sets tagged by instance. Each instance refreshes its score every
 * `presenceTtlMs / 3` and purges the entries of instances that stopped doing so (a `kill -9`).
 * While Redis is down, writes are dropped and reads reject; on every (re)connection the store
 * restores this instance's presence, since a restarted Redis starts empty.
 *
 * Every entry read back is checked (`parseMember`): a malformed one is skipped, counted in
 * `ignored` and logged at most every 10 s; the rest of the answer stands.
 *
 * `events`: `restored` (this instance's presence is in Redis again), `purged` (ids of dead
 * instances whose presence this instance removed), `presenceIgnored` (a malformed entry was
 * skipped). For monitoring and tests.
 */
export class RedisPresenceStore extends PresenceStore {
  private readonly logger = new Logger('RedisPresenceStore');
  private readonly errors = new RedisErrorLog(this.logger);
  private readonly refusals = new RejectionLog(this.logger, 'Redis presence entries');
  private source: PresenceSource | undefined;
  private client: RedisConnection | undefined;
  private keys: RedisPresenceKeys | undefined;
  private restored = false;
  private restoring = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: RedisBrokerOptions,
    readonly instanceId: string = randomUUID(),
    readonly events = new EventEmitter(),
  ) {
    super();
  }

  override async start(source: PresenceSource): Promise<void> {
    this.source = source;
    const { url, cluster, prefix, presenceTtlMs, commandTimeoutMs } = this.options;
    const client = await createRedisClient(cluster ? { cluster } : { url }, commandTimeoutMs);
    this.client = client;
    this.keys = new RedisPresenceKeys(client, prefix, this.instanceId, presenceTtlMs, (reason) => {
      this.refusals.note(reason, Date.now());
      this.events.emit('presenceIgnored');
    });
    client.on('error', this.errors.log);
    client.on('ready', () => void this.restoreOnReady());
    client.on('close', () => void (this.restored = false));
    client.connect().catch(() => undefined);
    this.timer = setInterval(() => void this.beat(), Math.max(100, presenceTtlMs / 3));
    this.timer.unref();
  }

  override async stop(): Promise<void> {
    clearInterval(this.timer);
    if (this.ready()) await this.keys?.purge().catch(() => undefined);
    this.source = undefined;
    await closeRedisClient(this.client);
  }

  override join(room: string, member: RoomMember): Promise<void> {
    return this.write((keys) => keys.join(room, member));
  }

  override leave(room: string, member: RoomMember): Promise<void> {
    return this.write((keys) => keys.leave(room, member));
  }

  override open(member: RoomMember): Promise<void> {
    return this.write((keys) => keys.open(member));
  }

  override close(member: RoomMember): Promise<void> {
    return this.write((keys) => keys.close(member));
  }

  override members(room: string): Promise<RoomMember[]> {
    return this.keys && this.ready() ? this.keys.members(room) : unavailable();
  }

  override page(room: string, after: string | undefined, limit: number): Promise<MembersPage> {
    return this.keys && this.ready() ? this.keys.page(room, after, limit) : unavailable();
  }

  override count(room: string): Promise<number> {
    return this.keys && this.ready() ? this.keys.count(room) : unavailable();
  }

  override isOnline(userId: string): Promise<boolean> {
    return this.keys && this.ready() ? this.keys.isOnline(userId) : unavailable();
  }

  override async restore(): Promise<void> {
    const keys = this.keys;
    if (!keys || !this.source || !this.ready()) return unavailable();
    await keys.beat();
    // Written again from this instance's own view, then what it no longer has is removed
    // (writes dropped while Redis was unreachable: a leave, a close). Nothing it still has
    // disappears from other instances' views meanwhile.
    const before = await keys.ownEntries();
    const { rooms, connections } = this.source();
    await Promise.all([
      ...rooms.map(([room, member]) => keys.join(room, member)),
      ...connections.map((member) => keys.open(member)),
    ]);
    if (this.source) await keys.prune(before, this.source());
  }

  /** Malformed entries read from Redis and skipped, since the start. */
  get ignored(): number {
    return this.refusals.total;
  }

  /** Resolves once this instance's presence is in Redis (at once when it already is). */
  async whenReady(): Promise<void> {
    if (!this.restored) await once(this.events, 'restored');
  }

  private ready(): boolean {
    return this.client?.status === 'ready';
  }

  private write(op: (keys: RedisPresenceKeys) => Promise<void>): Promise<void> {
    // While Redis is down writes are dropped: restoreOnReady() writes them all again, on the
    // next connection or, for a write that failed (a cluster node failing over), at the next beat.
    if (!this.keys || !this.ready()) return Promise.resolve();
    return op(this.keys).catch(() => void (this.restored = false));
  }

  /** (Re)connected: Redis may have restarted empty, so this instance's presence is written again. */
  private async restoreOnReady(): Promise<void> {
    if (this.restoring) return;
    this.restoring = true;
    try {
      await this.restore();
      this.restored = true;
      this.events.emit('restored');
    } catch (error) {
      this.errors.log(error as Error);
    } finally {
      this.restoring = false;
    }
  }

  private async beat(): Promise<void> {
    if (!this.keys || !this.ready()) return;
    if (!this.restored) return this.restoreOnReady();
    try {
      const { purged, lost } = await this.keys.beat();
      // Purged by the others (a stall longer than the TTL) or lost by Redis: write it all again.
      if (lost) this.restored = false;
      if (purged.length === 0) return;
      this.logger.warn(`Purged presence of dead instances: ${purged.join(', ')}`);
      this.events.emit('purged', purged);
    } catch (error) {
      this.errors.log(error as Error);
    }
  }
}

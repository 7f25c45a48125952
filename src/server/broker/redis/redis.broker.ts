import { Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { redact } from '../../errors/redact.js';
import type { Delivery, RoomMember } from '../delivery.js';
import { RealtimeBroker, type BrokerHealth, type LocalSink } from '../realtime-broker.js';
import { RedisPresence } from './redis-presence.js';
import { decodeDelivery, encodeDelivery } from './redis-wire.js';

export interface RedisBrokerOptions {
  /** `redis://host:port/db` */
  url: string;
  /** Prefix of every channel and key. @default 'realtime' */
  prefix: string;
  /** An instance that has not refreshed its presence for this long is purged. @default 15000 */
  presenceTtlMs: number;
  /** A Redis command slower than this fails (the send is counted as failed). @default 1000 */
  commandTimeoutMs: number;
}

/**
 * Scale-out on Redis pub/sub. What the registry hands over (its local sockets already served) is
 * published once on `<prefix>:deliveries`; other instances deliver it to theirs. Presence (rooms, online
 * users) lives in Redis hashes and sets tagged by instance. When Redis is down or slow, local
 * delivery goes on, cross-instance sends fail fast and are counted, and everything (the
 * subscription and this instance's presence) comes back by itself when Redis does: delivery
 * across instances is at most once over an outage.
 */
export class RedisBroker extends RealtimeBroker implements OnModuleInit, OnApplicationShutdown {
  readonly instanceId = randomUUID();
  /**
   * `ready` (subscribed: cross-instance delivery works), `down` (the subscription was lost),
   * `publishFailed` and `ignored` (as counted by `health()`), and `purged` (ids of dead
   * instances whose presence this instance removed). For monitoring and tests.
   */
  readonly events = new EventEmitter();
  private readonly logger = new Logger('RedisBroker');
  private readonly channel: string;
  private readonly stats = { published: 0, publishFailures: 0, received: 0, ignored: 0 };
  private local: LocalSink | undefined;
  private pub: Redis | undefined;
  private sub: Redis | undefined;
  private presence: RedisPresence | undefined;
  private subscribed = false;
  private timer: NodeJS.Timeout | undefined;
  private lastError = '';

  constructor(private readonly options: RedisBrokerOptions) {
    super();
    this.channel = `${options.prefix}:deliveries`;
  }

  override bind(local: LocalSink): void {
    this.local = local;
  }

  /** Connects without blocking the boot: an unreachable Redis is retried with backoff. */
  async onModuleInit(): Promise<void> {
    const { Redis } = await import('ioredis');
    const common: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: this.options.commandTimeoutMs,
      retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    };
    this.pub = new Redis(this.options.url, common);
    this.sub = new Redis(this.options.url, { ...common, autoResubscribe: false });
    this.presence = new RedisPresence(
      this.pub,
      this.options.prefix,
      this.instanceId,
      this.options.presenceTtlMs,
    );
    for (const client of [this.pub, this.sub]) client.on('error', (e: Error) => this.onError(e));
    this.pub.on('ready', () => void this.onPubReady());
    this.sub.on('ready', () => void this.onSubReady());
    this.sub.on('close', () => {
      if (this.subscribed) this.events.emit('down');
      this.subscribed = false;
    });
    this.sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.onMessage(message));
    this.pub.connect().catch(() => undefined);
    this.sub.connect().catch(() => undefined);
    this.timer = setInterval(() => void this.beat(), Math.max(100, this.options.presenceTtlMs / 3));
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    if (this.isPubReady()) await this.presence?.purge().catch(() => undefined);
    await Promise.all([this.pub?.quit(), this.sub?.quit()].map((q) => q?.catch(() => undefined)));
    this.pub?.disconnect();
    this.sub?.disconnect();
  }

  override publish(delivery: Delivery): void {
    if (!this.pub || !this.isPubReady()) return this.publishFailed();
    this.pub.publish(this.channel, encodeDelivery(this.instanceId, delivery)).then(
      () => void this.stats.published++,
      () => this.publishFailed(),
    );
  }

  private publishFailed(): void {
    this.stats.publishFailures++;
    this.events.emit('publishFailed');
  }

  override memberJoined(room: string, member: RoomMember): void {
    this.write((p) => p.join(room, member));
  }

  override memberLeft(room: string, member: RoomMember): void {
    this.write((p) => p.leave(room, member));
  }

  override connectionOpened(member: RoomMember): void {
    this.write((p) => p.opened(member));
  }

  override connectionClosed(member: RoomMember): void {
    this.write((p) => p.closed(member));
  }

  /** Members on every live instance; this instance's only while Redis is unreachable. */
  override async members(room: string): Promise<RoomMember[]> {
    const local = this.local?.localMembers(room) ?? [];
    if (!this.presence || !this.isPubReady()) return local;
    try {
      const remote = await this.presence.members(room);
      const seen = new Set(local.map((m) => m.connectionId));
      return [...local, ...remote.filter((m) => !seen.has(m.connectionId))];
    } catch {
      return local;
    }
  }

  override async isUserOnline(userId: string): Promise<boolean> {
    if (this.local?.isOnlineHere(userId)) return true;
    if (!this.presence || !this.isPubReady()) return false;
    return this.presence.isOnline(userId).catch(() => false);
  }

  /** Resolves once cross-instance delivery works (at once when it already does). */
  async whenReady(): Promise<void> {
    if (!this.health().ready) await once(this.events, 'ready');
  }

  override health(): BrokerHealth {
    return { kind: 'redis', ready: this.subscribed && this.isPubReady(), ...this.stats };
  }

  private isPubReady(): boolean {
    return this.pub?.status === 'ready';
  }

  private write(op: (presence: RedisPresence) => Promise<void>): void {
    // While Redis is down presence writes are dropped; onPubReady() restores them all.
    if (!this.presence || !this.isPubReady()) return;
    op(this.presence).catch(() => undefined);
  }

  private async onSubReady(): Promise<void> {
    try {
      await this.sub?.subscribe(this.channel);
      this.subscribed = true;
      this.logger.log(`Subscribed to ${this.channel} (instance ${this.instanceId})`);
      if (this.isPubReady()) this.events.emit('ready');
    } catch (error) {
      this.onError(error as Error);
    }
  }

  /** (Re)connected: announce this instance and restore its presence (Redis may have restarted). */
  private async onPubReady(): Promise<void> {
    const presence = this.presence;
    if (!presence || !this.local) return;
    try {
      await presence.beat();
      const { rooms, connections } = this.local.localPresence();
      await Promise.all([
        ...rooms.map(([room, member]) => presence.join(room, member)),
        ...connections.map((member) => presence.opened(member)),
      ]);
      if (this.subscribed) this.events.emit('ready');
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private async beat(): Promise<void> {
    if (!this.presence || !this.isPubReady()) return;
    try {
      const purged = await this.presence.beat();
      if (purged.length === 0) return;
      this.logger.warn(`Purged presence of dead instances: ${purged.join(', ')}`);
      this.events.emit('purged', purged);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private onMessage(raw: Buffer): void {
    const wire = decodeDelivery(raw.toString());
    if (!wire) {
      this.stats.ignored++;
      this.events.emit('ignored');
      return;
    }
    if (wire.instanceId === this.instanceId) return;
    this.stats.received++;
    this.local?.deliver(wire.delivery);
  }

  /** Logs a Redis error once per distinct message, not once per retry. */
  private onError(error: Error): void {
    const message = redact(error.message);
    if (message === this.lastError) return;
    this.lastError = message;
    this.logger.warn(`Redis: ${message}`);
  }
}

import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { Delivery } from '../delivery.js';
import type { Interest } from '../interest.js';
import { RealtimeBus, type BusHealth, type BusReceiver } from '../realtime-bus.js';
import { closeRedisClient, createRedisClient, RedisErrorLog } from './redis-client.js';
import type { RedisBrokerOptions } from './redis.broker.js';
import { decodeDelivery, encodeDelivery } from './redis-wire.js';

/**
 * The bus on Redis pub/sub. Today one channel, `<prefix>:deliveries`, carries every interest:
 * each instance hears every publication and its registry finds the recipients, so
 * `subscribe()` and `unsubscribe()` have nothing to do. When Redis is down or slow, sends fail
 * fast and are counted, and the subscription comes back by itself when Redis does.
 *
 * `events`: `ready` (publications cross both ways), `down` (the subscription was lost),
 * `publishFailed` and `ignored` (as counted by `health()`). For monitoring and tests.
 */
export class RedisBus extends RealtimeBus {
  private readonly logger = new Logger('RedisBus');
  private readonly errors = new RedisErrorLog(this.logger);
  private readonly channel: string;
  private readonly stats = { published: 0, publishFailures: 0, received: 0, ignored: 0 };
  private receive: BusReceiver | undefined;
  private pub: Redis | undefined;
  private sub: Redis | undefined;
  private subscribed = false;
  private stopped = false;

  constructor(
    private readonly options: Pick<RedisBrokerOptions, 'url' | 'prefix' | 'commandTimeoutMs'>,
    readonly instanceId: string = randomUUID(),
    readonly events = new EventEmitter(),
  ) {
    super();
    this.channel = `${options.prefix}:deliveries`;
  }

  override async start(receive: BusReceiver): Promise<void> {
    this.receive = receive;
    const { url, commandTimeoutMs } = this.options;
    this.pub = await createRedisClient(url, commandTimeoutMs);
    this.sub = await createRedisClient(url, commandTimeoutMs, { autoResubscribe: false });
    for (const client of [this.pub, this.sub]) client.on('error', this.errors.log);
    this.pub.on('ready', () => this.announceReady());
    this.sub.on('ready', () => void this.onSubReady());
    this.sub.on('close', () => {
      if (this.subscribed) this.events.emit('down');
      this.subscribed = false;
    });
    this.sub.on('messageBuffer', (_channel: Buffer, message: Buffer) => this.onMessage(message));
    this.pub.connect().catch(() => undefined);
    this.sub.connect().catch(() => undefined);
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    this.receive = undefined;
    await Promise.all([closeRedisClient(this.pub), closeRedisClient(this.sub)]);
  }

  override publish(_interests: readonly Interest[], delivery: Delivery): void {
    if (this.stopped) return;
    if (!this.pub || !this.isPubReady()) return this.publishFailed();
    this.pub.publish(this.channel, encodeDelivery(this.instanceId, delivery)).then(
      () => void this.stats.published++,
      () => this.publishFailed(),
    );
  }

  /** Nothing to do: the one channel, subscribed from start, carries every interest. */
  override subscribe(_interest: Interest): Promise<void> {
    return Promise.resolve();
  }

  override unsubscribe(_interest: Interest): Promise<void> {
    return Promise.resolve();
  }

  override health(): BusHealth {
    return { kind: 'redis', ready: this.subscribed && this.isPubReady(), ...this.stats };
  }

  /** Resolves once publications cross both ways (at once when they already do). */
  async whenReady(): Promise<void> {
    if (!this.health().ready) await once(this.events, 'ready');
  }

  private isPubReady(): boolean {
    return this.pub?.status === 'ready';
  }

  private publishFailed(): void {
    this.stats.publishFailures++;
    this.events.emit('publishFailed');
  }

  private announceReady(): void {
    if (this.health().ready) this.events.emit('ready');
  }

  private async onSubReady(): Promise<void> {
    try {
      await this.sub?.subscribe(this.channel);
      this.subscribed = true;
      this.logger.log(`Subscribed to ${this.channel} (instance ${this.instanceId})`);
      this.announceReady();
    } catch (error) {
      this.errors.log(error as Error);
    }
  }

  private onMessage(raw: Buffer): void {
    const wire = decodeDelivery(raw.toString());
    if (!wire) {
      this.stats.ignored++;
      this.events.emit('ignored');
      return;
    }
    if (wire.instanceId === this.instanceId || !this.receive) return;
    this.stats.received++;
    this.receive(wire.delivery);
  }
}

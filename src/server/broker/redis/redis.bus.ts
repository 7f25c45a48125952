import { Logger } from '@nestjs/common';
import type { Cluster } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import type { Delivery } from '../delivery.js';
import type { Interest } from '../interest.js';
import { RealtimeBus, type BusHealth, type BusReceiver } from '../realtime-bus.js';
import {
  closeRedisClient,
  createRedisClient,
  RedisErrorLog,
  type RedisConnection,
  watchShardMoves,
} from './redis-client.js';
import { LiveInstances } from './redis-live-instances.js';
import { instancesKey } from './redis-presence-keys.js';
import { RejectionLog } from './redis-rejections.js';
import { RecentPublications, RedisSubscriptions } from './redis-subscriptions.js';
import type { RedisBrokerOptions } from './redis.broker.js';
import { decodeDelivery, encodeDelivery, wirePrefix, type WireDelivery } from './redis-wire.js';

const isOpen = (node: { status: string }): boolean => node.status === 'ready';

/**
 * The bus on Redis 7 sharded pub/sub (`SPUBLISH`/`SSUBSCRIBE`), on a standalone Redis or a Redis
 * Cluster. Each interest is a channel of its own: `<prefix>:all`, `<prefix>:room:<name>`,
 * `<prefix>:user:<id>` and `<prefix>:origin:<prefix of its connection ids>`. An instance subscribes to a room's channel when its first local member
 * joins and unsubscribes when the last leaves, and to a user's while it holds a connection of
 * that user, so it hears only publications its sockets need. On a cluster each channel lives on
 * the master of its hash slot, and a publication crosses no cluster bus.
 *
 * When Redis is down or slow, sends fail fast and are counted, and the subscriptions come back by
 * themselves when Redis does.
 *
 * Redis is a trust boundary: what comes off a channel reaches sockets only once checked. A
 * publication over `maxMessageBytes` is refused unread; a message's frame must be a push
 * (`isPushFrame`, parsed once per publication); a command (disconnect, join, leave) is obeyed
 * only from a live instance (`LiveInstances`). Refusals are counted in `ignored` and logged at
 * most every 10 s, by reason, never with their content.
 *
 * `events`: `ready` (publications cross both ways), `down` (the subscriptions were lost),
 * `publishFailed` and `ignored` (as counted by `health()`). For monitoring and tests.
 */
export class RedisBus extends RealtimeBus {
  private readonly logger = new Logger('RedisBus');
  private readonly errors = new RedisErrorLog(this.logger);
  private readonly refusals = new RejectionLog(this.logger, 'Redis deliveries');
  private readonly live: LiveInstances;
  private readonly maxBytes: number;
  private readonly stats = { published: 0, publishFailures: 0, received: 0, ignored: 0 };
  private readonly recent = new RecentPublications();
  /** Positioned publications of this instance that its registry served itself (see `skipEcho`). */
  private readonly skippedEchoes = new Set<number>();
  private readonly ownPrefix: Buffer;
  private receive: BusReceiver | undefined;
  private pub: RedisConnection | undefined;
  private sub: RedisConnection | undefined;
  private subscriptions: RedisSubscriptions | undefined;
  private subscribed = false;
  private pubReady = false;
  private stopped = false;
  /**
   * Numbers publications sent on several channels. Starts from the clock, not 0: peers remember
   * recent numbers by instance id, and an instance restarted with the same id must not repeat them.
   */
  private seq = Date.now() * 1000;
  private restoreFailures = 0;

  constructor(
    private readonly options: RedisBrokerOptions,
    readonly instanceId: string = randomUUID(),
    readonly events = new EventEmitter(),
  ) {
    super();
    this.ownPrefix = Buffer.from(wirePrefix(instanceId));
    this.maxBytes = options.maxMessageBytes ?? 1024 * 1024;
    this.live = new LiveInstances(
      (id) => this.lastBeat(id),
      options.presenceTtlMs,
      (delivery) => this.deliver(delivery),
      (reason) => this.ignore(reason),
    );
  }

  /** The channel of an interest. */
  channelOf = (interest: Interest): string => `${this.options.prefix}:${interest}`;

  /** @internal The largest publication sent or delivered (`maxMessageBytes`). */
  get maxMessageBytes(): number {
    return this.maxBytes;
  }

  /** @internal The prefix of every channel and key. */
  get prefix(): string {
    return this.options.prefix;
  }

  /**
   * @internal The connection publications go out on, while it is ready (on a cluster: connected to every
   * master); the stream log and the session store run their commands on it too.
   */
  get publisher(): RedisConnection | undefined {
    return !this.stopped && this.isPubReady() ? this.pub : undefined;
  }

  /**
   * @internal The positioned publication numbered `seq` failed here (a script that timed out may still
   * have run): its echo is not delivered to this instance, whose registry served it already.
   */
  skipEcho(seq: number): void {
    this.skippedEchoes.add(seq);
    if (this.skippedEchoes.size > 1000) {
      this.skippedEchoes.delete(this.skippedEchoes.values().next().value as number);
    }
  }

  override async start(receive: BusReceiver): Promise<void> {
    this.receive = receive;
    const { url, cluster, commandTimeoutMs } = this.options;
    const topology = cluster ? { cluster } : { url };
    // Publishing keeps each channel's order across failovers (`ordered`: no retries on another
    // node); subscribing takes a connection of its own (standalone: in subscriber mode; cluster:
    // one per master, placed by ioredis on the masters of the channels' slots).
    const pub = await createRedisClient(topology, commandTimeoutMs, { ordered: true });
    const sub = await createRedisClient(topology, commandTimeoutMs, {
      sharded: !!cluster,
      ...(cluster ? {} : { autoResubscribe: false }),
    });
    this.pub = pub;
    this.sub = sub;
    if (cluster) watchShardMoves(sub as Cluster);
    this.subscriptions = new RedisSubscriptions(sub, this.channelOf, !!cluster, this.errors.log);
    pub.on('error', this.errors.log);
    sub.on('error', this.errors.log);
    pub.on('ready', () => void this.onPubReady(!!cluster));
    pub.on('close', () => void (this.pubReady = false));
    sub.on('ready', () => void this.onSubReady());
    sub.on('close', () => this.onSubDown());
    sub.on('smessageBuffer', (channel: Buffer, message: Buffer) =>
      this.onMessage(channel, message),
    );
    pub.connect().catch(() => undefined);
    sub.connect().catch(() => undefined);
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    this.receive = undefined;
    this.live.clear();
    await Promise.all([closeRedisClient(this.pub), closeRedisClient(this.sub)]);
  }

  override publish(interests: readonly Interest[], delivery: Delivery): void {
    const pub = this.pub;
    if (this.stopped || interests.length === 0) return;
    if (!pub || !this.isPubReady()) return this.publishFailed();
    // A publication on several channels carries a number, for an instance on several of them to
    // deliver it once.
    const seq = interests.length > 1 ? ++this.seq : undefined;
    const message = encodeDelivery(this.instanceId, delivery, seq);
    // Peers would refuse it: not sent, and counted here where it can be fixed.
    if (Buffer.byteLength(message) > this.maxBytes) return this.publishFailed();
    Promise.all(interests.map((interest) => pub.spublish(this.channelOf(interest), message))).then(
      () => void this.stats.published++,
      () => this.publishFailed(),
    );
  }

  override subscribe(interest: Interest): Promise<void> {
    return this.subscriptions?.add(interest) ?? Promise.resolve();
  }

  override unsubscribe(interest: Interest): Promise<void> {
    return this.subscriptions?.remove(interest).catch(this.errors.log) ?? Promise.resolve();
  }

  override health(): BusHealth {
    return { kind: 'redis', ready: this.subscribed && this.isPubReady(), ...this.stats };
  }

  /** Channels this instance is subscribed to (`all` included). */
  get subscriptionCount(): number {
    return this.subscriptions?.size ?? 0;
  }

  /** Resolves once publications cross both ways (at once when they already do). */
  async whenReady(): Promise<void> {
    if (!this.health().ready) await once(this.events, 'ready');
  }

  /** Connected, and on a cluster connected to every master (none failing over). */
  private isPubReady(): boolean {
    const pub = this.pub;
    if (!this.pubReady || pub?.status !== 'ready') return false;
    return !this.options.cluster || (pub as Cluster).nodes('master').every(isOpen);
  }

  /**
   * A cluster is ready once one node answers; its other masters' connections may still be
   * opening, and a publication to their slots would fail. Ready means every master's is open.
   */
  private async onPubReady(cluster: boolean): Promise<void> {
    if (cluster) {
      const masters = (this.pub as Cluster).nodes('master');
      await Promise.all(
        masters.map((node) => (node.status === 'ready' ? undefined : once(node, 'ready'))),
      ).catch(() => undefined);
    }
    this.pubReady = this.pub?.status === 'ready';
    this.announceReady();
  }

  private publishFailed(): void {
    this.stats.publishFailures++;
    this.events.emit('publishFailed');
  }

  private announceReady(): void {
    if (this.health().ready) this.events.emit('ready');
  }

  private onSubDown(): void {
    if (this.subscribed) this.events.emit('down');
    this.subscribed = false;
  }

  private async onSubReady(): Promise<void> {
    try {
      await this.subscriptions?.restore();
      this.restoreFailures = 0;
      this.subscribed = true;
      this.logger.log(
        `Subscribed to ${this.subscriptions?.size ?? 0} channels (instance ${this.instanceId})`,
      );
      this.announceReady();
    } catch (error) {
      // A cluster places its sharded subscribers shortly after it is ready, and a node may
      // refuse while a failover settles: try again until it works or the connection drops.
      this.errors.log(error as Error);
      const delay = Math.min(200 * 2 ** this.restoreFailures++, 5000);
      setTimeout(() => {
        if (!this.stopped && !this.subscribed && this.sub?.status === 'ready') {
          void this.onSubReady();
        }
      }, delay).unref();
    }
  }

  private onMessage(channel: Buffer, raw: Buffer): void {
    // Its own publications come back on the channels this instance holds: skipped unread. Not
    // its positioned ones (`rt2 <id> p`): every instance delivers those from the channel.
    const own = this.ownPrefix;
    if (raw.length >= own.length && raw.compare(own, 0, own.length, 0, own.length) === 0) return;
    if (raw.length > this.maxBytes) return this.ignore('over maxMessageBytes');
    const wire = decodeDelivery(raw.toString());
    if (!wire) return this.ignore('malformed');
    if (!this.onItsChannel(wire, channel)) return this.ignore('on a wrong channel');
    if (!this.receive) return;
    if (wire.seq !== undefined && !this.recent.first(wire.instanceId, wire.seq)) return;
    if (wire.echo !== undefined && wire.instanceId === this.instanceId) {
      if (!this.skippedEchoes.delete(wire.echo)) this.receive(wire.delivery);
      return;
    }
    this.live.accept(wire.instanceId, wire.delivery);
  }

  /** A delivery of another instance, checked (see `LiveInstances`). */
  private deliver(delivery: WireDelivery['delivery']): void {
    if (!this.receive) return;
    this.stats.received++;
    this.receive(delivery);
  }

  private ignore(reason: string): void {
    this.stats.ignored++;
    this.refusals.note(reason, Date.now());
    this.events.emit('ignored');
  }

  /** An instance's last presence beat, from the heartbeat set presence keeps. */
  private async lastBeat(instanceId: string): Promise<number | undefined> {
    const pub = this.publisher;
    if (!pub) return undefined;
    const score = await pub.zscore(instancesKey(this.options.prefix), instanceId);
    return score === null ? undefined : Number(score);
  }

  /** A positioned publication comes on its stream's channel only. */
  private onItsChannel(wire: WireDelivery, channel: Buffer): boolean {
    const position = wire.delivery.kind === 'message' ? wire.delivery.position : undefined;
    return !position || channel.toString() === this.channelOf(position.stream as Interest);
  }
}

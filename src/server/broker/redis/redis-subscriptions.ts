import { ALL_INTEREST, type Interest } from '../interest.js';
import type { RedisConnection } from './redis-client.js';

/** Channels per `SSUBSCRIBE` when a standalone Redis is subscribed again after a reconnection. */
const BATCH = 1000;

/**
 * The interests this instance holds, each kept subscribed as a sharded channel of its own
 * (`<prefix>:all`, `<prefix>:room:<name>`, `<prefix>:user:<id>`). `all` is held from the start.
 * Changes go to Redis at once while connected; after a (re)connection `restore()` subscribes
 * every held interest again, since a restarted Redis, or a new node after a failover, knows none.
 *
 * Commands for one channel go out on one connection in call order (one slot, one node), so when
 * `add()` and `remove()` of an interest alternate, the last call wins.
 */
export class RedisSubscriptions {
  private readonly held = new Set<Interest>([ALL_INTEREST]);
  /**
   * Cluster: interests dropped while disconnected. ioredis keeps its own list of sharded
   * channels across reconnections and subscribes them again, so they are unsubscribed on the
   * next `restore()` instead of coming back.
   */
  private readonly dropped = new Set<Interest>();

  constructor(
    private readonly client: RedisConnection,
    private readonly channelOf: (interest: Interest) => string,
    private readonly cluster: boolean,
    private readonly failed: (error: Error) => void,
  ) {}

  /** Interests held, `all` included: the channels this instance is subscribed to. */
  get size(): number {
    return this.held.size;
  }

  has(interest: Interest): boolean {
    return this.held.has(interest);
  }

  /**
   * Holds an interest; resolves once Redis confirmed the subscription (at once while down: the
   * next `restore()` makes it). A refused subscription (a cluster moving its subscribers during
   * a failover) is tried again, with backoff, for as long as the interest is held; the promise
   * resolves after `patienceMs` of that at the latest, with the retries going on.
   */
  add(interest: Interest, patienceMs = 2000): Promise<void> {
    this.held.add(interest);
    this.dropped.delete(interest);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, patienceMs);
      timer.unref();
      void this.confirm(interest).finally(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Subscribes until Redis confirms, the interest is dropped, or the connection is down. */
  private async confirm(interest: Interest): Promise<void> {
    for (let attempt = 0; this.held.has(interest) && this.live(); attempt++) {
      try {
        await this.client.ssubscribe(this.channelOf(interest));
        return;
      } catch (error) {
        this.failed(error as Error);
        await new Promise((retry) => setTimeout(retry, Math.min(100 * 2 ** attempt, 2000)).unref());
      }
    }
  }

  /** Stops holding an interest (`all` is held until the bus stops). */
  async remove(interest: Interest): Promise<void> {
    if (interest === ALL_INTEREST || !this.held.delete(interest)) return;
    if (!this.live()) {
      if (this.cluster) this.dropped.add(interest);
      return;
    }
    await this.client.sunsubscribe(this.channelOf(interest));
  }

  /** Subscribes every held interest again; rejects when Redis does not confirm them all. */
  async restore(): Promise<void> {
    if (this.cluster) {
      const dropped = [...this.dropped].map(this.channelOf);
      this.dropped.clear();
      await Promise.all(dropped.map((channel) => this.client.sunsubscribe(channel)));
      // A cluster subscribes one slot per command: ioredis sends each to the master of its slot.
      const channels = [...this.held].map(this.channelOf);
      await Promise.all(channels.map((channel) => this.client.ssubscribe(channel)));
      return;
    }
    // Each batch is taken from what is held when it is sent: a room left meanwhile is not
    // subscribed again after its own unsubscription went out.
    const interests = [...this.held];
    for (let i = 0; i < interests.length; i += BATCH) {
      const batch = interests.slice(i, i + BATCH).filter((interest) => this.held.has(interest));
      if (batch.length > 0) await this.client.ssubscribe(...batch.map(this.channelOf));
    }
  }

  private live(): boolean {
    return this.client.status === 'ready';
  }
}

/**
 * The publications sent on several channels that this instance delivered lately, by publisher
 * and sequence number: a publication to `room:a` and `room:b` arrives once per channel at an
 * instance holding both, and is delivered on the first. The copies of one publication arrive
 * close together, so the last `capacity` are enough.
 */
export class RecentPublications {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** True the first time a publication is seen. */
  first(instanceId: string, seq: number): boolean {
    const key = `${instanceId}:${seq}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      this.seen.delete(this.seen.values().next().value as string);
    }
    return true;
  }
}

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { RedisSessionStore } from '../../recovery/redis.session-store.js';
import { RedisStreamLog } from '../../recovery/redis.stream-log.js';
import { RealtimeBroker, type BrokerHealth } from '../realtime-broker.js';
import type { RedisTopology } from './redis-topology.js';
import { RedisBus } from './redis.bus.js';
import { RedisPresenceStore } from './redis.presence-store.js';

/** Where Redis is (`url` of a standalone server, or the `cluster` seed nodes), and the rest. */
export interface RedisBrokerOptions extends RedisTopology {
  /** Prefix of every channel and key. @default 'realtime' */
  prefix: string;
  /** An instance that has not refreshed its presence for this long is purged. @default 15000 */
  presenceTtlMs: number;
  /** A Redis command slower than this fails (the send is counted as failed). @default 1000 */
  commandTimeoutMs: number;
  /**
   * Largest publication on the channels, in bytes: a bigger one is neither sent (counted in
   * `publishFailures`) nor delivered (counted in `ignored`). @default 1048576
   */
  maxMessageBytes?: number;
}

/** An instance id goes into channel messages and presence fields: a short, plain name. */
function checkedInstanceId(instanceId: string): string {
  if (/^[\w.-]{1,64}$/.test(instanceId)) return instanceId;
  throw new TypeError(
    `RedisBroker: instanceId must be 1-64 letters, digits, _ . -; got ${JSON.stringify(instanceId)}.`,
  );
}

/**
 * Scale-out on Redis (option `redis`): a `RedisBus` and a `RedisPresenceStore` of one instance
 * id, and for missed-message recovery a `RedisStreamLog` and a `RedisSessionStore` that run on
 * the bus's publishing connection. When Redis is down or slow, local delivery goes on, cross-instance sends fail fast and are
 * counted, and everything (the subscription and this instance's presence) comes back by itself
 * when Redis does: delivery across instances is at most once over an outage.
 */
export class RedisBroker extends RealtimeBroker {
  /**
   * The events of both halves: `ready`, `down`, `publishFailed` and `ignored` of the bus,
   * `restored`, `purged` and `presenceIgnored` of the presence store. For monitoring and tests.
   */
  readonly events: EventEmitter;
  declare readonly bus: RedisBus;
  declare readonly presence: RedisPresenceStore;
  declare readonly log: RedisStreamLog;
  declare readonly sessions: RedisSessionStore;

  constructor(
    options: RedisBrokerOptions,
    readonly instanceId: string = randomUUID(),
  ) {
    const events = new EventEmitter();
    const bus = new RedisBus(options, checkedInstanceId(instanceId), events);
    super(
      bus,
      new RedisPresenceStore(options, instanceId, events),
      new RedisStreamLog(bus),
      new RedisSessionStore(bus),
    );
    this.events = events;
  }

  /** The bus's state and counters, and the malformed presence entries skipped. */
  override health(): BrokerHealth {
    return { ...super.health(), presenceIgnored: this.presence.ignored };
  }

  /** Resolves once publications cross and this instance's presence is in Redis. */
  async whenReady(): Promise<void> {
    await Promise.all([this.bus.whenReady(), this.presence.whenReady()]);
  }
}

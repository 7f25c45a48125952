import { InProcessSessionStore } from '../recovery/in-process.session-store.js';
import { InProcessStreamLog } from '../recovery/in-process.stream-log.js';
import type { SessionStore } from '../recovery/session-store.js';
import type { StreamLog } from '../recovery/stream-log.js';
import type { PresenceStore } from './presence-store.js';
import type { BusHealth, RealtimeBus } from './realtime-bus.js';

/**
 * What `ConnectionRegistry.health()` reports: the bus's state and counters, with the stream
 * log's pushes (missed-message recovery) counted in `published` and `publishFailures`.
 */
export interface BrokerHealth extends BusHealth {
  /** Presence entries read from the store that were malformed and skipped (Redis only). */
  presenceIgnored?: number;
}

/**
 * What the registry runs on to scale out: the bus between instances and the presence store, and
 * for missed-message recovery the stream log and the session store (in memory of this process
 * when not given). The DI token: `InProcessBroker` by default, `RedisBroker` with the `redis`
 * option, or the `broker` option's implementations. The registry starts and stops them.
 */
export class RealtimeBroker {
  constructor(
    readonly bus: RealtimeBus,
    readonly presence: PresenceStore,
    readonly log: StreamLog = new InProcessStreamLog(),
    readonly sessions: SessionStore = new InProcessSessionStore(),
  ) {}

  /** The bus's state: whether cross-instance delivery works, and its counters. */
  health(): BrokerHealth {
    const bus = this.bus.health();
    const { appended, appendFailures } = this.log.health();
    if (appended + appendFailures === 0) return bus;
    return {
      ...bus,
      published: bus.published + appended,
      publishFailures: bus.publishFailures + appendFailures,
    };
  }
}

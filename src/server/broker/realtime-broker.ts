import type { PresenceStore } from './presence-store.js';
import type { BusHealth, RealtimeBus } from './realtime-bus.js';

/** What `ConnectionRegistry.health()` reports: the bus's state and counters. */
export type BrokerHealth = BusHealth;

/**
 * The two halves of scale-out that the registry runs on: the bus between instances and the
 * presence store. The DI token of the pair: `InProcessBroker` by default, `RedisBroker` with the
 * `redis` option, or the `broker` option's implementations. The registry starts and stops both.
 */
export class RealtimeBroker {
  constructor(
    readonly bus: RealtimeBus,
    readonly presence: PresenceStore,
  ) {}

  /** The bus's state: whether cross-instance delivery works, and its counters. */
  health(): BrokerHealth {
    return this.bus.health();
  }
}

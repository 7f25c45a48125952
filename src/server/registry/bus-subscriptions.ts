import type { Interest } from '../broker/interest.js';
import type { RealtimeBus } from '../broker/realtime-bus.js';
import type { ConnectionState } from '../connection/connection-state.js';

/**
 * @internal The registry's side of the bus's subscriptions: it subscribes and unsubscribes as
 * this instance gains and loses interests, and remembers the subscriptions the bus has not
 * confirmed yet, so that a connection's replies can wait for the ones its joins started.
 */
export class BusSubscriptions {
  private readonly pending = new Map<Interest, Promise<void>>();

  constructor(
    private readonly bus: RealtimeBus,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** This instance gained an interest. */
  gained(interest: Interest): void {
    // No deadline here: a timer per new interest would cost every join, and the bus contract
    // says subscribe() resolves (the Redis bus gives up waiting after 2 s).
    const confirmed = this.bus.subscribe(interest).catch(this.failed);
    this.pending.set(interest, confirmed);
    void confirmed.then(() => {
      if (this.pending.get(interest) === confirmed) this.pending.delete(interest);
    });
  }

  /** This instance lost an interest. */
  lost(interest: Interest): void {
    this.pending.delete(interest);
    this.bus.unsubscribe(interest).catch(this.failed);
  }

  /** The connection's next replies wait until the bus confirmed the interest's subscription. */
  awaitedBy(connection: ConnectionState, interest: Interest): void {
    // Mostly none is pending (a new interest's is, briefly): then the key is not even hashed.
    const pending = this.pending.size > 0 ? this.pending.get(interest) : undefined;
    if (!pending) return;
    const before = connection.subscribing;
    const waited: Promise<void> = (before ? Promise.all([before, pending]) : pending).then(() => {
      // Settled: the next reply need not wait (and the chain does not grow).
      if (connection.subscribing === waited) connection.subscribing = undefined;
    });
    connection.subscribing = waited;
  }
}

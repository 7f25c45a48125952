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
    /** Replies wait at most this long for a subscription (a bus that never answers). */
    private readonly patienceMs = 5000,
  ) {}

  /** This instance gained an interest. */
  gained(interest: Interest): void {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.patienceMs);
      timer.unref();
    });
    const confirmed = Promise.race([
      this.bus.subscribe(interest).catch(this.failed),
      deadline,
    ]).then(() => clearTimeout(timer));
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
    const pending = this.pending.get(interest);
    if (!pending) return;
    const before = connection.subscribing;
    const waited: Promise<void> = (before ? Promise.all([before, pending]) : pending).then(() => {
      // Settled: the next reply need not wait (and the chain does not grow).
      if (connection.subscribing === waited) connection.subscribing = undefined;
    });
    connection.subscribing = waited;
  }
}

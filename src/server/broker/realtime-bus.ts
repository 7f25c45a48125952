import type { Delivery } from './delivery.js';
import type { Interest } from './interest.js';

/** What a bus reports about itself (`ConnectionRegistry.health()`). Counters only grow. */
export interface BusHealth {
  /** `in-process`, `redis`, or your engine's name. */
  kind: string;
  /** True while publications cross between instances both ways (always true in-process). */
  ready: boolean;
  /** Publications handed on to other instances. */
  published: number;
  /** Publications dropped because the backend was down or slow. */
  publishFailures: number;
  /** Publications of other instances passed to this instance's receiver. */
  received: number;
  /** Messages on the bus that were not well-formed deliveries of this app, dropped. */
  ignored: number;
}

/** Serves a delivery that another instance published to this instance's sockets. */
export type BusReceiver = (delivery: Delivery) => void;

/**
 * The cross-instance bus: carries deliveries between the instances of one app. An abstract
 * class, so it is both the DI token and the type; `InProcessBus` and `RedisBus` implement it,
 * and the `broker` option takes yours. The registry serves its own sockets itself and publishes
 * only what other instances need, so a bus never delivers back to the publisher.
 *
 * The contract, which `test/conformance/` checks for every implementation:
 *
 * - **Lifecycle.** `start()` is called once, before any other call; `stop()` once, at shutdown.
 * - **At most once per instance.** One `publish()` reaches each other started instance that
 *   holds at least one of its interests at most once, and never the publisher. Reaching an
 *   instance that holds none of them is allowed (its registry finds no recipient); a duplicate
 *   is not. With the registry resolving recipients locally, this makes delivery exactly once per
 *   target socket while the backend is up.
 * - **Order.** Publications of one instance with the same interests reach each other instance in
 *   the order they were published. Nothing is promised between different interests.
 * - **Failures.** Nothing throws or blocks: when the backend is down or slow, a publication is
 *   dropped and counted in `publishFailures` (no queue, no replay: at most once over an outage),
 *   and the bus reconnects by itself. What arrives is validated: anything that is not a
 *   well-formed delivery is dropped and counted in `ignored`.
 */
export abstract class RealtimeBus {
  /**
   * Binds the receiver and connects in the background: never waits for the backend to be
   * reachable (the boot goes on, `health().ready` tells). Rejects only for a configuration fault
   * (a missing driver package), which fails the boot.
   */
  abstract start(receive: BusReceiver): Promise<void>;

  /** Stops receiving and releases the backend; `publish()` is a no-op afterwards. */
  abstract stop(): Promise<void>;

  /**
   * Hands `delivery` to the other instances that hold one of `interests`, asynchronously: the
   * receiver of another instance is never called from inside `publish()`. Returns at once.
   */
  abstract publish(interests: readonly Interest[], delivery: Delivery): void;

  /**
   * This instance now holds `interest`: called when its first local member of a room joins, or
   * its first local connection of a user opens. Calls for one interest alternate with
   * `unsubscribe()`, the last one wins. Resolves once publications to the interest reach this
   * instance (at once while disconnected: it takes effect on connecting); never rejects.
   */
  abstract subscribe(interest: Interest): Promise<void>;

  /** This instance no longer holds `interest` (its last local member left). Never rejects. */
  abstract unsubscribe(interest: Interest): Promise<void>;

  /** Cheap and synchronous: it is polled by readiness probes. */
  abstract health(): BusHealth;
}

/** @internal The methods a bus must have, checked at boot (abstract methods leave no trace). */
export const BUS_METHODS = [
  'start',
  'stop',
  'publish',
  'subscribe',
  'unsubscribe',
  'health',
] as const satisfies readonly (keyof RealtimeBus)[];

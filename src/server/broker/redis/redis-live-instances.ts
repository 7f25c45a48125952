import type { Delivery } from '../delivery.js';
import { isCommand } from './redis-wire.js';

/** Deliveries that may wait for the check of one instance; more are refused. */
const MAX_HELD = 1000;
/** Instances checked at once; a command from yet another unknown one is refused. */
const MAX_CHECKING = 64;

/**
 * Who may command this instance's connections from Redis (disconnect, join, leave): a live
 * instance, as presence's heartbeat says. Every instance writes the time of its last beat to the
 * sorted set `<prefix>:instances` every `presenceTtlMs / 3`, and one silent for `presenceTtlMs`
 * is dead: the same rule that purges its presence. A command from an instance that is not live
 * (an unknown id, a forged header, a stale or foreign app on the same Redis) is refused; its
 * messages are delivered (their frames were checked, and pushes change no state here).
 *
 * Checked once per instance and `presenceTtlMs` (the last beat is cached): while an unknown
 * instance is being checked, everything it sent waits, so its publications keep their order.
 *
 * This is a filter, not authentication: anyone who can write to this Redis can beat as an
 * instance. Redis is trusted as far as its ACLs allow; this keeps garbage, strangers and the
 * dead from closing or moving connections.
 */
export class LiveInstances {
  /** The last beat of each instance found live. */
  private readonly beats = new Map<string, number>();
  /** What instances under check sent, in arrival order. */
  private readonly held = new Map<string, Delivery[]>();

  constructor(
    /** The last beat of an instance (ms since the epoch), `undefined` when it has none. */
    private readonly lastBeat: (instanceId: string) => Promise<number | undefined>,
    private readonly ttlMs: number,
    private readonly deliver: (delivery: Delivery) => void,
    private readonly refuse: (reason: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Hands on a delivery of `instanceId`: at once, or once the instance was checked. */
  accept(instanceId: string, delivery: Delivery): void {
    const held = this.held.get(instanceId);
    if (held) {
      if (held.length < MAX_HELD) held.push(delivery);
      else this.refuse('waiting for a liveness check');
      return;
    }
    if (!isCommand(delivery) || this.isLive(instanceId)) return this.deliver(delivery);
    if (this.held.size >= MAX_CHECKING) return this.refuse('command of an unknown instance');
    this.held.set(instanceId, [delivery]);
    void this.check(instanceId);
  }

  /** Drops what waits (at stop). */
  clear(): void {
    this.held.clear();
  }

  private isLive(instanceId: string): boolean {
    const beat = this.beats.get(instanceId);
    return beat !== undefined && beat > this.now() - this.ttlMs;
  }

  private async check(instanceId: string): Promise<void> {
    // Fails closed: a check that cannot be made refuses the commands it held.
    const beat = await this.lastBeat(instanceId).catch(() => undefined);
    if (beat === undefined) this.beats.delete(instanceId);
    else this.beats.set(instanceId, beat);
    const live = this.isLive(instanceId);
    if (!live) this.beats.delete(instanceId);
    const held = this.held.get(instanceId);
    this.held.delete(instanceId);
    for (const delivery of held ?? []) {
      if (live || !isCommand(delivery)) this.deliver(delivery);
      else this.refuse('command of an instance that is not live');
    }
  }
}

import type { Delivery } from '../delivery.js';
import { ALL_INTEREST, type Interest } from '../interest.js';
import { RealtimeBus, type BusHealth, type BusReceiver } from '../realtime-bus.js';
import { InProcessHub } from './in-process-hub.js';

/**
 * The bus between the instances of one process that share an `InProcessHub`. Alone on its hub
 * (the default) it carries nothing: every publication stays unpublished, and `published` stays
 * 0. It routes by interest exactly, so it is also the reference a new engine can read.
 */
export class InProcessBus extends RealtimeBus {
  private readonly interests = new Set<Interest>();
  private readonly stats = { published: 0, publishFailures: 0, received: 0, ignored: 0 };
  private receive: BusReceiver | undefined;

  constructor(private readonly hub = new InProcessHub()) {
    super();
  }

  override start(receive: BusReceiver): Promise<void> {
    this.receive = receive;
    this.hub.buses.add(this);
    return Promise.resolve();
  }

  override stop(): Promise<void> {
    this.hub.buses.delete(this);
    this.receive = undefined;
    return Promise.resolve();
  }

  override publish(interests: readonly Interest[], delivery: Delivery): void {
    // Alone on its hub (a single instance) is the common case: nothing to look at.
    if (!this.receive || this.hub.buses.size < 2) return;
    const peers = [...this.hub.buses].filter((bus) => bus !== this && bus.holdsAny(interests));
    if (peers.length === 0) return;
    this.stats.published++;
    // A microtask per peer keeps each peer's arrivals in publication order, and never runs a
    // receiver inside publish().
    for (const peer of peers) queueMicrotask(() => peer.accept(delivery));
  }

  override subscribe(interest: Interest): Promise<void> {
    this.interests.add(interest);
    return Promise.resolve();
  }

  override unsubscribe(interest: Interest): Promise<void> {
    this.interests.delete(interest);
    return Promise.resolve();
  }

  override health(): BusHealth {
    return { kind: 'in-process', ready: true, ...this.stats };
  }

  private holdsAny(interests: readonly Interest[]): boolean {
    return interests.some((interest) => interest === ALL_INTEREST || this.interests.has(interest));
  }

  private accept(delivery: Delivery): void {
    if (!this.receive) return;
    this.stats.received++;
    this.receive(delivery);
  }
}

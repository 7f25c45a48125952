import { InProcessBus } from '../broker/in-process/in-process.bus.js';
import type { Interest } from '../broker/interest.js';
import type { ConnectionState } from '../connection/connection-state.js';
import { BusSubscriptions } from './bus-subscriptions.js';

/** A bus whose subscriptions are confirmed only when the test says so (or never). */
class ManualBus extends InProcessBus {
  readonly confirm = new Map<Interest, () => void>();
  override subscribe(interest: Interest): Promise<void> {
    return new Promise((resolve) => this.confirm.set(interest, resolve));
  }
}

const connection = () => ({ subscribing: undefined }) as unknown as ConnectionState;

describe('BusSubscriptions', () => {
  it('makes a connection wait for the subscriptions its joins started, then clears the wait', async () => {
    const bus = new ManualBus();
    const subscriptions = new BusSubscriptions(bus, () => undefined);
    const c = connection();
    subscriptions.gained('room:a');
    subscriptions.gained('room:b');
    subscriptions.awaitedBy(c, 'room:a');
    subscriptions.awaitedBy(c, 'room:b');
    subscriptions.awaitedBy(c, 'room:unknown'); // nothing pending: nothing to wait for
    let settled = false;
    const waiting = c.subscribing!.then(() => void (settled = true));
    bus.confirm.get('room:a')!();
    await Promise.resolve();
    expect(settled).toBe(false);
    bus.confirm.get('room:b')!();
    await waiting;
    expect(c.subscribing).toBeUndefined();
  });
});

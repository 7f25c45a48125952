import { deliveryConformance } from './delivery-conformance.js';
import { operationsConformance } from './operations-conformance.js';
import { presenceConformance } from './presence-conformance.js';
import { until, useCluster, type BackendFactory, type Cluster } from './conformance-harness.js';

export type { BackendFactory, ConformanceBackend, InstanceParts } from './conformance-harness.js';

/** The bus's counters, as the registry reports them. */
function healthConformance(cluster: Cluster): void {
  it('health: ready, counts what crossed and arrived; local-only sends and a stopped bus cross nothing', async () => {
    const [a, b] = await cluster.start();
    for (const instance of [a!, b!]) {
      expect(instance.registry.health()).toEqual({
        kind: expect.any(String),
        ready: true,
        published: 0,
        publishFailures: 0,
        received: 0,
        ignored: 0,
      });
    }
    const a1 = a!.open('alice', ['r']);
    const b1 = b!.open('bob', ['r']);
    await cluster.settled();

    a!.registry.toConnection(a1.connection).emit('local', 0);
    a!.registry.to('r').emit('room', 1);
    a!.registry.toUser('bob').emit('user', 2);
    a!.registry.all().emit('all', 3);
    // Three interests: nothing orders them between each other.
    await Promise.all(['room', 'user', 'all'].map((event) => b1.socket.received(event)));

    expect(b1.socket.events.sort()).toEqual(['all', 'room', 'user']);
    expect(b!.registry.health()).toMatchObject({ received: 3, published: 0, ignored: 0 });
    // A publish is counted once the backend took it, which may be after another instance got it.
    await until(() => a!.registry.health().published === 3);
    expect(a!.registry.health()).toMatchObject({ published: 3, publishFailures: 0, received: 0 });

    // A stopped bus publishes nothing, and counts nothing.
    await a!.stop();
    a!.registry.to('r').emit('late', 4);
    expect(a!.registry.health()).toMatchObject({ published: 3, publishFailures: 0 });
  });
}

/**
 * The contract every broker implementation (a `RealtimeBus` and a `PresenceStore`) must meet,
 * run against real registries on two instances of one backend. Call it in a spec file with a
 * factory of fresh backends, e.g.
 * `describeBrokerConformance('in-process', async () => inProcessBackend())`.
 */
export function describeBrokerConformance(name: string, factory: BackendFactory): void {
  describe(`broker conformance: ${name}`, () => {
    const cluster = useCluster(factory);
    describe('delivery', () => deliveryConformance(cluster));
    describe('presence', () => presenceConformance(cluster));
    describe('operations', () => operationsConformance(cluster));
    describe('health', () => healthConformance(cluster));
  });
}

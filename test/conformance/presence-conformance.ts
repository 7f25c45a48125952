import type { RoomMember } from '../../src/server/index.js';
import type { Cluster, Instance } from './conformance-harness.js';

const users = (members: RoomMember[]) => members.map((m) => m.userId).sort();

/** What the store itself answers (the registry would fill its own instance in). */
const stored = async (instance: Instance, room: string) =>
  users(await instance.presence.members(room));

/**
 * Presence across instances: what each instance writes, every instance reads, through the
 * registry and from the store itself; an instance that stops takes its entries with it; a store
 * that lost its data gets it back from `restore()`.
 */
export function presenceConformance(cluster: Cluster): void {
  it('members and online users span instances, through joins, leaves, opens and closes', async () => {
    const [a, b] = await cluster.start();
    const a1 = a!.open('alice', ['r']);
    const b1 = b!.open('bob', ['r', 'r2']);
    const b2 = b!.open('carol');
    await cluster.settled();

    expect(users(await a!.registry.members('r'))).toEqual(['alice', 'bob']);
    expect(users(await b!.registry.members('r'))).toEqual(['alice', 'bob']);
    for (const instance of [a!, b!]) expect(await stored(instance, 'r')).toEqual(['alice', 'bob']);
    const bob = (await a!.presence.members('r')).find((m) => m.userId === 'bob');
    expect(bob).toEqual({
      connectionId: b1.id,
      userId: 'bob',
      claims: { sub: 'bob', name: 'BOB' },
    });
    expect(await a!.registry.isUserOnline('carol')).toBe(true);
    expect(await a!.presence.isOnline('carol')).toBe(true);
    expect(await b!.presence.isOnline('alice')).toBe(true);
    expect(await a!.presence.isOnline('nobody')).toBe(false);

    b!.registry.leave(b1.connection, 'r');
    a!.close(a1);
    b!.close(b2);
    await cluster.settled();
    for (const instance of [a!, b!]) {
      expect(await stored(instance, 'r')).toEqual([]);
      expect(await stored(instance, 'r2')).toEqual(['bob']);
      expect(await instance.presence.isOnline('carol')).toBe(false);
      expect(await instance.presence.isOnline('alice')).toBe(false);
      expect(await instance.presence.isOnline('bob')).toBe(true);
    }

    b!.close(b1);
    await cluster.settled();
    expect(await stored(a!, 'r2')).toEqual([]);
    expect(await a!.registry.isUserOnline('bob')).toBe(false);
  });

  it('a user with sockets on both instances stays online until the last one closes', async () => {
    const [a, b] = await cluster.start();
    const a1 = a!.open('alice', ['r']);
    const b1 = b!.open('alice', ['r']);
    await cluster.settled();
    expect(await stored(a!, 'r')).toEqual(['alice', 'alice']);

    a!.close(a1);
    await cluster.settled();
    expect(await a!.presence.isOnline('alice')).toBe(true);
    expect(await a!.registry.isUserOnline('alice')).toBe(true);
    expect((await a!.registry.members('r')).map((m) => m.connectionId)).toEqual([b1.id]);

    b!.close(b1);
    await cluster.settled();
    expect(await a!.presence.isOnline('alice')).toBe(false);
  });

  it('an instance that stops takes its presence with it', async () => {
    const [a, b] = await cluster.start();
    a!.open('alice', ['r']);
    b!.open('bob', ['r']);
    await cluster.settled();

    await b!.stop();
    expect(await stored(a!, 'r')).toEqual(['alice']);
    expect(await a!.registry.isUserOnline('bob')).toBe(false);
  });

  it('restore() writes an instance’s presence again after the store lost its data', async () => {
    const [a, b] = await cluster.start();
    a!.open('alice', ['r']);
    const b1 = b!.open('bob', ['r', 'r2']);
    b!.open('carol');
    await cluster.settled();

    await cluster.backend().losePresence();
    expect(await stored(a!, 'r')).toEqual([]);
    expect(await a!.presence.isOnline('carol')).toBe(false);

    await Promise.all([a!.presence.restore(), b!.presence.restore()]);
    for (const instance of [a!, b!]) {
      expect(await stored(instance, 'r')).toEqual(['alice', 'bob']);
      expect(await stored(instance, 'r2')).toEqual(['bob']);
      expect(await instance.presence.isOnline('carol')).toBe(true);
    }
    // Restoring twice changes nothing, and later writes still land.
    await b!.presence.restore();
    b!.registry.leave(b1.connection, 'r2');
    await cluster.settled();
    expect(await stored(a!, 'r')).toEqual(['alice', 'bob']);
    expect(await stored(a!, 'r2')).toEqual([]);
  });
}

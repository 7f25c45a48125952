import type { RoomMember } from '../../src/server/index.js';
import type { Cluster } from './conformance-harness.js';

const ids = (members: RoomMember[]) => members.map((m) => m.connectionId).sort();

/**
 * What users ask of a room on several instances: its size without the list, its members in
 * pages, and memberships changed from any instance. Also the ordering promise of `subscribe()`:
 * once it resolved, the interest's publications reach the instance.
 */
export function operationsConformance(cluster: Cluster): void {
  it('count and pages span instances; each member once across the pages; leaves and stops count', async () => {
    const [a, b] = await cluster.start();
    const onA = Array.from({ length: 5 }, (_, i) => a!.open(`a${i}`, ['big']));
    const onB = Array.from({ length: 7 }, (_, i) => b!.open(`b${i}`, ['big']));
    b!.open('outsider', ['small']);
    await cluster.settled();

    for (const instance of [a!, b!]) {
      expect(await instance.registry.count('big')).toBe(12);
      expect(await instance.presence.count('small')).toBe(1);
      expect(await instance.presence.count('none')).toBe(0);
    }
    const seen: RoomMember[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await a!.registry.membersPage('big', { limit: 5, ...(after ? { after } : {}) });
      expect(page.members.length).toBeLessThanOrEqual(5);
      seen.push(...page.members);
      after = page.next;
      pages++;
    } while (after !== undefined);
    expect(pages).toBe(3);
    expect(ids(seen)).toEqual([...onA, ...onB].map((c) => c.id).sort());
    expect(await b!.registry.membersPage('big', { limit: 12 })).toEqual({
      members: expect.any(Array),
    });
    await expect(a!.registry.membersPage('big', { limit: 0 })).rejects.toThrow(RangeError);

    b!.registry.leave(onB[0]!.connection, 'big');
    a!.close(onA[0]!);
    await cluster.settled();
    expect(await a!.registry.count('big')).toBe(10);
    await b!.stop();
    expect(await a!.registry.count('big')).toBe(4);
    expect(ids((await a!.registry.membersPage('big')).members)).toEqual(
      onA.slice(1).map((c) => c.id),
    );
  });

  it('join and leave by user from another instance: every socket of the user, wherever it is', async () => {
    const [a, b] = await cluster.start();
    const a1 = a!.open('bob');
    const b1 = b!.open('bob');
    const b2 = b!.open('carol');
    const host = a!.open('alice', ['lobby']);
    await cluster.settled();

    a!.registry.toUser('bob').join('lobby');
    // Published to the same interest after the join: once it arrived, the join was made.
    a!.registry.toUser('bob').emit('barrier', 0);
    await Promise.all([a1.socket.received('barrier'), b1.socket.received('barrier')]);
    await cluster.settled();
    expect(b!.registry.isMember(b1.connection, 'lobby')).toBe(true);
    expect(a!.registry.isMember(a1.connection, 'lobby')).toBe(true);
    expect(b!.registry.isMember(b2.connection, 'lobby')).toBe(false);
    expect(await b!.registry.count('lobby')).toBe(3);

    a!.registry.to('lobby').emit('hello', 1);
    a!.registry.to('lobby').emit('barrier2', 0);
    await Promise.all([a1, b1, host].map((c) => c.socket.received('barrier2')));
    for (const member of [a1, b1])
      expect(member.socket.events).toEqual(['barrier', 'hello', 'barrier2']);
    expect(b2.socket.events).toEqual([]);

    b!.registry.toUser('bob').leave('lobby');
    b!.registry.toUser('bob').emit('barrier3', 0);
    await Promise.all([a1.socket.received('barrier3'), b1.socket.received('barrier3')]);
    await cluster.settled();
    expect(a!.registry.isMember(a1.connection, 'lobby')).toBe(false);
    expect(b!.registry.isMember(b1.connection, 'lobby')).toBe(false);
    expect(ids(await a!.registry.members('lobby'))).toEqual([host.id]);
  });

  it('a member whose join was confirmed hears the room at once, room after room', async () => {
    const [a, b] = await cluster.start();
    const sender = a!.open('alice');
    const listener = b!.open('bob');
    await cluster.settled();
    for (let i = 0; i < 20; i++) {
      // What a handler's reply waits for: the subscription of the room's first member here.
      a!.registry.join(sender.connection, `fresh${i}`);
      b!.registry.join(listener.connection, `fresh${i}`);
      await listener.connection.subscribing;
      a!.registry.to(`fresh${i}`).emit(`m${i}`, i);
      await listener.socket.received(`m${i}`);
    }
    expect(listener.socket.events).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });
}

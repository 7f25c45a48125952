import type { Client, Cluster } from './conformance-harness.js';

/** Waits until each socket received the barrier push. */
const barrier = (clients: Client[]) =>
  Promise.all(clients.map((c) => c.socket.received('barrier')));

/**
 * Delivery across two instances: each target socket exactly once, wherever the send came from,
 * and no other socket. A barrier sent after the push under test, with the same interests (the
 * bus keeps their order), tells when each instance has processed it: an instance delivers a
 * publication to all its sockets at once, so once one of its sockets has the barrier, every one
 * of them has its final share of the push.
 */
export function deliveryConformance(cluster: Cluster): void {
  it('rooms: each member socket on both instances once; except, exceptUsers and outsiders none', async () => {
    const [a, b] = await cluster.start();
    const a1 = a!.open('alice', ['r']);
    const a2 = a!.open('bob');
    const a3 = a!.open('carol', ['r']);
    const b1 = b!.open('alice', ['r', 'r2']);
    const b2 = b!.open('dave', ['r']);
    const b3 = b!.open('erin');
    const b4 = b!.open('frank', ['r2']);
    await cluster.settled();

    a!.registry.to(['r', 'r2']).except(b2.id).exceptUser('frank').emit('m', 1);
    a!.registry.to(['r', 'r2']).emit('barrier', 0);
    await barrier([a1, a3, b1, b2, b4]);

    for (const member of [a1, a3, b1]) expect(member.socket.events).toEqual(['m', 'barrier']);
    for (const left of [b2, b4]) expect(left.socket.events).toEqual(['barrier']);
    for (const outsider of [a2, b3]) expect(outsider.socket.events).toEqual([]);
  });

  it('users: every socket of a user on both instances once, with except', async () => {
    const [a, b] = await cluster.start();
    const a1 = a!.open('alice');
    const a2 = a!.open('bob');
    const b1 = b!.open('alice');
    const b2 = b!.open('alice');
    const b3 = b!.open('carol');
    await cluster.settled();

    b!.registry.toUser(['alice', 'bob']).except(b2.connection).emit('m', 1);
    b!.registry.toUser(['alice', 'bob']).emit('barrier', 0);
    await barrier([a1, a2, b1, b2]);

    for (const target of [a1, a2, b1]) expect(target.socket.events).toEqual(['m', 'barrier']);
    expect(b2.socket.events).toEqual(['barrier']);
    expect(b3.socket.events).toEqual([]);
  });

  it('connections: by id on the other instance and by object here, each once', async () => {
    const [a, b] = await cluster.start();
    const a1 = a!.open('alice');
    const a2 = a!.open('alice');
    const b1 = b!.open('bob');
    const b2 = b!.open('bob');
    await cluster.settled();

    a!.registry.toConnection(a1.connection, b1.id, b1.id).emit('m', 1);
    a!.registry.toConnection(b1.id, b2.id).emit('barrier', 0);
    await barrier([b1, b2]);

    expect(a1.socket.events).toEqual(['m']);
    expect(b1.socket.events).toEqual(['m', 'barrier']);
    expect(b2.socket.events).toEqual(['barrier']);
    expect(a2.socket.events).toEqual([]);
  });

  it('all: every socket of every instance once, minus except and exceptUsers', async () => {
    const [a, b] = await cluster.start();
    const a1 = a!.open('alice');
    const a2 = a!.open('bob');
    const b1 = b!.open('carol');
    const b2 = b!.open('bob');
    const b3 = b!.open('dave');
    await cluster.settled();

    b!.registry.all().except(a1.id).exceptUser('bob').emit('m', 1);
    b!.registry.all().emit('barrier', 0);
    await barrier([a1, a2, b1, b2, b3]);

    for (const target of [b1, b3]) expect(target.socket.events).toEqual(['m', 'barrier']);
    for (const left of [a1, a2, b2]) expect(left.socket.events).toEqual(['barrier']);
  });

  it('disconnects close the targeted sockets on both instances with their code, and no other', async () => {
    const [a, b] = await cluster.start();
    const a1 = a!.open('alice');
    const a2 = a!.open('bob', ['r']);
    const b1 = b!.open('alice');
    const b2 = b!.open('carol', ['r']);
    const b3 = b!.open('dave', ['r']);
    await cluster.settled();

    a!.registry.disconnectUser('alice', 4000, 'Revoked');
    expect(await a1.socket.closed()).toEqual([4000, 'Revoked']);
    expect(await b1.socket.closed()).toEqual([4000, 'Revoked']);
    // b1's instance closed it in the same turn as it would have closed carol or dave.
    expect([b2, b3].map((c) => c.socket.closedWith)).toEqual([undefined, undefined]);

    a!.registry.to('r').except(b2.id).disconnect(4001, 'Room closed');
    expect(await a2.socket.closed()).toEqual([4001, 'Room closed']);
    expect(await b3.socket.closed()).toEqual([4001, 'Room closed']);
    expect(b2.socket.closedWith).toBeUndefined();
  });

  it('keeps the order of one instance’s pushes to one room', async () => {
    const [a, b] = await cluster.start();
    const b1 = b!.open('bob', ['r']);
    await cluster.settled();

    for (let i = 0; i < 200; i++) a!.registry.to('r').emit(`m${i}`, i);
    a!.registry.to('r').emit('barrier', 0);
    await barrier([b1]);

    const expected = [...Array.from({ length: 200 }, (_, i) => `m${i}`), 'barrier'];
    expect(b1.socket.events).toEqual(expected);
  });

  it('a room left by its last member on an instance no longer reaches that instance’s sockets', async () => {
    const [a, b] = await cluster.start();
    const a1 = a!.open('alice', ['r']);
    const b1 = b!.open('bob', ['r']);
    const b2 = b!.open('bob', ['r']);
    await cluster.settled();
    b!.registry.leave(b1.connection, 'r');
    b!.close(b2);
    const b3 = b!.open('carol', ['r']);
    await cluster.settled();

    a!.registry.to('r').emit('m', 1);
    a!.registry.to('r').emit('barrier', 0);
    await barrier([a1, b3]);

    expect(b1.socket.events).toEqual([]);
    expect(b2.socket.events).toEqual([]);
    expect(b3.socket.events).toEqual(['m', 'barrier']);
  });
}

import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import type { Delivery, DeliveryTarget, RoomMember } from '../broker/delivery.js';
import { InProcessBroker } from '../broker/in-process/in-process.broker.js';
import { InProcessBus } from '../broker/in-process/in-process.bus.js';
import { InProcessPresenceStore } from '../broker/in-process/in-process.presence-store.js';
import type { Interest } from '../broker/interest.js';
import { RealtimeBroker } from '../broker/realtime-broker.js';
import { ConnectionRegistry } from './connection-registry.js';
import { ConnectionState } from '../connection/connection-state.js';

class FakeSocket extends EventEmitter {
  readyState = 1;
  sent: (string | Buffer)[] = [];
  closedWith: [number, string] | undefined;
  send(frame: string | Buffer): void {
    this.sent.push(frame);
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
    this.readyState = 2;
  }
  received(): unknown[] {
    return this.sent.map((f) => JSON.parse(f.toString()));
  }
}

/** A connection's close frame goes out at the end of the turn that decided it. */
const turnEnds = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(broker: RealtimeBroker = new InProcessBroker(), roomsPerConnection?: number) {
  const limits = { roomsPerConnection: roomsPerConnection ?? 128 } as never;
  const registry = new ConnectionRegistry(broker, { limits });
  registry.onModuleInit();
  let n = 0;
  const open = (userId: string) => {
    const socket = new FakeSocket();
    const connection = new ConnectionState(
      `c${++n}`,
      '/ws',
      { userId, claims: { sub: userId, name: userId.toUpperCase() }, expiresAt: null },
      socket as unknown as WebSocket,
    );
    registry.add(connection);
    return { connection, socket };
  };
  return { registry, open };
}

describe('ConnectionRegistry', () => {
  it("counts a user's connections here, as connectionsOf lists them", () => {
    const { registry, open } = setup();
    const a = open('alice');
    open('alice');
    open('bob');
    expect(registry.countOf('alice')).toBe(registry.connectionsOf('alice').length);
    expect(registry.countOf('alice')).toBe(2);
    registry.remove(a.connection);
    expect(registry.countOf('alice')).toBe(1);
    expect(registry.countOf('carol')).toBe(0);
  });

  it('sends to a room, a user, a connection and everyone, with except', () => {
    const { registry, open } = setup();
    const a = open('alice');
    const a2 = open('alice');
    const b = open('bob');
    const c = open('carol');
    registry.join(a.connection, 'r');
    registry.join(b.connection, 'r');

    registry.to('r').emit('room', 1);
    registry.toUser('alice').emit('user', 2);
    registry.toConnection(c.connection.id).emit('one', 3);
    registry.all().except(b.connection).exceptUser('carol').emit('all', 4);

    expect(a.socket.received()).toEqual([
      { event: 'room', data: 1 },
      { event: 'user', data: 2 },
      { event: 'all', data: 4 },
    ]);
    expect(a2.socket.received()).toEqual([
      { event: 'user', data: 2 },
      { event: 'all', data: 4 },
    ]);
    expect(b.socket.received()).toEqual([{ event: 'room', data: 1 }]);
    expect(c.socket.received()).toEqual([{ event: 'one', data: 3 }]);
  });

  it('delivers a connection in two targeted rooms once, and encodes the frame once', () => {
    const { registry, open } = setup();
    const a = open('alice');
    const b = open('bob');
    registry.join(a.connection, 'x');
    registry.join(a.connection, 'y');
    registry.join(b.connection, 'y');
    registry.to(['x', 'y']).emit('hi', { n: 1 });
    expect(a.socket.sent).toHaveLength(1);
    expect(b.socket.sent).toHaveLength(1);
    // The very same buffer went to both sockets: serialized and encoded once.
    expect(a.socket.sent[0]).toBe(b.socket.sent[0]);
  });

  it('operators are immutable', () => {
    const { registry, open } = setup();
    const a = open('alice');
    const b = open('bob');
    registry.join(a.connection, 'r');
    registry.join(b.connection, 'r');
    const room = registry.to('r');
    room.except(a.connection).emit('narrow', 1);
    room.emit('wide', 2);
    expect(a.socket.received()).toEqual([{ event: 'wide', data: 2 }]);
    expect(b.socket.received()).toHaveLength(2);
  });

  it('lists members and cleans rooms and users up on remove', async () => {
    const { registry, open } = setup();
    const a = open('alice');
    const b = open('bob');
    expect(registry.join(a.connection, 'r')).toBe(true);
    expect(registry.join(a.connection, 'r')).toBe(false);
    registry.join(b.connection, 'r');
    expect((await registry.members('r')).map((m) => m.userId).sort()).toEqual(['alice', 'bob']);
    registry.remove(a.connection);
    expect(registry.size).toBe(1);
    expect(registry.isOnlineHere('alice')).toBe(false);
    expect(registry.isMember(a.connection, 'r')).toBe(false);
    expect(registry.localMembers('r')).toEqual([
      { connectionId: b.connection.id, userId: 'bob', claims: { sub: 'bob', name: 'BOB' } },
    ]);
    // The closed connection keeps its room list for disconnect hooks.
    expect([...a.connection.rooms]).toEqual(['r']);
    expect(registry.leave(b.connection, 'r')).toBe(true);
    expect(registry.localMembers('r')).toEqual([]);
  });

  it('disconnects every connection of a user with a code and a reason', async () => {
    const { registry, open } = setup();
    const a = open('alice');
    const a2 = open('alice');
    const b = open('bob');
    registry.disconnectUser('alice', 4500, 'revoked');
    expect([a.connection.isOpen, a2.connection.isOpen, b.connection.isOpen]).toEqual([
      false,
      false,
      true,
    ]);
    // The close frame follows what this turn still produces for the connection.
    await turnEnds();
    expect(a.socket.closedWith).toEqual([4500, 'revoked']);
    expect(a2.socket.closedWith).toEqual([4500, 'revoked']);
    expect(b.socket.closedWith).toBeUndefined();
  });

  it('refuses a close code a server may not send, before closing anything', () => {
    const { registry, open } = setup();
    const a = open('alice');
    expect(() => registry.disconnectUser('alice', 1006, 'x')).toThrow(/not a close code/);
    expect(() => registry.toUser('alice').disconnect(2000, 'x')).toThrow(TypeError);
    expect(a.socket.closedWith).toBeUndefined();
  });

  it('skips sockets that are not open', () => {
    const { registry, open } = setup();
    const a = open('alice');
    a.socket.readyState = 3;
    registry.toUser('alice').emit('x', 1);
    expect(a.socket.sent).toEqual([]);
  });

  it('serves local sockets itself and hands the bus only what must cross, by interest', async () => {
    const published: [readonly Interest[], DeliveryTarget][] = [];
    class RecordingBus extends InProcessBus {
      override publish(interests: readonly Interest[], delivery: Delivery): void {
        published.push([interests, delivery.target]);
      }
    }
    const { registry, open } = setup(
      new RealtimeBroker(new RecordingBus(), new InProcessPresenceStore()),
    );
    const a = open('alice');
    const b = open('bob');
    registry.join(a.connection, 'r');
    registry.join(b.connection, 'r');

    registry.toConnection(a.connection).except(b.connection).emit('local', 1);
    registry.to('r').toUser('carol').except(a.connection, 'elsewhere-1').emit('room', 2);
    registry.toConnection(b.connection, 'elsewhere-2').disconnect(4000, 'bye');
    await turnEnds();

    expect(a.socket.received()).toEqual([{ event: 'local', data: 1 }]);
    expect(b.socket.received()).toEqual([{ event: 'room', data: 2 }]);
    expect(b.socket.closedWith).toEqual([4000, 'bye']);
    // Nothing crossed for the local connection; local ids never leave this instance; another
    // instance's connection is reached through `all`.
    const none = { all: false, rooms: [], users: [], connections: [], except: [], exceptUsers: [] };
    expect(published).toEqual([
      [
        ['room:r', 'user:carol'],
        { ...none, rooms: ['r'], users: ['carol'], except: ['elsewhere-1'] },
      ],
      [['all'], { ...none, connections: ['elsewhere-2'] }],
    ]);
  });

  it('holds an interest from its first local holder to its last', () => {
    const calls: string[] = [];
    class RecordingBus extends InProcessBus {
      override subscribe(interest: Interest): Promise<void> {
        calls.push(`+${interest}`);
        return super.subscribe(interest);
      }
      override unsubscribe(interest: Interest): Promise<void> {
        calls.push(`-${interest}`);
        return super.unsubscribe(interest);
      }
    }
    const { registry, open } = setup(
      new RealtimeBroker(new RecordingBus(), new InProcessPresenceStore()),
    );
    const a1 = open('alice');
    const a2 = open('alice');
    registry.join(a1.connection, 'r');
    registry.join(a2.connection, 'r');
    registry.leave(a1.connection, 'r');
    expect(calls).toEqual(['+user:alice', '+room:r']);
    registry.remove(a2.connection);
    registry.remove(a1.connection);
    expect(calls).toEqual(['+user:alice', '+room:r', '-room:r', '-user:alice']);
  });

  it("lists its own members from its view, the others' from the store, and falls back to its own", async () => {
    let down = false;
    class StaleStore extends InProcessPresenceStore {
      override members(): Promise<RoomMember[]> {
        if (down) return Promise.reject(new Error('down'));
        // The store still lists c1, which has left: this instance's view wins for its own.
        const ghost = { connectionId: 'c1', userId: 'alice', claims: {} };
        return Promise.resolve([ghost, { connectionId: 'x9', userId: 'zed', claims: {} }]);
      }
      override isOnline(): Promise<boolean> {
        return down ? Promise.reject(new Error('down')) : Promise.resolve(true);
      }
    }
    const { registry, open } = setup(new RealtimeBroker(new InProcessBus(), new StaleStore()));
    const a = open('alice');
    const b = open('bob');
    registry.join(a.connection, 'r');
    registry.join(b.connection, 'r');
    registry.leave(a.connection, 'r');
    expect((await registry.members('r')).map((m) => m.userId)).toEqual(['bob', 'zed']);
    expect(await registry.isUserOnline('zed')).toBe(true);
    down = true;
    expect((await registry.members('r')).map((m) => m.userId)).toEqual(['bob']);
    expect(await registry.isUserOnline('zed')).toBe(false);
    expect(await registry.isUserOnline('alice')).toBe(true);
  });

  it('refuses a join beyond roomsPerConnection with TOO_MANY_ROOMS, and skips it from afar', () => {
    const { registry, open } = setup(new InProcessBroker(), 2);
    const a = open('alice');
    expect(registry.join(a.connection, 'r1')).toBe(true);
    expect(registry.join(a.connection, 'r2')).toBe(true);
    expect(registry.join(a.connection, 'r2')).toBe(false);
    expect(() => registry.join(a.connection, 'r3')).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_ROOMS' }),
    );
    // A join by user (from any instance) leaves a connection at its limit as it is.
    registry.toUser('alice').join('r4');
    expect([...a.connection.rooms]).toEqual(['r1', 'r2']);
    registry.leave(a.connection, 'r1');
    registry.toUser('alice').join('r4');
    expect([...a.connection.rooms]).toEqual(['r2', 'r4']);
  });
});

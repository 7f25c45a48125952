import { RecoveryReason } from '../../src/protocol/index.js';
import { InProcessBroker, RealtimeBroker } from '../../src/server/index.js';
import type { RunningRealtimeApp } from '../../src/testing/index.js';
import { range, ResumingClient, startRecoveryApp } from '../support/recovery-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Missed-message recovery on one instance (reliability F1, F2, F3a, F11): a client that comes
 * back gets what it missed, in order, exactly once, then live traffic; or is told it did not.
 */

let server: RunningRealtimeApp;
const clients: ResumingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.socket.close()));
  await server?.close();
});

async function connect(sub: string): Promise<ResumingClient> {
  const client = await ResumingClient.connect(server.url, sub);
  clients.push(client);
  return client;
}

/** Cuts a client off and waits until the server has closed its connection. */
async function cut(client: ResumingClient): Promise<void> {
  const before = server.registry().size;
  client.socket.ws.terminate();
  await waitFor(() => server.registry().size < before, 'the server to see the close');
}

const publish = (room: string, from: number, to: number) => {
  for (const n of range(from, to)) server.registry().to(room).emit('msg', { n });
};

describe('recovery on one instance', () => {
  it('starts a new session on a first $resume, then positions every push of a room', async () => {
    server = await startRecoveryApp();
    const alice = await connect('alice');
    const reply = await alice.resume();
    expect(reply).toMatchObject({ recovered: false, reason: 'new', rooms: [], streams: {} });
    expect(reply['session']).toMatch(/^[\w-]{22}$/);
    await alice.join('r1');
    publish('r1', 1, 3);
    const first = await alice.socket.nextEvent('msg');
    expect(first).toMatchObject({ o: 1, s: 'room:r1', data: { n: 1 } });
    expect(first['e']).toMatch(/^[\w-]{1,16}$/);
    expect(await alice.take('msg', 2)).toEqual([2, 3]);
    expect(alice.positions['room:r1']).toEqual({ e: first['e'], o: 3 });
  });

  it('F1: a client cut off while its room publishes 200 gets all of them, in order, then live', async () => {
    server = await startRecoveryApp({ streams: [{ match: 'room:*', size: 1000 }] });
    const alice = await connect('alice');
    await alice.resume();
    await alice.join('r1');
    publish('r1', 1, 5);
    expect(await alice.take('msg', 5)).toEqual(range(1, 5));
    await cut(alice);
    publish('r1', 6, 205);

    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({
      recovered: true,
      rooms: ['r1'],
      streams: { 'room:r1': { recovered: true, o: 205, replayed: 200 } },
    });
    expect(reply['session']).not.toBe(alice.session);
    publish('r1', 206, 206);
    expect(await client.take('msg', 201)).toEqual(range(6, 206));
    // The replay came before the reply, the live push after it.
    const at = client.arrivals.indexOf('reply:1');
    expect(client.arrivals.slice(0, at)).toEqual(range(6, 205).map((n) => `push:msg:${n}`));
    expect(client.arrivals.slice(at + 1)).toEqual(['push:msg:206']);
    // The room came back without the app's join handler running.
    expect(
      server
        .registry()
        .localMembers('r1')
        .map((m) => m.userId),
    ).toEqual(['alice']);
  });

  it('resumes a session whose old connection the server still thinks is open (a cut it missed)', async () => {
    server = await startRecoveryApp();
    const alice = await connect('alice');
    await alice.resume();
    await alice.join('r1');
    publish('r1', 1, 2);
    await alice.take('msg', 2);
    const seen = { ...alice.positions };
    publish('r1', 3, 6); // the old socket gets these; the client never read them
    await alice.take('msg', 4);
    Object.assign(alice.positions, seen);

    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({ recovered: true, streams: { 'room:r1': { replayed: 4 } } });
    expect(await client.take('msg', 4)).toEqual(range(3, 6));
  });

  it('F2: resumes while the room publishes at full rate: every push once, in order', async () => {
    server = await startRecoveryApp();
    const alice = await connect('alice');
    await alice.resume();
    await alice.join('r1');
    publish('r1', 1, 10);
    await alice.take('msg', 10);
    await cut(alice);
    let n = 10;
    let publishing = true;
    const pump = (): void => {
      if (!publishing) return;
      publish('r1', n + 1, n + 20);
      n += 20;
      setImmediate(pump);
    };
    pump();
    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply['recovered']).toBe(true);
    await waitFor(() => client.arrivals.length > 200, 'live pushes after the resume');
    publishing = false;
    const last = n;
    const got = await client.take('msg', last - 10);
    expect(got).toEqual(range(11, last));
  });

  it('F3a: a gap larger than the history is history_gap, with nothing of that stream replayed', async () => {
    server = await startRecoveryApp({ streams: [{ match: 'room:*', size: 10 }] });
    const alice = await connect('alice');
    await alice.resume();
    await alice.join('r1');
    publish('r1', 1, 1);
    await alice.take('msg', 1);
    await cut(alice);
    publish('r1', 2, 50);
    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({
      recovered: false,
      rooms: ['r1'],
      streams: { 'room:r1': { recovered: false, reason: 'history_gap', o: 50, replayed: 0 } },
    });
    expect(client.arrivals).toEqual(['reply:1']);
    // The room is back: live traffic flows, from where the reply said it continues.
    publish('r1', 51, 51);
    expect(await client.socket.nextEvent('msg')).toMatchObject({ o: 51, data: { n: 51 } });
  });

  it('recovers pushes to everyone (all()) missed while away, in order, once, then live', async () => {
    server = await startRecoveryApp();
    const alice = await connect('alice');
    await alice.resume();
    server.registry().all().emit('msg', { n: 1 });
    const first = await alice.socket.nextEvent('msg');
    expect(first).toMatchObject({ o: 1, s: 'all', data: { n: 1 } });
    await cut(alice);
    for (const n of range(2, 6)) server.registry().all().emit('msg', { n });

    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({
      recovered: true,
      streams: { all: { recovered: true, o: 6, replayed: 5 } },
    });
    server.registry().all().emit('msg', { n: 7 });
    expect(await client.take('msg', 6)).toEqual(range(2, 7));
    const at = client.arrivals.indexOf('reply:1');
    expect(client.arrivals.slice(0, at)).toEqual(range(2, 6).map((n) => `push:msg:${n}`));
    expect(client.arrivals.slice(at + 1)).toEqual(['push:msg:7']);
    expect(client.positions['all']).toEqual({ e: first['e'], o: 7 });
  });

  it('more pushes to everyone than kept: history_gap on all only, the room still replayed', async () => {
    server = await startRecoveryApp({
      history: { size: 3 },
      streams: [{ match: 'room:*', size: 100 }],
    });
    const alice = await connect('alice');
    await alice.resume();
    await alice.join('r1');
    server.registry().all().emit('msg', { n: 1 });
    publish('r1', 2, 2);
    expect(await alice.take('msg', 2)).toEqual([1, 2]);
    await cut(alice);
    for (const n of range(3, 12)) server.registry().all().emit('msg', { n });
    publish('r1', 13, 14);

    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({
      recovered: false,
      rooms: ['r1'],
      streams: {
        all: { recovered: false, reason: RecoveryReason.HISTORY_GAP, o: 11 },
        'room:r1': { recovered: true, o: 3, replayed: 2 },
      },
    });
    // None of the 10 (not even the 3 kept): only the room's.
    expect(client.arrivals).toEqual(['push:msg:13', 'push:msg:14', 'reply:1']);
  });

  it('F11: a client that never sends $resume gets positioned frames and leaves no session', async () => {
    server = await startRecoveryApp();
    const raw = await connect('bob');
    await raw.join('r1');
    publish('r1', 1, 1);
    expect(await raw.socket.nextEvent('msg')).toMatchObject({ data: { n: 1 }, o: 1 });
    await raw.socket.close();
    await waitFor(() => server.registry().size === 0, 'the close');
    const broker = server.app.get(RealtimeBroker) as InProcessBroker;
    expect(broker.hub.sessions.size).toBe(0);
    // A client with a session leaves one at its close.
    const alice = await connect('alice');
    await alice.resume();
    await alice.socket.close();
    await waitFor(() => broker.hub.sessions.size === 1, 'the session record');
  });

  it('holds pushes for a named session until $resume, and releases them if it never comes', async () => {
    server = await startRecoveryApp({ resumeTimeoutMs: 200 });
    const alice = await connect('alice');
    await alice.resume();
    const held = await ResumingClient.connect(server.url, 'alice', alice.session);
    clients.push(held);
    server.registry().toUser('alice').emit('msg', { n: 1 });
    // The first socket has it at once; the named one only once the hold is given up.
    expect(await alice.socket.nextEvent('msg')).toMatchObject({ s: 'user:alice', o: 1 });
    expect(held.arrivals).toEqual([]);
    expect(await held.socket.nextEvent('msg')).toMatchObject({ s: 'user:alice', o: 1 });
    // The named session is void now: resuming it starts a new one.
    expect(await held.resume(alice.session)).toMatchObject({ reason: 'invalid' });
  });
});

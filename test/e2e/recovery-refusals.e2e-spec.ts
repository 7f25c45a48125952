import {
  InProcessBroker,
  InProcessBus,
  InProcessHub,
  InProcessPresenceStore,
  InProcessSessionStore,
  InProcessStreamLog,
  RealtimeBroker,
} from '../../src/server/index.js';
import type { RunningRealtimeApp } from '../../src/testing/index.js';
import { ResumingClient, startRecoveryApp } from '../support/recovery-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * What recovery refuses (reliability F3b, F3c, F4): an expired window, lost history, another
 * user's session, forged positions and malformed input all fail closed: a fresh session or
 * `recovered: false`, and never a push of a stream that is not the client's.
 */

let server: RunningRealtimeApp;
const clients: ResumingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.socket.close()));
  await server?.close();
});

async function connect(sub: string, session?: string): Promise<ResumingClient> {
  const client = await ResumingClient.connect(server.url, sub, session);
  clients.push(client);
  return client;
}

/** Alice, in room r1 with 3 pushes seen, then cut off; 2 more pushes while she is away. */
async function aliceAway(): Promise<ResumingClient> {
  const alice = await connect('alice');
  await alice.resume();
  await alice.join('r1');
  for (let n = 1; n <= 3; n++) server.registry().to('r1').emit('msg', { n });
  await alice.take('msg', 3);
  alice.socket.ws.terminate();
  await waitFor(() => server.registry().size === 0, 'the close');
  for (let n = 4; n <= 5; n++) server.registry().to('r1').emit('msg', { n });
  return alice;
}

describe('recovery refusals', () => {
  it('F3b: a session closed longer than windowMs ago is no_session, and nothing comes back', async () => {
    let now = Date.now();
    const hub = new InProcessHub();
    const broker = new RealtimeBroker(
      new InProcessBus(hub),
      new InProcessPresenceStore(hub),
      new InProcessStreamLog(hub),
      new InProcessSessionStore(hub, 1000, () => now),
    );
    server = await startRecoveryApp({ windowMs: 300 }, { broker });
    const alice = await aliceAway();
    now += 301;
    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({ recovered: false, reason: 'no_session', rooms: [] });
    expect(client.arrivals).toEqual(['reply:1']);
    expect(server.registry().localMembers('r1')).toEqual([]);
  });

  it('F3c: history lost (a restarted store) is epoch_changed, with nothing replayed', async () => {
    const broker = new InProcessBroker();
    server = await startRecoveryApp({}, { broker });
    const alice = await aliceAway();
    broker.hub.history.clear();
    server.registry().to('r1').emit('msg', { n: 6 });
    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({
      recovered: false,
      rooms: ['r1'],
      streams: { 'room:r1': { recovered: false, reason: 'epoch_changed', o: 1 } },
    });
    expect(client.arrivals).toEqual(['reply:1']);
  });

  it('F3c: a restarted server has no session to resume', async () => {
    server = await startRecoveryApp();
    const alice = await aliceAway();
    await server.close();
    server = await startRecoveryApp();
    const { client, reply } = await alice.reconnect(server.url);
    clients.push(client);
    expect(reply).toMatchObject({ recovered: false, reason: 'no_session', rooms: [] });
  });

  it("F4a: another user's valid token with alice's session and positions gets nothing of hers", async () => {
    server = await startRecoveryApp();
    const alice = await aliceAway();
    const mallory = await connect('mallory', alice.session);
    const reply = await mallory.resume(alice.session, { ...alice.positions });
    expect(reply).toMatchObject({ recovered: false, reason: 'no_session', rooms: [] });
    expect(mallory.arrivals).toEqual(['reply:1']);
    expect(server.registry().localMembers('r1')).toEqual([]);
    // The attempt consumed the session: alice is told so too, rather than resuming later.
    const { client, reply: hers } = await alice.reconnect(server.url);
    clients.push(client);
    expect(hers).toMatchObject({ recovered: false, reason: 'no_session' });
  });

  it('F4b: an offset above the top is position_ahead; foreign streams are not_member and sent nothing', async () => {
    server = await startRecoveryApp();
    const alice = await aliceAway();
    server.registry().toUser('bob').emit('msg', { n: 99 });
    const epoch = alice.positions['room:r1']!.e;
    const client = await connect('alice', alice.session);
    const reply = await client.resume(alice.session, {
      'room:r1': { e: epoch, o: 500 },
      'user:bob': { e: epoch, o: 0 },
      'room:secret': { e: epoch, o: 0 },
    });
    expect(reply).toMatchObject({
      recovered: false,
      rooms: ['r1'],
      streams: {
        'room:r1': { recovered: false, reason: 'position_ahead', o: 5 },
        'user:bob': { recovered: false, reason: 'not_member' },
        'room:secret': { recovered: false, reason: 'not_member' },
      },
    });
    expect(client.arrivals).toEqual(['reply:1']);
  });

  it('F4b: a position before the join never replays what was published before it', async () => {
    server = await startRecoveryApp();
    server.registry().to('r1').emit('msg', { n: 1 });
    const alice = await connect('alice');
    await alice.resume();
    await alice.join('r1');
    server.registry().to('r1').emit('msg', { n: 2 });
    await alice.take('msg', 1);
    alice.socket.ws.terminate();
    await waitFor(() => server.registry().size === 0, 'the close');
    const epoch = alice.positions['room:r1']!.e;
    const client = await connect('alice', alice.session);
    const reply = await client.resume(alice.session, { 'room:r1': { e: epoch, o: 0 } });
    expect(reply).toMatchObject({ recovered: true, streams: { 'room:r1': { replayed: 1 } } });
    expect(await client.take('msg', 1)).toEqual([2]);
  });

  it.each([
    ['streams as an array', { streams: [] }],
    ['a negative offset', { streams: { 'room:r1': { e: 'abc', o: -1 } } }],
    ['an unsafe offset', { streams: { 'room:r1': { e: 'abc', o: 2 ** 60 } } }],
    ['an offset as a string', { streams: { 'room:r1': { e: 'abc', o: '7' } } }],
    ['a 1 KB epoch', { streams: { 'room:r1': { e: 'x'.repeat(1024), o: 1 } } }],
    ['a bad session id', { session: '../../etc', streams: {} }],
    [
      '1 000 streams (more than rooms per connection)',
      {
        streams: Object.fromEntries(
          Array.from({ length: 1000 }, (_, i) => [`room:${i}`, { e: 'abc', o: 1 }]),
        ),
      },
    ],
  ])('F4c: %s is invalid: a fresh session, the socket alive', async (_name, data) => {
    server = await startRecoveryApp();
    const alice = await aliceAway();
    const client = await connect('alice', alice.session);
    const reply = await client.socket.request('$resume', { session: alice.session, ...data });
    expect(reply['data']).toMatchObject({ recovered: false, reason: 'invalid', rooms: [] });
    expect((await client.socket.request('$ping'))['data']).toHaveProperty('t');
  });

  it('F4c: a second $resume on a connection is a CONFLICT', async () => {
    server = await startRecoveryApp();
    const alice = await connect('alice');
    await alice.resume();
    const again = await alice.socket.request('$resume', { streams: {} });
    expect(again['error']).toMatchObject({ code: 'CONFLICT' });
  });

  it('answers $resume with UNKNOWN_EVENT when recovery is off (the SDK then stops asking)', async () => {
    server = await startRecoveryApp('off');
    const client = await connect('alice');
    const reply = await client.socket.request('$resume', { streams: {} });
    expect(reply['error']).toMatchObject({ code: 'UNKNOWN_EVENT' });
  });
});

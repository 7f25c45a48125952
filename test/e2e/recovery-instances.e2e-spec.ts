import { InProcessBroker, InProcessHub } from '../../src/server/index.js';
import type { RunningRealtimeApp } from '../../src/testing/index.js';
import { range, ResumingClient, startRecoveryApp } from '../support/recovery-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Recovery across two instances of one process sharing an `InProcessHub` (reliability F7, and a
 * resume on another instance): one order for everyone, each push once per socket.
 */

const servers: RunningRealtimeApp[] = [];
const clients: ResumingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.socket.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function twoInstances(): Promise<[RunningRealtimeApp, RunningRealtimeApp]> {
  const hub = new InProcessHub();
  const recovery = { streams: [{ match: '*', size: 2000 }] };
  const a = await startRecoveryApp(recovery, { broker: new InProcessBroker(hub) });
  const b = await startRecoveryApp(recovery, { broker: new InProcessBroker(hub) });
  servers.push(a, b);
  return [a, b];
}

async function connect(server: RunningRealtimeApp, sub: string): Promise<ResumingClient> {
  const client = await ResumingClient.connect(server.url, sub);
  clients.push(client);
  await client.resume();
  return client;
}

describe('recovery across instances', () => {
  it('F7: 3 sockets of a user on 2 instances, a room on both: 1 000 pushes once each, one order', async () => {
    const [a, b] = await twoInstances();
    const [u1, u2, u3] = [await connect(a, 'u'), await connect(a, 'u'), await connect(b, 'u')];
    const member = await connect(b, 'v');
    const outsider = await connect(b, 'w');
    // u3 follows the user's stream only; the others the room's too.
    for (const client of [u1, u2, member]) await client.join('room');
    const registries = [a.registry(), b.registry()];
    for (const n of range(1, 1000)) {
      registries[n % 2]!.to('room').toUser('u').emit('msg', { n });
    }
    const got = await Promise.all([u1, u2, u3, member].map((c) => c.take('msg', 1000)));
    // Every socket has every push once, and all of them in the same order.
    for (const list of got) expect([...list].sort((x, y) => x - y)).toEqual(range(1, 1000));
    for (const list of got.slice(1)) expect(list).toEqual(got[0]);
    // Each by one stream, with offsets 1..1000 in order.
    expect(u1.positions).toEqual({ 'room:room': { e: expect.any(String), o: 1000 } });
    expect(u3.positions).toEqual({ 'user:u': { e: expect.any(String), o: 1000 } });
    expect(outsider.arrivals).toEqual(['reply:1']);
    await outsider.socket.request('$ping');
    expect(outsider.socket.pending()).toEqual([]);
  });

  it('resumes on the other instance, with rooms and every missed push of room and user', async () => {
    const [a, b] = await twoInstances();
    const alice = await connect(a, 'alice');
    await alice.join('r1');
    a.registry().to('r1').emit('msg', { n: 1 });
    await alice.take('msg', 1);
    alice.socket.ws.terminate();
    await waitFor(() => a.registry().size === 0, 'the close');
    b.registry().to('r1').emit('msg', { n: 2 });
    a.registry().toUser('alice').emit('msg', { n: 3 });
    b.registry().to('r1').emit('msg', { n: 4 });

    const { client, reply } = await alice.reconnect(b.url);
    clients.push(client);
    expect(reply).toMatchObject({
      recovered: true,
      rooms: ['r1'],
      streams: {
        'room:r1': { recovered: true, replayed: 2 },
        'user:alice': { recovered: true, replayed: 1 },
      },
    });
    expect((await client.take('msg', 3)).sort()).toEqual([2, 3, 4]);
    a.registry().to('r1').emit('msg', { n: 5 });
    expect(await client.take('msg', 1)).toEqual([5]);
  });
});

describe('onConnectionResume', () => {
  it('runs with the restored rooms before the replay and the reply; a throwing hook does not stop the resume', async () => {
    const { resumes } = await import('../support/recovery-app.js');
    const [a] = await twoInstances();
    const alice = await connect(a, 'alice');
    await alice.join('r1');
    await alice.join('hook-throws');
    alice.socket.ws.terminate();
    await waitFor(() => a.registry().size === 0, 'the close');
    a.registry().to('r1').emit('msg', { n: 1 });
    const before = resumes.length;
    const { client, reply } = await alice.reconnect(a.url);
    clients.push(client);
    expect(reply).toMatchObject({ recovered: true, rooms: ['r1', 'hook-throws'] });
    expect(resumes.slice(before)).toEqual([
      { userId: 'alice', info: { rooms: ['r1', 'hook-throws'], recovered: true } },
    ]);
    expect(client.arrivals).toEqual(['push:resumed:undefined', 'push:msg:1', 'reply:1']);
  });
});

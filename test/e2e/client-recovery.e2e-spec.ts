import type { RecoveryInfo } from '../../src/client/index.js';
import {
  createTestClient,
  type RunningRealtimeApp,
  type TestClient,
} from '../../src/testing/index.js';
import { InProcessBroker } from '../../src/server/index.js';
import { range, startRecoveryApp, tokenOf } from '../support/recovery-app.js';
import { waitFor } from '../support/wait-for.js';

/**
 * The SDK recovers by itself against a real server: positions tracked, `$resume` on reconnect,
 * `onRecovery` told, `onReconnect` run only when something was lost, the offline queue after.
 */

let server: RunningRealtimeApp;
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
});

const BACKOFF = { initialMs: 20, maxMs: 100, multiplier: 2, jitter: 0 };

async function sdk(sub: string, hooks: { onReconnect?: () => void } = {}) {
  const recoveries: RecoveryInfo[] = [];
  const client = await createTestClient(server.wsUrl('/ws'), {
    getToken: () => tokenOf(sub),
    backoff: BACKOFF,
    pingIntervalMs: 0,
    onRecovery: (info) => recoveries.push(info),
    ...hooks,
  });
  clients.push(client);
  await waitFor(() => recoveries.length === 1, 'the first $resume');
  return { client, recoveries };
}

/** Closes the user's only connection from the server with a code the SDK reconnects after. */
async function drop(sub: string): Promise<void> {
  const [connection] = server.registry().connectionsOf(sub);
  const closed = new Promise((resolve) => connection!.socket.once('close', resolve));
  server.registry().toConnection(connection!.id).disconnect(4408, 'test');
  await closed;
}

const publish = (room: string, from: number, to: number) => {
  for (const n of range(from, to)) server.registry().to(room).emit('msg', { n });
};

describe('SDK recovery', () => {
  it('a new session on the first connection, reported to onRecovery', async () => {
    server = await startRecoveryApp();
    const { recoveries, client } = await sdk('alice');
    expect(recoveries).toEqual([
      { wasRecovering: false, recovered: false, reason: 'new', lost: [] },
    ]);
    expect(client.recovery).toMatchObject({ enabled: true, hasSession: true });
  });

  it('recovers every push missed during a drop, in order, without running onReconnect', async () => {
    server = await startRecoveryApp({ streams: [{ match: 'room:*', size: 500 }] });
    let reconnects = 0;
    const { client, recoveries } = await sdk('alice', { onReconnect: () => void reconnects++ });
    await client.request('room:join', 'r1');
    publish('r1', 1, 3);
    for (const n of range(1, 3)) expect(await client.expectPush('msg')).toEqual({ n });
    await drop('alice');
    publish('r1', 4, 300);
    await waitFor(() => recoveries.length === 2, 'the resume');
    expect(recoveries[1]).toEqual({ wasRecovering: true, recovered: true, lost: [] });
    expect(reconnects).toBe(0);
    for (const n of range(4, 300)) expect(await client.expectPush('msg')).toEqual({ n });
    publish('r1', 301, 301);
    expect(await client.expectPush('msg')).toEqual({ n: 301 });
    expect(client.recovery.positions['room:r1']?.o).toBe(301);
  });

  it('says what was lost and runs onReconnect when history did not reach back', async () => {
    server = await startRecoveryApp({ streams: [{ match: 'room:*', size: 5 }] });
    let reconnects = 0;
    const { client, recoveries } = await sdk('alice', { onReconnect: () => void reconnects++ });
    await client.request('room:join', 'r1');
    publish('r1', 1, 1);
    expect(await client.expectPush('msg')).toEqual({ n: 1 });
    await drop('alice');
    publish('r1', 2, 50);
    await waitFor(() => recoveries.length === 2, 'the resume');
    expect(recoveries[1]).toMatchObject({
      wasRecovering: true,
      recovered: false,
      lost: ['room:r1'],
    });
    await waitFor(() => reconnects === 1, 'onReconnect');
    // The room came back all the same: live traffic flows.
    publish('r1', 51, 51);
    expect(await client.expectPush('msg')).toEqual({ n: 51 });
  });

  it('F11: recovery: false against a server with recovery: plain pushes, onReconnect, no session', async () => {
    const broker = new InProcessBroker();
    server = await startRecoveryApp({}, { broker });
    let reconnects = 0;
    const recoveries: RecoveryInfo[] = [];
    const client = await createTestClient(server.wsUrl('/ws'), {
      getToken: () => tokenOf('alice'),
      backoff: BACKOFF,
      pingIntervalMs: 0,
      recovery: false,
      onRecovery: (info) => recoveries.push(info),
      onReconnect: () => void reconnects++,
    });
    clients.push(client);
    await client.request('room:join', 'r1');
    // Without a $resume there is no session: a join would have saved its record.
    expect(broker.hub.sessions.size).toBe(0);
    publish('r1', 1, 2);
    // Positioned on the wire, the position is not part of the data.
    for (const n of range(1, 2)) expect(await client.expectPush('msg')).toEqual({ n });
    expect(client.recovery).toMatchObject({ enabled: false, hasSession: false, positions: {} });

    await drop('alice');
    await waitFor(() => reconnects === 1, 'onReconnect');
    // Never resumed: no onRecovery, and the rooms are the app's to join again.
    expect(recoveries).toEqual([]);
    expect(server.registry().localMembers('r1')).toEqual([]);
    await client.request('room:join', 'r1');
    expect(broker.hub.sessions.size).toBe(0);
    publish('r1', 3, 3);
    expect(await client.expectPush('msg')).toEqual({ n: 3 });
  });

  it('falls back to onReconnect against a server without recovery', async () => {
    server = await startRecoveryApp('off');
    let reconnects = 0;
    const { client, recoveries } = await sdk('alice', { onReconnect: () => void reconnects++ });
    expect(recoveries[0]).toMatchObject({ recovered: false, reason: 'unsupported' });
    await drop('alice');
    await waitFor(() => reconnects === 1, 'onReconnect');
    expect(client.recovery.enabled).toBe(false);
  });
});

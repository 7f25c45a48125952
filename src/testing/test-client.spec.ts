import { jest } from '@jest/globals';
import { fakeWebSockets, type FakeSockets } from '../../test/client/fake-web-socket.js';
import { UnauthorizedError } from '../client/index.js';
import type { DefineContract } from '../protocol/index.js';
import { ExpectationError } from './inbox.js';
import { createTestClient, TestClient, type TestClientOptions } from './test-client.js';

type Contract = DefineContract<{
  requests: { 'room:join': { payload: { room: string }; reply: { members: number } } };
  events: Record<never, never>;
  pushes: { 'room:message': { text: string }; 'room:joined': { user: string } };
}>;

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const URL = 'ws://server.test/ws';

/** A connected test client on fake sockets, with fixed backoff delays and no `$ping`. */
async function connected(
  options: TestClientOptions<Contract> = {},
  net: FakeSockets = fakeWebSockets('node'),
): Promise<{ client: TestClient<Contract>; net: FakeSockets }> {
  const pending = createTestClient<Contract>(URL, {
    WebSocket: net.WebSocket,
    random: () => 0,
    pingIntervalMs: 0,
    ...options,
  });
  await jest.advanceTimersByTimeAsync(0);
  net.last().open();
  return { client: await pending, net };
}

/** close() on fake sockets: the fake never fires close by itself. */
async function closeClient(client: TestClient<Contract>, net: FakeSockets): Promise<void> {
  const closing = client.close();
  net.last().serverClose(1000);
  await closing;
}

describe('TestClient', () => {
  it('expectPush returns pushes that arrived before the call, in order, each once', async () => {
    const { client, net } = await connected();
    const socket = net.last();
    socket.receive({ event: 'room:message', data: { text: 'one' } });
    socket.receive({ event: 'room:joined', data: { user: 'bob' } });
    socket.receive({ event: 'room:message', data: { text: 'two' } });
    await expect(client.expectPush('room:message')).resolves.toEqual({ text: 'one' });
    await expect(client.expectPush('room:message')).resolves.toEqual({ text: 'two' });
    await expect(client.expectPush('room:joined')).resolves.toEqual({ user: 'bob' });
    await closeClient(client, net);
  });

  it('expectPush waits for a later push that matches `where`, leaving others buffered', async () => {
    const { client, net } = await connected();
    const wanted = client.expectPush('room:message', { where: (m) => m.text === 'yes' });
    net.last().receive({ event: 'room:message', data: { text: 'no' } });
    net.last().receive({ event: 'room:message', data: { text: 'yes' } });
    await expect(wanted).resolves.toEqual({ text: 'yes' });
    await expect(client.expectPush('room:message', { timeout: 0 })).resolves.toEqual({
      text: 'no',
    });
    await closeClient(client, net);
  });

  it('expectPush rejects after its timeout with what it was waiting for and what was buffered', async () => {
    const { client, net } = await connected({ expectTimeoutMs: 500 });
    net.last().receive({ event: 'room:joined', data: { user: 'bob' } });
    const outcome = client.expectPush('room:message').catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(500);
    const error = await outcome;
    expect(error).toBeInstanceOf(ExpectationError);
    expect((error as Error).message).toBe(
      `TestClient(${URL}, open) expectPush("room:message") (buffered: room:joined x1): nothing within 500 ms`,
    );
    const custom = client.expectPush('room:message', { timeout: 20 }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(20);
    expect(String(await custom)).toMatch(/nothing within 20 ms/);
    await closeClient(client, net);
  });

  it('sends `$error` pushes to expectError, not to expectPush', async () => {
    const { client, net } = await connected();
    net.last().receive({
      event: '$error',
      data: { code: 'FORBIDDEN', message: 'Join first', event: 'room:typing' },
    });
    const error = await client.expectError({ where: (e) => e.code === 'FORBIDDEN' });
    expect(error).toMatchObject({ code: 'FORBIDDEN', event: 'room:typing' });
    expect(client.errors).toHaveLength(1);
    const push = client.expectPush('room:message', { timeout: 10 }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(String(await push)).toMatch(/buffered: nothing/);
    await closeClient(client, net);
  });

  it('expectState takes changes in order: after connecting, the next `open` is a reconnect', async () => {
    const { client, net } = await connected({ backoff: { initialMs: 100, jitter: 0 } });
    expect(client.stateChanges.map((c) => c.state)).toEqual(['connecting', 'open']);
    const reopened = client.expectState('open');
    net.last().serverClose(1011, 'boom');
    const drop = await client.expectState('reconnecting');
    expect(drop).toMatchObject({ previous: 'open', code: 1011, reason: 'boom' });
    expect(typeof drop.at).toBe('number');
    await jest.advanceTimersByTimeAsync(100);
    net.last().open();
    await expect(reopened).resolves.toMatchObject({ state: 'open', previous: 'reconnecting' });
    expect(client.connectionAttempts).toHaveLength(2);
    await closeClient(client, net);
  });

  it('expectConnectionAttempts resolves once enough sockets were created', async () => {
    const { client, net } = await connected({ backoff: { initialMs: 100, jitter: 0 } });
    await expect(client.expectConnectionAttempts(1)).resolves.toHaveLength(1);
    const three = client.expectConnectionAttempts(3);
    net.last().serverClose(1006);
    await jest.advanceTimersByTimeAsync(100);
    net.last().serverClose(1006);
    await jest.advanceTimersByTimeAsync(200);
    const times = await three;
    expect(times).toHaveLength(3);
    expect(times[2]! - times[1]!).toBe(200);
    await closeClient(client, net);
  });

  it('records only what the client handles: nothing from a socket it gave up on', async () => {
    const { client, net } = await connected({ backoff: { initialMs: 100, jitter: 0 } });
    const old = net.last();
    old.serverClose(1011);
    old.receive({ event: 'room:message', data: { text: 'stale' } });
    const none = client.expectPush('room:message', { timeout: 10 }).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(10);
    expect(await none).toBeInstanceOf(ExpectationError);
    await closeClient(client, net);
  });

  it('close() ends pending waits at once, and later waits that find nothing', async () => {
    const { client, net } = await connected();
    const pending = client.expectPush('room:message').catch((e: unknown) => e);
    await closeClient(client, net);
    expect(String(await pending)).toMatch(/expectPush\("room:message"\).*test client was closed/);
    await expect(client.expectState('open')).rejects.toThrow(/test client was closed/);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('passes `token` in the Authorization header for ws-like constructors, as a subprotocol otherwise', async () => {
    const node = await connected({ token: 'jwt-1' });
    expect(node.net.last().options).toEqual({ headers: { Authorization: 'Bearer jwt-1' } });
    await closeClient(node.client, node.net);
    const browser = await connected({ token: 'jwt-2' }, fakeWebSockets('browser'));
    expect(browser.net.last().protocols).toEqual(['realtime.v1', 'bearer.jwt-2']);
    expect(browser.net.last().options).toBeUndefined();
    await closeClient(browser.client, browser.net);
  });

  it('refuses `token` together with `getToken`', () => {
    expect(() => new TestClient(URL, { token: 'a', getToken: () => 'b' })).toThrow(
      /`token` or `getToken`, not both/,
    );
  });

  it('does not connect with `connect: false`, and calls onReconnect with the test client', async () => {
    const net = fakeWebSockets('node');
    const seen: unknown[] = [];
    const client = await createTestClient<Contract>(URL, {
      WebSocket: net.WebSocket,
      connect: false,
      pingIntervalMs: 0,
      recovery: false, // no server to answer $resume, so onReconnect runs at once
      backoff: { initialMs: 10, jitter: 0 },
      onReconnect: (c) => void seen.push(c),
    });
    expect(client.state).toBe('closed');
    expect(net.sockets).toHaveLength(0);
    const opened = client.connect();
    await jest.advanceTimersByTimeAsync(0);
    net.last().open();
    await opened;
    net.last().serverClose(1001);
    await jest.advanceTimersByTimeAsync(10);
    net.last().open();
    await client.expectState('open', { where: (c) => c.previous === 'reconnecting' });
    expect(seen).toEqual([client]);
    await closeClient(client, net);
  });

  it('createTestClient rejects when the client stops before it opens', async () => {
    const net = fakeWebSockets('node');
    const pending = createTestClient<Contract>(URL, {
      WebSocket: net.WebSocket,
      getToken: () => {
        throw new UnauthorizedError('no session');
      },
    });
    await expect(pending).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(net.sockets).toHaveLength(0);
  });
});

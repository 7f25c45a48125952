import { jest } from '@jest/globals';
import { Module } from '@nestjs/common';
import { RequestError } from '../../src/client/index.js';
import { AppModule } from '../../src/demo/app.module.js';
import { ChatModule } from '../../src/demo/chat/chat.module.js';
import { loadDemoConfig, type DemoConfig } from '../../src/demo/config/demo-config.js';
import type { ChatMessage, DemoContract } from '../../src/demo/contract.js';
import { RealtimeModule } from '../../src/server/index.js';
import {
  createTestClient,
  signExpiredTestToken,
  signShortLivedTestToken,
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
  type TestClient,
  type TestClientOptions,
} from '../../src/testing/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * The typed client SDK against the demo over real sockets, through `nestjs-realtime/testing`:
 * typed requests and pushes, a server restart (E4, E6), token expiry and refresh (A4, E5), a
 * server that stops answering (E3) and every close code of protocol section 5 (E4).
 */

const config: DemoConfig = {
  ...loadDemoConfig({ PORT: '0' }),
  jwtSecret: TEST_SECRET,
  jwtSecretGenerated: false,
  tickerIntervalMs: 50,
  // A socket that does not answer the close is terminated this fast at shutdown.
  shutdownDrainMs: 300,
};

/** Small real delays (no jitter) so reconnects are quick and their spacing is checkable. */
const BACKOFF = { initialMs: 20, maxMs: 200, multiplier: 2, jitter: 0, rateLimitedMs: 60 };
/**
 * How much shorter than its delay a measured gap may look: Node starts a timer from the event
 * loop's cached clock, which can lag `Date.now()` by the I/O handled earlier in the same turn.
 * A tight loop shows gaps of a few ms, far below every delay checked here.
 */
const TIMER_SLACK_MS = 5;

let seq = 0;
/** A fresh user id (also usable as a room name). */
const user = (prefix: string): string => `${prefix}-${++seq}`;
const tokenFor = (sub: string, claims: Record<string, unknown> = {}): string =>
  signTestToken(TEST_SECRET, { sub, name: sub, ...claims });

const servers: RunningRealtimeApp[] = [];
const clients: TestClient<DemoContract>[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A test client of `sub` (a fresh token per connect unless the options say otherwise). */
async function connect(
  server: RunningRealtimeApp,
  sub: string,
  options: TestClientOptions<DemoContract> = {},
): Promise<TestClient<DemoContract>> {
  const auth = options.token || options.getToken ? {} : { getToken: () => tokenFor(sub) };
  const client = await createTestClient<DemoContract>(server.wsUrl('/ws'), {
    backoff: BACKOFF,
    pingIntervalMs: 0,
    ...auth,
    ...options,
  });
  clients.push(client);
  return client;
}

/** Closes the server side of `sub`'s only connection; resolves once the server saw it close. */
function disconnect(
  server: RunningRealtimeApp,
  sub: string,
  code: number,
  reason: string,
): Promise<void> {
  const connections = server.registry().connectionsOf(sub);
  expect(connections).toHaveLength(1);
  const { id, socket } = connections[0]!;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  server.registry().toConnection(id).disconnect(code, reason);
  return closed;
}

describe('RealtimeClient<DemoContract> against the demo', () => {
  let demo: RunningRealtimeApp;
  beforeAll(async () => {
    demo = await startRealtimeApp(AppModule.forRoot(config));
  });
  afterAll(() => demo.close());

  /**
   * Proves that `client` (stopped) did not reconnect: a control client with the same backoff,
   * dropped after it, has reconnected meanwhile, so any retry of `client` would have happened.
   */
  async function expectNoReconnect(client: TestClient<DemoContract>): Promise<void> {
    const controlSub = user('control');
    const control = await connect(demo, controlSub);
    await disconnect(demo, controlSub, 1011, 'control');
    await control.expectState('open');
    expect(client.state).toBe('closed');
    expect(client.connectionAttempts).toHaveLength(1);
  }

  it('chat: typed requests, replies and pushes end to end', async () => {
    const [aliceId, bobId, room] = [user('alice'), user('bob'), user('room')];
    const alice = await connect(demo, aliceId);
    const bob = await connect(demo, bobId);
    await expect(alice.request('chat:join', { room })).resolves.toEqual({
      room,
      members: [{ id: aliceId, name: aliceId }],
    });
    const joined = await bob.request('chat:join', { room });
    expect(joined.members.map((m) => m.id).sort()).toEqual([aliceId, bobId].sort());
    await expect(alice.expectPush('chat:joined')).resolves.toEqual({
      room,
      user: { id: bobId, name: bobId },
    });
    const sent = await bob.request('chat:send', { room, text: 'hello' });
    expect(sent).toEqual({ id: expect.any(String), at: expect.any(Number) });
    const message: ChatMessage = await alice.expectPush('chat:message');
    expect(message).toEqual({
      id: sent.id,
      room,
      from: { id: bobId, name: bobId },
      text: 'hello',
      at: sent.at,
    });
    bob.emit('chat:typing', { room });
    await expect(alice.expectPush('chat:typing')).resolves.toEqual({
      room,
      user: { id: bobId, name: bobId },
    });
  });

  it('ticker: the subscribe reply, then typed ticks of the symbol', async () => {
    const client = await connect(demo, user('ticker'));
    const { prices } = await client.request('ticker:subscribe', { symbols: ['ACME'] });
    expect(prices).toEqual({ ACME: expect.any(Number) });
    const tick = await client.expectPush('ticker:tick', { where: (t) => t.symbol === 'ACME' });
    expect(tick).toEqual({ symbol: 'ACME', price: expect.any(Number), at: expect.any(Number) });
    await expect(client.request('ticker:unsubscribe', { symbols: ['ACME'] })).resolves.toBeNull();
  });

  it('errors: VALIDATION_FAILED is a RequestError with details; a failed emit is a $error', async () => {
    const client = await connect(demo, user('invalid'));
    const error = await client
      .request('chat:send', { room: 'Not A Room!', text: '' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      event: 'chat:send',
      fromServer: true,
    });
    const fields = (error as RequestError).details?.map((d) => d.field).sort();
    expect(fields).toEqual(['room', 'text']);
    await expect(client.request('chat:send', { room: 'elsewhere', text: 'hi' })).rejects.toEqual(
      expect.objectContaining({ code: 'FORBIDDEN', fromServer: true }),
    );
    client.emit('chat:typing', { room: 'elsewhere' });
    const pushed = await client.expectError({ where: (e) => e.event === 'chat:typing' });
    expect(pushed.code).toBe('FORBIDDEN');
    expect(client.state).toBe('open');
  });

  it('a server that stops answering: $ping drops it (PING_TIMEOUT), in-flight requests fail, it reconnects', async () => {
    const sub = user('frozen');
    const client = await connect(demo, sub, { pingIntervalMs: 50, pingTimeoutMs: 150 });
    await client.request('chat:join', { room: sub });
    const frozen = demo.registry().connectionsOf(sub)[0]!;
    const frozenClosed = new Promise<void>((resolve) => frozen.socket.once('close', resolve));
    // The server stops reading this socket: no reply, no `$ping` answer, the TCP stays up.
    frozen.socket.pause();
    const inFlight = client.request('chat:send', { room: sub, text: 'void' }).catch((e) => e);
    const drop = await client.expectState('reconnecting');
    expect(drop).toMatchObject({ previous: 'open', code: 'PING_TIMEOUT' });
    expect(drop.reason).toBe('No reply to $ping within 150 ms');
    const error: unknown = await inFlight;
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ code: 'DISCONNECTED', fromServer: false });
    await client.expectState('open');
    await expect(client.request('chat:join', { room: sub })).resolves.toMatchObject({ room: sub });
    // The frozen socket reads the client's close frame once resumed, and goes away.
    frozen.socket.resume();
    await frozenClosed;
  });

  it.each([1001, 1011, 1012, 1013, 4401, 4408, 4429])(
    'close %i from the server: reconnecting with its code and reason, then open again',
    async (code) => {
      const sub = user(`reconnect-${code}`);
      const getToken = jest.fn(() => tokenFor(sub));
      const client = await connect(demo, sub, { getToken });
      const before = demo.registry().connectionsOf(sub)[0]!.id;
      const serverSaw = disconnect(demo, sub, code, `test ${code}`);
      const drop = await client.expectState('reconnecting');
      expect(drop).toMatchObject({ previous: 'open', code, reason: `test ${code}` });
      await client.expectState('open');
      await serverSaw;
      const now = demo.registry().connectionsOf(sub);
      expect(now.map((c) => c.id)).toEqual([expect.not.stringMatching(before)]);
      expect(client.connectionAttempts).toHaveLength(2);
      // After an open connection, a fresh token for the reconnect (4401 above all).
      expect(getToken).toHaveBeenCalledTimes(2);
      // 4429 waits at least `rateLimitedMs`; the others the first backoff step.
      const minDelay = code === 4429 ? BACKOFF.rateLimitedMs : BACKOFF.initialMs;
      expect(client.connectionAttempts[1]! - drop.at).toBeGreaterThanOrEqual(
        minDelay - TIMER_SLACK_MS,
      );
      await expect(client.request('chat:join', { room: sub })).resolves.toMatchObject({
        room: sub,
      });
    },
  );

  it.each([1000, 1003, 1008, 1009, 4599])(
    'close %i from the server: closed with its code and reason, no reconnect',
    async (code) => {
      const sub = user(`stop-${code}`);
      const client = await connect(demo, sub);
      const serverSaw = disconnect(demo, sub, code, `test ${code}`);
      const closed = await client.expectState('closed');
      expect(closed).toMatchObject({ previous: 'open', code, reason: `test ${code}` });
      await serverSaw;
      await expectNoReconnect(client);
      expect(demo.registry().connectionsOf(sub)).toEqual([]);
      await expect(client.request('chat:join', { room: sub })).rejects.toMatchObject({
        code: 'CLOSED',
      });
    },
  );

  it('close 4500 from admin:revoke: closed with the reason, no reconnect', async () => {
    const [adminId, victimId] = [user('admin'), user('victim')];
    const admin = await connect(demo, adminId, { token: tokenFor(adminId, { role: 'admin' }) });
    const victim = await connect(demo, victimId);
    await expect(
      admin.request('admin:revoke', { userId: victimId, reason: 'Account suspended' }),
    ).resolves.toEqual({ revoked: 1 });
    const closed = await victim.expectState('closed');
    expect(closed).toMatchObject({ previous: 'open', code: 4500, reason: 'Account suspended' });
    await expectNoReconnect(victim);
  });

  it('a 401 at every upgrade: getToken() again after maxFailedOpens; closed with AUTH_FAILED when it throws', async () => {
    const sub = user('forged');
    const tokens = [signTestToken('not-the-server-secret-0123456789abcdefghijkl', { sub })];
    const getToken = jest.fn(() => {
      const token = tokens.shift();
      if (token === undefined) throw new Error('session expired');
      return token;
    });
    const client = await connect(demo, sub, { getToken, maxFailedOpens: 3, connect: false });
    const connecting = client.connect().catch((e: unknown) => e);
    const closed = await client.expectState('closed');
    expect(closed).toMatchObject({
      code: 'AUTH_FAILED',
      reason: 'getToken() failed: session expired',
    });
    await expect(connecting).resolves.toMatchObject({ code: 'AUTH_FAILED' });
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(client.stateChanges.map((c) => [c.state, c.code])).toEqual([
      ['connecting', 'CONNECT_CALLED'],
      ['reconnecting', 1006],
      ['closed', 'AUTH_FAILED'],
    ]);
    // Three refused opens with one token, spaced by the backoff (no tight loop).
    const [first, second, third] = client.connectionAttempts;
    expect(client.connectionAttempts).toHaveLength(3);
    expect(second! - first!).toBeGreaterThanOrEqual(BACKOFF.initialMs - TIMER_SLACK_MS);
    expect(third! - second!).toBeGreaterThanOrEqual(BACKOFF.initialMs * 2 - TIMER_SLACK_MS);
  });

  it('a token that expired while offline: 401s, then the token from getToken() opens', async () => {
    const sub = user('offline');
    const expired = signExpiredTestToken(TEST_SECRET, { sub });
    const getToken = jest
      .fn<() => string>()
      .mockReturnValueOnce(expired)
      .mockImplementation(() => tokenFor(sub));
    const client = await connect(demo, sub, { getToken, maxFailedOpens: 2, connect: false });
    await client.connect();
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(client.connectionAttempts).toHaveLength(3);
    expect(client.stateChanges.map((c) => c.state)).toEqual(['connecting', 'reconnecting', 'open']);
    await expect(client.request('chat:join', { room: sub })).resolves.toMatchObject({ room: sub });
  });
});

describe('a server restart mid-session', () => {
  /** Most attempts the backoff allows within `ms` (no jitter), from the drop on. */
  function attemptsAllowed(ms: number, initialMs: number, maxMs: number): number {
    let elapsed = 0;
    let attempts = 0;
    for (;;) {
      elapsed += Math.min(maxMs, initialMs * 2 ** attempts) - TIMER_SLACK_MS;
      if (elapsed > ms) return attempts;
      attempts++;
    }
  }

  it('reconnects and re-joins before the queue flushes; in-flight requests fail; it backs off while down', async () => {
    const [sub, room] = [user('restart'), user('room')];
    const backoff = { initialMs: 25, maxMs: 400, multiplier: 2, jitter: 0 };
    const first = await startRealtimeApp(AppModule.forRoot(config));
    servers.push(first);
    const log: string[] = [];
    const getToken = jest.fn(() => tokenFor(sub));
    const client = await connect(first, sub, {
      getToken,
      backoff,
      onReconnect: async (c) => {
        log.push('re-join sent');
        await c.request('chat:join', { room });
        log.push('re-joined');
      },
    });
    await client.request('chat:join', { room });

    // One request stays in flight: the server stops reading this socket before it arrives.
    first.registry().connectionsOf(sub)[0]!.socket.pause();
    const inFlight = client.request('chat:send', { room, text: 'in flight' }).catch((e) => e);
    await first.close();
    const drop = await client.expectState('reconnecting');
    expect(drop).toMatchObject({ previous: 'open', code: 1001, reason: 'Server shutting down' });
    const error: unknown = await inFlight;
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ code: 'DISCONNECTED', event: 'chat:send' });

    // Sent while down: queued, and flushed only after onReconnect has re-joined the room.
    const queued = client.request('chat:send', { room, text: 'sent while down' }).then((reply) => {
      log.push('queued send answered');
      return reply;
    });
    // The first connection, then four refused reconnects.
    await client.expectConnectionAttempts(5);
    const second = await startRealtimeApp(AppModule.forRoot(config), { port: first.port });
    servers.push(second);
    const reopen = await client.expectState('open');

    const reply = await queued;
    const message = await client.expectPush('chat:message', {
      where: (m) => m.text === 'sent while down',
    });
    expect(message).toMatchObject({ id: reply.id, room, from: { id: sub } });
    expect(log).toEqual(['re-join sent', 're-joined', 'queued send answered']);
    expect(
      second
        .registry()
        .localMembers(`chat:${room}`)
        .map((m) => m.userId),
    ).toEqual([sub]);

    // No tight loop: each retry waited its backoff step, so the count is bounded by the time down.
    const retries = client.connectionAttempts.slice(1);
    const gaps = retries.map((at, i) => at - (i === 0 ? drop.at : retries[i - 1]!));
    gaps.forEach((gap, i) => {
      const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(delay - TIMER_SLACK_MS);
    });
    const downFor = reopen.at - drop.at;
    expect(retries.length).toBeLessThanOrEqual(attemptsAllowed(downFor, 25, 400));
    expect(getToken.mock.calls.length).toBeLessThanOrEqual(client.connectionAttempts.length);
  });
});

/** The demo's chat with no clock tolerance, so a socket is closed with 4401 right at `exp`. */
@Module({
  imports: [
    RealtimeModule.forRoot({
      jwt: { secret: TEST_SECRET, algorithms: ['HS256'], clockToleranceSec: 0 },
    }),
    ChatModule,
  ],
})
class StrictExpiryChatModule {}

describe('an expiring token', () => {
  let strict: RunningRealtimeApp;
  beforeAll(async () => {
    strict = await startRealtimeApp(StrictExpiryChatModule);
  });
  afterAll(() => strict.close());

  it('refreshToken on: $auth before exp keeps the socket open past it; a witness on the same token gets 4401', async () => {
    const sub = user('refresh');
    const short = signShortLivedTestToken(TEST_SECRET, { sub, name: sub }, { lifetimeMs: 2000 });
    const getToken = jest
      .fn<() => string>()
      .mockReturnValueOnce(short.token)
      .mockImplementation(() => tokenFor(sub));
    const client = await connect(strict, sub, { getToken, refreshBeforeMs: 1000 });
    const connectionId = strict.registry().connectionsOf(sub)[0]!.id;
    const witness = await TestSocket.connect(strict.url, { token: short.token });
    await expect(witness.closed).resolves.toEqual({ code: 4401, reason: 'Token expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(short.expiresAt);
    // Past the original exp, the same connection still serves the client.
    await expect(client.request('chat:join', { room: sub })).resolves.toMatchObject({ room: sub });
    expect(
      strict
        .registry()
        .connectionsOf(sub)
        .map((c) => c.id),
    ).toEqual([connectionId]);
    expect(client.stateChanges.map((c) => c.state)).toEqual(['connecting', 'open']);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(client.errors).toEqual([]);
  });

  it('refreshToken off: closed with 4401 at exp, then getToken() and a reconnect', async () => {
    const sub = user('no-refresh');
    const short = signShortLivedTestToken(TEST_SECRET, { sub, name: sub }, { lifetimeMs: 1000 });
    const getToken = jest
      .fn<() => string>()
      .mockReturnValueOnce(short.token)
      .mockImplementation(() => tokenFor(sub));
    const client = await connect(strict, sub, { getToken, refreshToken: false });
    const drop = await client.expectState('reconnecting', { timeout: 3000 });
    expect(drop).toMatchObject({ previous: 'open', code: 4401, reason: 'Token expired' });
    expect(drop.at).toBeGreaterThanOrEqual(short.expiresAt);
    await client.expectState('open');
    expect(getToken).toHaveBeenCalledTimes(2);
    await expect(client.request('chat:join', { room: sub })).resolves.toMatchObject({ room: sub });
  });
});

import { jest } from '@jest/globals';
import { Module } from '@nestjs/common';
import { UnauthorizedError } from '../../src/client/index.js';
import { ChatModule } from '../../src/demo/chat/chat.module.js';
import { RealtimeModule } from '../../src/server/index.js';
import {
  signExpiredTestToken,
  signShortLivedTestToken,
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
} from '../../src/testing/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import {
  connect,
  installClientHarness,
  tokenFor,
  user,
  useDemo,
} from '../support/client-harness.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * The typed client SDK against the demo over real sockets, through `nestjs-realtime/testing`:
 * tokens refused at the upgrade, expired while offline, and expiring on an open socket with and
 * without refresh (A4, E5).
 */

installClientHarness();

describe('RealtimeClient<DemoContract> against the demo', () => {
  let demo: RunningRealtimeApp;
  useDemo((app) => (demo = app));

  it('a 401 at the upgrade (Node sees the status): getToken() again at once; closed with AUTH_FAILED when it says unauthorized', async () => {
    const sub = user('forged');
    const tokens = [signTestToken('not-the-server-secret-0123456789abcdefghijkl', { sub })];
    const getToken = jest.fn(() => {
      const token = tokens.shift();
      if (token === undefined) throw new UnauthorizedError('session expired');
      return token;
    });
    const client = await connect(demo, sub, { getToken, maxFailedOpens: 3, connect: false });
    const connecting = client.connect().catch((e: unknown) => e);
    const closed = await client.expectState('closed');
    expect(closed).toMatchObject({
      code: 'AUTH_FAILED',
      reason: 'session expired',
    });
    await expect(connecting).resolves.toMatchObject({ code: 'AUTH_FAILED' });
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(client.stateChanges.map((c) => [c.state, c.code])).toEqual([
      ['connecting', 'CONNECT_CALLED'],
      ['reconnecting', 'UPGRADE_REFUSED'],
      ['closed', 'AUTH_FAILED'],
    ]);
    // One refused open: a 401 is not retried with the same token.
    expect(client.connectionAttempts).toHaveLength(1);
    expect(client.errors[0]).toMatchObject({
      code: 'UPGRADE_REFUSED',
      status: 401,
      serverCode: 'UNAUTHORIZED',
    });
  });

  it('a token that expired while offline: a 401, then the token from getToken() opens', async () => {
    const sub = user('offline');
    const expired = signExpiredTestToken(TEST_SECRET, { sub });
    const getToken = jest
      .fn<() => string>()
      .mockReturnValueOnce(expired)
      .mockImplementation(() => tokenFor(sub));
    const client = await connect(demo, sub, { getToken, maxFailedOpens: 2, connect: false });
    await client.connect();
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(client.connectionAttempts).toHaveLength(2);
    expect(client.stateChanges.map((c) => c.state)).toEqual(['connecting', 'reconnecting', 'open']);
    await expect(client.request('chat:join', { room: sub })).resolves.toMatchObject({ room: sub });
  });

  it('a token endpoint that fails twice (a 502 during its restart): retried, then connected', async () => {
    const sub = user('flaky-auth');
    let calls = 0;
    const getToken = jest.fn(async () => {
      if (++calls <= 2) throw new Error('POST /auth/token answered 502');
      return tokenFor(sub);
    });
    const client = await connect(demo, sub, { getToken, connect: false });
    await client.connect();
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(client.errors.map((e) => e.code)).toEqual(['TOKEN_FAILED', 'TOKEN_FAILED']);
    expect(client.connectionAttempts).toHaveLength(1);
    await expect(client.request('chat:join', { room: sub })).resolves.toMatchObject({ room: sub });
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

import { jest } from '@jest/globals';
import { connectOpen, setup, tick } from '../../test/client/client-harness.js';
import { fakeJwt } from '../../test/client/fake-web-socket.js';
import { UnauthorizedError } from './unauthorized.js';

beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
afterEach(() => jest.useRealTimers());

/** A getToken that hands out token-1, token-2, ... and counts its calls. */
function tokens() {
  let n = 0;
  return jest.fn(() => `token-${++n}`);
}

describe('RealtimeClient token transport', () => {
  it('sends the token as an Authorization header with a ws-like constructor', async () => {
    const h = setup({ getToken: () => 'jwt' }, 'node');
    void h.client.connect();
    await tick();
    const socket = h.net.last();
    expect(socket.url).toBe('ws://server.test/ws');
    expect(socket.protocols).toEqual(['realtime.v1']);
    expect(socket.options).toEqual({ headers: { Authorization: 'Bearer jwt' } });
  });

  it('sends the token as a bearer subprotocol with a browser-like constructor', async () => {
    const h = setup({ getToken: async () => 'jwt' }, 'browser');
    void h.client.connect();
    await tick();
    expect(h.net.last().protocols).toEqual(['realtime.v1', 'bearer.jwt']);
    expect(h.net.last().options).toBeUndefined();
  });

  it('follows an explicit tokenTransport, and offers only realtime.v1 without getToken', async () => {
    const h = setup({ getToken: () => 'jwt', tokenTransport: 'subprotocol' }, 'node');
    void h.client.connect();
    await tick();
    expect(h.net.last().protocols).toEqual(['realtime.v1', 'bearer.jwt']);
    expect(h.net.last().options).toBeUndefined();
    const anonymous = setup({}, 'node');
    void anonymous.client.connect();
    expect(anonymous.net.last().protocols).toEqual(['realtime.v1']);
    expect(anonymous.net.last().options).toBeUndefined();
  });
});

describe('RealtimeClient getToken (E5)', () => {
  it('calls getToken before the first connect and before every reconnect', async () => {
    const getToken = tokens();
    const h = setup({ getToken, tokenTransport: 'subprotocol' });
    await connectOpen(h);
    expect(getToken).toHaveBeenCalledTimes(1);
    h.net.last().serverClose(1001);
    await tick(500);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(h.net.last().protocols).toEqual(['realtime.v1', 'bearer.token-2']);
    h.net.last().open();
    h.net.last().serverClose(4401, 'Token expired');
    await tick(1000);
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(h.net.last().protocols).toEqual(['realtime.v1', 'bearer.token-3']);
  });

  it('reuses the token across failed opens, then asks again after maxFailedOpens', async () => {
    const getToken = tokens();
    const h = setup({
      getToken,
      maxFailedOpens: 3,
      tokenTransport: 'subprotocol',
      connectTimeoutMs: 600_000,
    });
    void h.client.connect();
    await tick();
    const used: string[] = [];
    for (let i = 0; i < 7; i++) {
      used.push(h.net.last().protocols[1] ?? '');
      h.net.last().serverClose(1006);
      await tick(60_000);
    }
    expect(used).toEqual([
      'bearer.token-1',
      'bearer.token-1',
      'bearer.token-1',
      'bearer.token-2',
      'bearer.token-2',
      'bearer.token-2',
      'bearer.token-3',
    ]);
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(h.client.state).toBe('reconnecting');
  });

  it('stops in closed with AUTH_FAILED when getToken throws UnauthorizedError', async () => {
    const h = setup({
      getToken: () => {
        throw new UnauthorizedError('Signed out');
      },
    });
    await expect(h.client.connect()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(h.net.sockets).toHaveLength(0);
    expect(h.changes.at(-1)).toEqual({
      state: 'closed',
      previous: 'connecting',
      code: 'AUTH_FAILED',
      reason: 'Signed out',
    });
  });

  it('ignores a getToken that resolves after close()', async () => {
    let resolve: (token: string) => void = () => undefined;
    const h = setup({ getToken: () => new Promise<string>((r) => (resolve = r)) });
    void h.client.connect();
    await h.client.close();
    resolve('late');
    await tick();
    expect(h.net.sockets).toHaveLength(0);
    expect(h.client.state).toBe('closed');
  });
});

describe('RealtimeClient in-band refresh ($auth)', () => {
  const now = (): number => Date.now();
  const expiring = (inMs: number, n: number): string =>
    fakeJwt({ sub: 'u1', n, exp: Math.floor((now() + inMs) / 1000) });

  it('calls getToken and sends $auth refreshBeforeMs ahead of exp, then plans the next one', async () => {
    let n = 0;
    const getToken = jest.fn(() => expiring(120_000, ++n));
    const h = setup({ getToken, refreshBeforeMs: 30_000 });
    await connectOpen(h);
    const socket = h.net.last();
    await tick(89_999);
    expect(getToken).toHaveBeenCalledTimes(1);
    await tick(1);
    expect(getToken).toHaveBeenCalledTimes(2);
    const auth = socket.lastFrame('$auth');
    expect(auth.data).toEqual({ token: getToken.mock.results[1]?.value });
    socket.reply('$auth', { expiresAt: now() + 120_000 });
    await tick(90_000);
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(socket.frames.filter((f) => f.event === '$auth')).toHaveLength(2);
    expect(h.client.state).toBe('open');
    expect(h.errors).toEqual([]);
  });

  it('reports a refused refresh to onError and keeps the connection', async () => {
    let n = 0;
    const h = setup({ getToken: () => expiring(60_000, ++n), refreshBeforeMs: 30_000 });
    await connectOpen(h);
    await tick(30_000);
    h.net.last().receive({
      id: h.net.last().lastFrame('$auth').id,
      error: { code: 'UNAUTHORIZED', message: 'Token is for another user' },
    });
    await tick();
    expect(h.errors.map((e) => [e.code, e.event])).toEqual([['UNAUTHORIZED', '$auth']]);
    expect(h.client.state).toBe('open');
  });

  it('reports a throwing getToken during refresh; the 4401 at exp then reconnects', async () => {
    let calls = 0;
    const h = setup({
      getToken: () => {
        if (++calls === 2) throw new Error('offline');
        return expiring(60_000, calls);
      },
      refreshBeforeMs: 30_000,
    });
    await connectOpen(h);
    await tick(30_000);
    expect(h.errors.map((e) => e.code)).toEqual(['TOKEN_FAILED']);
    expect(h.net.last().frames.filter((f) => f.event === '$auth')).toEqual([]);
    h.net.last().serverClose(4401, 'Token expired');
    await tick(500);
    expect(h.net.sockets).toHaveLength(2);
    expect(calls).toBe(3);
  });

  it('does not refresh without exp, when disabled, or when getToken returns the same token', async () => {
    const opaque = setup({ getToken: () => 'opaque' });
    await connectOpen(opaque);
    const disabled = setup({ getToken: () => expiring(60_000, 1), refreshToken: false });
    await connectOpen(disabled);
    const fixed = expiring(60_000, 1);
    const same = setup({ getToken: () => fixed });
    await connectOpen(same);
    await tick(59_000);
    for (const h of [opaque, disabled, same]) expect(h.net.last().sent).toEqual([]);
  });
});

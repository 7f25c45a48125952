import { jest } from '@jest/globals';
import { connectOpen, settled, setup, tick } from '../../test/client/client-harness.js';
import { fakeJwt } from '../../test/client/fake-web-socket.js';
import { isUnauthorized, UnauthorizedError } from './unauthorized.js';

beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
afterEach(() => jest.useRealTimers());

/** A getToken that fails `failures` times (a 502 from the token endpoint), then succeeds. */
function flaky(failures: number) {
  let calls = 0;
  return jest.fn(async () => {
    if (++calls <= failures) throw new Error('token endpoint answered 502');
    return `token-${calls}`;
  });
}

describe('RealtimeClient getToken failures are retried; only "unauthorized" stops', () => {
  it('ends connected after a getToken that fails twice, with backoff between the calls', async () => {
    const getToken = flaky(2);
    const h = setup({ getToken, tokenTransport: 'subprotocol' });
    const connected = settled(h.client.connect());
    await tick();
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(h.client.state).toBe('reconnecting');
    await tick(499); // the backoff's first delay is 500 ms (random fixed at 0)
    expect(getToken).toHaveBeenCalledTimes(1);
    await tick(1);
    expect(getToken).toHaveBeenCalledTimes(2);
    await tick(1000);
    expect(getToken).toHaveBeenCalledTimes(3);
    expect(h.net.sockets).toHaveLength(1);
    expect(h.net.last().protocols).toEqual(['realtime.v1', 'bearer.token-3']);
    h.net.last().open();
    await tick();
    expect(connected.done).toBe(true);
    expect(connected.error).toBeUndefined();
    expect(h.states()).toEqual(['connecting', 'reconnecting', 'open']);
    expect(h.changes[1]).toMatchObject({ code: 'TOKEN_FAILED' });
    expect(h.errors.map((e) => [e.code, e.message])).toEqual([
      ['TOKEN_FAILED', 'getToken() failed: token endpoint answered 502'],
      ['TOKEN_FAILED', 'getToken() failed: token endpoint answered 502'],
    ]);
  });

  it('stops for good with the reason of an UnauthorizedError thrown on a reconnect', async () => {
    let calls = 0;
    const getToken = jest.fn(async () => {
      if (++calls === 1) return 'token-1';
      throw new UnauthorizedError('Session revoked; sign in again');
    });
    const h = setup({ getToken });
    await connectOpen(h);
    h.net.last().serverClose(1001);
    const queued = settled(h.client.request('x', undefined));
    await tick(500);
    expect(h.changes.at(-1)).toEqual({
      state: 'closed',
      previous: 'reconnecting',
      code: 'AUTH_FAILED',
      reason: 'Session revoked; sign in again',
    });
    expect(queued.error).toMatchObject({ code: 'CLOSED' });
    await tick(600_000);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(h.net.sockets).toHaveLength(1);
  });

  it('stops when getToken returns null, and retries an empty string', async () => {
    const signedOut = setup({ getToken: () => null });
    await expect(signedOut.client.connect()).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(signedOut.changes.at(-1)).toMatchObject({ reason: 'getToken() returned null' });
    const empty = setup({ getToken: () => '' });
    void empty.client.connect();
    await tick();
    expect(empty.client.state).toBe('reconnecting');
    expect(empty.errors[0]).toMatchObject({
      code: 'TOKEN_FAILED',
      message: 'getToken() returned an empty string, not a token',
    });
  });

  it('recognises an UnauthorizedError from another copy of the SDK by its name', () => {
    class Foreign extends Error {
      override name = 'UnauthorizedError';
    }
    expect(isUnauthorized(new Foreign('x'))).toBe(true);
    expect(isUnauthorized(new UnauthorizedError())).toBe(true);
    expect(isUnauthorized(new Error('UnauthorizedError'))).toBe(false);
    expect(isUnauthorized(null)).toBe(false);
  });

  it('stops when getToken says unauthorized during an in-band refresh', async () => {
    let calls = 0;
    const exp = Math.floor((Date.now() + 60_000) / 1000);
    const getToken = jest.fn(() => {
      if (++calls === 1) return fakeJwt({ sub: 'u1', exp });
      throw new UnauthorizedError('Signed out elsewhere');
    });
    const h = setup({ getToken, refreshBeforeMs: 30_000 });
    await connectOpen(h);
    await tick(30_000);
    expect(h.changes.at(-1)).toMatchObject({
      state: 'closed',
      code: 'AUTH_FAILED',
      reason: 'Signed out elsewhere',
    });
    expect(h.net.last().closedWith).toMatchObject({ code: 1000 });
  });
});

describe('RealtimeClient connect timeout and bounded failed opens', () => {
  it('abandons a getToken that does not settle within connectTimeoutMs, and retries', async () => {
    let calls = 0;
    let late: (token: string) => void = () => undefined;
    const getToken = jest.fn(() => {
      if (++calls === 1) return new Promise<string>((resolve) => (late = resolve));
      return 'token-2';
    });
    const h = setup({ getToken, connectTimeoutMs: 5000, tokenTransport: 'subprotocol' });
    void h.client.connect();
    await tick(5000);
    expect(h.errors[0]).toMatchObject({ code: 'TOKEN_FAILED' });
    expect(h.errors[0]?.message).toContain('did not settle');
    late('token-1');
    await tick(500);
    expect(h.net.sockets).toHaveLength(1);
    expect(h.net.last().protocols).toEqual(['realtime.v1', 'bearer.token-2']);
  });

  it('drops a socket that does not open within connectTimeoutMs and opens another', async () => {
    const h = setup({ connectTimeoutMs: 3000 });
    void h.client.connect();
    await tick(2999);
    expect(h.net.last().closedWith).toBeUndefined();
    await tick(1);
    expect(h.net.sockets[0]?.closedWith).toMatchObject({ code: 4000 });
    expect(h.changes.at(-1)).toMatchObject({ state: 'reconnecting', code: 'CONNECT_TIMEOUT' });
    await tick(500);
    expect(h.net.sockets).toHaveLength(2);
    h.net.last().open();
    await tick();
    expect(h.client.state).toBe('open');
  });

  it('rejects connect() with UNREACHABLE after maxFailedOpens, and keeps retrying', async () => {
    const h = setup({ maxFailedOpens: 3 });
    const connected = settled(h.client.connect());
    for (let i = 0; i < 3; i++) {
      h.net.last().serverClose(1006);
      await tick(2000 * 2 ** i);
    }
    expect(connected.error).toMatchObject({ code: 'UNREACHABLE' });
    expect((connected.error as Error).message).toContain('3 connection attempts in a row failed');
    expect(h.errors.map((e) => e.code)).toEqual(['UNREACHABLE']);
    expect(h.client.state).toBe('reconnecting');
    expect(h.net.sockets).toHaveLength(4);
    h.net.last().open();
    await tick();
    expect(h.client.state).toBe('open');
    await expect(h.client.connect()).resolves.toBeUndefined();
  });
});

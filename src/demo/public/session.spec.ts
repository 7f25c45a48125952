import { jest } from '@jest/globals';
import { isUnauthorized } from '../../client/index.js';
import { DevTokenSession } from './session.js';

/** A JWT-shaped token with `exp` (the session reads it, never verifies it). */
function tokenExpiringIn(seconds: number, n: number): string {
  const payload = Buffer.from(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + seconds }));
  return `header.${payload.toString('base64url')}.signature-${n}`;
}

/** A fake demo server behind `fetch`: page config and dev tokens. */
function fakeServer() {
  const server = {
    up: true,
    bootId: 'boot-1',
    tokensSurviveRestart: true,
    devTokens: true,
    lifetimeSec: 3600,
    issued: 0,
  };
  const fetch = jest.fn(async (input: string | URL | Request, init?: RequestInit) => {
    if (!server.up) throw new TypeError('Failed to fetch');
    const url = String(input);
    if (url === '/page-config.json') {
      const { bootId, tokensSurviveRestart, devTokens } = server;
      return Response.json({ wsPath: '/ws', devTokens, bootId, tokensSurviveRestart });
    }
    if (url === '/auth/dev-token' && init?.method === 'POST') {
      if (!server.devTokens) return Response.json({ message: 'Cannot POST' }, { status: 404 });
      const { name } = JSON.parse(String(init.body)) as { name: string };
      const n = ++server.issued;
      return Response.json({
        token: tokenExpiringIn(server.lifetimeSec, n),
        user: { id: `user-${n}`, name },
      });
    }
    return new Response('not found', { status: 404 });
  });
  return { server, fetch };
}

describe('DevTokenSession (the page’s getToken)', () => {
  const realFetch = globalThis.fetch;
  let fake: ReturnType<typeof fakeServer>;
  const userChanged = jest.fn();

  beforeEach(() => {
    fake = fakeServer();
    globalThis.fetch = fake.fetch as typeof globalThis.fetch;
    userChanged.mockClear();
  });
  afterAll(() => {
    globalThis.fetch = realFetch;
  });

  it('signs in once and keeps its token (a new token would be a new user)', async () => {
    const session = await DevTokenSession.start('alice', userChanged);
    expect(session.user).toEqual({ id: 'user-1', name: 'alice' });
    const first = await session.getToken();
    expect(await session.getToken()).toBe(first);
    expect(fake.server.issued).toBe(1);
    expect(userChanged).not.toHaveBeenCalled();
  });

  it('rejects with a plain error while the server is down (the client retries it)', async () => {
    const session = await DevTokenSession.start('alice', userChanged);
    const token = await session.getToken();
    fake.server.up = false;
    const failure = await session.getToken().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TypeError);
    expect(isUnauthorized(failure)).toBe(false);
    fake.server.up = true;
    expect(await session.getToken()).toBe(token);
    expect(fake.server.issued).toBe(1);
  });

  it('gets a new token after a restart with a new random secret, and says who it is now', async () => {
    const session = await DevTokenSession.start('alice', userChanged);
    const token = await session.getToken();
    fake.server.bootId = 'boot-2';
    fake.server.tokensSurviveRestart = false;
    const fresh = await session.getToken();
    expect(fresh).not.toBe(token);
    expect(session.user).toEqual({ id: 'user-2', name: 'alice' });
    expect(userChanged).toHaveBeenCalledWith({ id: 'user-2', name: 'alice' });
    // Same boot from now on: the new token is kept.
    expect(await session.getToken()).toBe(fresh);
  });

  it('keeps the token after a restart when the secret is configured', async () => {
    const session = await DevTokenSession.start('alice', userChanged);
    const token = await session.getToken();
    fake.server.bootId = 'boot-2';
    expect(await session.getToken()).toBe(token);
  });

  it('replaces a token that is about to expire', async () => {
    fake.server.lifetimeSec = 30;
    const session = await DevTokenSession.start('alice', userChanged);
    fake.server.lifetimeSec = 3600;
    await session.getToken();
    expect(fake.server.issued).toBe(2);
  });

  it('says unauthorized when the server stops issuing tokens after a restart', async () => {
    const session = await DevTokenSession.start('alice', userChanged);
    fake.server.bootId = 'boot-2';
    fake.server.tokensSurviveRestart = false;
    fake.server.devTokens = false;
    const failure = await session.getToken().catch((error: unknown) => error);
    expect(isUnauthorized(failure)).toBe(true);
    expect((failure as Error).message).toBe('Cannot POST');
  });

  it('fails with the server’s message when it refuses a token', async () => {
    fake.server.devTokens = false;
    await expect(DevTokenSession.start('alice', userChanged)).rejects.toThrow('Cannot POST');
  });
});

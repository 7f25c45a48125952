import type { INestApplication } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { ConnectionRegistry } from '../../src/server/index.js';
import { INTERNAL, sign, useMessagesHarness } from '../support/messages-harness.js';

/**
 * The message envelope (protocol sections 2 and 4): replies and their ids, pushes, Observables,
 * the reserved events $ping and $auth, and the sender's identity in handlers.
 */

describe('messages (protocol 2-4, reliability C, A6, A13)', () => {
  const harness = useMessagesHarness();
  const { connect, barrier } = harness;
  let app: INestApplication;
  beforeAll(() => {
    app = harness.app;
  });

  describe('envelope (protocol 2 and 4)', () => {
    it('replies with the integer id of the request', async () => {
      const socket = await connect();
      expect(await socket.request('probe:echo', { a: 1 }, 7)).toEqual({ id: 7, data: { a: 1 } });
      expect(await socket.request('probe:echo', 'zero', 0)).toEqual({ id: 0, data: 'zero' });
      expect(await socket.request('probe:echo', 'neg', -3)).toEqual({ id: -3, data: 'neg' });
    });

    it('replies with the string id of the request, up to 64 characters', async () => {
      const socket = await connect();
      expect(await socket.request('probe:echo', [1, 2], 'req-1')).toEqual({
        id: 'req-1',
        data: [1, 2],
      });
      const long = 'k'.repeat(64);
      expect(await socket.request('probe:echo', true, long)).toEqual({ id: long, data: true });
    });

    it('sends exactly one reply per id, whatever the handler does', async () => {
      const socket = await connect();
      const events = [
        'probe:echo',
        'probe:nothing',
        'probe:observable',
        'probe:push',
        'probe:throw-sync',
        'probe:reject',
        'probe:observable-error',
        'probe:filter-rethrow',
        'probe:app-error',
        'probe:unserializable',
        'probe:does-not-exist',
        '$ping',
        '$nope',
      ];
      const replies = await Promise.all(
        events.map((event, i) => socket.request(event, { n: i }, `once-${i}`)),
      );
      replies.forEach((reply, i) => {
        expect(reply['id']).toBe(`once-${i}`);
        expect(Number('data' in reply) + Number('error' in reply)).toBe(1);
      });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });

    it('replies data: null when the handler returns nothing', async () => {
      const socket = await connect();
      const reply = await socket.request('probe:nothing', undefined, 'n');
      expect(reply).toEqual({ id: 'n', data: null });
      expect('data' in reply).toBe(true);
    });

    it('sends the push of a WsResponse returned to a message without id', async () => {
      const socket = await connect();
      socket.send({ event: 'probe:push', data: { x: 1 } });
      expect(await socket.nextEvent('probe:pushed')).toEqual({
        event: 'probe:pushed',
        data: { x: 1 },
      });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });

    it('replies the first value of an Observable once when there is an id', async () => {
      const socket = await connect();
      expect(await socket.request('probe:observable', undefined, 'obs')).toEqual({
        id: 'obs',
        data: 1,
      });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });

    it('sends nothing for an Observable of plain values without id, and keeps serving', async () => {
      const socket = await connect();
      socket.send({ event: 'probe:observable' });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });

    it('$ping with an id replies {t: server ms}', async () => {
      const socket = await connect();
      const before = Date.now();
      const reply = await socket.request('$ping', undefined, 'p');
      const after = Date.now();
      expect(reply).toEqual({ id: 'p', data: { t: expect.any(Number) as number } });
      const t = (reply['data'] as { t: number }).t;
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(after);
    });

    it('$auth with a fresh token for the same sub replies {expiresAt} and replaces the principal', async () => {
      const socket = await connect('u-refresh');
      const fresh = sign('u-refresh', { v: 2 }, 7200);
      const exp = (jwt.decode(fresh) as { exp: number }).exp;
      expect(await socket.request('$auth', { token: fresh }, 'auth')).toEqual({
        id: 'auth',
        data: { expiresAt: exp * 1000 },
      });
      const [connection] = app.get(ConnectionRegistry).connectionsOf('u-refresh');
      expect(connection?.principal.claims['v']).toBe(2);
      expect(connection?.principal.expiresAt).toBe(exp * 1000);
    });

    it('$auth with a token of another user or an invalid token replies UNAUTHORIZED; the socket stays open', async () => {
      const socket = await connect('u-owner');
      const other = sign('u-intruder');
      const cases = [
        other,
        `${sign('u-owner').slice(0, -4)}AAAA`,
        sign('u-owner', {}, -60),
        jwt.sign({ sub: 'u-owner' }, 'another-secret-that-is-long-enough-0123456789', {
          algorithm: 'HS256',
        }),
        'not-a-jwt',
      ];
      for (const [i, token] of cases.entries()) {
        const reply = await socket.request('$auth', { token }, `bad-auth-${i}`);
        expect(reply).toEqual({
          id: `bad-auth-${i}`,
          error: { code: 'UNAUTHORIZED', message: expect.any(String) as string },
        });
        expect(JSON.stringify(reply)).not.toContain(token);
      }
      const whoami = await socket.request('probe:whoami', undefined, 'who');
      expect(whoami['data']).toMatchObject({ userId: 'u-owner' });
      expect(app.get(ConnectionRegistry).connectionsOf('u-intruder')).toEqual([]);
    });

    it('$auth without a token string is refused with a coded error, not INTERNAL', async () => {
      const socket = await connect();
      for (const data of [undefined, {}, { token: 5 }, 'token']) {
        const reply = await socket.request('$auth', data);
        const error = reply['error'] as { code: string };
        expect(['VALIDATION_FAILED', 'BAD_MESSAGE']).toContain(error.code);
      }
    });

    it('an unknown reserved event replies UNKNOWN_EVENT, or pushes $error naming it', async () => {
      const socket = await connect();
      expect(await socket.request('$foo', {}, 'foo')).toEqual({
        id: 'foo',
        error: { code: 'UNKNOWN_EVENT', message: expect.any(String) as string },
      });
      socket.send({ event: '$foo' });
      expect(await socket.nextEvent('$error')).toEqual({
        event: '$error',
        data: { code: 'UNKNOWN_EVENT', message: expect.any(String) as string, event: '$foo' },
      });
    });

    it('one connection reaches the handlers of every gateway on its path', async () => {
      const socket = await connect();
      expect(await socket.request('probe:echo', 'one', 1)).toEqual({ id: 1, data: 'one' });
      expect(await socket.request('second:hello', undefined, 2)).toEqual({
        id: 2,
        data: 'from second gateway',
      });
    });

    it('@Principal, @CurrentConnection and @ConnectedSocket give the sender', async () => {
      const socket = await connect('u-who');
      const reply = await socket.request('probe:whoami', undefined, 'w');
      const [connection] = app.get(ConnectionRegistry).connectionsOf('u-who');
      expect(reply).toEqual({
        id: 'w',
        data: { userId: 'u-who', sub: 'u-who', connectionId: connection?.id, sameSocket: true },
      });
    });

    it('an unserializable result replies INTERNAL and the socket keeps working', async () => {
      const socket = await connect();
      expect(await socket.request('probe:unserializable', undefined, 'big')).toEqual({
        id: 'big',
        error: INTERNAL,
      });
      expect(await socket.request('probe:echo', 'next', 'next')).toEqual({
        id: 'next',
        data: 'next',
      });
    });
  });
});

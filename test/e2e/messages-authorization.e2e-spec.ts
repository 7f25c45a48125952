import { sign, useMessagesHarness } from '../support/messages-harness.js';

/**
 * A6: per-message authorization (FORBIDDEN for a handler guarded by the admin role).
 */

describe('messages (protocol 2-4, reliability C, A6, A13)', () => {
  const { connect } = useMessagesHarness();

  describe('A6: per-message authorization', () => {
    it('a token without the admin role gets FORBIDDEN and the socket stays open', async () => {
      for (const claims of [{}, { role: 'user' }, { role: ['admin'] }, { roles: ['admin'] }]) {
        const socket = await connect('u-user', { token: sign('u-user', claims) });
        const reply = await socket.request('probe:admin', undefined, 'adm');
        expect(reply).toEqual({
          id: 'adm',
          error: { code: 'FORBIDDEN', message: expect.any(String) as string },
        });
        expect(JSON.stringify(reply)).not.toContain('secret admin data');
        expect(await socket.request('probe:echo', 'open', 'open')).toEqual({
          id: 'open',
          data: 'open',
        });
      }
    });

    it('a FORBIDDEN without id is a $error push naming the event', async () => {
      const socket = await connect('u-user');
      socket.send({ event: 'probe:admin' });
      expect(await socket.nextEvent('$error')).toEqual({
        event: '$error',
        data: { code: 'FORBIDDEN', message: expect.any(String) as string, event: 'probe:admin' },
      });
    });

    it('a token with role admin gets the data', async () => {
      const socket = await connect('u-admin', { token: sign('u-admin', { role: 'admin' }) });
      expect(await socket.request('probe:admin', undefined, 'adm')).toEqual({
        id: 'adm',
        data: 'secret admin data',
      });
    });
  });
});

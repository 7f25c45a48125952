import { useMessagesHarness } from '../support/messages-harness.js';
import { watchProcessProblems } from '../support/process-problems.js';

/**
 * A13: failing and slow handleConnection hooks.
 */

describe('messages (protocol 2-4, reliability C, A6, A13)', () => {
  const { connect, expectAlive } = useMessagesHarness();

  describe('A13: failing handleConnection hooks', () => {
    it.each(['throw', 'reject', 'observable'])(
      'mode=%s: closed with 1011, no handler runs, no unhandled rejection, alive',
      async (mode) => {
        const watch = watchProcessProblems();
        try {
          const socket = await connect('u-hook', { path: `/hooks?mode=${mode}` });
          socket.send({ event: 'hooks:ping', id: 'early' });
          expect((await socket.closed).code).toBe(1011);
          expect(socket.pending()).toEqual([]);
          await expectAlive();
          const fine = await connect('u-hook', { path: '/hooks' });
          expect(await fine.request('hooks:ping', undefined, 'p')).toEqual({
            id: 'p',
            data: 'pong',
          });
          expect(watch.seen).toEqual([]);
        } finally {
          watch.stop();
        }
      },
    );

    it('mode=slow: messages sent right after open are handled, in order, once the hook settles', async () => {
      const socket = await connect('u-slow', { path: '/hooks?mode=slow' });
      for (const id of [1, 2, 3]) socket.send({ event: 'hooks:ping', id });
      // In order of arrival: the three replies, nothing else.
      const replies = [await socket.next(), await socket.next(), await socket.next()];
      expect(replies).toEqual([1, 2, 3].map((id) => ({ id, data: 'pong' })));
      expect(await socket.request('hooks:ping', undefined, 'later')).toEqual({
        id: 'later',
        data: 'pong',
      });
      expect(socket.pending()).toEqual([]);
    });
  });
});

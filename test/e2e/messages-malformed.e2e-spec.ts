import { useMessagesHarness } from '../support/messages-harness.js';

/**
 * Reliability C1 and C2: malformed frames, unknown and missing events, and bad ids.
 */

describe('messages (protocol 2-4, reliability C, A6, A13)', () => {
  const { connect, barrier, expectAlive } = useMessagesHarness();

  describe('C1: malformed frames', () => {
    it.each([
      ['not JSON', 'not json{'],
      ['an empty frame', ''],
      ['null', 'null'],
      ['an array', '[]'],
      ['a number', '42'],
      ['a string', '"chat:send"'],
    ])('%s: $error BAD_MESSAGE without id', async (_name, frame) => {
      const socket = await connect();
      socket.send(frame);
      const push = await socket.nextEvent('$error');
      expect(push).toEqual({
        event: '$error',
        data: { code: 'BAD_MESSAGE', message: expect.any(String) as string },
      });
      expect(push).not.toHaveProperty('id');
      expect(await socket.request('probe:echo', 'ok', 'ok')).toEqual({ id: 'ok', data: 'ok' });
    });

    it('closes with 1008 after more than 20 malformed frames in the window; alive', async () => {
      const socket = await connect();
      for (let i = 0; i < 25; i++) socket.send(i % 2 ? 'not json{' : '[]');
      expect((await socket.closed).code).toBe(1008);
      const errors = socket.pending();
      expect(errors).toHaveLength(20);
      for (const e of errors)
        expect(e).toMatchObject({ event: '$error', data: { code: 'BAD_MESSAGE' } });
      await expectAlive();
    });

    it('counts malformed frames per connection: another socket of the same user is unaffected', async () => {
      const noisy = await connect('u-same');
      const quiet = await connect('u-same');
      for (let i = 0; i < 21; i++) noisy.send('nope');
      expect((await noisy.closed).code).toBe(1008);
      expect(await quiet.request('probe:echo', 'fine', 'q')).toEqual({ id: 'q', data: 'fine' });
    });
  });

  describe('C2: unknown and missing events, bad ids', () => {
    it('an unknown event replies UNKNOWN_EVENT with the request id', async () => {
      const socket = await connect();
      expect(await socket.request('probe:nope', { a: 1 }, 3)).toEqual({
        id: 3,
        error: { code: 'UNKNOWN_EVENT', message: expect.any(String) as string },
      });
    });

    it('an event of another path is unknown on this one', async () => {
      const socket = await connect();
      expect((await socket.request('hooks:ping', undefined, 'h'))['error']).toMatchObject({
        code: 'UNKNOWN_EVENT',
      });
    });

    it('an unknown event without id is a $error push naming the event', async () => {
      const socket = await connect();
      socket.send({ event: 'chat:sned', data: { text: 'hi' } });
      const push = await socket.nextEvent('$error');
      expect(push).toEqual({
        event: '$error',
        data: { code: 'UNKNOWN_EVENT', message: expect.any(String) as string, event: 'chat:sned' },
      });
      expect(JSON.stringify(push)).not.toContain('"hi"');
    });

    it.each([
      ['missing', {}],
      ['empty', { event: '' }],
      ['a number', { event: 42 }],
      ['129 characters', { event: 'e'.repeat(129) }],
      ['null', { event: null }],
    ])('event %s with an id: BAD_MESSAGE with that id', async (_name, fields) => {
      const socket = await connect();
      socket.send({ ...fields, id: 4, data: { x: 1 } });
      expect(await socket.next((m) => m['id'] === 4)).toEqual({
        id: 4,
        error: { code: 'BAD_MESSAGE', message: expect.any(String) as string },
      });
    });

    it('an event of 128 characters is a valid (unknown) event', async () => {
      const socket = await connect();
      expect((await socket.request('e'.repeat(128), undefined, 'len'))['error']).toMatchObject({
        code: 'UNKNOWN_EVENT',
      });
    });

    it.each([
      ['a float', 1.5],
      ['an object', { n: 1 }],
      ['an array', [1]],
      ['a 65-character string', 'x'.repeat(65)],
      ['a boolean', true],
      ['null', null],
      ['an unsafe integer', 2 ** 53],
    ])('id as %s: $error BAD_MESSAGE, no reply with that id', async (_name, id) => {
      const socket = await connect();
      socket.send({ event: 'probe:echo', data: 'x', id });
      expect(await socket.nextEvent('$error')).toEqual({
        event: '$error',
        data: { code: 'BAD_MESSAGE', message: expect.any(String) as string },
      });
      await barrier(socket);
      expect(socket.pending()).toEqual([]);
    });
  });
});

import { Opcode } from '../support/frames.js';
import {
  closeCodeOf,
  closeFrame,
  frame,
  json,
  text,
  useFramingApp,
} from '../support/framing-kit.js';

/**
 * Reliability catalogue section B (RFC 6455 framing): fragmented messages and control frames,
 * pings in a message and close frames, valid and malformed.
 */

describe('framing (reliability B)', () => {
  const { openRaw, expectAlive, closeCodeAfter } = useFramingApp();

  describe('B2: valid fragmentation and control frames', () => {
    it('delivers a fragmented message with a ping in the middle once, with one pong', async () => {
      const raw = await openRaw();
      raw.send(
        frame(Opcode.TEXT, '{"event":"probe:echo",', { fin: false }),
        frame(Opcode.PING, 'mid'),
        frame(Opcode.CONTINUATION, '"id":1,"data":', { fin: false }),
        frame(Opcode.CONTINUATION, '"fragmented"}'),
      );
      const first = await raw.untilReply(1);
      // Barrier: a later request through the same handler path; its reply must come after any duplicate.
      raw.send(frame(Opcode.TEXT, JSON.stringify({ event: 'probe:echo', data: 'barrier', id: 2 })));
      const rest = await raw.untilReply(2);
      const all = [...first, ...rest];
      expect(all.map((f) => [f.opcode, text(f)])).toEqual([
        [Opcode.PONG, 'mid'],
        [Opcode.TEXT, JSON.stringify({ id: 1, data: 'fragmented' })],
        [Opcode.TEXT, JSON.stringify({ id: 2, data: 'barrier' })],
      ]);
    });

    it('accepts a multi-byte character split across fragments', async () => {
      const raw = await openRaw();
      const message = Buffer.from(
        JSON.stringify({ event: 'probe:echo', data: 'caf\u00e9 \u{1f600}', id: 1 }),
      );
      const cut = message.indexOf(Buffer.from('\u{1f600}')) + 2; // inside the 4-byte emoji
      raw.send(
        frame(Opcode.TEXT, message.subarray(0, cut), { fin: false }),
        frame(Opcode.CONTINUATION, message.subarray(cut)),
      );
      expect(json(await raw.nextFrame())).toEqual({ id: 1, data: 'caf\u00e9 \u{1f600}' });
    });

    it('handles a message written one byte per TCP write', async () => {
      const raw = await openRaw();
      await raw.sendBytewise(
        frame(Opcode.TEXT, JSON.stringify({ event: 'probe:echo', data: 'slow', id: 1 })),
      );
      expect(json(await raw.nextFrame())).toEqual({ id: 1, data: 'slow' });
    });

    it('answers 10 pings sent in a burst with 10 pongs, in order', async () => {
      const raw = await openRaw();
      const payloads = Array.from({ length: 10 }, (_, i) => `p${i}`);
      raw.send(...payloads.map((p) => frame(Opcode.PING, p)));
      raw.send(frame(Opcode.TEXT, JSON.stringify({ event: '$ping', id: 'after' })));
      const seen = await raw.untilReply('after');
      expect(seen.slice(0, -1).map((f) => [f.opcode, text(f)])).toEqual(
        payloads.map((p) => [Opcode.PONG, p]),
      );
    });
  });

  describe('B4: malformed close frames', () => {
    it.each([0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535])(
      'close code %i: close 1002, alive',
      async (code) => {
        expect((await closeCodeAfter(closeFrame(code))).code).toBe(1002);
        await expectAlive();
      },
    );

    it('a close frame with a 1-byte payload: close 1002', async () => {
      expect((await closeCodeAfter(frame(Opcode.CLOSE, Buffer.from([0x03])))).code).toBe(1002);
      await expectAlive();
    });

    it('a close frame with a 126-byte payload: close 1002', async () => {
      expect((await closeCodeAfter(closeFrame(1000, 'x'.repeat(124)))).code).toBe(1002);
      await expectAlive();
    });

    it('a close reason that is not UTF-8: close 1007', async () => {
      expect((await closeCodeAfter(closeFrame(1000, Buffer.from([0xff, 0xfe])))).code).toBe(1007);
      await expectAlive();
    });

    it.each([1000, 1001, 3000, 4999])(
      'a valid close code %i is answered with a close frame',
      async (code) => {
        const raw = await openRaw();
        raw.send(closeFrame(code, 'bye'));
        const { before, close } = await raw.untilClose();
        expect(before).toEqual([]);
        expect(closeCodeOf(close)).toBe(code);
        await raw.ended;
      },
    );

    it('an empty close frame is answered with an empty close frame', async () => {
      const raw = await openRaw();
      raw.send(closeFrame(undefined));
      const { close } = await raw.untilClose();
      expect(close.payload.length).toBe(0);
      await raw.ended;
    });
  });
});

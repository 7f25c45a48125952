import { Opcode } from '../support/frames.js';
import { frame, json, useFramingApp } from '../support/framing-kit.js';

/**
 * Reliability catalogue section B (RFC 6455 framing): frames the server must refuse, protocol
 * violations (1002) and invalid UTF-8 (1007), written raw on a TCP socket after a valid upgrade.
 */

describe('framing (reliability B)', () => {
  const { openRaw, expectAlive, closeCodeAfter } = useFramingApp();

  it('a raw client speaks the protocol when it follows RFC 6455 (control case)', async () => {
    const raw = await openRaw();
    raw.send(frame(Opcode.TEXT, JSON.stringify({ event: 'probe:echo', data: 'raw', id: 1 })));
    const reply = await raw.nextFrame();
    expect(reply.opcode).toBe(Opcode.TEXT);
    expect(reply.masked).toBe(false);
    expect(json(reply)).toEqual({ id: 1, data: 'raw' });
  });

  describe('B1: protocol violations close with 1002', () => {
    const ping = JSON.stringify({ event: '$ping', id: 1 });
    const cases: [string, () => Buffer[]][] = [
      ['RSV1 set without a negotiated extension', () => [frame(Opcode.TEXT, ping, { rsv: 4 })]],
      ['RSV2 set', () => [frame(Opcode.TEXT, ping, { rsv: 2 })]],
      ['RSV3 set', () => [frame(Opcode.TEXT, ping, { rsv: 1 })]],
      ['RSV bits set on a ping', () => [frame(Opcode.PING, 'x', { rsv: 7 })]],
      ['reserved non-control opcode 0x3', () => [frame(0x3, ping)]],
      ['reserved non-control opcode 0x7', () => [frame(0x7, ping)]],
      ['reserved control opcode 0xB', () => [frame(0xb, 'x')]],
      ['reserved control opcode 0xF', () => [frame(0xf, 'x')]],
      ['an unmasked client frame', () => [frame(Opcode.TEXT, ping, { mask: null })]],
      ['a ping with a 126-byte payload', () => [frame(Opcode.PING, 'x'.repeat(126))]],
      ['a fragmented ping (FIN clear)', () => [frame(Opcode.PING, 'part', { fin: false })]],
      ['a continuation frame with nothing to continue', () => [frame(Opcode.CONTINUATION, ping)]],
      [
        'a new text frame inside a fragmented message',
        () => [frame(Opcode.TEXT, '{"event":', { fin: false }), frame(Opcode.TEXT, '"$ping"}')],
      ],
    ];

    it.each(cases)('%s: close 1002, no reply, alive', async (_name, bytes) => {
      const { code, before } = await closeCodeAfter(...bytes());
      expect(code).toBe(1002);
      expect(before).toEqual([]);
      await expectAlive();
    });
  });

  describe('B3: invalid UTF-8 closes with 1007', () => {
    const cases: [string, () => Buffer[]][] = [
      ['a lone 0xFF byte', () => [frame(Opcode.TEXT, Buffer.from([0x7b, 0xff, 0x7d]))]],
      [
        'an overlong encoding of "/"',
        () => [frame(Opcode.TEXT, Buffer.from([0x22, 0xc0, 0xaf, 0x22]))],
      ],
      [
        'a UTF-16 surrogate encoded in UTF-8',
        () => [frame(Opcode.TEXT, Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]))],
      ],
      [
        'a truncated sequence at the end of a fragmented message',
        () => [
          frame(Opcode.TEXT, '{"event":"probe:echo","data":"', { fin: false }),
          frame(Opcode.CONTINUATION, Buffer.from([0xe2, 0x82])),
        ],
      ],
    ];

    it.each(cases)('%s: close 1007, no reply, alive', async (_name, bytes) => {
      const { code, before } = await closeCodeAfter(...bytes());
      expect(code).toBe(1007);
      expect(before).toEqual([]);
      await expectAlive();
    });
  });
});

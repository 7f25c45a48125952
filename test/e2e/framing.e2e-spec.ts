import type { INestApplication } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { randomBytes } from 'node:crypto';
import { ConnectionRegistry } from '../../src/server/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { buildFrame, Opcode, type Frame } from '../support/frames.js';
import { startProbeApp } from '../support/probe-app.js';
import { RawWs } from '../support/raw-ws.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * Reliability catalogue section B (RFC 6455 framing and limits): raw frames written on a TCP
 * socket after a valid upgrade, and `ws` clients for the cases a normal client can produce.
 */

const sign = (sub: string): string =>
  jwt.sign({ sub }, TEST_SECRET, { algorithm: 'HS256', expiresIn: '1h' });

/** The close code carried by a close frame (1005 when it has none). */
function closeCodeOf(frame: Frame): number {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
}

/** A masked frame; `rsv` (0-7) sets RSV1..RSV3 in the first byte. */
function frame(
  opcode: number,
  payload: Buffer | string,
  options: { fin?: boolean; rsv?: number; mask?: Buffer | null } = {},
): Buffer {
  const bytes = buildFrame(opcode, payload, options);
  bytes[0] = (bytes[0] ?? 0) | (((options.rsv ?? 0) & 0x7) << 4);
  return bytes;
}

/** A masked text frame header declaring `length` bytes (64-bit length), followed by `sample` bytes only. */
function claimedLengthFrame(length: number, sample = 16): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x80 | Opcode.TEXT;
  header[1] = 0x80 | 127;
  header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  header.writeUInt32BE(length % 2 ** 32, 6);
  randomBytes(4).copy(header, 10);
  return Buffer.concat([header, Buffer.alloc(sample, 0x61)]);
}

/** A close frame sent by the client with a raw payload (code and reason bytes). */
function closeFrame(code: number | undefined, reason: Buffer | string = ''): Buffer {
  if (code === undefined) return frame(Opcode.CLOSE, Buffer.alloc(0));
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code, 0);
  const tail = typeof reason === 'string' ? Buffer.from(reason) : reason;
  return frame(Opcode.CLOSE, Buffer.concat([head, tail]));
}

const text = (f: Frame): string => f.payload.toString('utf8');
const json = (f: Frame): Record<string, unknown> => JSON.parse(text(f)) as Record<string, unknown>;

describe('framing (reliability B)', () => {
  let app: INestApplication;
  let port: number;
  let baseUrl: string;
  const raws: RawWs[] = [];
  const sockets: TestSocket[] = [];
  const others: { close(): Promise<void> }[] = [];

  const openRaw = async (sub = 'u-raw'): Promise<RawWs> => {
    const raw = await RawWs.open(port, sign(sub));
    raws.push(raw);
    return raw;
  };
  const openWs = async (sub: string, url = baseUrl): Promise<TestSocket> => {
    const socket = await TestSocket.connect(url, { token: sign(sub) });
    sockets.push(socket);
    return socket;
  };
  /** "Alive": a fresh valid connection is accepted and served. */
  const expectAlive = async (url = baseUrl): Promise<void> => {
    const socket = await openWs('u-alive', url);
    expect(await socket.request('probe:echo', 'still here', 'alive')).toEqual({
      id: 'alive',
      data: 'still here',
    });
  };
  /** Sends the bytes on a fresh raw connection and returns the code of the server's close frame. */
  const closeCodeAfter = async (...bytes: Buffer[]): Promise<{ code: number; before: Frame[] }> => {
    const raw = await openRaw();
    raw.send(...bytes);
    const { before, close } = await raw.untilClose();
    // After a protocol error the server does not wait for our close frame: it ends the TCP connection.
    await raw.ended;
    return { code: closeCodeOf(close), before };
  };

  beforeAll(async () => {
    ({ app, port, baseUrl } = await startProbeApp());
  });
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.destroy();
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(others.splice(0).map((o) => o.close()));
  });
  afterAll(async () => {
    await app.close();
  });

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

  describe('B5: message size limits', () => {
    const messageOfLength = (length: number): string => {
      const empty = JSON.stringify({ event: 'probe:echo', id: 1, data: '' });
      return JSON.stringify({
        event: 'probe:echo',
        id: 1,
        data: 'x'.repeat(length - empty.length),
      });
    };

    it('accepts a message of exactly maxPayload (default 65536 bytes)', async () => {
      const socket = await openWs('u-size');
      const message = messageOfLength(65536);
      expect(Buffer.byteLength(message)).toBe(65536);
      socket.send(message);
      const reply = await socket.next((m) => m['id'] === 1);
      expect((reply['data'] as string).length).toBe(
        65536 - JSON.stringify({ event: 'probe:echo', id: 1, data: '' }).length,
      );
    });

    it('closes with 1009 on a message one byte over maxPayload, alive', async () => {
      const socket = await openWs('u-size');
      socket.send(messageOfLength(65537));
      expect((await socket.closed).code).toBe(1009);
      expect(socket.pending()).toEqual([]);
      await expectAlive();
    });

    it('closes with 1009 when fragments add up to more than maxPayload', async () => {
      const { code, before } = await closeCodeAfter(
        frame(Opcode.TEXT, 'x'.repeat(40000), { fin: false }),
        frame(Opcode.CONTINUATION, 'x'.repeat(40000)),
      );
      expect(code).toBe(1009);
      expect(before).toEqual([]);
      await expectAlive();
    });

    it.each([
      ['2^53', 2 ** 53],
      ['2^53 - 1', 2 ** 53 - 1],
      ['2^40', 2 ** 40],
      ['maxPayload + 1', 65537],
    ])(
      'closes with 1009 on a header claiming %s bytes, without waiting for them, alive',
      async (_name, length) => {
        const { code, before } = await closeCodeAfter(claimedLengthFrame(length));
        expect(code).toBe(1009);
        expect(before).toEqual([]);
        await expectAlive();
      },
    );

    it('applies a configured maxPayload (1024 bytes)', async () => {
      const small = await startProbeApp({ maxPayload: 1024 });
      others.push({ close: () => small.app.close() });
      const ok = await TestSocket.connect(small.baseUrl, { token: sign('u-small') });
      sockets.push(ok);
      ok.send(messageOfLength(1024));
      expect(await ok.next((m) => m['id'] === 1)).toMatchObject({ id: 1 });
      const big = await TestSocket.connect(small.baseUrl, { token: sign('u-small') });
      sockets.push(big);
      big.send(messageOfLength(1025));
      expect((await big.closed).code).toBe(1009);
      await expectAlive(small.baseUrl);
    });
  });

  describe('B8: binary frames', () => {
    it('closes with 1003 and runs no handler for a binary frame holding a valid request', async () => {
      const registry = app.get(ConnectionRegistry);
      const joined: string[] = [];
      const original = registry.join.bind(registry);
      registry.join = (connection, room) => {
        joined.push(room);
        return original(connection, room);
      };
      try {
        const socket = await openWs('u-binary');
        const request = Buffer.from(JSON.stringify({ event: 'probe:rooms', id: 1 }));
        socket.ws.send(request, { binary: true });
        expect(await socket.closed).toEqual({ code: 1003, reason: expect.any(String) as string });
        expect(socket.pending()).toEqual([]);
        // Barrier: a later connection's request through the same handler path is served first.
        const other = await openWs('u-binary-barrier');
        expect(await other.request('probe:echo', 'after', 'b')).toEqual({ id: 'b', data: 'after' });
        expect(joined).toEqual([]);
        expect(registry.localMembers('probe')).toEqual([]);
        // Control: the same request as text does reach the handler.
        expect(await other.request('probe:rooms', undefined, 'rooms')).toEqual({
          id: 'rooms',
          data: ['probe'],
        });
        expect(joined).toEqual(['probe']);
      } finally {
        registry.join = original;
      }
    });

    it('a raw binary frame gets close 1003; the closing handshake completes', async () => {
      const raw = await openRaw();
      raw.send(frame(Opcode.BINARY, Buffer.from(JSON.stringify({ event: '$ping', id: 1 }))));
      const { before, close } = await raw.untilClose();
      expect(before).toEqual([]);
      expect(closeCodeOf(close)).toBe(1003);
      raw.send(closeFrame(1003));
      await raw.ended;
      await expectAlive();
    });
  });
});

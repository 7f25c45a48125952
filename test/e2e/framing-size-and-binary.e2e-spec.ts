import type { INestApplication } from '@nestjs/common';
import { ConnectionRegistry } from '../../src/server/index.js';
import { Opcode } from '../support/frames.js';
import {
  claimedLengthFrame,
  closeCodeOf,
  closeFrame,
  frame,
  sign,
  useFramingApp,
} from '../support/framing-kit.js';
import { startProbeApp } from '../support/probe-app.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * Reliability catalogue section B (RFC 6455 framing and limits): message size limits (1009) and
 * binary frames (1003), with `ws` clients and raw frames.
 */

describe('framing (reliability B)', () => {
  const framing = useFramingApp();
  const { sockets, others, openRaw, openWs, expectAlive, closeCodeAfter } = framing;
  let app: INestApplication;

  beforeAll(() => {
    app = framing.app;
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

import { HttpException } from '@nestjs/common';
import { SubscribeMessage, WsException } from '@nestjs/websockets';
import { RealtimeGateway } from '../../src/server/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { INTERNAL, sign, useMessagesHarness } from '../support/messages-harness.js';
import { watchProcessProblems } from '../support/process-problems.js';
import { PROBE_GATEWAYS, ProbeGateway, startProbeApp } from '../support/probe-app.js';

/**
 * Reliability C7 and C8 and application codes: errors thrown by handlers, error hygiene in
 * replies and logs, and crash safety.
 */

/** Extra handlers for codes the probe gateways do not raise. */
@RealtimeGateway('/ws')
class ExtraGateway {
  @SubscribeMessage('extra:too-fast')
  tooFast(): never {
    throw new HttpException('Slow down', 429);
  }

  @SubscribeMessage('extra:expired')
  expired(): never {
    throw new HttpException('Session no longer valid', 401);
  }

  @SubscribeMessage('extra:ws-app-error')
  wsAppError(): never {
    throw new WsException({ code: 'ROOM_FULL', message: 'The room is full' });
  }

  @SubscribeMessage('extra:http-500')
  http500(): never {
    throw new HttpException('database down at db.internal:5432', 500);
  }
}

describe('messages (protocol 2-4, reliability C, A6, A13)', () => {
  const { connect, barrier, apps } = useMessagesHarness();

  describe('C7, C8 and app codes: handler errors', () => {
    it('C7: a leaking error becomes a generic INTERNAL; the log has the detail with tokens redacted', async () => {
      const logger = new CapturingLogger();
      const logged = await startProbeApp({}, PROBE_GATEWAYS, { logger });
      apps.push(logged.app);
      const handshakeToken = sign('u-leak');
      const socket = await connect('u-leak', { url: logged.baseUrl, token: handshakeToken });
      const payloadToken = sign('u-victim', { role: 'admin' });

      const reply = await socket.request('probe:leak', { token: payloadToken }, 'leak');
      expect(reply).toEqual({ id: 'leak', error: INTERNAL });
      socket.send({ event: 'probe:leak', data: { token: payloadToken } });
      const push = await socket.nextEvent('$error');
      expect(push).toEqual({ event: '$error', data: { ...INTERNAL, event: 'probe:leak' } });
      for (const text of [JSON.stringify(reply), JSON.stringify(push)]) {
        for (const secret of [
          's3cr3t',
          'hunter2',
          'SELECT',
          'postgres',
          'db.internal',
          '5432',
          payloadToken,
          'eyJ',
        ]) {
          expect(text).not.toContain(secret);
        }
      }

      const leakLines = logger.lines.filter(
        (l) => l.startsWith('error ') && l.includes('probe:leak'),
      );
      expect(leakLines).toHaveLength(2);
      for (const line of leakLines) {
        expect(line).toContain('postgres://admin:s3cr3t@db.internal:5432');
        expect(line).toContain("SELECT * FROM users WHERE password='hunter2'");
        expect(line).toContain('u-leak');
        expect(line).toContain('[REDACTED]');
      }
      const [, , signature] = payloadToken.split('.');
      for (const line of logger.lines) {
        expect(line).not.toContain(payloadToken);
        expect(line).not.toContain(handshakeToken);
        expect(line).not.toContain(signature!);
      }
    });

    it('C1: malformed frames and unknown events write no log line', async () => {
      const logger = new CapturingLogger();
      const logged = await startProbeApp({}, PROBE_GATEWAYS, { logger });
      apps.push(logged.app);
      const socket = await connect('u-quiet', { url: logged.baseUrl });
      await socket.request('probe:echo', 'warm-up', 'warm');
      const before = logger.lines.length;
      for (const text of ['not json{', '', 'null', '[]', '{"event":"probe:echo","id":1.5}'])
        socket.send(text);
      socket.send({ event: 'probe:unknown' });
      for (let i = 0; i < 6; i++) await socket.nextEvent('$error');
      await barrier(socket);
      expect(logger.lines.slice(before)).toEqual([]);
    });

    const failing = [
      'probe:throw-sync',
      'probe:reject',
      'probe:observable-error',
      'probe:filter-rethrow',
    ];

    it.each(failing)(
      'C8: %s replies INTERNAL; the same socket is served next; no unhandled rejection',
      async (event) => {
        const watch = watchProcessProblems();
        try {
          const socket = await connect();
          expect(await socket.request(event, { any: 'thing' }, 'fail')).toEqual({
            id: 'fail',
            error: INTERNAL,
          });
          socket.send({ event });
          expect(await socket.nextEvent('$error')).toEqual({
            event: '$error',
            data: { ...INTERNAL, event },
          });
          expect(await socket.request('probe:echo', 'next', 'next')).toEqual({
            id: 'next',
            data: 'next',
          });
          await barrier(socket);
          expect(socket.pending()).toEqual([]);
          expect(watch.seen).toEqual([]);
        } finally {
          watch.stop();
        }
      },
    );

    it('C8: a burst of failures on one socket is answered one by one', async () => {
      const watch = watchProcessProblems();
      try {
        const socket = await connect();
        const replies = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            socket.request(failing[i % failing.length]!, undefined, `f${i}`),
          ),
        );
        for (const r of replies) expect(r['error']).toEqual(INTERNAL);
        expect(await socket.request('probe:echo', 'after', 'after')).toEqual({
          id: 'after',
          data: 'after',
        });
        expect(watch.seen).toEqual([]);
      } finally {
        watch.stop();
      }
    });

    it('an app code raised by a handler reaches the client as is', async () => {
      const socket = await connect();
      expect(await socket.request('probe:app-error', undefined, 'turn')).toEqual({
        id: 'turn',
        error: { code: 'NOT_YOUR_TURN', message: 'Wait for the other player' },
      });
      socket.send({ event: 'probe:app-error' });
      expect(await socket.nextEvent('$error')).toEqual({
        event: '$error',
        data: {
          code: 'NOT_YOUR_TURN',
          message: 'Wait for the other player',
          event: 'probe:app-error',
        },
      });
    });

    it('HTTP-style exceptions map to protocol codes (RATE_LIMITED, UNAUTHORIZED, app code, INTERNAL)', async () => {
      const extra = await startProbeApp({}, [ProbeGateway, ExtraGateway]);
      apps.push(extra.app);
      const socket = await connect('u-extra', { url: extra.baseUrl });
      expect(await socket.request('extra:too-fast', undefined, 1)).toEqual({
        id: 1,
        error: { code: 'RATE_LIMITED', message: expect.any(String) as string },
      });
      expect((await socket.request('extra:expired', undefined, 2))['error']).toMatchObject({
        code: 'UNAUTHORIZED',
      });
      expect(await socket.request('extra:ws-app-error', undefined, 3)).toEqual({
        id: 3,
        error: { code: 'ROOM_FULL', message: 'The room is full' },
      });
      expect(await socket.request('extra:http-500', undefined, 4)).toEqual({
        id: 4,
        error: INTERNAL,
      });
      expect(await socket.request('probe:echo', 'ok', 5)).toEqual({ id: 5, data: 'ok' });
    });
  });
});

import type { INestApplication } from '@nestjs/common';
import { CapturingLogger } from '../support/capturing-logger.js';
import { sign } from '../support/messages-harness.js';
import { startProbeApp } from '../support/probe-app.js';
import { scrape } from '../support/scrape.js';
import { waitFor } from '../support/wait-for.js';
import { expectRefused, TestSocket } from '../support/ws-client.js';

/**
 * Issue 17, logs: one structured line per notable event (a refused upgrade with its code, a
 * close with its code, a handler error with its event and request id), through the app's Nest
 * logger, tokens redacted; malformed frames are counted, never logged one by one.
 */
describe('structured logs', () => {
  let app: INestApplication | undefined;
  const logger = new CapturingLogger();
  let baseUrl = '';
  const lines = (event: string) => logger.lines.filter((line) => line.includes(` ${event} `));

  beforeEach(async () => {
    logger.lines.length = 0;
    logger.levels.length = 0;
    const started = await startProbeApp(
      {
        metrics: true,
        limits: { messagesPerSecond: 1, messageBurst: 5, rateLimitedBeforeClose: 1 },
      },
      undefined,
      { logger },
    );
    app = started.app;
    baseUrl = started.baseUrl;
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('logs a refused upgrade with its status, code, path and address, never the token', async () => {
    const expired = sign('u-late', {}, -60);
    await expectRefused(baseUrl, { token: expired, tokenIn: 'query' });
    const [line] = lines('upgrade_refused');
    expect(line).toMatch(
      /^log upgrade_refused status=401 code=UNAUTHORIZED path=\/ws ip=\S+ reason="[^"]+"/,
    );
    expect(logger.lines.join('\n')).not.toContain(expired.split('.')[2]!);
  });

  it('logs a handler error with its event, request id, connection and user, and the stack', async () => {
    const socket = await TestSocket.connect(baseUrl, { token: sign('u-alice') });
    expect(await socket.request('probe:throw-sync', undefined, 'req-7')).toMatchObject({
      error: { code: 'INTERNAL' },
    });
    const [line] = lines('handler_failed');
    expect(line).toMatch(
      /^error handler_failed event=probe:throw-sync id=req-7 connection=\S+ user=u-alice error="[^"]+" [^]*\n\s+at /,
    );
    await socket.close();
  });

  it('counts malformed frames instead of logging them, and logs the close it leads to', async () => {
    const socket = await TestSocket.connect(baseUrl, { token: sign('u-bob') });
    for (let i = 0; i < 3; i++) {
      socket.send(`{broken ${i}`);
      await socket.nextEvent('$error');
    }
    expect(logger.lines.filter((line) => line.includes('broken'))).toEqual([]);
    const s = await scrape(`${baseUrl}/metrics`);
    expect(
      s.value('realtime_messages_received_total', { event: '(unknown)', outcome: 'BAD_MESSAGE' }),
    ).toBe(3);
    // Past the burst: RATE_LIMITED once, then 4429, logged by the server with its code.
    for (let i = 0; i < 10; i++) socket.send({ event: 'probe:echo', data: i, id: i });
    expect((await socket.closed).code).toBe(4429);
    await waitFor(() => lines('connection_closed').length > 0, 'the close line');
    expect(lines('connection_closed')[0]).toMatch(
      /^log connection_closed code=4429 by=server connection=\S+ user=u-bob reason="[^"]+" RealtimeAdapter$/,
    );
  });

  it('logs an ordinary close by the peer at debug level', async () => {
    const socket = await TestSocket.connect(baseUrl, { token: sign('u-carol') });
    await socket.close(1000);
    await waitFor(() => lines('connection_closed').length > 0, 'the close line');
    expect(lines('connection_closed')[0]).toMatch(
      /^debug connection_closed code=1000 by=peer connection=\S+ user=u-carol RealtimeAdapter$/,
    );
  });
});

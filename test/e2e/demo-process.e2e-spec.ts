import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { startDemoProcess } from '../support/demo-process.js';
import { expectRefused, TestSocket } from '../support/ws-client.js';

/**
 * The demo as `npm start` runs it (the built `dist/demo/main.js`, which `npm test` builds
 * first): it serves chat, ticker and game on one path, and SIGTERM drains clients with 1001
 * and exits 0.
 */

const startDemo = () =>
  startDemoProcess({
    NODE_ENV: 'development',
    SHUTDOWN_DRAIN_MS: '3000',
    TICKER_INTERVAL_MS: '50',
  });

describe('the demo process', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves chat, ticker and game on one connection; SIGTERM closes clients with 1001 and exits 0', async () => {
    const demo = await startDemo();
    child = demo.child;
    const res = await fetch(`${demo.baseUrl}/auth/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice' }),
    });
    const { token } = (await res.json()) as { token: string };
    const refused = await expectRefused(demo.baseUrl, { token: 'not-a-token' });
    expect(refused.status).toBe(401);

    const socket = await TestSocket.connect(demo.baseUrl, { token });
    expect((await socket.request('chat:join', { room: 'general' }))['data']).toMatchObject({
      room: 'general',
    });
    expect((await socket.request('ticker:subscribe', { symbols: ['ACME'] }))['data']).toEqual({
      prices: { ACME: expect.any(Number) },
    });
    expect((await socket.nextEvent('ticker:tick'))['data']).toMatchObject({ symbol: 'ACME' });
    expect((await socket.request('game:join', {}))['data']).toMatchObject({ mark: 'X' });

    const exited = once(demo.child, 'exit');
    demo.child.kill('SIGTERM');
    expect(await socket.closed).toEqual({ code: 1001, reason: 'Server shutting down' });
    const [code, signal] = (await exited) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // Tokens never reach the logs.
    expect(demo.output.join('')).not.toContain(token.split('.')[2]);
  });
});

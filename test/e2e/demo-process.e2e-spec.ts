import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { TEST_SECRET } from '../support/demo-app.js';
import { expectRefused, TestSocket } from '../support/ws-client.js';

/**
 * The demo as `npm start` runs it (the built `dist/demo/main.js`, which `npm test` builds
 * first): it serves chat, ticker and game on one path, and SIGTERM drains clients with 1001
 * and exits 0.
 */

const MAIN = 'dist/demo/main.js';

function startDemoProcess(): Promise<{ child: ChildProcess; baseUrl: string; output: string[] }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: '0',
      NODE_ENV: 'development',
      NO_COLOR: '1',
      JWT_SECRET: TEST_SECRET,
      SHUTDOWN_DRAIN_MS: '3000',
      TICKER_INTERVAL_MS: '50',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /Demo on (http:\/\/localhost:\d+)/.exec(output.join(''));
      if (match) resolve({ child, baseUrl: match[1]!, output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`demo exited with ${code}: ${output.join('')}`)));
  });
}

describe('the demo process', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('serves chat, ticker and game on one connection; SIGTERM closes clients with 1001 and exits 0', async () => {
    const demo = await startDemoProcess();
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

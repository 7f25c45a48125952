import 'reflect-metadata';
import { startDemo, type RunningApp } from '../support/demo-app.js';
import { closeScoped, expectRefusal, open, scoped, sign } from '../support/handshake-kit.js';
import { HookGateway, startProbeApp } from '../support/probe-app.js';

/** Handshake, the Origin check: an allow-list, or same-origin by default. */

afterEach(closeScoped);

// ---------------------------------------------------------------------------------------------

describe('A7: Origin allow-list', () => {
  let strict: RunningApp;

  beforeAll(async () => {
    strict = await startDemo({
      allowedOrigins: ['https://app.example.com', 'http://localhost:4200'],
    });
  });
  afterAll(async () => {
    await strict?.close();
  });

  it.each([
    'https://evil.example',
    'null',
    'https://app.example.com.evil.io',
    'http://localhost:4200.evil.io',
    'http://app.example.com',
    'https://localhost:4200',
    'https://app.example.com:8443',
    'http://localhost:4201',
    'https://app.example.com/',
    'https://sub.app.example.com',
  ])('refuses Origin %s with 403 FORBIDDEN', async (origin) => {
    await expectRefusal(
      strict.baseUrl,
      { token: sign({ sub: 'u-origin' }), origin },
      403,
      'FORBIDDEN',
    );
  });

  it.each(['https://app.example.com', 'http://localhost:4200'])(
    'accepts the allowed Origin %s',
    async (origin) => {
      const socket = await open(strict.baseUrl, { token: sign({ sub: 'u-origin' }), origin });
      expect((await socket.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
    },
  );

  it("same-origin (the default) accepts the server's own origin only, without running a hook", async () => {
    const app = await scoped(startProbeApp());
    const hooks = app.app.get(HookGateway);
    const token = sign({ sub: 'u-origin' });
    for (const origin of [
      `http://127.0.0.1:${app.port}.evil.io`,
      `http://localhost:${app.port}.evil.io`,
      `http://127.0.0.1:${app.port + 1}`,
      'https://evil.example',
      'null',
    ]) {
      await expectRefusal(app.baseUrl, { token, origin, path: '/hooks' }, 403, 'FORBIDDEN');
    }
    expect(hooks.connections).toBe(0);
    const socket = await open(app.baseUrl, {
      token,
      origin: `http://127.0.0.1:${app.port}`,
      path: '/hooks',
    });
    expect(await socket.request('hooks:ping')).toMatchObject({ data: 'pong' });
    expect(hooks.connections).toBe(1);
  });
});

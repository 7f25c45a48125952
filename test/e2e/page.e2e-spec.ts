import { startDemo, type RunningApp } from '../support/demo-app.js';

/**
 * The demo serves its web page next to the API and the WebSocket path. It reads the page from
 * dist/ (`npm test` builds first); the page itself is tested in a browser by
 * `npm run test:browser` (test/browser).
 */
describe('the demo serves its web page', () => {
  let demo: RunningApp;
  beforeAll(async () => {
    demo = await startDemo();
  });
  afterAll(() => demo.close());

  const get = (path: string) => fetch(`${demo.baseUrl}${path}`);

  it('answers GET / with the page, under a strict Content-Security-Policy', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/app.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves the page script, which imports the SDK from its browser bundle', async () => {
    const app = await get('/app.js');
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toMatch(/javascript/);
    const script = await app.text();
    expect(script).toContain('from"/sdk/realtime-client.js"');
    expect(script).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);

    const sdk = await get('/sdk/realtime-client.js');
    expect(sdk.status).toBe(200);
    expect(sdk.headers.get('content-type')).toMatch(/javascript/);
    expect(await sdk.text()).toMatch(/export\{[^}]*RealtimeClient/);

    for (const path of ['/app.css', '/favicon.svg']) expect((await get(path)).status).toBe(200);
  });

  it('tells the page its WebSocket path and whether tokens outlive a restart', async () => {
    const res = await get('/page-config.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const config = (await res.json()) as Record<string, unknown>;
    expect(config).toEqual({
      wsPath: '/ws',
      devTokens: true,
      bootId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      tokensSurviveRestart: true,
    });
    expect(((await (await get('/page-config.json')).json()) as typeof config)['bootId']).toBe(
      config['bootId'],
    );
  });

  it('leaves unknown paths, the API and the WebSocket path to the app', async () => {
    const missing = await get('/nothing-here.js');
    expect(missing.status).toBe(404);
    expect((await get('/health')).status).toBe(200);
    const socket = await demo.connect({ name: 'alice' });
    const reply = await socket.request('chat:join', { room: 'lobby' });
    expect(reply['data']).toMatchObject({ room: 'lobby' });
    await socket.close();
  });

  it('says when tokens die with a restart, and when dev tokens are off', async () => {
    const other = await startDemo({ jwtSecretGenerated: true, devTokens: false });
    try {
      const config = (await (await fetch(`${other.baseUrl}/page-config.json`)).json()) as Record<
        string,
        unknown
      >;
      expect(config).toMatchObject({ devTokens: false, tokensSurviveRestart: false });
      expect((await fetch(`${other.baseUrl}/`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

import 'reflect-metadata';
import { ConnectionRegistry } from '../../src/server/index.js';
import {
  expectUnauthorized,
  nowSec,
  open,
  rawHead,
  scoped,
  sign,
  userIdOf,
  type App,
  useProbeApp,
} from '../support/handshake-kit.js';
import { HookGateway, startProbeApp } from '../support/probe-app.js';
import { rawUpgrade, upgradeRequest } from '../support/raw-http.js';

/** Handshake, where the token comes from: header, subprotocol, query, cookie, or nowhere. */

let probe: App;
useProbeApp((app) => (probe = app));

// ---------------------------------------------------------------------------------------------

describe('protocol section 1: token sources', () => {
  it('accepts the token from the Authorization header', async () => {
    const socket = await open(probe.baseUrl, {
      token: sign({ sub: 'u-header' }),
      tokenIn: 'header',
    });
    expect(await userIdOf(socket)).toBe('u-header');
  });

  it('accepts a bearer.<jwt> subprotocol next to realtime.v1, selects realtime.v1 and never echoes the token', async () => {
    const socket = await open(probe.baseUrl, {
      token: sign({ sub: 'u-subprotocol' }),
      tokenIn: 'subprotocol',
    });
    expect(socket.ws.protocol).toBe('realtime.v1');
    expect(await userIdOf(socket)).toBe('u-subprotocol');
  });

  it('accepts the access_token query parameter', async () => {
    const socket = await open(probe.baseUrl, { token: sign({ sub: 'u-query' }), tokenIn: 'query' });
    expect(await userIdOf(socket)).toBe('u-query');
  });

  it('ignores cookies when no cookie name is configured', async () => {
    await expectUnauthorized(probe.baseUrl, {
      headers: { Cookie: `rt=${sign({ sub: 'u-cookie' })}` },
    });
  });

  it('accepts the token from the configured cookie', async () => {
    const app = await scoped(startProbeApp({ tokenSources: { cookie: 'rt' } }));
    const socket = await open(app.baseUrl, {
      headers: { Cookie: `theme=dark; rt=${sign({ sub: 'u-cookie' })}; lang=en` },
    });
    expect(await userIdOf(socket)).toBe('u-cookie');
  });

  it('takes the first token found: header, then subprotocol, then query, then cookie', async () => {
    const app = await scoped(startProbeApp({ tokenSources: { cookie: 'rt' } }));
    const header = { Authorization: `Bearer ${sign({ sub: 'u-header' })}` };
    const cookie = { Cookie: `rt=${sign({ sub: 'u-cookie' })}` };
    const protocols = ['realtime.v1', `bearer.${sign({ sub: 'u-subprotocol' })}`];
    const path = `/ws?access_token=${sign({ sub: 'u-query' })}`;

    const all = await open(app.baseUrl, { headers: { ...header, ...cookie }, protocols, path });
    expect(await userIdOf(all)).toBe('u-header');
    const noHeader = await open(app.baseUrl, { headers: cookie, protocols, path });
    expect(await userIdOf(noHeader)).toBe('u-subprotocol');
    const queryAndCookie = await open(app.baseUrl, { headers: cookie, path });
    expect(await userIdOf(queryAndCookie)).toBe('u-query');
    const cookieOnly = await open(app.baseUrl, { headers: cookie });
    expect(await userIdOf(cookieOnly)).toBe('u-cookie');
  });

  it('uses the first token found even when it is bad: no fallback to a later source', async () => {
    const expired = sign({ sub: 'u-header', exp: nowSec() - 3600 });
    await expectUnauthorized(probe.baseUrl, {
      headers: { Authorization: `Bearer ${expired}` },
      path: `/ws?access_token=${sign({ sub: 'u-query' })}`,
    });
  });

  it('selects realtime.v1 when offered and sends no credential in Sec-WebSocket-Protocol (raw 101)', async () => {
    const token = sign({ sub: 'u-raw-protocol' });
    const response = await rawHead(
      probe.port,
      upgradeRequest('/ws', { 'Sec-WebSocket-Protocol': `realtime.v1, bearer.${token}` }),
    );
    expect(response.status).toBe(101);
    expect(response.headers['sec-websocket-protocol']).toBe('realtime.v1');
    expect(response.raw).not.toContain(token);
    expect(response.raw.toLowerCase()).not.toContain('bearer');
  });

  it('accepts a client that offers no subprotocol', async () => {
    const socket = await open(probe.baseUrl, {
      token: sign({ sub: 'u-no-protocol' }),
      protocols: [],
    });
    expect(socket.ws.protocol).toBe('');
    expect(await userIdOf(socket)).toBe('u-no-protocol');
    const response = await rawHead(
      probe.port,
      upgradeRequest('/ws', { Authorization: `Bearer ${sign({ sub: 'u-no-protocol' })}` }),
    );
    expect(response.status).toBe(101);
    expect(response.headers['sec-websocket-protocol']).toBeUndefined();
  });

  it('refuses the query source when it is disabled, and still accepts the header', async () => {
    const app = await scoped(startProbeApp({ tokenSources: { query: false } }));
    await expectUnauthorized(app.baseUrl, { token: sign({ sub: 'u-query' }), tokenIn: 'query' });
    const socket = await open(app.baseUrl, { token: sign({ sub: 'u-header' }), tokenIn: 'header' });
    expect(await userIdOf(socket)).toBe('u-header');
  });
});

describe('A1: no credentials', () => {
  let app: App;
  let hooks: HookGateway;
  let registry: ConnectionRegistry;

  beforeAll(async () => {
    // A fresh app that nothing else connects to, so the counters below are exact.
    app = await startProbeApp();
    hooks = app.app.get(HookGateway);
    registry = app.app.get(ConnectionRegistry);
  });
  afterAll(async () => {
    await app?.app.close();
  });

  it('answers 401 + WWW-Authenticate: Bearer with a JSON body; no 101, no hook, registry unchanged', async () => {
    expect(hooks.connections).toBe(0);
    expect(registry.size).toBe(0);

    const refusal = await expectUnauthorized(app.baseUrl, { path: '/hooks' });
    expect(refusal.headers['content-type']).toMatch(/^application\/json/);

    const raw = await rawUpgrade(app.port, '/hooks');
    expect(raw.status).toBe(401);
    expect(raw.raw).not.toMatch(/^HTTP\/1\.1 101/);
    expect(raw.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(raw.body)).toEqual({
      error: { code: 'UNAUTHORIZED', message: expect.any(String) },
    });

    // Empty credentials are no credentials.
    await expectUnauthorized(app.baseUrl, {
      path: '/hooks',
      headers: { Authorization: 'Bearer ' },
    });
    await expectUnauthorized(app.baseUrl, { path: '/hooks?access_token=' });

    expect(hooks.connections).toBe(0);
    expect(registry.size).toBe(0);

    // Control: the same path with a token runs the hook and registers the connection.
    const socket = await open(app.baseUrl, { path: '/hooks', token: sign({ sub: 'u-control' }) });
    expect(await socket.request('hooks:ping')).toMatchObject({ data: 'pong' });
    expect(hooks.connections).toBe(1);
    expect(registry.size).toBe(1);
  });
});

import 'reflect-metadata';
import { Injectable, type INestApplication } from '@nestjs/common';
import { SubscribeMessage } from '@nestjs/websockets';
import jwt, { type JwtHeader, type SignOptions } from 'jsonwebtoken';
import { once } from 'node:events';
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import {
  ConnectionRegistry,
  JwtHandshakeGuard,
  RealtimeGateway,
  type HandshakeContext,
  type HandshakeGuard,
} from '../../src/server/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { startDemo, TEST_SECRET, type RunningApp } from '../support/demo-app.js';
import { watchProcessProblems } from '../support/process-problems.js';
import { clientTextFrame, Opcode, parseFrames, splitHead } from '../support/frames.js';
import { HookGateway, PROBE_GATEWAYS, startProbeApp } from '../support/probe-app.js';
import {
  parseResponse,
  rawExchange,
  rawUpgrade,
  upgradeRequest,
  type RawResponse,
} from '../support/raw-http.js';
import {
  expectRefused,
  TestSocket,
  UpgradeRefused,
  type ConnectOptions,
} from '../support/ws-client.js';

// ---------------------------------------------------------------------------------------------
// Tokens

const nowSec = (): number => Math.floor(Date.now() / 1000);

/** An HS256 token signed with the test secret, valid for an hour unless `claims` say otherwise. */
function sign(claims: Record<string, unknown>, options: SignOptions = {}): string {
  return jwt.sign({ exp: nowSec() + 3600, ...claims }, TEST_SECRET, {
    algorithm: 'HS256',
    ...options,
  });
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function partsOf(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

/** The same token with one bit of its signature flipped. */
function flipSignatureBit(token: string): string {
  const [header, payload, signature] = partsOf(token);
  const bytes = Buffer.from(signature, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** The same header and signature over an edited payload. */
function editPayload(token: string, edit: Record<string, unknown>): string {
  const [header, payload, signature] = partsOf(token);
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return `${header}.${b64url({ ...claims, ...edit })}.${signature}`;
}

/** A token with an arbitrary header, HMAC-SHA256-signed with an arbitrary key. */
function hmacToken(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: string | Buffer,
): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

function rsaKeys(): { publicKey: string; privateKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

// ---------------------------------------------------------------------------------------------
// Apps, sockets and assertions

interface App {
  app: INestApplication;
  port: number;
  baseUrl: string;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const sockets: TestSocket[] = [];
const extraApps: { close(): Promise<void> }[] = [];

async function open(baseUrl: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const socket = await TestSocket.connect(baseUrl, options);
  sockets.push(socket);
  return socket;
}

/** Starts an app that the next `afterEach` closes. */
async function scoped<T extends { app: INestApplication } | RunningApp>(
  start: Promise<T>,
): Promise<T> {
  const started = await start;
  extraApps.push({ close: () => started.app.close() });
  return started;
}

async function userIdOf(socket: TestSocket): Promise<unknown> {
  const reply = await socket.request('probe:whoami');
  return (reply['data'] as { userId?: unknown } | undefined)?.userId;
}

async function expectRefusal(
  baseUrl: string,
  options: ConnectOptions,
  status: number,
  code: string,
): Promise<UpgradeRefused> {
  const refusal = await expectRefused(baseUrl, options);
  expect({ status: refusal.status, body: refusal.json() }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
  return refusal;
}

async function expectUnauthorized(
  baseUrl: string,
  options: ConnectOptions,
): Promise<UpgradeRefused> {
  const refusal = await expectRefusal(baseUrl, options, 401, 'UNAUTHORIZED');
  expect(refusal.headers['www-authenticate']).toBe('Bearer');
  return refusal;
}

/** "Alive": the same server accepts a fresh valid connection and serves it. */
async function expectAlive(baseUrl: string, path = '/ws'): Promise<void> {
  const socket = await open(baseUrl, { token: sign({ sub: 'u-alive' }), path });
  const reply = await socket.request('$ping');
  expect(reply['data']).toEqual({ t: expect.any(Number) });
}

/** The head of the server's answer to a raw upgrade request (101 or not). */
async function rawHead(port: number, request: string | Buffer): Promise<RawResponse> {
  const received = await rawExchange(port, request, (bytes) => bytes.includes('\r\n\r\n'));
  return parseResponse(received.toString('latin1'));
}

let probe: App;
let demo: RunningApp;

beforeAll(async () => {
  probe = await startProbeApp();
  demo = await startDemo();
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  await Promise.all(extraApps.splice(0).map((app) => app.close()));
});

afterAll(async () => {
  await probe?.app.close();
  await demo?.close();
});

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

describe('A2: invalid tokens', () => {
  const valid = (claims: Record<string, unknown> = {}) => sign({ sub: 'u-mallory', ...claims });

  it('accepts the untampered control token', async () => {
    const socket = await open(demo.baseUrl, { token: valid() });
    expect((await socket.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
  });

  it.each<[string, () => string]>([
    ['a bit-flipped signature', () => flipSignatureBit(valid())],
    ['an edited payload', () => editPayload(valid(), { sub: 'u-admin' })],
    ['exp in the past', () => valid({ exp: nowSec() - 3600 })],
    ['nbf in the future', () => valid({ nbf: nowSec() + 3600 })],
    ['no sub', () => sign({ name: 'nobody' })],
    ['an empty sub', () => sign({ sub: '' })],
    ['a numeric sub', () => sign({ sub: 42 })],
    [
      'a token signed with another secret',
      () =>
        jwt.sign({ sub: 'u-mallory' }, 'another-secret-that-is-also-long-enough-0123456789', {
          algorithm: 'HS256',
          expiresIn: '1h',
        }),
    ],
    ['garbage', () => 'not-a-jwt'],
  ])('refuses %s with 401', async (_case, make) => {
    await expectUnauthorized(demo.baseUrl, { token: make() });
  });

  it('tolerates clock skew within the default 5 s, not beyond', async () => {
    const justExpired = await open(demo.baseUrl, { token: valid({ exp: nowSec() - 2 }) });
    expect((await justExpired.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
    const almostValid = await open(demo.baseUrl, { token: valid({ nbf: nowSec() + 2 }) });
    expect((await almostValid.request('$ping'))['data']).toEqual({ t: expect.any(Number) });

    await expectUnauthorized(demo.baseUrl, { token: valid({ exp: nowSec() - 60 }) });
    await expectUnauthorized(demo.baseUrl, { token: valid({ nbf: nowSec() + 60 }) });
  });

  describe('with iss and aud configured', () => {
    const issuer = 'https://auth.example.test';
    const audience = 'realtime-tests';
    let strict: RunningApp;

    beforeAll(async () => {
      strict = await startDemo({ jwtIssuer: issuer, jwtAudience: audience });
    });
    afterAll(async () => {
      await strict?.close();
    });

    it('accepts the right iss and aud', async () => {
      const socket = await open(strict.baseUrl, {
        token: sign({ sub: 'u-iss', iss: issuer, aud: audience }),
      });
      expect((await socket.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
    });

    it.each<[string, Record<string, unknown>]>([
      ['a wrong iss', { iss: 'https://evil.example', aud: audience }],
      ['no iss', { aud: audience }],
      ['a wrong aud', { iss: issuer, aud: 'someone-else' }],
      ['no aud', { iss: issuer }],
    ])('refuses %s with 401', async (_case, claims) => {
      await expectUnauthorized(strict.baseUrl, { token: sign({ sub: 'u-iss', ...claims }) });
    });
  });
});

describe('A3: algorithm confusion and remote keys', () => {
  const rsa = rsaKeys();
  const attacker = rsaKeys();
  let rsaApp: App;

  beforeAll(async () => {
    rsaApp = await startProbeApp({ jwt: { publicKey: rsa.publicKey, algorithms: ['RS256'] } });
  });
  afterAll(async () => {
    await rsaApp?.app.close();
  });

  const claims = () => ({ sub: 'u-alg', exp: nowSec() + 3600 });

  it('accepts an RS256 token signed with the configured key pair (control)', async () => {
    const token = jwt.sign(claims(), rsa.privateKey, { algorithm: 'RS256' });
    const socket = await open(rsaApp.baseUrl, { token });
    expect(await userIdOf(socket)).toBe('u-alg');
  });

  it.each(['none', 'None', 'NONE'])('refuses alg "%s" with 401', async (alg) => {
    const token = `${b64url({ alg, typ: 'JWT' })}.${b64url(claims())}.`;
    await expectUnauthorized(demo.baseUrl, { token });
    await expectUnauthorized(rsaApp.baseUrl, { token });
  });

  it('refuses an HS256 token whose HMAC key is the RS256 public key PEM', async () => {
    const token = hmacToken({ alg: 'HS256', typ: 'JWT' }, claims(), rsa.publicKey);
    await expectUnauthorized(rsaApp.baseUrl, { token });
  });

  it('refuses an RS256 token when only HS256 is allowed', async () => {
    const token = jwt.sign(claims(), rsa.privateKey, { algorithm: 'RS256' });
    await expectUnauthorized(demo.baseUrl, { token });
  });

  describe('jku / x5u headers', () => {
    let keyServer: Server;
    let keyServerUrl: string;
    const requests: string[] = [];

    beforeAll(async () => {
      // What a server that followed `jku` would find: the attacker's own public key.
      const jwk = {
        ...createPublicKey(attacker.publicKey).export({ format: 'jwk' }),
        kid: 'attacker',
        alg: 'RS256',
        use: 'sig',
      };
      keyServer = createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        if (req.url?.startsWith('/cert')) {
          res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(attacker.publicKey);
        } else {
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ keys: [jwk] }));
        }
      });
      keyServer.listen(0, '127.0.0.1');
      await once(keyServer, 'listening');
      keyServerUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      keyServer?.closeAllConnections();
      await new Promise<void>((resolve) =>
        keyServer ? keyServer.close(() => resolve()) : resolve(),
      );
    });

    it('refuses tokens signed by a key the header points at, and never fetches it', async () => {
      const headers: JwtHeader[] = [
        { alg: 'RS256', kid: 'attacker', jku: `${keyServerUrl}/jwks.json` },
        { alg: 'RS256', kid: 'attacker', x5u: `${keyServerUrl}/cert.pem` },
      ];
      for (const header of headers) {
        const token = jwt.sign(claims(), attacker.privateKey, { algorithm: 'RS256', header });
        await expectUnauthorized(rsaApp.baseUrl, { token });
        await expectUnauthorized(demo.baseUrl, { token });
      }
      const hsWithJku = hmacToken(
        { alg: 'HS256', typ: 'JWT', jku: `${keyServerUrl}/jwks.json` },
        claims(),
        'attacker-secret-attacker-secret-attacker-secret',
      );
      await expectUnauthorized(demo.baseUrl, { token: hsWithJku });
      // Sanity: the key server does answer when someone asks.
      expect(requests).toEqual([]);
      expect((await fetch(`${keyServerUrl}/jwks.json`)).status).toBe(200);
      expect(requests).toEqual(['GET /jwks.json']);
    });
  });
});

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

/** Handshake guard of the log test: a buggy guard whose error message holds the credentials. */
@Injectable()
class LeakyHandshakeGuard implements HandshakeGuard {
  canHandshake(context: HandshakeContext): boolean {
    throw new Error(
      `guard crashed: authorization=${context.request.headers.authorization ?? ''} protocols=${context.request.headers['sec-websocket-protocol'] ?? ''} url=${context.request.url ?? ''}`,
    );
  }
}

@RealtimeGateway({ path: '/leaky', handshakeGuards: [LeakyHandshakeGuard] })
class LeakyGateway {
  @SubscribeMessage('leaky:hello')
  hello(): string {
    return 'hello';
  }
}

describe('A8: token as subprotocol, and no token in the logs', () => {
  it('answers 101 with Sec-WebSocket-Protocol: realtime.v1, never the token', async () => {
    const token = sign({ sub: 'u-a8' });
    for (const offer of [`realtime.v1, bearer.${token}`, `bearer.${token}, realtime.v1`]) {
      const response = await rawHead(
        probe.port,
        upgradeRequest('/ws', { 'Sec-WebSocket-Protocol': offer }),
      );
      expect(response.status).toBe(101);
      expect(response.headers['sec-websocket-protocol']).toBe('realtime.v1');
      expect(response.raw).not.toContain(partsOf(token)[2]);
    }
    const socket = await open(probe.baseUrl, { token, tokenIn: 'subprotocol' });
    expect(socket.ws.protocol).toBe('realtime.v1');
    expect(await userIdOf(socket)).toBe('u-a8');
  });

  it('refuses two bearer entries with 401', async () => {
    await expectUnauthorized(probe.baseUrl, {
      protocols: [
        'realtime.v1',
        `bearer.${sign({ sub: 'u-one' })}`,
        `bearer.${sign({ sub: 'u-two' })}`,
      ],
    });
  });

  it('writes no token text to any log line', async () => {
    const logger = new CapturingLogger();
    const app = await scoped(
      startProbeApp({}, [...PROBE_GATEWAYS, LeakyGateway, LeakyHandshakeGuard], { logger }),
    );
    const tokens: string[] = [];
    const track = (token: string): string => (tokens.push(token), token);

    // Bad tokens, from every source.
    await expectUnauthorized(app.baseUrl, {
      token: track(flipSignatureBit(sign({ sub: 'u-log' }))),
    });
    await expectUnauthorized(app.baseUrl, {
      token: track(sign({ sub: 'u-log', exp: nowSec() - 3600 })),
      tokenIn: 'subprotocol',
    });
    await expectUnauthorized(app.baseUrl, {
      token: track(editPayload(sign({ sub: 'u-log' }), { sub: 'root' })),
      tokenIn: 'query',
    });
    await expectUnauthorized(app.baseUrl, {
      headers: { Authorization: `Token ${track(sign({ sub: 'u-log' }))}` },
    });
    await expectUnauthorized(app.baseUrl, {
      protocols: [
        'realtime.v1',
        `bearer.${track(sign({ sub: 'u-a' }))}`,
        `bearer.${track(sign({ sub: 'u-b' }))}`,
      ],
    });

    // A handshake guard that crashes with the credentials in its error message.
    const crashed = await expectRefused(app.baseUrl, {
      path: `/leaky?access_token=${track(sign({ sub: 'u-log' }))}`,
      headers: { Authorization: `Bearer ${track(sign({ sub: 'u-log' }))}` },
      protocols: ['realtime.v1', `bearer.${track(sign({ sub: 'u-log' }))}`],
    });
    expect(crashed.status).toBe(500);
    for (const token of tokens) expect(crashed.body).not.toContain(token);

    // Handler errors whose message holds a token; and a bad in-band refresh.
    const connectionToken = track(sign({ sub: 'u-log' }));
    const socket = await open(app.baseUrl, { token: connectionToken });
    const leak = await socket.request('probe:leak', { token: track(sign({ sub: 'u-victim' })) });
    expect(leak['error']).toEqual({ code: 'INTERNAL', message: expect.any(String) });
    socket.send({ event: 'probe:leak', data: { token: track(sign({ sub: 'u-victim-2' })) } });
    expect((await socket.nextEvent('$error'))['data']).toMatchObject({ code: 'INTERNAL' });
    const refresh = await socket.request('$auth', {
      token: track(flipSignatureBit(sign({ sub: 'u-log' }))),
    });
    expect(refresh['error']).toMatchObject({ code: 'UNAUTHORIZED' });
    await socket.close();

    // The capture works: the failures above were logged...
    const text = logger.lines.join('\n');
    expect(text).toContain('probe:leak');
    expect(text).toContain('guard crashed');
    // ...and not one line holds a token, or its signature.
    for (const token of tokens) {
      const signature = partsOf(token)[2];
      for (const line of logger.lines) {
        expect(line).not.toContain(token);
        if (signature.length >= 16) expect(line).not.toContain(signature);
      }
    }
  });
});

describe('A9: malformed upgrades', () => {
  const auth = () => ({ Authorization: `Bearer ${sign({ sub: 'u-a9' })}` });

  it.each<{ name: string; status: number; code: string; request: () => string }>([
    {
      name: 'Sec-WebSocket-Version: 12',
      status: 400,
      code: 'BAD_REQUEST',
      request: () => upgradeRequest('/ws', { ...auth(), 'Sec-WebSocket-Version': '12' }),
    },
    {
      name: 'a missing Sec-WebSocket-Key',
      status: 400,
      code: 'BAD_REQUEST',
      request: () => upgradeRequest('/ws', { ...auth(), 'Sec-WebSocket-Key': undefined }),
    },
    {
      name: 'a POST upgrade',
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      request: () => upgradeRequest('/ws', auth(), 'POST'),
    },
    {
      name: 'Upgrade: foo',
      status: 400,
      code: 'BAD_REQUEST',
      request: () => upgradeRequest('/ws', { ...auth(), Upgrade: 'foo' }),
    },
    {
      name: 'an unknown path',
      status: 404,
      code: 'NOT_FOUND',
      request: () => upgradeRequest('/nowhere', auth()),
    },
  ])('answers $name with $status, and stays alive', async ({ status, code, request }) => {
    const received = await rawExchange(probe.port, request());
    const response = parseResponse(received.toString('latin1'));
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error: { code, message: expect.any(String) } });
    if (status === 405) expect(response.headers['allow']).toBe('GET');
    await expectAlive(probe.baseUrl);
  });
});

/** A12: a handshake guard that holds `?hold=1` upgrades until the test releases them. */
@Injectable()
class GateGuard implements HandshakeGuard {
  entered = deferred<IncomingMessage>();
  gate = deferred<boolean>();

  canHandshake(context: HandshakeContext): boolean | Promise<boolean> {
    if (context.url.searchParams.get('hold') !== '1') return true;
    this.entered.resolve(context.request);
    return this.gate.promise;
  }
}

describe('A12: client resets the connection while its token is verified', () => {
  let watch: ReturnType<typeof watchProcessProblems>;
  beforeAll(() => {
    watch = watchProcessProblems();
  });
  afterAll(() => watch.stop());

  it.each<[string, 'reset' | 'end']>([
    ['TCP reset', 'reset'],
    ['FIN', 'end'],
  ])(
    '%s while a handshake guard is pending: no connection, no hook, no error, alive',
    async (_case, how) => {
      const logger = new CapturingLogger();
      const app = await scoped(
        startProbeApp(
          { handshakeGuards: [JwtHandshakeGuard, GateGuard] },
          [HookGateway, GateGuard],
          { logger },
        ),
      );
      const guard = app.app.get(GateGuard);
      const hooks = app.app.get(HookGateway);
      const registry = app.app.get(ConnectionRegistry);

      const client = netConnect(app.port, '127.0.0.1');
      client.on('error', () => undefined);
      await once(client, 'connect');
      const clientClosed = once(client, 'close');
      client.write(
        upgradeRequest('/hooks?hold=1', { Authorization: `Bearer ${sign({ sub: 'u-gone' })}` }),
      );
      const request = await guard.entered.promise;
      const serverSide = request.socket;
      // Not events.once(): it rejects on the socket's ECONNRESET 'error', which is expected here.
      const serverGone = new Promise<void>((resolve) => {
        if (serverSide.destroyed) return resolve();
        serverSide.once(how === 'reset' ? 'close' : 'end', () => resolve());
      });

      if (how === 'reset') client.resetAndDestroy();
      else client.end();
      await serverGone;
      guard.gate.resolve(true);
      if (how === 'end') {
        // A half-closed client must not get a WebSocket: the server closes its side too.
        await clientClosed;
      }

      // Alive: a fresh connection works, and is the only one the gateway ever saw.
      const socket = await open(app.baseUrl, { path: '/hooks', token: sign({ sub: 'u-fresh' }) });
      expect(await socket.request('hooks:ping')).toMatchObject({ data: 'pong' });
      expect(hooks.connections).toBe(1);
      expect(registry.size).toBe(1);
      expect(registry.isOnline('u-gone')).toBe(false);
      await socket.close();

      expect(watch.seen).toEqual([]);
      expect(logger.levels.filter((level) => level === 'error' || level === 'fatal')).toEqual([]);
    },
  );
});

describe('custom handshake guards on /guarded', () => {
  const token = () => sign({ sub: 'u-guarded' });

  it('refuses ?deny=1 with 403 FORBIDDEN', async () => {
    await expectRefusal(
      probe.baseUrl,
      { token: token(), path: '/guarded?deny=1' },
      403,
      'FORBIDDEN',
    );
  });

  it('refuses ?teapot=1 with 418 TEAPOT', async () => {
    await expectRefusal(
      probe.baseUrl,
      { token: token(), path: '/guarded?teapot=1' },
      418,
      'TEAPOT',
    );
  });

  it('runs the JWT guard first: no token is 401 even with ?deny=1', async () => {
    await expectUnauthorized(probe.baseUrl, { path: '/guarded?deny=1' });
  });

  it('accepts a valid token when the guard agrees', async () => {
    const socket = await open(probe.baseUrl, { token: token(), path: '/guarded' });
    expect(await socket.request('guarded:hello')).toMatchObject({ data: 'hello' });
  });
});

describe('a message in the same TCP write as the handshake', () => {
  it("is handled as the token's user, never as anonymous", async () => {
    const token = sign({ sub: 'u-same-write' });
    const head = upgradeRequest('/ws', {
      Authorization: `Bearer ${token}`,
      'Sec-WebSocket-Protocol': 'realtime.v1',
    });
    const payload = Buffer.concat([
      Buffer.from(head, 'latin1'),
      clientTextFrame({ event: 'probe:whoami', id: 1 }),
    ]);

    const received = await rawExchange(probe.port, payload, (bytes) => {
      const split = splitHead(bytes);
      if (!split) return false;
      return !split.head.startsWith('HTTP/1.1 101') || parseFrames(split.body).frames.length > 0;
    });

    const split = splitHead(received);
    expect(split?.head).toMatch(/^HTTP\/1\.1 101 /);
    const [frame] = parseFrames(split?.body ?? Buffer.alloc(0)).frames;
    expect(frame).toMatchObject({ fin: true, opcode: Opcode.TEXT, masked: false });
    expect(JSON.parse(frame?.payload.toString() ?? 'null')).toEqual({
      id: 1,
      data: {
        userId: 'u-same-write',
        sub: 'u-same-write',
        connectionId: expect.any(String),
        sameSocket: true,
      },
    });
  });
});

describe('after everything', () => {
  it('both shared servers are alive', async () => {
    await expectAlive(probe.baseUrl);
    const socket = await open(probe.baseUrl, { token: sign({ sub: 'u-last' }) });
    expect(await userIdOf(socket)).toBe('u-last');
    await expectAlive(demo.baseUrl);
  });
});

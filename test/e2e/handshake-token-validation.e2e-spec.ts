import 'reflect-metadata';
import jwt, { type JwtHeader } from 'jsonwebtoken';
import { once } from 'node:events';
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDemo, type RunningApp } from '../support/demo-app.js';
import {
  b64url,
  closeScoped,
  editPayload,
  expectUnauthorized,
  flipSignatureBit,
  nowSec,
  open,
  sign,
  userIdOf,
  type App,
} from '../support/handshake-kit.js';
import { startProbeApp } from '../support/probe-app.js';

/** Handshake, bad tokens: tampered, expired, wrong claims, algorithm confusion, remote keys. */

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

let demo: RunningApp;

beforeAll(async () => {
  demo = await startDemo();
});

afterEach(closeScoped);

afterAll(async () => {
  await demo?.close();
});

// ---------------------------------------------------------------------------------------------

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

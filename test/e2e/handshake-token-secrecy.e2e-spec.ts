import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { SubscribeMessage } from '@nestjs/websockets';
import {
  RealtimeGateway,
  type HandshakeContext,
  type HandshakeGuard,
} from '../../src/server/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import {
  editPayload,
  expectUnauthorized,
  flipSignatureBit,
  nowSec,
  open,
  partsOf,
  rawHead,
  scoped,
  sign,
  userIdOf,
  type App,
  useProbeApp,
} from '../support/handshake-kit.js';
import { PROBE_GATEWAYS, startProbeApp } from '../support/probe-app.js';
import { upgradeRequest } from '../support/raw-http.js';
import { expectRefused } from '../support/ws-client.js';

/** Handshake, token secrecy: never echoed in the subprotocol answer, never written to a log. */

let probe: App;
useProbeApp((app) => (probe = app));

// ---------------------------------------------------------------------------------------------

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

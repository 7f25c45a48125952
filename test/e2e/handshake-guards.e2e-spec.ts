import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { connect as netConnect } from 'node:net';
import {
  ConnectionRegistry,
  JwtHandshakeGuard,
  type HandshakeContext,
  type HandshakeGuard,
} from '../../src/server/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import {
  expectRefusal,
  expectUnauthorized,
  open,
  scoped,
  sign,
  type App,
  useProbeApp,
} from '../support/handshake-kit.js';
import { watchProcessProblems } from '../support/process-problems.js';
import { HookGateway, startProbeApp } from '../support/probe-app.js';
import { upgradeRequest } from '../support/raw-http.js';

/** Handshake guards: asynchronous guards and a client that leaves meanwhile, custom refusals. */

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let probe: App;
useProbeApp((app) => (probe = app));

// ---------------------------------------------------------------------------------------------

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
      expect(registry.isOnlineHere('u-gone')).toBe(false);
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

import { Injectable, type INestApplication } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { connect as netConnect, type Socket } from 'node:net';
import {
  ConnectionRegistry,
  JwtHandshakeGuard,
  type HandshakeContext,
  type HandshakeGuard,
  type RealtimeConnection,
  type RealtimeModuleOptions,
} from '../../src/server/index.js';
import { CapturingLogger } from './capturing-logger.js';
import { TEST_SECRET } from './demo-app.js';
import { splitHead } from './frames.js';
import { watchProcessProblems } from './process-problems.js';
import { PROBE_GATEWAYS, startProbeApp } from './probe-app.js';
import { upgradeRequest } from './raw-http.js';
import { expectRefused, TestSocket, UpgradeRefused } from './ws-client.js';

/**
 * Shared harness of the limits e2e suites (limits-*.e2e-spec.ts): probe apps started with small
 * limits, sockets opened on them, and their teardown after each test (installLimitsHarness).
 */

export const sign = (sub: string): string =>
  jwt.sign({ sub }, TEST_SECRET, { algorithm: 'HS256', expiresIn: '1h' });

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A map of deferreds created on first use, by whichever side asks first. */
export class Signals<K> {
  private readonly map = new Map<K, Deferred<void>>();
  of(key: K): Deferred<void> {
    let signal = this.map.get(key);
    if (!signal) {
      signal = deferred();
      this.map.set(key, signal);
    }
    return signal;
  }
}

/**
 * A handshake guard that keeps `?hold=1` upgrades pending until the test releases them, and
 * never answers `?hold=forever`. Other upgrades pass straight on to the JWT guard.
 */
@Injectable()
export class HoldGuard implements HandshakeGuard {
  held = 0;
  private readonly gate = deferred();
  /** Called after every held entry (the tests use it to await progress, not time). */
  onHeld: () => void = () => undefined;

  canHandshake(context: HandshakeContext): boolean | Promise<boolean> {
    const hold = context.url.searchParams.get('hold');
    if (hold === 'forever') return new Promise<boolean>(() => undefined);
    if (hold !== '1') return true;
    this.held++;
    this.onHeld();
    return this.gate.promise.then(() => true);
  }

  release(): void {
    this.gate.resolve();
  }
}

export const HOLD_GUARDS: Partial<RealtimeModuleOptions> = {
  handshakeGuards: [HoldGuard, JwtHandshakeGuard],
};

// ---------------------------------------------------------------------------------------------
// Apps, sockets and helpers

export interface App {
  app: INestApplication;
  port: number;
  baseUrl: string;
}

const apps: INestApplication[] = [];
export const sockets: TestSocket[] = [];
const raws: Socket[] = [];
let problems: ReturnType<typeof watchProcessProblems>;

export async function start(
  options: Partial<RealtimeModuleOptions> = {},
  providers = PROBE_GATEWAYS,
  logger?: CapturingLogger,
): Promise<App> {
  const started = await startProbeApp(options, [...providers, HoldGuard], { logger });
  apps.push(started.app);
  return started;
}

export async function open(baseUrl: string, sub: string, path = '/ws'): Promise<TestSocket> {
  const socket = await TestSocket.connect(baseUrl, { token: sign(sub), path });
  sockets.push(socket);
  return socket;
}

/** Opens a socket and returns it with its server-side connection (found in the registry). */
export async function openTracked(
  app: App,
  sub: string,
): Promise<{ socket: TestSocket; connection: RealtimeConnection }> {
  const registry = app.app.get(ConnectionRegistry);
  const before = new Set(registry.connectionsOf(sub).map((c) => c.id));
  const socket = await open(app.baseUrl, sub);
  // The adapter registers the connection synchronously after writing the 101, so it is there.
  const added = registry.connectionsOf(sub).filter((c) => !before.has(c.id));
  expect(added).toHaveLength(1);
  return { socket, connection: added[0]! };
}

/**
 * Resolves with the close code once the server-side socket has closed. The adapter's own `close`
 * listener was added first, so the registry has already dropped the connection by then.
 */
export function serverClosed(connection: RealtimeConnection): Promise<number> {
  const socket = connection.socket;
  if (socket.readyState === socket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => socket.once('close', (code: number) => resolve(code)));
}

/** "Alive": the same server accepts a fresh valid connection and serves it. */
export async function expectAlive(baseUrl: string): Promise<void> {
  const socket = await open(baseUrl, `u-alive-${sockets.length}`);
  expect(await socket.request('probe:echo', 'alive', 'alive')).toEqual({
    id: 'alive',
    data: 'alive',
  });
  await socket.close();
}

export function errorLines(logger: CapturingLogger): string[] {
  return logger.lines.filter((line) => line.startsWith('error') || line.startsWith('fatal'));
}

export async function expectRefusal(
  baseUrl: string,
  sub: string,
  status: number,
  code: string,
  path = '/ws',
): Promise<UpgradeRefused> {
  const refusal = await expectRefused(baseUrl, { token: sign(sub), path });
  expect({ status: refusal.status, body: refusal.json() }).toEqual({
    status,
    body: { error: { code, message: expect.any(String) } },
  });
  expect(refusal.headers['content-type']).toMatch(/^application\/json/);
  return refusal;
}

/** A raw TCP socket after a valid upgrade to /ws (the 101 has been read). */
export function rawOpen(port: number, token: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    raws.push(socket);
    socket.on('error', () => undefined);
    let received: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const split = splitHead(received);
      if (!split) return;
      socket.off('data', onData);
      if (!split.head.startsWith('HTTP/1.1 101')) {
        reject(new Error(`Upgrade refused: ${split.head}`));
        return;
      }
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('Closed before the 101')));
    socket.write(upgradeRequest('/ws', { Authorization: `Bearer ${token}` }));
  });
}

/**
 * Registers the hooks every limits suite needs: process problems are watched for the whole file,
 * and after each test the raw sockets, test sockets and apps are torn down, with no problem seen.
 */
export function installLimitsHarness(): void {
  beforeAll(() => {
    problems = watchProcessProblems();
  });

  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.destroy();
    await Promise.all(
      sockets.splice(0).map((socket) => {
        // A paused client never reads the server's close frame: let it read again.
        socket.ws.resume();
        return socket.close();
      }),
    );
    await Promise.all(apps.splice(0).map((app) => app.close()));
    expect(problems.seen).toEqual([]);
  });

  afterAll(() => {
    problems.stop();
  });
}

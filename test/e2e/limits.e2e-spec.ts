import { Injectable, type INestApplication } from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import jwt from 'jsonwebtoken';
import { connect as netConnect, type Socket } from 'node:net';
import { sessionOf } from '../../src/server/gateway/session.js';
import {
  ConnectionRegistry,
  Heartbeat,
  JwtHandshakeGuard,
  RealtimeGateway,
  type HandshakeContext,
  type HandshakeGuard,
  type RealtimeConnection,
  type RealtimeLimitOptions,
  type RealtimeModuleOptions,
} from '../../src/server/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { buildFrame, Opcode, splitHead } from '../support/frames.js';
import { watchProcessProblems } from '../support/process-problems.js';
import { PROBE_GATEWAYS, startProbeApp } from '../support/probe-app.js';
import { rawUpgrade, upgradeRequest, type RawResponse } from '../support/raw-http.js';
import { expectRefused, TestSocket, UpgradeRefused } from '../support/ws-client.js';

/**
 * Reliability catalogue section D (flooding and backpressure) and B9, over real sockets:
 * per-connection message rate (D1), bounded concurrent handlers and queue (D2), connection caps
 * at the handshake (D3), slow consumers (D4), handshake floods and timeouts (D6), ping floods
 * (B9), and the defaults. Small limits are passed in the module options to keep it fast.
 */

const sign = (sub: string): string =>
  jwt.sign({ sub }, TEST_SECRET, { algorithm: 'HS256', expiresIn: '1h' });

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A map of deferreds created on first use, by whichever side asks first. */
class Signals<K> {
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

/** D2: a handler that waits until the test releases it, counting who runs at once. */
@RealtimeGateway('/ws')
class SlowGateway {
  readonly entered: number[] = [];
  running = 0;
  maxRunning = 0;
  readonly arrivals = new Signals<number>();
  readonly gates = new Signals<number>();

  @SubscribeMessage('slow:work')
  async work(@MessageBody() n: number): Promise<number> {
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.entered.push(n);
    this.arrivals.of(n).resolve();
    await this.gates.of(n).promise;
    this.running--;
    return n;
  }
}

/**
 * A handshake guard that keeps `?hold=1` upgrades pending until the test releases them, and
 * never answers `?hold=forever`. Other upgrades pass straight on to the JWT guard.
 */
@Injectable()
class HoldGuard implements HandshakeGuard {
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

const HOLD_GUARDS: Partial<RealtimeModuleOptions> = {
  handshakeGuards: [HoldGuard, JwtHandshakeGuard],
};

// ---------------------------------------------------------------------------------------------
// Apps, sockets and helpers

interface App {
  app: INestApplication;
  port: number;
  baseUrl: string;
}

const apps: INestApplication[] = [];
const sockets: TestSocket[] = [];
const raws: Socket[] = [];
let problems: ReturnType<typeof watchProcessProblems>;

async function start(
  options: Partial<RealtimeModuleOptions> = {},
  providers = PROBE_GATEWAYS,
  logger?: CapturingLogger,
): Promise<App> {
  const started = await startProbeApp(options, [...providers, HoldGuard], { logger });
  apps.push(started.app);
  return started;
}

async function open(baseUrl: string, sub: string, path = '/ws'): Promise<TestSocket> {
  const socket = await TestSocket.connect(baseUrl, { token: sign(sub), path });
  sockets.push(socket);
  return socket;
}

/** Opens a socket and returns it with its server-side connection (found in the registry). */
async function openTracked(
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
function serverClosed(connection: RealtimeConnection): Promise<number> {
  const socket = connection.socket;
  if (socket.readyState === socket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => socket.once('close', (code: number) => resolve(code)));
}

/** "Alive": the same server accepts a fresh valid connection and serves it. */
async function expectAlive(baseUrl: string): Promise<void> {
  const socket = await open(baseUrl, `u-alive-${sockets.length}`);
  expect(await socket.request('probe:echo', 'alive', 'alive')).toEqual({
    id: 'alive',
    data: 'alive',
  });
  await socket.close();
}

function errorLines(logger: CapturingLogger): string[] {
  return logger.lines.filter((line) => line.startsWith('error') || line.startsWith('fatal'));
}

async function expectRefusal(
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
function rawOpen(port: number, token: string): Promise<Socket> {
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

// ---------------------------------------------------------------------------------------------

describe('D1: message rate per connection', () => {
  it('first excess gets RATE_LIMITED ($error without id, reply with id); sustained excess closes 4429; other sockets unaffected; alive', async () => {
    const logger = new CapturingLogger();
    // 1 token per second: nothing refills while the test runs.
    const app = await start(
      { limits: { messagesPerSecond: 1, messageBurst: 5, rateLimitedBeforeClose: 3 } },
      PROBE_GATEWAYS,
      logger,
    );
    const registry = app.app.get(ConnectionRegistry);
    const { socket: flood, connection } = await openTracked(app, 'u-flood');
    const sibling = await open(app.baseUrl, 'u-flood');
    const other = await open(app.baseUrl, 'u-other');

    // The burst: 5 valid messages are served.
    const burst = [1, 2, 3, 4, 5].map((n) => flood.request('probe:echo', n, n));
    expect(await Promise.all(burst)).toEqual([1, 2, 3, 4, 5].map((n) => ({ id: n, data: n })));

    // First excess, without id: a $error push naming the event. With id: the reply.
    flood.send({ event: 'probe:echo', data: 'no id' });
    expect(await flood.nextEvent('$error')).toEqual({
      event: '$error',
      data: { code: 'RATE_LIMITED', message: expect.any(String), event: 'probe:echo' },
    });
    expect(await flood.request('probe:echo', 'excess', 'excess')).toEqual({
      id: 'excess',
      error: { code: 'RATE_LIMITED', message: expect.any(String) },
    });
    expect(connection.isOpen).toBe(true);

    // The other sockets have their own budget and are served meanwhile.
    expect(await sibling.request('probe:echo', 's1', 's1')).toEqual({ id: 's1', data: 's1' });
    expect(await other.request('probe:echo', 'o1', 'o1')).toEqual({ id: 'o1', data: 'o1' });

    // Sustained: one more RATE_LIMITED (3 tolerated in the window), then close 4429.
    const closedOnServer = serverClosed(connection);
    for (let i = 0; i < 20; i++) flood.send({ event: 'probe:echo', data: i, id: `s-${i}` });
    expect(await flood.closed).toEqual({ code: 4429, reason: expect.any(String) });
    await closedOnServer;
    expect(flood.pending()).toEqual([
      { id: 's-0', error: { code: 'RATE_LIMITED', message: expect.any(String) } },
    ]);

    // Only that socket is gone; the user's other socket and the other user keep being served.
    expect(registry.get(connection.id)).toBeUndefined();
    expect(registry.connectionsOf('u-flood')).toHaveLength(1);
    expect(await sibling.request('probe:echo', 's2', 's2')).toEqual({ id: 's2', data: 's2' });
    expect(await other.request('probe:echo', 'o2', 'o2')).toEqual({ id: 'o2', data: 'o2' });
    expect((await other.request('$ping', undefined, 'op'))['data']).toEqual({
      t: expect.any(Number),
    });
    await expectAlive(app.baseUrl);
    expect(errorLines(logger)).toEqual([]);
  });

  it('defaults: a normal client sending 60 messages at once is never rate limited (burst 100)', async () => {
    const app = await start();
    const socket = await open(app.baseUrl, 'u-normal');
    const ids = Array.from({ length: 60 }, (_, i) => i + 1);
    const replies = await Promise.all(ids.map((id) => socket.request('probe:echo', id, id)));
    expect(replies).toEqual(ids.map((id) => ({ id, data: id })));
    // Ordering barrier: nothing else (no $error) was sent before this reply.
    expect(await socket.request('probe:echo', 'last', 'last')).toEqual({
      id: 'last',
      data: 'last',
    });
    expect(socket.pending()).toEqual([]);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });
});

describe('D2: slow requests pipelined on one socket', () => {
  it('runs 2 handlers at once, queues 3 in order, rejects the rest at once; one reply each; bounded queue', async () => {
    const logger = new CapturingLogger();
    const app = await start(
      { limits: { concurrentHandlers: 2, queuedMessages: 3 } },
      [...PROBE_GATEWAYS, SlowGateway],
      logger,
    );
    const gateway = app.app.get(SlowGateway);
    const { socket, connection } = await openTracked(app, 'u-slow-requests');
    const sibling = await open(app.baseUrl, 'u-slow-requests');
    const session = sessionOf(connection.socket)!;
    expect(session).toBeDefined();

    const ns = Array.from({ length: 10 }, (_, i) => i + 1);
    const replies = ns.map((n) => socket.request('slow:work', n, n));

    // Two handlers entered; 6..10 are refused at once while those two are still blocked.
    await gateway.arrivals.of(1).promise;
    await gateway.arrivals.of(2).promise;
    expect(await Promise.all(replies.slice(5))).toEqual(
      ns.slice(5).map((n) => ({
        id: n,
        error: { code: 'RATE_LIMITED', message: expect.any(String) },
      })),
    );
    // Barrier: $ping (not a handler) was sent after 3..5; its reply proves they did not start.
    expect((await socket.request('$ping', undefined, 'barrier-1'))['data']).toEqual({
      t: expect.any(Number),
    });
    expect(gateway.entered).toEqual([1, 2]);
    expect(gateway.running).toBe(2);
    expect(session.inFlight).toBe(2);
    expect(session.queue).toHaveLength(3);

    // Another socket of the same user is not held up by them.
    expect(await sibling.request('probe:echo', 'free', 'free')).toEqual({
      id: 'free',
      data: 'free',
    });

    // Each release lets the next queued request in, in order.
    for (const n of [1, 2, 3, 4, 5]) {
      gateway.gates.of(n).resolve();
      expect(await replies[n - 1]).toEqual({ id: n, data: n });
      if (n + 2 <= 5) await gateway.arrivals.of(n + 2).promise;
      expect(gateway.running).toBeLessThanOrEqual(2);
    }
    expect(gateway.entered).toEqual([1, 2, 3, 4, 5]);
    expect(gateway.maxRunning).toBe(2);

    // Exactly one reply per request: nothing else arrived before this later reply.
    expect((await socket.request('$ping', undefined, 'barrier-2'))['data']).toEqual({
      t: expect.any(Number),
    });
    expect(socket.pending()).toEqual([]);
    expect(session.inFlight).toBe(0);
    expect(session.queue).toHaveLength(0);
    expect(connection.isOpen).toBe(true);
    expect(errorLines(logger)).toEqual([]);
  });
});

describe('D3: connection caps at the handshake', () => {
  it('connectionsPerUser: the third socket of a user gets 429 TOO_MANY_CONNECTIONS + Retry-After; other users connect; a freed slot can be reused', async () => {
    const app = await start({ limits: { connectionsPerUser: 2, retryAfterSec: 7 } });
    const registry = app.app.get(ConnectionRegistry);
    const first = await openTracked(app, 'u-capped');
    await openTracked(app, 'u-capped');

    const refusal = await expectRefusal(app.baseUrl, 'u-capped', 429, 'TOO_MANY_CONNECTIONS');
    expect(refusal.headers['retry-after']).toBe('7');
    expect(registry.connectionsOf('u-capped')).toHaveLength(2);

    const other = await open(app.baseUrl, 'u-someone-else');
    expect(await other.request('probe:echo', 'ok', 'ok')).toEqual({ id: 'ok', data: 'ok' });

    // Close one; once the server has dropped it, the user may connect again (and not beyond).
    const dropped = serverClosed(first.connection);
    await first.socket.close();
    await dropped;
    expect(registry.connectionsOf('u-capped')).toHaveLength(1);
    const again = await open(app.baseUrl, 'u-capped');
    expect(await again.request('probe:echo', 'again', 'again')).toEqual({
      id: 'again',
      data: 'again',
    });
    await expectRefusal(app.baseUrl, 'u-capped', 429, 'TOO_MANY_CONNECTIONS');
  });

  it('connections: the third socket of any user gets 503 UNAVAILABLE + Retry-After; a freed slot can be reused', async () => {
    const app = await start({ limits: { connections: 2, retryAfterSec: 7 } });
    const registry = app.app.get(ConnectionRegistry);
    const first = await openTracked(app, 'u-one');
    await openTracked(app, 'u-two');

    for (const sub of ['u-three', 'u-one']) {
      const refusal = await expectRefusal(app.baseUrl, sub, 503, 'UNAVAILABLE');
      expect(refusal.headers['retry-after']).toBe('7');
    }
    expect(registry.size).toBe(2);

    const dropped = serverClosed(first.connection);
    await first.socket.close();
    await dropped;
    const third = await open(app.baseUrl, 'u-three');
    expect(await third.request('probe:echo', 'in', 'in')).toEqual({ id: 'in', data: 'in' });
    expect(registry.size).toBe(2);
  });

  it.each<[string, RealtimeLimitOptions, (i: number) => string, number]>([
    ['connectionsPerUser: 2, one user', { connectionsPerUser: 2 }, () => 'u-racer', 429],
    ['connections: 2, three users', { connections: 2 }, (i) => `u-racer-${i}`, 503],
  ])(
    '%s: three upgrades verified at the same time still open at most 2 sockets',
    async (_case, limits, subOf, status) => {
      const app = await start({ ...HOLD_GUARDS, limits });
      const guard = app.app.get(HoldGuard);
      const registry = app.app.get(ConnectionRegistry);
      const allHeld = deferred();
      guard.onHeld = () => {
        if (guard.held === 3) allHeld.resolve();
      };

      const attempts = [0, 1, 2].map((i) =>
        TestSocket.connect(app.baseUrl, { token: sign(subOf(i)), path: '/ws?hold=1' }).then(
          (socket) => {
            sockets.push(socket);
            return socket;
          },
        ),
      );
      await allHeld.promise;
      guard.release();
      const results = await Promise.allSettled(attempts);

      const opened = results.filter((r) => r.status === 'fulfilled');
      const refused = results.flatMap((r) =>
        r.status === 'rejected' && r.reason instanceof UpgradeRefused ? [r.reason] : [],
      );
      expect({ opened: opened.length, refused: refused.map((r) => r.status) }).toEqual({
        opened: 2,
        refused: [status],
      });
      expect(refused[0]?.headers['retry-after']).toEqual(expect.any(String));
      expect(registry.size).toBe(2);
    },
  );
});

describe('D4: slow consumer', () => {
  const LIMIT = 64 * 1024;

  it('over the buffer limit: volatile sends are skipped, the buffer stays bounded, others keep flowing; a non-volatile send closes it with 4408', async () => {
    const logger = new CapturingLogger();
    const app = await start({ limits: { bufferedBytes: LIMIT } }, PROBE_GATEWAYS, logger);
    const registry = app.app.get(ConnectionRegistry);
    const { socket: slow, connection } = await openTracked(app, 'u-slow');
    const fast = await open(app.baseUrl, 'u-fast');
    // Both join the room "probe".
    expect(await slow.request('probe:rooms', undefined, 'join')).toEqual({
      id: 'join',
      data: ['probe'],
    });
    expect(await fast.request('probe:rooms', undefined, 'join')).toEqual({
      id: 'join',
      data: ['probe'],
    });

    // The slow client stops reading its TCP socket.
    slow.ws.pause();
    const chunk = 'x'.repeat(128 * 1024);
    let bigSent = 0;
    /** Pushes large messages to the slow one until its outbound buffer is over the limit. */
    const fill = (): void => {
      while (connection.socket.bufferedAmount <= LIMIT && bigSent < 1000) {
        registry.toConnection(connection.id).emit('big', { n: bigSent, chunk });
        bigSent++;
      }
    };
    fill();
    const peak = connection.socket.bufferedAmount;
    expect(peak).toBeGreaterThan(LIMIT);
    // Memory bounded: at most one frame beyond the limit was ever queued.
    expect(peak).toBeLessThanOrEqual(LIMIT + chunk.length + 1024);
    expect(connection.isOpen).toBe(true);

    // Volatile: skipped for the slow one (its buffer does not grow, it stays open), delivered to the fast one.
    for (let i = 0; i < 100; i++) registry.to('probe').emit('tick', { i }, { volatile: true });
    expect(connection.socket.bufferedAmount).toBeLessThanOrEqual(peak);
    expect(connection.send('tick', { direct: true }, { volatile: true })).toBe(false);
    expect(connection.socket.bufferedAmount).toBeLessThanOrEqual(peak);
    expect(connection.isOpen).toBe(true);
    for (let i = 0; i < 100; i++) {
      expect(((await fast.nextEvent('tick'))['data'] as { i: number }).i).toBe(i);
    }
    expect(await fast.request('probe:echo', 'flowing', 'flowing')).toEqual({
      id: 'flowing',
      data: 'flowing',
    });
    expect(connection.isOpen).toBe(true);
    expect(connection.socket.bufferedAmount).toBeLessThanOrEqual(peak);

    // A non-volatile send while over the limit closes the slow one with 4408; the fast one gets it.
    fill();
    expect(connection.socket.bufferedAmount).toBeGreaterThan(LIMIT);
    const closedOnServer = serverClosed(connection);
    registry.to('probe').emit('news', { important: true });
    expect(connection.socket.readyState).toBe(connection.socket.CLOSING);
    expect(await fast.nextEvent('news')).toEqual({ event: 'news', data: { important: true } });
    expect(await fast.request('probe:echo', 'still', 'still')).toEqual({
      id: 'still',
      data: 'still',
    });

    // The client reads again: the queued data, then the close frame with 4408.
    slow.ws.resume();
    expect(await slow.closed).toEqual({ code: 4408, reason: expect.any(String) });
    await closedOnServer;
    expect(registry.get(connection.id)).toBeUndefined();
    const received = slow.pending();
    expect(received.filter((m) => m['event'] === 'big')).toHaveLength(bigSent);
    expect(received.filter((m) => m['event'] !== 'big')).toEqual([]);

    await expectAlive(app.baseUrl);
    expect(errorLines(logger)).toEqual([]);
  });
});

describe('D6 and handshake timeout: pending handshakes are bounded', () => {
  const BAD = { Authorization: 'Bearer not.a.valid-jwt' };

  it('300 concurrent upgrades with invalid JWTs held by a slow guard: 50 pending, the rest 503 at once; each answered 401 or 503; a valid client connects afterwards', async () => {
    const app = await start({
      ...HOLD_GUARDS,
      limits: { pendingHandshakes: 50, retryAfterSec: 7 },
    });
    const guard = app.app.get(HoldGuard);
    const registry = app.app.get(ConnectionRegistry);
    const TOTAL = 300;
    let answered = 0;
    const everyoneAccounted = deferred();
    const check = (): void => {
      if (answered + guard.held === TOTAL) everyoneAccounted.resolve();
    };
    guard.onHeld = check;

    const responses = Array.from({ length: TOTAL }, () =>
      rawUpgrade(app.port, '/ws?hold=1', BAD).then((response) => {
        answered++;
        check();
        return response;
      }),
    );
    // Every upgrade is either answered or held by the guard: none hangs elsewhere.
    await everyoneAccounted.promise;
    expect({ held: guard.held, answered }).toEqual({ held: 50, answered: TOTAL - 50 });

    // While the pending slots are full, even a valid client is told to come back later.
    const busy = await expectRefusal(app.baseUrl, 'u-valid', 503, 'UNAVAILABLE');
    expect(busy.headers['retry-after']).toBe('7');

    guard.release();
    const all: RawResponse[] = await Promise.all(responses);
    const statuses = all.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(50);
    expect(statuses.filter((s) => s === 503)).toHaveLength(TOTAL - 50);
    for (const response of all) {
      const code = response.status === 401 ? 'UNAUTHORIZED' : 'UNAVAILABLE';
      expect(JSON.parse(response.body)).toEqual({ error: { code, message: expect.any(String) } });
      if (response.status === 503) expect(response.headers['retry-after']).toBe('7');
      else expect(response.headers['www-authenticate']).toBe('Bearer');
    }
    expect(registry.size).toBe(0);

    const valid = await open(app.baseUrl, 'u-valid');
    expect(await valid.request('probe:echo', 'in', 'in')).toEqual({ id: 'in', data: 'in' });
    await expectAlive(app.baseUrl);
  });

  it('300 concurrent upgrades with invalid JWTs (JWT guard only): each 401 or 503, a valid client connects', async () => {
    const app = await start({ limits: { pendingHandshakes: 50 } });
    const all = await Promise.all(
      Array.from({ length: 300 }, () => rawUpgrade(app.port, '/ws', BAD)),
    );
    for (const response of all) expect([401, 503]).toContain(response.status);
    expect(app.app.get(ConnectionRegistry).size).toBe(0);
    const valid = await open(app.baseUrl, 'u-valid');
    expect(await valid.request('probe:echo', 'in', 'in')).toEqual({ id: 'in', data: 'in' });
  });

  it('a handshake guard that never answers: 503 UNAVAILABLE + Retry-After after handshakeTimeoutMs; alive', async () => {
    const app = await start({ ...HOLD_GUARDS, limits: { handshakeTimeoutMs: 200 } });
    const startedAt = Date.now();
    const response = await rawUpgrade(app.port, '/ws?hold=forever', {
      Authorization: `Bearer ${sign('u-patient')}`,
    });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(150);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      error: { code: 'UNAVAILABLE', message: expect.any(String) },
    });
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
    expect(app.app.get(ConnectionRegistry).size).toBe(0);
    await expectAlive(app.baseUrl);
  });

  it('the handshake-timeout 503 carries the configured limits.retryAfterSec', async () => {
    const app = await start({
      ...HOLD_GUARDS,
      limits: { handshakeTimeoutMs: 200, retryAfterSec: 7 },
    });
    const response = await rawUpgrade(app.port, '/ws?hold=forever', {
      Authorization: `Bearer ${sign('u-patient')}`,
    });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('7');
  });
});

describe('B9: ping flood from a peer that never reads', () => {
  it('10 000 pings: the server terminates the connection, drops it from the registry, and stays alive', async () => {
    const app = await start();
    const registry = app.app.get(ConnectionRegistry);
    const heartbeat = app.app.get(Heartbeat);
    const raw = await rawOpen(app.port, sign('u-pinger'));
    const [connection] = registry.connectionsOf('u-pinger');
    expect(connection).toBeDefined();
    const closedOnServer = serverClosed(connection!);

    // Never read, and write the pings without waiting for any pong.
    raw.pause();
    const pings = Buffer.concat(Array.from({ length: 10_000 }, () => buildFrame(Opcode.PING, '')));
    raw.write(pings);

    const code = await closedOnServer;
    expect([1006, 1008]).toContain(code);
    expect(registry.get(connection!.id)).toBeUndefined();
    expect(registry.connectionsOf('u-pinger')).toEqual([]);
    expect(registry.size).toBe(0);
    expect(heartbeat.size).toBe(0);
    await expectAlive(app.baseUrl);
  });
});

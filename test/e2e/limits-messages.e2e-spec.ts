import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { stateOf } from '../../src/server/connection/connection-map.js';
import { ConnectionRegistry, RealtimeGateway } from '../../src/server/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import {
  errorLines,
  expectAlive,
  installLimitsHarness,
  open,
  openTracked,
  serverClosed,
  Signals,
  start,
} from '../support/limits-harness.js';
import { PROBE_GATEWAYS } from '../support/probe-app.js';

/**
 * Reliability catalogue section D, inbound messages on one socket, over real sockets: the
 * per-connection message rate (D1) and bounded concurrent handlers and queue (D2). Small limits
 * are passed in the module options to keep it fast.
 */

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

installLimitsHarness();

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
    const session = stateOf(connection.socket)!;
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

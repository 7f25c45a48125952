// The heartbeat is internal; the test drives its tick instead of waiting for the interval.
import { Heartbeat } from '../../src/server/connection/heartbeat.js';
import { ConnectionRegistry } from '../../src/server/index.js';
import { CapturingLogger } from '../support/capturing-logger.js';
import { buildFrame, Opcode } from '../support/frames.js';
import {
  errorLines,
  expectAlive,
  installLimitsHarness,
  open,
  openTracked,
  rawOpen,
  serverClosed,
  sign,
  start,
} from '../support/limits-harness.js';
import { PROBE_GATEWAYS } from '../support/probe-app.js';

/**
 * Reliability catalogue sections D and B, peers that do not read, over real sockets: slow
 * consumers (D4) and ping floods (B9). Small limits are passed in the module options to keep it
 * fast.
 */

installLimitsHarness();

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

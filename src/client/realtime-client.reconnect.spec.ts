import { jest } from '@jest/globals';
import type { WebSocketConstructor } from './web-socket.js';
import { connectOpen, settled, setup, tick } from '../../test/client/client-harness.js';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const RECONNECT_CODES = [1001, 1006, 1011, 1012, 1013, 4000, 4401, 4408, 4429, 4499];
const STOP_CODES = [1000, 1002, 1003, 1007, 1008, 1009, 4500, 4999];

describe('RealtimeClient states', () => {
  it('goes connecting -> open -> reconnecting -> open -> closed, each with {code, reason}', async () => {
    const h = setup();
    await connectOpen(h);
    h.net.last().serverClose(1001, 'Server shutting down');
    await tick(500);
    h.net.last().open();
    const closing = h.client.close();
    h.net.last().serverClose(1000);
    await closing;
    expect(h.changes).toEqual([
      {
        state: 'connecting',
        previous: 'closed',
        code: 'CONNECT_CALLED',
        reason: 'connect() called',
      },
      { state: 'open', previous: 'connecting', code: 'CONNECTED', reason: 'Connected' },
      { state: 'reconnecting', previous: 'open', code: 1001, reason: 'Server shutting down' },
      { state: 'open', previous: 'reconnecting', code: 'CONNECTED', reason: 'Connected' },
      { state: 'closed', previous: 'open', code: 1000, reason: 'Client closed' },
    ]);
    expect(h.client.state).toBe('closed');
  });

  it('goes connecting -> reconnecting when the first socket never opens, and stays there', async () => {
    const h = setup();
    const connected = settled(h.client.connect());
    h.net.last().serverClose(1006);
    await tick(500);
    h.net.last().serverClose(1006);
    await tick(1000);
    expect(h.states()).toEqual(['connecting', 'reconnecting']);
    expect(h.changes[1]).toMatchObject({ code: 1006, reason: 'Closed with 1006' });
    expect(connected.done).toBe(false);
    h.net.last().open();
    await tick();
    expect(connected.done).toBe(true);
    expect(h.states()).toEqual(['connecting', 'reconnecting', 'open']);
  });

  it('connect() while open resolves at once; while reconnecting it waits for the open', async () => {
    const h = setup();
    await connectOpen(h);
    await expect(h.client.connect()).resolves.toBeUndefined();
    h.net.last().serverClose(1006);
    const again = settled(h.client.connect());
    await tick(500);
    expect(again.done).toBe(false);
    h.net.last().open();
    await tick();
    expect(again.done).toBe(true);
    expect(h.net.sockets).toHaveLength(2);
  });

  it('handles a state listener that closes the client during a transition', async () => {
    const h = setup();
    h.client.onState((change) => {
      if (change.state === 'reconnecting') void h.client.close('listener');
    });
    await connectOpen(h);
    h.net.last().serverClose(1006);
    await tick(60_000);
    expect(h.states()).toEqual(['connecting', 'open', 'reconnecting', 'closed']);
    expect(h.net.sockets).toHaveLength(1);
  });
});

describe('RealtimeClient close codes (protocol section 5)', () => {
  it.each(RECONNECT_CODES)('reconnects after %i', async (code) => {
    const h = setup({ backoff: { rateLimitedMs: 0 } });
    await connectOpen(h);
    h.net.last().serverClose(code, `reason ${code}`);
    expect(h.changes.at(-1)).toEqual({
      state: 'reconnecting',
      previous: 'open',
      code,
      reason: `reason ${code}`,
    });
    await tick(500);
    expect(h.net.sockets).toHaveLength(2);
    h.net.last().open();
    expect(h.client.state).toBe('open');
  });

  it.each(STOP_CODES)('stops after %i and reports the reason', async (code) => {
    const h = setup();
    await connectOpen(h);
    const inFlight = settled(h.client.request('x'));
    h.net.last().serverClose(code, `reason ${code}`);
    await tick(120_000);
    expect(h.changes.at(-1)).toEqual({
      state: 'closed',
      previous: 'open',
      code,
      reason: `reason ${code}`,
    });
    expect(h.net.sockets).toHaveLength(1);
    expect(inFlight.error).toMatchObject({ code: 'DISCONNECTED' });
    await expect(h.client.request('y')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('connect() rejects when the client stops before it opens: close(), a throwing constructor', async () => {
    const h = setup();
    const connected = h.client.connect();
    void h.client.close('changed my mind');
    await expect(connected).rejects.toMatchObject({
      code: 'CLOSED',
      message: 'Client closed: changed my mind',
    });
    const broken = setup({
      WebSocket: class {
        constructor() {
          throw new SyntaxError('Invalid URL');
        }
      } as unknown as WebSocketConstructor,
    });
    await expect(broken.client.connect()).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    expect(broken.changes.at(-1)).toMatchObject({
      state: 'closed',
      code: 'CONNECT_FAILED',
      reason: 'Cannot open a WebSocket: Invalid URL',
    });
  });

  it('waits at least backoff.rateLimitedMs after 4429', async () => {
    const h = setup({ backoff: { rateLimitedMs: 15_000 } });
    await connectOpen(h);
    h.net.last().serverClose(4429, 'Message rate exceeded');
    await tick(14_999);
    expect(h.net.sockets).toHaveLength(1);
    await tick(1);
    expect(h.net.sockets).toHaveLength(2);
  });
});

describe('RealtimeClient backoff', () => {
  /** Fails every open and returns the delay before each new socket. */
  async function delaysOfFailedOpens(
    count: number,
    h: ReturnType<typeof setup>,
  ): Promise<number[]> {
    const delays: number[] = [];
    for (let i = 0; i < count; i++) {
      const before = h.net.sockets.length;
      h.net.last().serverClose(1006);
      let waited = 0;
      while (h.net.sockets.length === before) {
        await tick(100);
        waited += 100;
      }
      delays.push(waited);
    }
    return delays;
  }

  it('grows exponentially up to the cap while opens keep failing', async () => {
    const h = setup({ backoff: { initialMs: 100, maxMs: 1000 } });
    void h.client.connect();
    expect(await delaysOfFailedOpens(6, h)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('applies the jitter from the injected random source', async () => {
    const h = setup({ backoff: { initialMs: 1000, jitter: 0.5 }, random: () => 0.8 });
    void h.client.connect();
    expect(await delaysOfFailedOpens(2, h)).toEqual([600, 1200]);
  });

  it('resets after a connection that stayed open resetAfterMs, not after a short one', async () => {
    const h = setup({ backoff: { initialMs: 100, maxMs: 10_000, resetAfterMs: 5000 } });
    void h.client.connect();
    expect(await delaysOfFailedOpens(3, h)).toEqual([100, 200, 400]);
    h.net.last().open();
    await tick(4000);
    expect(await delaysOfFailedOpens(1, h)).toEqual([800]);
    h.net.last().open();
    await tick(5000);
    expect(await delaysOfFailedOpens(2, h)).toEqual([100, 200]);
  });
});

describe('RealtimeClient $ping liveness', () => {
  it('sends $ping every pingIntervalMs while the server answers', async () => {
    const h = setup({ pingIntervalMs: 25_000, pingTimeoutMs: 10_000 });
    await connectOpen(h);
    const socket = h.net.last();
    await tick(24_999);
    expect(socket.sent).toEqual([]);
    await tick(1);
    expect(socket.frames).toEqual([{ event: '$ping', id: 1 }]);
    socket.reply('$ping', { t: Date.now() });
    await tick(25_000);
    expect(socket.frames.filter((f) => f.event === '$ping')).toHaveLength(2);
    socket.receive({ id: 2, error: { code: 'RATE_LIMITED', message: 'slow down' } });
    await tick(25_000);
    expect(socket.frames.filter((f) => f.event === '$ping')).toHaveLength(3);
    expect(h.client.state).toBe('open');
  });

  it('drops a silent connection after pingTimeoutMs and reconnects (E3)', async () => {
    const h = setup({ pingIntervalMs: 25_000, pingTimeoutMs: 10_000 });
    await connectOpen(h);
    const dead = h.net.last();
    const inFlight = settled(h.client.request('x', undefined, { timeout: 60_000 }));
    await tick(34_999);
    expect(h.client.state).toBe('open');
    await tick(1);
    expect(h.changes.at(-1)).toEqual({
      state: 'reconnecting',
      previous: 'open',
      code: 'PING_TIMEOUT',
      reason: 'No reply to $ping within 10000 ms',
    });
    expect(dead.closedWith).toEqual({ code: 4000, reason: 'No reply to $ping within 10000 ms' });
    expect(inFlight.error).toMatchObject({ code: 'DISCONNECTED' });
    dead.serverClose(1006);
    await tick(500);
    expect(h.net.sockets).toHaveLength(2);
    h.net.last().open();
    expect(h.client.state).toBe('open');
  });

  it('sends no $ping when pingIntervalMs is 0', async () => {
    const h = setup({ pingIntervalMs: 0 });
    await connectOpen(h);
    await tick(600_000);
    expect(h.net.last().sent).toEqual([]);
  });
});

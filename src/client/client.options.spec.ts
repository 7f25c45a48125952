import { fakeWebSockets } from '../../test/client/fake-web-socket.js';
import { RealtimeClient } from './realtime-client.js';
import { resolveClientOptions } from './client.options.js';

describe('resolveClientOptions', () => {
  const { WebSocket } = fakeWebSockets('node');

  it('applies the documented defaults', () => {
    const resolved = resolveClientOptions({ url: 'ws://x/ws', WebSocket });
    expect(resolved).toMatchObject({
      tokenTransport: 'header',
      requestTimeoutMs: 10_000,
      backoff: {
        initialMs: 500,
        maxMs: 30_000,
        multiplier: 2,
        jitter: 0.5,
        resetAfterMs: 10_000,
        rateLimitedMs: 10_000,
      },
      pingIntervalMs: 25_000,
      pingTimeoutMs: 10_000,
      refreshToken: true,
      refreshBeforeMs: 30_000,
      maxQueue: 50,
      maxFailedOpens: 3,
      recovery: true,
      random: Math.random,
    });
  });

  it('picks subprotocol for a two-argument (browser-like) constructor, header for ws-like', () => {
    const browser = fakeWebSockets('browser').WebSocket;
    expect(resolveClientOptions({ url: 'ws://x', WebSocket: browser }).tokenTransport).toBe(
      'subprotocol',
    );
    expect(resolveClientOptions({ url: 'ws://x', WebSocket }).tokenTransport).toBe('header');
  });

  it('keeps backoff defaults for keys given as undefined', () => {
    const resolved = resolveClientOptions({
      url: 'ws://x',
      WebSocket,
      backoff: { initialMs: undefined, maxMs: 2000 },
    });
    expect(resolved.backoff).toMatchObject({ initialMs: 500, maxMs: 2000 });
  });

  it.each([
    [{ url: '' }, 'url is required'],
    [{ requestTimeoutMs: 0 }, 'requestTimeoutMs must be >= 1'],
    [{ pingIntervalMs: -1 }, 'pingIntervalMs must be >= 0'],
    [{ maxQueue: 1.5 }, 'maxQueue must be an integer >= 0'],
    [{ maxFailedOpens: 0 }, 'maxFailedOpens must be >= 1'],
    [{ backoff: { jitter: 2 } }, 'backoff.jitter must be in [0, 1]'],
    [{ backoff: { initialMs: 1000, maxMs: 10 } }, 'backoff.maxMs must be >= backoff.initialMs'],
    [{ backoff: { multiplier: 0.5 } }, 'backoff.multiplier must be >= 1'],
  ])('rejects %j with a message that says what to fix', (options, message) => {
    expect(() => resolveClientOptions({ url: 'ws://x', WebSocket, ...options })).toThrow(message);
  });

  it('asks for a constructor when the platform has no global WebSocket', () => {
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    delete global.WebSocket;
    try {
      expect(() => new RealtimeClient({ url: 'ws://x' })).toThrow(/pass one.*from "ws"/);
    } finally {
      if (saved !== undefined) global.WebSocket = saved;
    }
  });

  it('uses globalThis.WebSocket by default', () => {
    const global = globalThis as { WebSocket?: unknown };
    const saved = global.WebSocket;
    const browser = fakeWebSockets('browser');
    global.WebSocket = browser.WebSocket;
    try {
      const client = new RealtimeClient({ url: 'ws://x/ws' });
      void client.connect();
      expect(browser.last().url).toBe('ws://x/ws');
      expect(browser.last().protocols).toEqual(['realtime.v1']);
      expect(resolveClientOptions({ url: 'ws://x' }).WebSocket).toBe(browser.WebSocket);
      void client.close();
    } finally {
      if (saved === undefined) delete global.WebSocket;
      else global.WebSocket = saved;
    }
  });
});

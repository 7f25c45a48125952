import { jest } from '@jest/globals';
import { connectOpen, settled, setup, tick } from '../../test/client/client-harness.js';

beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
afterEach(() => jest.useRealTimers());

describe('RealtimeClient limits: in-flight bound and pacing', () => {
  it('keeps at most maxInFlight requests awaiting replies; a reply lets the next one go', async () => {
    const h = setup({ limits: { maxInFlight: 4 } });
    await connectOpen(h);
    const replies = Array.from({ length: 10 }, (_, i) => settled(h.client.request('x', { i })));
    await tick();
    const socket = h.net.last();
    expect(socket.frames.map((f) => f.data)).toEqual([0, 1, 2, 3].map((i) => ({ i })));
    socket.receive({ id: socket.frames[0]?.id, data: 'r0' });
    await tick();
    expect(socket.frames).toHaveLength(5);
    expect(socket.frames[4]?.data).toEqual({ i: 4 });
    expect(replies[0]).toMatchObject({ done: true, value: 'r0' });
  });

  it('sends a burst, then at messagesPerSecond, in order (emits and requests alike)', async () => {
    const h = setup({ limits: { maxInFlight: 1000, messagesPerSecond: 50, burst: 5 } });
    await connectOpen(h);
    for (let i = 0; i < 10; i++) {
      if (i % 2) h.client.emit('e', { i });
      else void h.client.request('r', { i }).catch(() => undefined);
    }
    const socket = h.net.last();
    expect(socket.frames).toHaveLength(5);
    await tick(19);
    expect(socket.frames).toHaveLength(5);
    await tick(1); // one token every 20 ms at 50/s
    expect(socket.frames).toHaveLength(6);
    await tick(80);
    expect(socket.frames.map((f) => (f.data as { i: number }).i)).toEqual([...Array(10).keys()]);
  });

  it('does not count the wait for the pacing in a request timeout', async () => {
    const h = setup({ limits: { maxInFlight: 1 }, requestTimeoutMs: 1000 });
    await connectOpen(h);
    const first = settled(h.client.request('x', 1));
    const second = settled(h.client.request('x', 2));
    await tick(900);
    const socket = h.net.last();
    socket.receive({ id: socket.frames[0]?.id, data: 'one' });
    await tick(900); // the second has waited 1800 ms since the call, 900 since it was sent
    expect(first).toMatchObject({ done: true, value: 'one' });
    expect(second.done).toBe(false);
    await tick(100);
    expect(second.error).toMatchObject({ code: 'TIMEOUT' });
  });

  it('sends $ping past the pacing, so a long backlog cannot make a live server look dead', async () => {
    const h = setup({ pingIntervalMs: 1000, limits: { messagesPerSecond: 1, burst: 1 } });
    await connectOpen(h);
    for (let i = 0; i < 5; i++) h.client.emit('e', i);
    await tick(1000);
    const events = h.net.last().frames.map((f) => f.event);
    expect(events).toContain('$ping');
    expect(events.filter((e) => e === 'e').length).toBeLessThan(5);
  });

  it('keeps what waits for the pacing across a reconnect, and sends it after', async () => {
    const h = setup({ limits: { messagesPerSecond: 10, burst: 2 } });
    await connectOpen(h);
    for (let i = 0; i < 4; i++) h.client.emit('e', i);
    h.net.last().serverClose(1001);
    await tick(500);
    h.net.last().open();
    await tick(200);
    expect(h.net.sockets[0]?.frames.map((f) => f.data)).toEqual([0, 1]);
    expect(h.net.last().frames.map((f) => f.data)).toEqual([2, 3]);
  });

  it('does not pace with messagesPerSecond Infinity', async () => {
    const h = setup({ limits: { messagesPerSecond: Number.POSITIVE_INFINITY } });
    await connectOpen(h);
    for (let i = 0; i < 300; i++) h.client.emit('e', i);
    expect(h.net.last().frames).toHaveLength(300);
  });

  it('refuses limits that cannot work, saying what to fix', () => {
    expect(() => setup({ limits: { maxInFlight: 0 } })).toThrow(/limits.maxInFlight must be >= 1/);
    expect(() => setup({ limits: { messagesPerSecond: 0 } })).toThrow(/messagesPerSecond/);
    expect(() => setup({ connectTimeoutMs: 0 })).toThrow(/connectTimeoutMs must be >= 1/);
  });
});

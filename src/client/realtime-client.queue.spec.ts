import { jest } from '@jest/globals';
import { connectOpen, settled, setup, tick } from '../../test/client/client-harness.js';
import type { RealtimeClient } from './realtime-client.js';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('RealtimeClient offline queue', () => {
  it('queues emits and requests made while connecting and flushes them in order on open', async () => {
    const h = setup();
    const connected = h.client.connect();
    h.client.emit('e1', 1);
    const r1 = h.client.request('r1', 2);
    h.client.emit('e2', 3);
    const r2 = h.client.request('r2', 4);
    await tick();
    const socket = h.net.last();
    expect(socket.sent).toEqual([]);
    socket.open();
    await connected;
    expect(socket.frames).toEqual([
      { event: 'e1', data: 1 },
      { event: 'r1', data: 2, id: 1 },
      { event: 'e2', data: 3 },
      { event: 'r2', data: 4, id: 2 },
    ]);
    socket.reply('r2', 'two');
    socket.reply('r1', 'one');
    await expect(Promise.all([r1, r2])).resolves.toEqual(['one', 'two']);
  });

  it('queues while reconnecting; in-flight requests fail but queued ones survive the drop', async () => {
    const h = setup();
    await connectOpen(h);
    const inFlight = settled(h.client.request('sent-before'));
    h.net.last().serverClose(1001, 'Server shutting down');
    const queued = h.client.request('queued');
    h.client.emit('queued-emit');
    await tick(500);
    expect(inFlight.error).toMatchObject({ code: 'DISCONNECTED' });
    const socket = h.net.last();
    socket.open();
    expect(socket.frames.map((f) => f.event)).toEqual(['queued', 'queued-emit']);
    socket.reply('queued', 'ok');
    await expect(queued).resolves.toBe('ok');
  });

  it('rejects with QUEUE_FULL over maxQueue, from request() and emit(), and keeps the rest', async () => {
    const h = setup({ maxQueue: 2 });
    void h.client.connect();
    const a = h.client.request('a');
    h.client.emit('b');
    await expect(h.client.request('c')).rejects.toMatchObject({ code: 'QUEUE_FULL', event: 'c' });
    expect(() => h.client.emit('d')).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }));
    await tick();
    h.net.last().open();
    expect(h.net.last().frames.map((f) => f.event)).toEqual(['a', 'b']);
    h.net.last().reply('a', 1);
    await expect(a).resolves.toBe(1);
  });

  it('times a queued request out from the call and never sends it afterwards', async () => {
    const h = setup({ requestTimeoutMs: 1000 });
    void h.client.connect();
    const stale = settled(h.client.request('stale'));
    await tick(1000);
    expect(stale.error).toMatchObject({ code: 'TIMEOUT' });
    h.client.emit('fresh');
    h.net.last().open();
    expect(h.net.last().frames).toEqual([{ event: 'fresh' }]);
  });

  it('rejects queued requests with CLOSED when the client is closed', async () => {
    const h = setup();
    void h.client.connect();
    const queued = settled(h.client.request('q'));
    const closing = settled(h.client.close());
    await tick();
    expect(queued.error).toMatchObject({ code: 'CLOSED' });
    expect(h.net.last().closedWith).toEqual({ code: 1000, reason: 'Client closed' });
    expect(closing.done).toBe(false);
    h.net.last().serverClose(1006);
    await tick();
    expect(closing.done).toBe(true);
  });

  it('runs onReconnect after a reconnect, then flushes: rooms are re-joined first', async () => {
    const hook = jest.fn(async (client: RealtimeClient) => {
      await client.request('chat:join', { room: 'general' });
    });
    const h = setup({ onReconnect: hook });
    await connectOpen(h);
    expect(hook).not.toHaveBeenCalled();
    h.net.last().serverClose(1006);
    h.client.emit('chat:send', { text: 'written offline' });
    await tick(500);
    const socket = h.net.last();
    socket.open();
    await tick();
    expect(hook).toHaveBeenCalledTimes(1);
    expect(hook).toHaveBeenCalledWith(h.client);
    expect(socket.frames.map((f) => f.event)).toEqual(['chat:join']);
    socket.reply('chat:join', { room: 'general', members: [] });
    await tick();
    expect(socket.frames.map((f) => f.event)).toEqual(['chat:join', 'chat:send']);
  });

  it('reports a failing onReconnect and flushes the queue anyway', async () => {
    const h = setup({
      onReconnect: () => {
        throw new Error('join failed');
      },
    });
    await connectOpen(h);
    h.net.last().serverClose(1011);
    h.client.emit('after');
    await tick(500);
    h.net.last().open();
    await tick();
    expect(h.errors.map((e) => [e.code, e.message])).toEqual([
      ['RECONNECT_HOOK_FAILED', 'onReconnect failed: join failed'],
    ]);
    expect(h.net.last().frames).toEqual([{ event: 'after' }]);
  });

  it('does not flush on a socket that dropped while onReconnect ran', async () => {
    let release: () => void = () => undefined;
    const h = setup({ onReconnect: () => new Promise<void>((resolve) => (release = resolve)) });
    await connectOpen(h);
    h.net.last().serverClose(1006);
    h.client.emit('queued');
    await tick(500);
    const second = h.net.last();
    second.open();
    second.serverClose(1006);
    release();
    await tick();
    expect(second.sent).toEqual([]);
    await tick(1000);
    h.net.last().open();
    release();
    await tick();
    expect(h.net.last()).not.toBe(second);
    expect(h.net.last().frames).toEqual([{ event: 'queued' }]);
  });
});

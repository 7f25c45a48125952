import { jest } from '@jest/globals';
import { connectOpen, settled, setup, tick } from '../../test/client/client-harness.js';
import { RealtimeClientError, RequestError } from './client.errors.js';
import { CLOSE_WAIT_MS } from './realtime-client.js';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('RealtimeClient requests', () => {
  it('correlates replies by increasing integer id, in any order', async () => {
    const h = setup();
    await connectOpen(h);
    const a = h.client.request('chat:send', { text: 'a' });
    const b = h.client.request('chat:send', { text: 'b' });
    const socket = h.net.last();
    expect(socket.frames).toEqual([
      { event: 'chat:send', data: { text: 'a' }, id: 1 },
      { event: 'chat:send', data: { text: 'b' }, id: 2 },
    ]);
    socket.receive({ id: 2, data: { id: 'm2' } });
    socket.receive({ id: 1, data: { id: 'm1' } });
    await expect(a).resolves.toEqual({ id: 'm1' });
    await expect(b).resolves.toEqual({ id: 'm2' });
  });

  it('resolves null for a reply without data, and omits data when the payload is missing', async () => {
    const h = setup();
    await connectOpen(h);
    const reply = h.client.request('game:join');
    expect(h.net.last().sent.at(-1)).toBe('{"event":"game:join","id":1}');
    h.net.last().receive({ id: 1, data: null });
    await expect(reply).resolves.toBeNull();
  });

  it('rejects with a RequestError carrying the server code, message and details', async () => {
    const h = setup();
    await connectOpen(h);
    const reply = h.client.request('chat:send', { text: '' });
    const details = [{ field: 'text', errors: ['text should not be empty'] }];
    h.net.last().receive({
      id: 1,
      error: { code: 'VALIDATION_FAILED', message: 'Payload validation failed', details },
    });
    const error = await reply.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toBeInstanceOf(RealtimeClientError);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'Payload validation failed',
      details,
      event: 'chat:send',
      fromServer: true,
    });
  });

  it('passes application codes through as they are', async () => {
    const h = setup();
    await connectOpen(h);
    const reply = h.client.request('game:move', { cell: 4 });
    h.net.last().receive({ id: 1, error: { code: 'NOT_YOUR_TURN', message: 'Wait' } });
    await expect(reply).rejects.toMatchObject({ code: 'NOT_YOUR_TURN', fromServer: true });
  });

  it('rejects with TIMEOUT after requestTimeoutMs and ignores the late reply', async () => {
    const h = setup({ requestTimeoutMs: 1000 });
    await connectOpen(h);
    const reply = settled(h.client.request('slow'));
    await tick(999);
    expect(reply.done).toBe(false);
    await tick(1);
    expect(reply.error).toMatchObject({ code: 'TIMEOUT', event: 'slow', fromServer: false });
    h.net.last().receive({ id: 1, data: 'late' });
    await tick();
    expect(h.errors).toEqual([]);
    expect(h.client.state).toBe('open');
  });

  it('takes a per-request timeout', async () => {
    const h = setup({ requestTimeoutMs: 10_000 });
    await connectOpen(h);
    const reply = settled(h.client.request('slow', undefined, { timeout: 50 }));
    await tick(50);
    expect(reply.error).toMatchObject({ code: 'TIMEOUT' });
  });

  it('rejects requests in flight with DISCONNECTED as soon as the socket drops', async () => {
    const h = setup();
    await connectOpen(h);
    const a = settled(h.client.request('a'));
    const b = settled(h.client.request('b'));
    h.net.last().serverClose(1006);
    await Promise.resolve();
    await Promise.resolve();
    expect(a.error).toMatchObject({ code: 'DISCONNECTED', event: 'a' });
    expect(b.error).toMatchObject({ code: 'DISCONNECTED', event: 'b' });
  });

  it('keeps counting ids across reconnects, so an old reply can never match', async () => {
    const h = setup();
    await connectOpen(h);
    void h.client.request('a').catch(() => undefined);
    h.net.last().serverClose(1001);
    await tick(500);
    h.net.last().open();
    const next = h.client.request('b');
    expect(h.net.last().lastFrame('b').id).toBe(2);
    h.net.last().reply('b', 'ok');
    await expect(next).resolves.toBe('ok');
  });

  it('rejects with BAD_PAYLOAD when the payload is not JSON, and sends nothing', async () => {
    const h = setup();
    await connectOpen(h);
    await expect(h.client.request('x', { n: 1n })).rejects.toMatchObject({ code: 'BAD_PAYLOAD' });
    expect(() => h.client.emit('x', { n: 1n })).toThrow(RealtimeClientError);
    expect(h.net.last().sent).toEqual([]);
  });

  it('emits without an id', async () => {
    const h = setup();
    await connectOpen(h);
    h.client.emit('chat:typing', { room: 'general' });
    expect(h.net.last().frames).toEqual([{ event: 'chat:typing', data: { room: 'general' } }]);
  });

  it('rejects request() and throws from emit() with CLOSED before connect() and after close()', async () => {
    const h = setup();
    await expect(h.client.request('a')).rejects.toMatchObject({ code: 'CLOSED' });
    expect(() => h.client.emit('b')).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    await connectOpen(h);
    const inFlight = settled(h.client.request('c'));
    const closing = h.client.close();
    await tick();
    expect(inFlight.error).toMatchObject({ code: 'CLOSED' });
    expect(h.net.last().closedWith).toEqual({ code: 1000, reason: 'Client closed' });
    h.net.last().serverClose(1000);
    await closing;
    await expect(h.client.request('d')).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('close() resolves after CLOSE_WAIT_MS when the peer never answers the close', async () => {
    const h = setup();
    await connectOpen(h);
    const closing = settled(h.client.close('bye'));
    await tick(CLOSE_WAIT_MS - 1);
    expect(closing.done).toBe(false);
    await tick(1);
    expect(closing.done).toBe(true);
    expect(h.net.last().closedWith).toEqual({ code: 1000, reason: 'bye' });
  });
});

describe('RealtimeClient pushes and errors', () => {
  it('delivers pushes to their listeners until unsubscribed', async () => {
    const h = setup();
    await connectOpen(h);
    const got: unknown[] = [];
    const other: unknown[] = [];
    const off = h.client.on('chat:message', (data) => got.push(data));
    h.client.on('ticker:tick', (data) => other.push(data));
    h.net.last().receive({ event: 'chat:message', data: { text: 'hi' } });
    off();
    h.net.last().receive({ event: 'chat:message', data: { text: 'again' } });
    expect(got).toEqual([{ text: 'hi' }]);
    expect(other).toEqual([]);
  });

  it('reports $error pushes to onError with their code and event', async () => {
    const h = setup();
    await connectOpen(h);
    h.net.last().receive({
      event: '$error',
      data: { code: 'UNKNOWN_EVENT', message: 'No handler for this event', event: 'chat:sned' },
    });
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ code: 'UNKNOWN_EVENT', event: 'chat:sned' });
  });

  it('isolates a throwing listener: the others run, the error goes to onError', async () => {
    const h = setup();
    await connectOpen(h);
    const got: unknown[] = [];
    h.client.on('p', () => {
      throw new Error('boom');
    });
    h.client.on('p', (data) => got.push(data));
    h.net.last().receive({ event: 'p', data: 1 });
    expect(got).toEqual([1]);
    expect(h.errors[0]).toMatchObject({
      code: 'LISTENER_FAILED',
      message: 'A listener threw: boom',
    });
  });

  it('ignores frames it cannot read', async () => {
    const h = setup();
    await connectOpen(h);
    const pending = settled(h.client.request('a'));
    for (const frame of ['not json', '[]', 'null', '{"id":"x","data":1}', '{"id":99,"data":1}']) {
      h.net.last().receive(frame);
    }
    h.net.last().onmessage?.({ data: new Uint8Array([1]) });
    await tick();
    expect(pending.done).toBe(false);
    expect(h.errors).toEqual([]);
    expect(h.client.state).toBe('open');
  });
});

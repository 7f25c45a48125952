import { jest } from '@jest/globals';
import { connectOpen, setup, tick } from '../../test/client/client-harness.js';
import { fakeJwt } from '../../test/client/fake-web-socket.js';
import { redactFrame, redactUrl } from './debug-log.js';

beforeEach(() => jest.useFakeTimers({ now: 1_700_000_000_000 }));
afterEach(() => jest.useRealTimers());

describe('RealtimeClient.tryEmit: emit for UI code, never throws', () => {
  it('says sent, queued, or why not', async () => {
    const h = setup({ maxQueue: 1 });
    const closed = h.client.tryEmit('e', 1);
    expect(closed).toMatchObject({ ok: false, error: { code: 'CLOSED' } });
    void h.client.connect();
    expect(h.client.tryEmit('e', 2)).toEqual({ ok: true, queued: true });
    expect(h.client.tryEmit('e', 3)).toMatchObject({ ok: false, error: { code: 'QUEUE_FULL' } });
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(h.client.tryEmit('e', circular)).toMatchObject({
      ok: false,
      error: { code: 'BAD_PAYLOAD', event: 'e' },
    });
    await tick();
    h.net.last().open();
    await tick();
    expect(h.client.tryEmit('e', 4)).toEqual({ ok: true, queued: false });
    expect(h.net.last().frames.map((f) => f.data)).toEqual([2, 4]);
  });
});

describe('RealtimeClient debug option', () => {
  it('logs state changes and frames both ways, with tokens redacted', async () => {
    const lines: string[] = [];
    const exp = Math.floor(Date.now() / 1000) + 60;
    const tokens = [fakeJwt({ sub: 'u1', n: 1, exp }), fakeJwt({ sub: 'u1', n: 2, exp })];
    let calls = 0;
    const h = setup({
      url: 'ws://server.test/ws?access_token=SECRET-IN-URL',
      getToken: () => tokens[calls++] ?? null,
      refreshBeforeMs: 30_000,
      debug: (line) => lines.push(line),
    });
    await connectOpen(h);
    void h.client.request('x', { password: 'hunter2', text: 'hi' }).catch(() => undefined);
    h.net.last().receive({ event: 'news', data: { text: 'hello' } });
    await tick(30_000); // the in-band refresh sends $auth with the token
    const log = lines.join('\n');
    expect(log).toContain('[realtime] state closed -> connecting (CONNECT_CALLED');
    expect(log).toContain('[realtime] state connecting -> open (CONNECTED: Connected)');
    expect(log).toContain('[realtime] opening ws://server.test/ws?access_token=[redacted]');
    expect(log).toContain(
      '[realtime] -> {"event":"x","data":{"password":"[redacted]","text":"hi"}',
    );
    expect(log).toContain('[realtime] <- {"event":"news","data":{"text":"hello"}}');
    expect(log).toContain('"event":"$auth","data":{"token":"[redacted]"}');
    expect(calls).toBe(2);
    for (const token of tokens) expect(log).not.toContain(token);
    expect(log).not.toContain('SECRET-IN-URL');
    expect(log).not.toContain('hunter2');
  });

  it('logs with console.debug for debug: true, and not at all by default', async () => {
    const spy = jest.spyOn(console, 'debug').mockImplementation(() => undefined);
    try {
      await connectOpen(setup({}));
      expect(spy).not.toHaveBeenCalled();
      await connectOpen(setup({ debug: true }));
      expect(spy).toHaveBeenCalledWith(expect.stringContaining('[realtime] state'));
    } finally {
      spy.mockRestore();
    }
  });

  it('cuts long frames and never throws on frames that are not JSON', () => {
    expect(redactFrame('x'.repeat(10))).toBe('(not JSON, 10 chars)');
    expect(redactFrame(JSON.stringify({ data: 'y'.repeat(1000) })).length).toBe(503);
    expect(redactUrl('wss://h/ws?room=a&token=abc#x')).toBe('wss://h/ws?room=a&token=[redacted]#x');
  });
});

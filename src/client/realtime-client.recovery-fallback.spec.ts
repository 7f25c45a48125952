import { jest } from '@jest/globals';
import {
  connectOpen,
  connectResumed,
  freshSession,
  positioned,
  recovering,
  SESSION_1,
  setup,
  tick,
  type Harness,
} from '../../test/client/client-harness.js';
import type { RealtimeClientOptions } from './client.options.js';
import type { AnyContract } from '../protocol/index.js';
import type { RecoveryInfo } from './resume-reply.js';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

type Options = Partial<RealtimeClientOptions>;

/** Drops the connection and waits for the client's next socket (not open yet). */
async function drop(h: Harness<AnyContract>): Promise<void> {
  const before = h.net.sockets.length;
  h.net.last().serverClose(1006);
  for (let waited = 0; h.net.sockets.length === before && waited < 60_000; waited += 100) {
    await tick(100);
  }
}

/** A recovering client that saw one stream, whose connection dropped; records what runs. */
async function droppedWithHistory(options: Options = {}) {
  const log: string[] = [];
  const h = recovering({
    onReconnect: () => void log.push('onReconnect'),
    onRecovery: (info: RecoveryInfo) => log.push(`onRecovery ${JSON.stringify(info)}`),
    ...options,
  });
  await connectResumed(h);
  h.net.last().receive(positioned('room:a', 'k3x9q0ab', 3, 'x', null));
  await drop(h);
  log.length = 0;
  h.client.emit('written-offline');
  return { h, log, socket: h.net.last() };
}

const events = (h: Harness<AnyContract>) => h.net.last().frames.map((f) => f.event);

describe('RealtimeClient recovery: a server without it', () => {
  it('UNKNOWN_EVENT turns recovery off for good: no session, no $resume, onReconnect runs', async () => {
    const log: string[] = [];
    const h = recovering({
      onReconnect: () => void log.push('onReconnect'),
      onRecovery: (info) => log.push(`onRecovery ${JSON.stringify(info)}`),
    });
    await connectOpen(h);
    h.net.last().receive({ id: 1, error: { code: 'UNKNOWN_EVENT', message: 'Unknown' } });
    await tick();
    expect(log).toEqual([
      'onRecovery {"wasRecovering":false,"recovered":false,"reason":"unsupported","lost":[]}',
    ]);
    h.net.last().receive(positioned('room:a', 'k3x9q0ab', 3, 'x', null));
    expect(h.client.recovery).toMatchObject({ enabled: false, hasSession: false, positions: {} });
    for (let i = 0; i < 2; i++) {
      await drop(h);
      expect(h.net.last().protocols).toEqual(['realtime.v1']);
      h.client.emit('written-offline', i);
      h.net.last().open();
      await tick();
      expect(events(h)).toEqual(['written-offline']);
    }
    expect(log.slice(1)).toEqual(['onReconnect', 'onReconnect']);
    expect(h.errors).toEqual([]);
  });

  it('recovery: false sends no $resume, offers no session and tracks nothing', async () => {
    const hook = jest.fn<() => void>();
    const onRecovery = jest.fn<() => void>();
    const h = setup({ recovery: false, onReconnect: hook, onRecovery });
    await connectOpen(h);
    expect(h.net.last().sent).toEqual([]);
    h.net.last().receive(positioned('room:a', 'k3x9q0ab', 3, 'x', null));
    h.net.last().receive(positioned('room:a', 'zzzz', 9, 'x', null));
    expect(h.client.recovery).toEqual({
      enabled: false,
      hasSession: false,
      last: undefined,
      positions: {},
    });
    await drop(h);
    expect(h.net.last().protocols).toEqual(['realtime.v1']);
    h.net.last().open();
    await tick();
    expect(h.net.last().sent).toEqual([]);
    expect(hook).toHaveBeenCalledTimes(1);
    expect(onRecovery).not.toHaveBeenCalled();
    expect(h.errors).toEqual([]);
  });
});

describe('RealtimeClient recovery: a failed resume', () => {
  it('a $resume timeout is "unavailable": every tracked stream lost, onReconnect, flush', async () => {
    const { h, log, socket } = await droppedWithHistory({ requestTimeoutMs: 3000 });
    socket.open();
    await tick(2999);
    expect(events(h)).toEqual(['$resume']);
    await tick(1);
    expect(log).toEqual([
      'onRecovery {"wasRecovering":true,"recovered":false,"reason":"unavailable","lost":["room:a"]}',
      'onReconnect',
    ]);
    expect(events(h)).toEqual(['$resume', 'written-offline']);
    expect(h.client.recovery).toMatchObject({ hasSession: true, positions: {} });
    await drop(h);
    expect(h.net.last().protocols).toEqual(['realtime.v1', `session.${SESSION_1}`]);
  });

  it.each([
    ['an error reply', { error: { code: 'INTERNAL', message: 'boom' } }],
    ['a malformed reply', { data: { session: 'not a session id', recovered: true } }],
  ])('%s is "unavailable" too', async (_name, body) => {
    const { h, log, socket } = await droppedWithHistory();
    socket.open();
    socket.receive({ id: socket.lastFrame('$resume').id, ...body });
    await tick();
    expect(log).toEqual([
      'onRecovery {"wasRecovering":true,"recovered":false,"reason":"unavailable","lost":["room:a"]}',
      'onReconnect',
    ]);
    expect(events(h)).toEqual(['$resume', 'written-offline']);
    expect(h.client.recovery.enabled).toBe(true);
  });

  it('a drop before the reply: nothing runs, the next open resumes the same session', async () => {
    const { h, log, socket } = await droppedWithHistory();
    socket.open();
    await drop(h);
    expect(log).toEqual([]);
    expect(socket.frames.map((f) => f.event)).toEqual(['$resume']);
    const next = h.net.last();
    expect(next.protocols).toEqual(['realtime.v1', `session.${SESSION_1}`]);
    next.open();
    expect(next.frames).toEqual([
      {
        event: '$resume',
        id: expect.any(Number),
        data: { session: SESSION_1, streams: { 'room:a': { e: 'k3x9q0ab', o: 3 } } },
      },
    ]);
    next.reply('$resume', freshSession(SESSION_1, 'no_session'));
    await tick();
    expect(log).toHaveLength(2);
    expect(events(h)).toEqual(['$resume', 'written-offline']);
  });
});

describe('RealtimeClient recovery: the rest of the client', () => {
  it('$resume skips the pacing and the queue; the queue waits for its reply', async () => {
    const h = recovering({ limits: { messagesPerSecond: 1, burst: 1, maxInFlight: 1 } });
    const connected = h.client.connect();
    for (let i = 0; i < 3; i++) h.client.emit('queued', i);
    const queued = h.client.request('queued-request');
    await tick();
    h.net.last().open();
    await connected;
    expect(events(h)).toEqual(['$resume']);
    await tick(5000);
    expect(events(h)).toEqual(['$resume']);
    h.net.last().reply('$resume', freshSession(SESSION_1));
    await tick();
    // Then the queue goes out behind it, paced (one a second, after a burst of one).
    expect(h.net.last().frames.map((f) => f.data)).toEqual([{ streams: {} }, 0]);
    await tick(1000);
    expect(h.net.last().frames.map((f) => f.data)).toEqual([{ streams: {} }, 0, 1]);
    await tick(2000);
    expect(events(h)).toEqual(['$resume', 'queued', 'queued', 'queued', 'queued-request']);
    h.net.last().reply('queued-request', 'ok');
    await expect(queued).resolves.toBe('ok');
  });

  it('never shows the session id in debug lines', async () => {
    const lines: string[] = [];
    const h = recovering({ debug: (line) => lines.push(line) });
    await connectResumed(h);
    h.net.last().receive(positioned('room:a', 'k3x9q0ab', 3, 'x', null));
    await drop(h);
    h.net.last().open();
    h.net.last().reply('$resume', { ...freshSession(SESSION_1), recovered: true });
    await tick();
    expect(lines.filter((line) => line.includes('$resume'))).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(SESSION_1);
    expect(lines.join('\n')).toContain('"session":"[redacted]"');
  });

  it('a replayed push with a new epoch is no STREAM_RESET: the reply says what was lost', async () => {
    const { h, socket } = await droppedWithHistory();
    socket.open();
    socket.receive(positioned('room:a', 'newepoch', 1, 'x', null));
    expect(h.errors).toEqual([]);
  });

  it('applies the reply before a live push right behind it, in the same read', async () => {
    const { h, socket } = await droppedWithHistory();
    socket.open();
    socket.reply('$resume', {
      ...freshSession(SESSION_1),
      recovered: true,
      streams: { 'room:a': { recovered: true, e: 'k3x9q0ab', o: 5 } },
    });
    socket.receive(positioned('room:a', 'k3x9q0ab', 6, 'x', null));
    socket.receive(positioned('room:a', 'other01', 1, 'x', null));
    await tick();
    expect(h.client.recovery.positions).toEqual({ 'room:a': { e: 'other01', o: 1 } });
    expect(h.errors.map((e) => e.code)).toEqual(['STREAM_RESET']);
  });

  it('close() then connect() starts a new session', async () => {
    const h = recovering();
    await connectResumed(h);
    h.net.last().receive(positioned('room:a', 'k3x9q0ab', 3, 'x', null));
    const closing = h.client.close();
    h.net.last().serverClose(1000);
    await closing;
    await connectOpen(h);
    expect(h.net.last().protocols).toEqual(['realtime.v1']);
    expect(h.net.last().frames[0]?.data).toEqual({ streams: {} });
  });
});

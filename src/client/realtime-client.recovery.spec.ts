import { jest } from '@jest/globals';
import {
  connectOpen,
  connectResumed,
  freshSession,
  positioned,
  recovering,
  SESSION_1,
  SESSION_2,
  tick,
  type Harness,
} from '../../test/client/client-harness.js';
import type { AnyContract } from '../protocol/index.js';
import type { RecoveryInfo } from './resume-reply.js';

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

/** Drops the connection and waits for the client's next socket (not open yet). */
async function drop(h: Harness<AnyContract>, code = 1006): Promise<void> {
  const before = h.net.sockets.length;
  h.net.last().serverClose(code);
  for (let waited = 0; h.net.sockets.length === before && waited < 60_000; waited += 100) {
    await tick(100);
  }
}

describe('RealtimeClient recovery: the first connection', () => {
  it('sends $resume with no session and no streams before anything else, and offers no session', async () => {
    const h = recovering({ getToken: () => 'jwt', tokenTransport: 'subprotocol' });
    const infos: RecoveryInfo[] = [];
    h.client.onRecovery((info) => infos.push(info));
    const connected = h.client.connect();
    h.client.emit('queued', 1);
    await tick();
    const socket = h.net.last();
    expect(socket.protocols).toEqual(['realtime.v1', 'bearer.jwt']);
    socket.open();
    await connected;
    expect(h.client.state).toBe('open');
    expect(socket.frames).toEqual([{ event: '$resume', id: 1, data: { streams: {} } }]);
    socket.reply('$resume', freshSession(SESSION_1));
    await tick();
    expect(infos).toEqual([{ wasRecovering: false, recovered: false, reason: 'new', lost: [] }]);
    expect(socket.frames.map((f) => f.event)).toEqual(['$resume', 'queued']);
    expect(h.client.recovery).toEqual({
      enabled: true,
      hasSession: true,
      last: infos[0],
      positions: {},
    });
  });

  it('sends requests made once open behind $resume, without waiting for its reply', async () => {
    const h = recovering();
    h.client.onState((change) => change.state === 'open' && h.client.emit('from-listener'));
    await connectOpen(h);
    const reply = h.client.request('chat:history');
    const socket = h.net.last();
    expect(socket.frames.map((f) => f.event)).toEqual(['$resume', 'from-listener', 'chat:history']);
    socket.reply('chat:history', []);
    await expect(reply).resolves.toEqual([]);
  });
});

describe('RealtimeClient recovery: positions', () => {
  it('tracks the last position of positioned pushes only; listeners get the data alone', async () => {
    const h = recovering();
    await connectResumed(h);
    const seen: unknown[] = [];
    h.client.on('chat:message', (data) => seen.push(data));
    const socket = h.net.last();
    socket.receive(positioned('room:chat:general', 'k3x9q0ab', 41, 'chat:message', { n: 1 }));
    socket.receive(positioned('room:chat:general', 'k3x9q0ab', 42, 'chat:message', { n: 2 }));
    socket.receive(positioned('user:alice', 'p0c1x7aa', 7, 'chat:message', { n: 3 }));
    socket.receive({ event: 'chat:message', data: { n: 4 } });
    socket.receive({ o: 0, e: 'k3x9q0ab', s: 'room:zero', event: 'chat:message', data: { n: 5 } });
    socket.receive({ o: 3, e: 'bad epoch!', s: 'room:bad', event: 'chat:message', data: { n: 6 } });
    socket.receive({ o: 1.5, e: 'k3x9q0ab', s: 'room:bad', event: 'chat:message', data: { n: 7 } });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7].map((n) => ({ n })));
    expect(h.client.recovery.positions).toEqual({
      'room:chat:general': { e: 'k3x9q0ab', o: 42 },
      'user:alice': { e: 'p0c1x7aa', o: 7 },
    });
  });

  it('tracks a jump within an epoch without an error, and never moves back', async () => {
    const h = recovering();
    await connectResumed(h);
    const socket = h.net.last();
    socket.receive(positioned('all', 'k3x9q0ab', 5, 'news', null));
    socket.receive(positioned('all', 'k3x9q0ab', 9, 'news', null));
    socket.receive(positioned('all', 'k3x9q0ab', 8, 'news', null));
    expect(h.client.recovery.positions).toEqual({ all: { e: 'k3x9q0ab', o: 9 } });
    expect(h.errors).toEqual([]);
  });

  it('reports STREAM_RESET when a live push comes with another epoch, and tracks it', async () => {
    const h = recovering();
    await connectResumed(h);
    const seen: unknown[] = [];
    h.client.on('chat:message', (data) => seen.push(data));
    const socket = h.net.last();
    socket.receive(positioned('room:chat:general', 'k3x9q0ab', 42, 'chat:message', 'a'));
    socket.receive(positioned('room:chat:general', 'z9z9z9zz', 1, 'chat:message', 'b'));
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({
      code: 'STREAM_RESET',
      stream: 'room:chat:general',
      event: 'chat:message',
    });
    expect(h.errors[0]?.message).toContain('room:chat:general');
    expect(seen).toEqual(['a', 'b']);
    expect(h.client.recovery.positions).toEqual({ 'room:chat:general': { e: 'z9z9z9zz', o: 1 } });
  });

  it('reports no STREAM_RESET for a stream tracked at offset 0', async () => {
    const h = recovering();
    await connectResumed(h, {
      ...freshSession(SESSION_1),
      streams: { 'room:a': { recovered: false, reason: 'new', e: 'k3x9q0ab', o: 0 } },
    });
    h.net.last().receive(positioned('room:a', 'other01', 1, 'x', null));
    expect(h.errors).toEqual([]);
    expect(h.client.recovery.positions).toEqual({ 'room:a': { e: 'other01', o: 1 } });
  });
});

describe('RealtimeClient recovery: a reconnect', () => {
  /** A client that saw two streams on its first connection, and whose connection dropped. */
  async function droppedWithHistory(
    options: Parameters<typeof recovering>[0] = {},
  ): Promise<Harness<AnyContract>> {
    const h = recovering(options);
    await connectResumed(h);
    const socket = h.net.last();
    socket.receive(positioned('room:chat:general', 'k3x9q0ab', 42, 'chat:message', 'm42'));
    socket.receive(positioned('user:alice', 'p0c1x7aa', 939, 'notice', 'n939'));
    await drop(h);
    return h;
  }

  it('offers session.<sid> after realtime.v1 and the token, and sends the tracked positions', async () => {
    const h = await droppedWithHistory({ getToken: () => 'jwt', tokenTransport: 'subprotocol' });
    const socket = h.net.last();
    expect(socket.protocols).toEqual(['realtime.v1', 'bearer.jwt', `session.${SESSION_1}`]);
    socket.open();
    expect(socket.frames[0]).toEqual({
      event: '$resume',
      id: expect.any(Number),
      data: {
        session: SESSION_1,
        streams: {
          'room:chat:general': { e: 'k3x9q0ab', o: 42 },
          'user:alice': { e: 'p0c1x7aa', o: 939 },
        },
      },
    });
  });

  it('offers the session with a header token too', async () => {
    const h = await droppedWithHistory({ getToken: () => 'jwt', tokenTransport: 'header' });
    expect(h.net.last().protocols).toEqual(['realtime.v1', `session.${SESSION_1}`]);
    expect(h.net.last().options).toEqual({ headers: { Authorization: 'Bearer jwt' } });
  });

  it('recovered: replays reach listeners, then onRecovery; no onReconnect; then the flush', async () => {
    const log: string[] = [];
    const h = await droppedWithHistory({
      onReconnect: () => void log.push('onReconnect'),
      onRecovery: (info) => log.push(`onRecovery ${JSON.stringify(info)}`),
    });
    log.length = 0; // the first connection's onRecovery
    h.client.on('chat:message', (data) => log.push(`push ${String(data)}`));
    h.client.emit('written-offline');
    const socket = h.net.last();
    socket.open();
    socket.receive(positioned('room:chat:general', 'k3x9q0ab', 43, 'chat:message', 'm43'));
    socket.receive(positioned('room:chat:general', 'k3x9q0ab', 44, 'chat:message', 'm44'));
    await tick();
    expect(socket.frames.map((f) => f.event)).toEqual(['$resume']);
    socket.reply('$resume', {
      session: SESSION_2,
      recovered: true,
      windowMs: 120_000,
      rooms: ['chat:general'],
      streams: {
        'room:chat:general': { recovered: true, e: 'k3x9q0ab', o: 44, replayed: 2 },
        'user:alice': { recovered: true, e: 'p0c1x7aa', o: 939, replayed: 0 },
      },
    });
    await tick();
    expect(log).toEqual([
      'push m43',
      'push m44',
      'onRecovery {"wasRecovering":true,"recovered":true,"lost":[]}',
    ]);
    expect(socket.frames.map((f) => f.event)).toEqual(['$resume', 'written-offline']);
    expect(h.client.recovery.positions).toEqual({
      'room:chat:general': { e: 'k3x9q0ab', o: 44 },
      'user:alice': { e: 'p0c1x7aa', o: 939 },
    });
    await drop(h);
    expect(h.net.last().protocols).toEqual(['realtime.v1', `session.${SESSION_2}`]);
  });

  it('not recovered: onRecovery with the lost streams, then onReconnect, then the flush', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const h = await droppedWithHistory({
      onReconnect: async () => {
        log.push('onReconnect');
        await new Promise<void>((resolve) => (release = resolve));
      },
    });
    h.client.onRecovery((info) => log.push(`onRecovery ${JSON.stringify(info)}`));
    h.client.emit('written-offline');
    const socket = h.net.last();
    socket.open();
    socket.reply('$resume', {
      session: SESSION_1,
      recovered: false,
      windowMs: 120_000,
      rooms: ['chat:general'],
      streams: {
        'room:chat:general': { recovered: true, e: 'k3x9q0ab', o: 50, replayed: 8 },
        'user:alice': { recovered: false, reason: 'history_gap', e: 'p0c1x7aa', o: 960 },
      },
    });
    await tick();
    expect(log).toEqual([
      'onRecovery {"wasRecovering":true,"recovered":false,"lost":["user:alice"]}',
      'onReconnect',
    ]);
    expect(socket.frames.map((f) => f.event)).toEqual(['$resume']);
    release();
    await tick();
    expect(socket.frames.map((f) => f.event)).toEqual(['$resume', 'written-offline']);
    expect(h.client.recovery.positions).toEqual({
      'room:chat:general': { e: 'k3x9q0ab', o: 50 },
      'user:alice': { e: 'p0c1x7aa', o: 960 },
    });
  });

  it('an unknown session: every tracked stream is lost and forgotten, a new session is kept', async () => {
    const hook = jest.fn<() => void>();
    const h = await droppedWithHistory({ onReconnect: hook });
    const socket = h.net.last();
    socket.open();
    socket.reply('$resume', freshSession(SESSION_2, 'no_session'));
    await tick();
    expect(h.client.recovery.last).toEqual({
      wasRecovering: true,
      recovered: false,
      reason: 'no_session',
      lost: ['room:chat:general', 'user:alice'],
    });
    expect(h.client.recovery.positions).toEqual({});
    expect(hook).toHaveBeenCalledTimes(1);
    await drop(h);
    expect(h.net.last().protocols).toEqual(['realtime.v1', `session.${SESSION_2}`]);
  });
});

import { jest } from '@jest/globals';
import { RequestError } from '../../src/client/index.js';
import { AppModule } from '../../src/demo/app.module.js';
import type { DemoContract } from '../../src/demo/contract.js';
import {
  startRealtimeApp,
  type RunningRealtimeApp,
  type TestClient,
} from '../../src/testing/index.js';
import {
  BACKOFF,
  config,
  connect,
  disconnect,
  installClientHarness,
  servers,
  TIMER_SLACK_MS,
  tokenFor,
  user,
  useDemo,
} from '../support/client-harness.js';

/**
 * The typed client SDK against the demo over real sockets, through `nestjs-realtime/testing`:
 * a server that stops answering (E3), every close code of protocol section 5 (E4) and a server
 * restart (E4, E6).
 */

installClientHarness();

describe('RealtimeClient<DemoContract> against the demo', () => {
  let demo: RunningRealtimeApp;
  useDemo((app) => (demo = app));

  /**
   * Proves that `client` (stopped) did not reconnect: a control client with the same backoff,
   * dropped after it, has reconnected meanwhile, so any retry of `client` would have happened.
   */
  async function expectNoReconnect(client: TestClient<DemoContract>): Promise<void> {
    const controlSub = user('control');
    const control = await connect(demo, controlSub);
    await disconnect(demo, controlSub, 1011, 'control');
    await control.expectState('open');
    expect(client.state).toBe('closed');
    expect(client.connectionAttempts).toHaveLength(1);
  }

  it('a server that stops answering: $ping drops it (PING_TIMEOUT), in-flight requests fail, it reconnects', async () => {
    const sub = user('frozen');
    const client = await connect(demo, sub, { pingIntervalMs: 50, pingTimeoutMs: 150 });
    await client.request('chat:join', { room: sub });
    const frozen = demo.registry().connectionsOf(sub)[0]!;
    const frozenClosed = new Promise<void>((resolve) => frozen.socket.once('close', resolve));
    // The server stops reading this socket: no reply, no `$ping` answer, the TCP stays up.
    frozen.socket.pause();
    const inFlight = client.request('chat:send', { room: sub, text: 'void' }).catch((e) => e);
    const drop = await client.expectState('reconnecting');
    expect(drop).toMatchObject({ previous: 'open', code: 'PING_TIMEOUT' });
    expect(drop.reason).toBe('No reply to $ping within 150 ms');
    const error: unknown = await inFlight;
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ code: 'DISCONNECTED', fromServer: false });
    await client.expectState('open');
    await expect(client.request('chat:join', { room: sub })).resolves.toMatchObject({ room: sub });
    // The frozen socket reads the client's close frame once resumed, and goes away.
    frozen.socket.resume();
    await frozenClosed;
  });

  it.each([1001, 1011, 1012, 1013, 4401, 4408, 4429])(
    'close %i from the server: reconnecting with its code and reason, then open again',
    async (code) => {
      const sub = user(`reconnect-${code}`);
      const getToken = jest.fn(() => tokenFor(sub));
      const client = await connect(demo, sub, { getToken });
      const before = demo.registry().connectionsOf(sub)[0]!.id;
      const serverSaw = disconnect(demo, sub, code, `test ${code}`);
      const drop = await client.expectState('reconnecting');
      expect(drop).toMatchObject({ previous: 'open', code, reason: `test ${code}` });
      await client.expectState('open');
      await serverSaw;
      const now = demo.registry().connectionsOf(sub);
      expect(now.map((c) => c.id)).toEqual([expect.not.stringMatching(before)]);
      expect(client.connectionAttempts).toHaveLength(2);
      // After an open connection, a fresh token for the reconnect (4401 above all).
      expect(getToken).toHaveBeenCalledTimes(2);
      // 4429 waits at least `rateLimitedMs`; the others the first backoff step.
      const minDelay = code === 4429 ? BACKOFF.rateLimitedMs : BACKOFF.initialMs;
      expect(client.connectionAttempts[1]! - drop.at).toBeGreaterThanOrEqual(
        minDelay - TIMER_SLACK_MS,
      );
      await expect(client.request('chat:join', { room: sub })).resolves.toMatchObject({
        room: sub,
      });
    },
  );

  it.each([1000, 1003, 1008, 1009, 4599])(
    'close %i from the server: closed with its code and reason, no reconnect',
    async (code) => {
      const sub = user(`stop-${code}`);
      const client = await connect(demo, sub);
      const serverSaw = disconnect(demo, sub, code, `test ${code}`);
      const closed = await client.expectState('closed');
      expect(closed).toMatchObject({ previous: 'open', code, reason: `test ${code}` });
      await serverSaw;
      await expectNoReconnect(client);
      expect(demo.registry().connectionsOf(sub)).toEqual([]);
      await expect(client.request('chat:join', { room: sub })).rejects.toMatchObject({
        code: 'CLOSED',
      });
    },
  );

  it('close 4500 from admin:revoke: closed with the reason, no reconnect', async () => {
    const [adminId, victimId] = [user('admin'), user('victim')];
    const admin = await connect(demo, adminId, { token: tokenFor(adminId, { role: 'admin' }) });
    const victim = await connect(demo, victimId);
    await expect(
      admin.request('admin:revoke', { userId: victimId, reason: 'Account suspended' }),
    ).resolves.toEqual({ revoked: 1 });
    const closed = await victim.expectState('closed');
    expect(closed).toMatchObject({ previous: 'open', code: 4500, reason: 'Account suspended' });
    await expectNoReconnect(victim);
  });
});

describe('a server restart mid-session', () => {
  /** Most attempts the backoff allows within `ms` (no jitter), from the drop on. */
  function attemptsAllowed(ms: number, initialMs: number, maxMs: number): number {
    let elapsed = 0;
    let attempts = 0;
    for (;;) {
      elapsed += Math.min(maxMs, initialMs * 2 ** attempts) - TIMER_SLACK_MS;
      if (elapsed > ms) return attempts;
      attempts++;
    }
  }

  it('reconnects and re-joins before the queue flushes; in-flight requests fail; it backs off while down', async () => {
    const [sub, room] = [user('restart'), user('room')];
    const backoff = { initialMs: 25, maxMs: 400, multiplier: 2, jitter: 0 };
    const first = await startRealtimeApp(AppModule.forRoot(config));
    servers.push(first);
    const log: string[] = [];
    const getToken = jest.fn(() => tokenFor(sub));
    const client = await connect(first, sub, {
      getToken,
      backoff,
      onReconnect: async (c) => {
        log.push('re-join sent');
        await c.request('chat:join', { room });
        log.push('re-joined');
      },
    });
    await client.request('chat:join', { room });

    // One request stays in flight: the server stops reading this socket before it arrives.
    first.registry().connectionsOf(sub)[0]!.socket.pause();
    const inFlight = client.request('chat:send', { room, text: 'in flight' }).catch((e) => e);
    await first.close();
    const drop = await client.expectState('reconnecting');
    expect(drop).toMatchObject({ previous: 'open', code: 1001, reason: 'Server shutting down' });
    const error: unknown = await inFlight;
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({ code: 'DISCONNECTED', event: 'chat:send' });

    // Sent while down: queued, and flushed only after onReconnect has re-joined the room.
    const queued = client.request('chat:send', { room, text: 'sent while down' }).then((reply) => {
      log.push('queued send answered');
      return reply;
    });
    // The first connection, then four refused reconnects.
    await client.expectConnectionAttempts(5);
    const second = await startRealtimeApp(AppModule.forRoot(config), { port: first.port });
    servers.push(second);
    const reopen = await client.expectState('open');

    const reply = await queued;
    const message = await client.expectPush('chat:message', {
      where: (m) => m.text === 'sent while down',
    });
    expect(message).toMatchObject({ id: reply.id, room, from: { id: sub } });
    expect(log).toEqual(['re-join sent', 're-joined', 'queued send answered']);
    expect(
      second
        .registry()
        .localMembers(`chat:${room}`)
        .map((m) => m.userId),
    ).toEqual([sub]);

    // No tight loop: each retry waited its backoff step, so the count is bounded by the time down.
    const retries = client.connectionAttempts.slice(1);
    const gaps = retries.map((at, i) => at - (i === 0 ? drop.at : retries[i - 1]!));
    gaps.forEach((gap, i) => {
      const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** i);
      expect(gap).toBeGreaterThanOrEqual(delay - TIMER_SLACK_MS);
    });
    const downFor = reopen.at - drop.at;
    expect(retries.length).toBeLessThanOrEqual(attemptsAllowed(downFor, 25, 400));
    expect(getToken.mock.calls.length).toBeLessThanOrEqual(client.connectionAttempts.length);
  });
});

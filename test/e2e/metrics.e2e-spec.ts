import type { INestApplication } from '@nestjs/common';
import { Registry } from 'prom-client';
import { Heartbeat } from '../../src/server/connection/heartbeat.js';
import { ConnectionRegistry, RealtimeMetrics } from '../../src/server/index.js';
import { sign } from '../support/messages-harness.js';
import { startProbeApp } from '../support/probe-app.js';
import { scrape, Scrape } from '../support/scrape.js';
import { waitFor } from '../support/wait-for.js';
import { expectRefused, TestSocket } from '../support/ws-client.js';

/**
 * Issue 17, metrics: with `metrics` on, traffic of every kind (good, bad, rate-limited, a slow
 * consumer, a silent peer) moves its series on the scrape, and unknown client events add no
 * label values.
 */
describe('Prometheus metrics', () => {
  const apps: INestApplication[] = [];
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.ws.terminate();
    for (const app of apps.splice(0)) await app.close();
  });

  async function start(options: Parameters<typeof startProbeApp>[0] = {}) {
    const started = await startProbeApp({ metrics: true, ...options });
    apps.push(started.app);
    const connect = async (sub = 'u-alice') => {
      const socket = await TestSocket.connect(started.baseUrl, { token: sign(sub) });
      sockets.push(socket);
      return socket;
    };
    return { ...started, connect, scrape: () => scrape(`${started.baseUrl}/metrics`) };
  }

  it('counts connections, handshakes, messages by event and outcome, replies, bytes and handler time', async () => {
    const app = await start();
    const before = await app.scrape();
    await expectRefused(app.baseUrl, { token: 'not-a-jwt' });
    const socket = await app.connect();
    expect(await socket.request('probe:echo', 'hi')).toMatchObject({ data: 'hi' });
    expect(await socket.request('probe:echo', 'again')).toMatchObject({ data: 'again' });
    expect(await socket.request('probe:order', { quantity: 99 })).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(await socket.request('probe:throw-sync')).toMatchObject({ error: { code: 'INTERNAL' } });
    socket.send({ event: 'probe:push', data: 1 });
    await socket.nextEvent('probe:pushed');
    socket.send('{not json');
    await socket.nextEvent('$error');
    expect(await socket.request('$ping')).toMatchObject({ data: { t: expect.any(Number) } });

    const after = await app.scrape();
    const m = (name: string, labels?: Record<string, string>) =>
      after.value(`realtime_${name}`, labels) - before.value(`realtime_${name}`, labels);
    expect(after.value('realtime_connections')).toBe(1);
    expect(m('connections_opened_total')).toBe(1);
    expect(m('handshakes_total', { outcome: 'accepted', status: '101' })).toBe(1);
    expect(m('handshakes_total', { outcome: 'refused', status: '401' })).toBe(1);
    const received = (event: string, outcome: string) =>
      m('messages_received_total', { event, outcome });
    expect(received('probe:echo', 'ok')).toBe(2);
    expect(received('probe:order', 'VALIDATION_FAILED')).toBe(1);
    expect(received('probe:throw-sync', 'INTERNAL')).toBe(1);
    expect(received('probe:push', 'ok')).toBe(1);
    expect(received('(unknown)', 'BAD_MESSAGE')).toBe(1);
    expect(received('$ping', 'ok')).toBe(1);
    expect(m('messages_sent_total', { kind: 'reply' })).toBe(3);
    expect(m('messages_sent_total', { kind: 'error' })).toBe(3);
    expect(m('messages_sent_total', { kind: 'push' })).toBe(1);
    expect(m('handler_duration_seconds_count', { event: 'probe:echo' })).toBe(2);
    expect(m('handler_duration_seconds_bucket', { event: 'probe:echo', le: '+Inf' })).toBe(2);
    expect(
      after.value('realtime_handler_duration_seconds_sum', { event: 'probe:echo' }),
    ).toBeGreaterThan(0);
    expect(m('bytes_received_total')).toBeGreaterThan(100);
    expect(m('bytes_sent_total')).toBeGreaterThan(100);
    expect(after.value('realtime_broker_ready')).toBe(1);

    await socket.close();
    await waitFor(() => app.app.get(ConnectionRegistry).size === 0, 'the close');
    const closed = await app.scrape();
    expect(closed.value('realtime_connections')).toBe(0);
    expect(closed.value('realtime_connections_closed_total', { code: '1005' })).toBe(1);
    // Bytes of a closed connection are kept: the counter never goes back.
    expect(closed.value('realtime_bytes_sent_total')).toBeGreaterThanOrEqual(
      after.value('realtime_bytes_sent_total'),
    );
  });

  it('keeps one label value for every event no gateway handles', async () => {
    const app = await start();
    const socket = await app.connect();
    expect(await socket.request('probe:echo', 1)).toMatchObject({ data: 1 });
    const events = (s: Scrape) => s.labelValues('realtime_messages_received_total', 'event');
    const before = events(await app.scrape());
    for (let i = 0; i < 50; i++) {
      expect(await socket.request(`made-up:${i}`, i)).toMatchObject({
        error: { code: 'UNKNOWN_EVENT' },
      });
      expect(await socket.request(`$made-up-${i}`, i)).toMatchObject({
        error: { code: 'UNKNOWN_EVENT' },
      });
    }
    const after = await app.scrape();
    expect(events(after)).toEqual([...new Set([...before, '(unknown)'])].sort());
    expect(
      after.value('realtime_messages_received_total', {
        event: '(unknown)',
        outcome: 'UNKNOWN_EVENT',
      }),
    ).toBe(100);
    expect(after.labelValues('realtime_handler_duration_seconds_count', 'event')).toEqual([
      'probe:echo',
    ]);
  });

  it('counts rate-limit answers and the 4429 close', async () => {
    const app = await start({
      limits: { messagesPerSecond: 1, messageBurst: 2, rateLimitedBeforeClose: 3 },
    });
    const socket = await app.connect();
    for (let i = 0; i < 10; i++) socket.send({ event: 'probe:echo', data: i, id: i });
    expect((await socket.closed).code).toBe(4429);
    await waitFor(() => app.app.get(ConnectionRegistry).size === 0, 'the close');
    const s = await app.scrape();
    expect(
      s.value('realtime_messages_received_total', { event: 'probe:echo', outcome: 'ok' }),
    ).toBe(2);
    expect(
      s.value('realtime_messages_received_total', { event: 'probe:echo', outcome: 'RATE_LIMITED' }),
    ).toBe(3);
    expect(s.value('realtime_close_frames_sent_total', { code: '4429' })).toBe(1);
    expect(s.value('realtime_connections_closed_total', { code: '4429' })).toBe(1);
  });

  it('counts skipped volatile pushes and the 4408 close of a slow consumer', async () => {
    const app = await start({ limits: { bufferedBytes: 64 * 1024 } });
    const socket = await app.connect();
    const { data } = await socket.request('probe:whoami');
    const id = (data as { connectionId: string }).connectionId;
    // The client stops reading: the server's outbound buffer fills.
    socket.ws.pause();
    const registry = app.app.get(ConnectionRegistry);
    const connection = registry.get(id)!;
    const chunk = 'x'.repeat(128 * 1024);
    for (let n = 0; connection.socket.bufferedAmount <= 64 * 1024 && n < 1000; n++) {
      registry.toConnection(id).emit('probe:big', chunk);
    }
    registry.toConnection(id).emit('probe:tick', 1, { volatile: true });
    registry.toConnection(id).emit('probe:tick', 2, { volatile: true });
    registry.toConnection(id).emit('probe:news', 'important');
    // Decided and written at once (the client, not reading, never answers it).
    expect(connection.socket.readyState).toBe(connection.socket.CLOSING);
    const s = await app.scrape();
    expect(s.value('realtime_slow_consumer_skipped_total')).toBe(2);
    expect(s.value('realtime_close_frames_sent_total', { code: '4408' })).toBe(1);
  });

  it('counts heartbeat terminations', async () => {
    const app = await start({ heartbeatIntervalMs: 60_000 });
    const silent = await app.connect();
    (silent.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const heartbeat = app.app.get(Heartbeat);
    heartbeat.tick();
    heartbeat.tick();
    await waitFor(() => app.app.get(ConnectionRegistry).size === 0, 'the termination');
    const s = await app.scrape();
    expect(s.value('realtime_heartbeat_terminations_total')).toBe(1);
    expect(s.value('realtime_connections_closed_total', { code: '1006' })).toBe(1);
  });

  it('counts session resumes by outcome with recovery on', async () => {
    const app = await start({ recovery: {} });
    const socket = await app.connect();
    expect(await socket.request('$resume', {})).toMatchObject({
      data: { recovered: false, reason: 'new' },
    });
    const s = await app.scrape();
    expect(s.value('realtime_resumes_total', { outcome: 'new' })).toBe(1);
    expect(s.value('realtime_messages_received_total', { event: '$resume', outcome: 'ok' })).toBe(
      1,
    );
  });
});

describe('Prometheus metrics: configuration', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('is off by default: nothing served, nothing counted', async () => {
    const started = await startProbeApp();
    app = started.app;
    const metrics = app.get(RealtimeMetrics);
    expect(metrics.enabled).toBe(false);
    expect(metrics.meter).toBeUndefined();
    expect(() => metrics.registry).toThrow(/metrics are off/);
    expect((await fetch(`${started.baseUrl}/metrics`)).status).toBe(404);
  });

  it('registers on your registry, with your prefix, and leaves it at shutdown', async () => {
    const registry = new Registry();
    for (let round = 0; round < 2; round++) {
      const started = await startProbeApp({ metrics: { registry, prefix: 'ws_' } });
      app = started.app;
      expect(app.get(RealtimeMetrics).registry).toBe(registry);
      // Your registry, your endpoint: the module serves nothing of its own.
      expect((await fetch(`${started.baseUrl}/metrics`)).status).toBe(404);
      const socket = await TestSocket.connect(started.baseUrl, { token: sign('u-bob') });
      expect(await socket.request('probe:echo', round)).toMatchObject({ data: round });
      const s = new Scrape(await registry.metrics());
      expect(s.value('ws_connections')).toBe(1);
      expect(s.value('ws_messages_received_total', { event: 'probe:echo', outcome: 'ok' })).toBe(1);
      socket.ws.terminate();
      await app.close();
      app = undefined;
      expect(registry.getMetricsAsArray()).toHaveLength(0);
    }
  });

  it('serves its own registry on a path of your choice, mergeable with yours', async () => {
    const started = await startProbeApp({ metrics: { path: '/internal/metrics' } });
    app = started.app;
    const s = await scrape(`${started.baseUrl}/internal/metrics`);
    expect(s.names()).toContain('realtime_connections');
    const own = new Registry();
    const merged = Registry.merge([own, app.get(RealtimeMetrics).registry as unknown as Registry]);
    expect(await merged.getSingleMetricAsString('realtime_connections')).toContain(
      'realtime_connections 0',
    );
  });
});

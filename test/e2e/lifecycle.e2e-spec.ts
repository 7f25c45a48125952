import type { INestApplication } from '@nestjs/common';
import { MessageBody, SubscribeMessage, type OnGatewayDisconnect } from '@nestjs/websockets';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import {
  ConnectionRegistry,
  CurrentConnection,
  Heartbeat,
  RealtimeConnection,
  RealtimeGateway,
  connectionOf,
  type RealtimeModuleOptions,
} from '../../src/server/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { clientTextFrame, Opcode } from '../support/frames.js';
import { watchProcessProblems } from '../support/process-problems.js';
import { PROBE_GATEWAYS, startProbeApp } from '../support/probe-app.js';
import { RawWs } from '../support/raw-ws.js';
import { expectRefused, TestSocket } from '../support/ws-client.js';

/**
 * Connection lifecycle: heartbeat (E1, E2), token expiry and refresh (A4), revocation (A5),
 * graceful shutdown (G1-G5) and cleanup after 1 000 vanished clients.
 */

const nowSec = (): number => Math.floor(Date.now() / 1000);
const sign = (sub: string, claims: Record<string, unknown> = {}): string =>
  jwt.sign({ sub, exp: nowSec() + 3600, ...claims }, TEST_SECRET, { algorithm: 'HS256' });

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}
function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Counts disconnect hooks per connection and lets tests await them; optionally slow. */
@RealtimeGateway('/ws')
class LifecycleGateway implements OnGatewayDisconnect {
  readonly disconnects = new Map<string, number>();
  slowDisconnect: Deferred | undefined;
  readonly events: string[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly registry: ConnectionRegistry) {}

  @SubscribeMessage('life:join')
  join(@MessageBody() room: string, @CurrentConnection() connection: RealtimeConnection): string {
    this.registry.join(connection, room);
    return connection.id;
  }

  async handleDisconnect(client: WebSocket): Promise<void> {
    const id = connectionOf(client)?.id ?? 'unknown';
    this.disconnects.set(id, (this.disconnects.get(id) ?? 0) + 1);
    this.waiters = this.waiters.filter((w) =>
      this.total >= w.count ? (w.resolve(), false) : true,
    );
    if (this.slowDisconnect) {
      await this.slowDisconnect.promise;
      this.events.push('disconnect hook done');
    }
  }

  get total(): number {
    return [...this.disconnects.values()].reduce((a, b) => a + b, 0);
  }

  /** Resolves once `count` disconnects have been seen in total. */
  whenDisconnects(count: number): Promise<void> {
    if (this.total >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

async function startLifecycleApp(options: Partial<RealtimeModuleOptions> = {}) {
  const started = await startProbeApp(options, [...PROBE_GATEWAYS, LifecycleGateway]);
  const { app } = started;
  return {
    ...started,
    gateway: app.get(LifecycleGateway),
    registry: app.get(ConnectionRegistry),
    heartbeat: app.get(Heartbeat),
  };
}

type LifecycleApp = Awaited<ReturnType<typeof startLifecycleApp>>;

describe('lifecycle', () => {
  let apps: INestApplication[] = [];
  const sockets: TestSocket[] = [];
  const start = async (options: Partial<RealtimeModuleOptions> = {}): Promise<LifecycleApp> => {
    const app = await startLifecycleApp(options);
    apps.push(app.app);
    return app;
  };
  const connect = async (app: LifecycleApp, token: string): Promise<TestSocket> => {
    const socket = await TestSocket.connect(app.baseUrl, { token });
    sockets.push(socket);
    return socket;
  };
  const expectAlive = async (app: LifecycleApp): Promise<void> => {
    const socket = await connect(app, sign('u-alive'));
    expect((await socket.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
  };

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
  });

  describe('E1: a client that vanishes without a close frame', () => {
    it('runs the disconnect hook once and leaves nothing in registry, rooms or heartbeat', async () => {
      const app = await start();
      const raws = await Promise.all(
        ['u-1', 'u-2', 'u-3'].map((sub) => RawWs.open(app.port, sign(sub))),
      );
      const ids: string[] = [];
      for (const [i, raw] of raws.entries()) {
        raw.send(clientTextFrame({ event: 'life:join', data: 'vanish', id: i }));
        const [reply] = await raw.untilReply(i);
        ids.push((JSON.parse(reply!.payload.toString()) as { data: string }).data);
      }
      expect(app.registry.localMembers('vanish')).toHaveLength(3);
      expect(app.heartbeat.size).toBe(3);

      for (const raw of raws) raw.destroy();
      await app.gateway.whenDisconnects(3);

      expect(ids.map((id) => app.gateway.disconnects.get(id))).toEqual([1, 1, 1]);
      expect(app.registry.size).toBe(0);
      expect(app.registry.localMembers('vanish')).toEqual([]);
      expect(app.registry.isOnline('u-1')).toBe(false);
      expect(app.heartbeat.size).toBe(0);
      await expectAlive(app);
    });

    it('1 000 vanished connections leave nothing behind', async () => {
      const app = await start({ limits: { pendingHandshakes: 2000 } });
      const clients: WebSocket[] = [];
      for (let batch = 0; batch < 10; batch++) {
        const opened = Array.from({ length: 100 }, (_, i) => {
          const ws = new WebSocket(`ws://127.0.0.1:${app.port}/ws`, ['realtime.v1'], {
            headers: { Authorization: `Bearer ${sign(`u-${batch}-${i}`)}` },
          });
          ws.on('error', () => undefined);
          clients.push(ws);
          return new Promise<void>((resolve, reject) => {
            ws.once('open', () => {
              ws.send(JSON.stringify({ event: 'life:join', data: 'crowd', id: 1 }));
              ws.once('message', () => resolve());
            });
            ws.once('unexpected-response', () => reject(new Error('refused')));
          });
        });
        await Promise.all(opened);
      }
      expect(app.registry.size).toBe(1000);
      expect(app.registry.localMembers('crowd')).toHaveLength(1000);

      for (const ws of clients) ws.terminate(); // no close frame
      await app.gateway.whenDisconnects(1000);

      expect(app.gateway.total).toBe(1000);
      expect([...app.gateway.disconnects.values()].every((n) => n === 1)).toBe(true);
      expect(app.registry.size).toBe(0);
      expect(app.registry.localMembers('crowd')).toEqual([]);
      expect(app.heartbeat.size).toBe(0);
      await expectAlive(app);
    });
  });

  describe('E2: heartbeat', () => {
    it('terminates a half-open peer on the second tick and keeps a healthy one', async () => {
      const app = await start();
      const silent = await RawWs.open(app.port, sign('u-silent'));
      const healthy = await connect(app, sign('u-healthy'));
      const healthySocket = app.registry.connectionsOf('u-healthy')[0]!.socket;

      const pong = new Promise((resolve) => healthySocket.once('pong', resolve));
      app.heartbeat.tick();
      expect((await silent.nextFrame()).opcode).toBe(Opcode.PING); // the ping went out
      await pong; // the healthy client answered

      app.heartbeat.tick();
      await silent.ended;
      await app.gateway.whenDisconnects(1);
      expect(app.registry.isOnline('u-silent')).toBe(false);
      expect(app.heartbeat.size).toBe(1);
      expect((await healthy.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
    });

    it('any frame counts as a sign of life', async () => {
      const app = await start();
      const raw = await RawWs.open(app.port, sign('u-chatty'));
      app.heartbeat.tick();
      expect((await raw.nextFrame()).opcode).toBe(Opcode.PING);
      raw.send(clientTextFrame({ event: '$ping', id: 1 })); // a message, not a pong
      await raw.untilReply(1);
      app.heartbeat.tick();
      raw.send(clientTextFrame({ event: '$ping', id: 2 }));
      const frames = await raw.untilReply(2);
      expect(frames.map((f) => f.opcode)).toEqual([Opcode.PING, Opcode.TEXT]);
      expect(app.registry.isOnline('u-chatty')).toBe(true);
      raw.destroy();
    });

    it('runs on its own timer at heartbeatIntervalMs', async () => {
      const app = await start({ heartbeatIntervalMs: 100 });
      const silent = await RawWs.open(app.port, sign('u-silent'));
      await silent.ended; // terminated within two intervals, nobody called tick()
      await app.gateway.whenDisconnects(1);
      expect(app.registry.size).toBe(0);
    });
  });

  describe('A4: token lifetime', () => {
    it('closes with 4401 when the token expires, unless $auth refreshed it', async () => {
      const app = await start({ jwt: { secret: TEST_SECRET, clockToleranceSec: 0 } });
      const exp = nowSec() + 2;
      const refreshed = await connect(app, sign('u-refresh', { exp }));
      const witness = await connect(app, sign('u-witness', { exp }));

      const reply = await refreshed.request('$auth', { token: sign('u-refresh') });
      expect(reply['data']).toEqual({ expiresAt: expect.any(Number) });

      expect(await witness.closed).toEqual({ code: 4401, reason: 'Token expired' });
      // The witness's expiry has passed; the refreshed connection is still served.
      expect((await refreshed.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
      expect(app.registry.isOnline('u-refresh')).toBe(true);
    });
  });

  describe('A5: revocation', () => {
    it('closes every socket of the user with 4500 and the reason; others stay', async () => {
      const app = await start();
      const phone = await connect(app, sign('u-revoked'));
      const laptop = await connect(app, sign('u-revoked'));
      const other = await connect(app, sign('u-other'));
      app.registry.disconnectUser('u-revoked', 4500, 'Logged out');
      expect(await phone.closed).toEqual({ code: 4500, reason: 'Logged out' });
      expect(await laptop.closed).toEqual({ code: 4500, reason: 'Logged out' });
      expect((await other.request('$ping'))['data']).toEqual({ t: expect.any(Number) });
      await app.gateway.whenDisconnects(2);
      expect(app.registry.isOnline('u-revoked')).toBe(false);
    });
  });

  describe('G: graceful shutdown', () => {
    it('flushes queued data, closes with 1001, refuses new upgrades with 503, terminates silent peers, awaits async hooks', async () => {
      const watch = watchProcessProblems();
      const app = await start({ shutdown: { drainMs: 1500, batchSize: 2 } });
      const { registry, gateway, heartbeat } = app;
      const reader = await connect(app, sign('u-reader'));
      const silent = await RawWs.open(app.port, sign('u-silent'));
      gateway.slowDisconnect = deferred();

      const pushes = 200;
      const readerId = registry.connectionsOf('u-reader')[0]!.id;
      for (let i = 0; i < pushes; i++) registry.toConnection(readerId).emit('tick', i);
      const closing = app.app.close().then(() => gateway.events.push('app closed'));
      apps = apps.filter((a) => a !== app.app);

      // G4 + G2: everything queued arrives, then a 1001 with a reason.
      const closed = await reader.closed;
      expect(closed).toEqual({ code: 1001, reason: 'Server shutting down' });
      const ticks = reader.pending().filter((m) => m['event'] === 'tick');
      expect(ticks.map((m) => m['data'])).toEqual(Array.from({ length: pushes }, (_, i) => i));

      // G1: while the silent peer holds the drain, new upgrades get 503 + Retry-After.
      const refused = await expectRefused(app.baseUrl, { token: sign('u-late') });
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.json().error.code).toBe('UNAVAILABLE');

      // G4: the silent peer got a close frame and, never answering it, is terminated.
      const { close } = await silent.untilClose();
      expect(close.payload.readUInt16BE(0)).toBe(1001);
      await silent.ended;

      // Async disconnect hooks are awaited before close() resolves.
      gateway.slowDisconnect.resolve();
      await closing;
      expect(gateway.events).toEqual([
        'disconnect hook done',
        'disconnect hook done',
        'app closed',
      ]);

      // G5: nothing left behind.
      expect(registry.size).toBe(0);
      expect(heartbeat.size).toBe(0);
      expect(app.app.getHttpServer().listening).toBe(false);
      watch.stop();
      expect(watch.seen).toEqual([]);
    });
  });
});

import type { INestApplication } from '@nestjs/common';
import type { RealtimeModuleOptions } from '../../src/server/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import {
  deferred,
  nowSec,
  sign,
  startLifecycleApp,
  type LifecycleApp,
} from '../support/lifecycle-app.js';
import { watchProcessProblems } from '../support/process-problems.js';
import { RawWs } from '../support/raw-ws.js';
import { expectRefused, TestSocket } from '../support/ws-client.js';

/**
 * Connection lifecycle, closes decided by the server: token expiry and refresh (A4),
 * revocation (A5) and graceful shutdown (G1-G5).
 */

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

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(apps.map((app) => app.close()));
    apps = [];
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
      expect(app.registry.isOnlineHere('u-refresh')).toBe(true);
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
      expect(app.registry.isOnlineHere('u-revoked')).toBe(false);
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

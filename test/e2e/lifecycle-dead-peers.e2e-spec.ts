import type { INestApplication } from '@nestjs/common';
import WebSocket from 'ws';
import type { RealtimeModuleOptions } from '../../src/server/index.js';
import { clientTextFrame, Opcode } from '../support/frames.js';
import { sign, startLifecycleApp, type LifecycleApp } from '../support/lifecycle-app.js';
import { RawWs } from '../support/raw-ws.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * Connection lifecycle, dead peers: heartbeat (E1, E2) and cleanup after 1 000 vanished clients.
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
      expect(app.registry.isOnlineHere('u-1')).toBe(false);
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
      expect(app.registry.isOnlineHere('u-silent')).toBe(false);
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
      expect(app.registry.isOnlineHere('u-chatty')).toBe(true);
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
});

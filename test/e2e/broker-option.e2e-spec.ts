import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import {
  ConnectionRegistry,
  InProcessBroker,
  InProcessBus,
  InProcessHub,
  InProcessPresenceStore,
  PresenceStore,
  RealtimeAdapter,
  RealtimeBroker,
  RealtimeBus,
  RealtimeModule,
} from '../../src/server/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { startProbeApp } from '../support/probe-app.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * The `broker` option: an app's own bus and presence store, or a broker. Two apps of one process
 * on one `InProcessHub` act as one, over real sockets.
 */

const token = (sub: string) => jwt.sign({ sub }, TEST_SECRET, { expiresIn: '1h' });

describe('the broker option', () => {
  const apps: INestApplication[] = [];
  const sockets: TestSocket[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(apps.splice(0).map((a) => a.close()));
  });

  const start = async (broker: RealtimeBroker) => {
    const started = await startProbeApp({ broker });
    apps.push(started.app);
    return { ...started, registry: started.app.get(ConnectionRegistry) };
  };
  const connect = async (baseUrl: string, sub: string) => {
    const socket = await TestSocket.connect(baseUrl, { token: token(sub) });
    sockets.push(socket);
    return socket;
  };

  it('two apps on one InProcessHub share rooms, users and presence', async () => {
    const hub = new InProcessHub();
    const brokerA = new InProcessBroker(hub);
    const a = await start(brokerA);
    const b = await start(new InProcessBroker(hub));
    expect(a.app.get(RealtimeBroker)).toBe(brokerA);
    expect(a.app.get(RealtimeBus)).toBe(brokerA.bus);
    const alice = await connect(a.baseUrl, 'alice');
    const bob = await connect(b.baseUrl, 'bob');
    for (const socket of [alice, bob]) await socket.request('probe:rooms');

    a.registry.to('probe').emit('news', 1);
    for (const socket of [alice, bob]) {
      expect(await socket.nextEvent('news')).toEqual({ event: 'news', data: 1 });
    }
    expect((await b.registry.members('probe')).map((m) => m.userId)).toEqual(['bob', 'alice']);
    expect(await b.registry.isUserOnline('alice')).toBe(true);
    expect(a.registry.health()).toMatchObject({ kind: 'in-process', ready: true, published: 1 });
    expect(b.registry.health()).toMatchObject({ received: 1 });

    b.registry.disconnectUser('alice', 4000, 'Bye');
    expect(await alice.closed).toEqual({ code: 4000, reason: 'Bye' });
  });

  it('forRootAsync takes a bus and a presence store from a factory', async () => {
    const bus = new InProcessBus();
    const presence = new InProcessPresenceStore();
    @Module({
      imports: [
        RealtimeModule.forRootAsync({
          useFactory: () => ({ jwt: { secret: TEST_SECRET }, broker: { bus, presence } }),
        }),
      ],
    })
    class AsyncModule {}
    const app = await NestFactory.create(AsyncModule, { logger: false });
    apps.push(app);
    app.useWebSocketAdapter(new RealtimeAdapter(app));
    await app.init();
    expect(app.get(RealtimeBus)).toBe(bus);
    expect(app.get(PresenceStore)).toBe(presence);
    expect(app.get(ConnectionRegistry).health().kind).toBe('in-process');
  });

  it('a bus that does not meet the contract fails the boot with a message that says how to fix it', async () => {
    const presence = new InProcessPresenceStore();
    const bus = { publish: () => undefined, health: () => ({}) } as unknown as RealtimeBus;
    @Module({
      imports: [
        RealtimeModule.forRoot({ jwt: { secret: TEST_SECRET }, broker: { bus, presence } }),
      ],
    })
    class BadModule {}
    await expect(
      NestFactory.create(BadModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(/"broker.bus" must be a RealtimeBus, but it has no start\(\), stop\(\)/);
  });
});

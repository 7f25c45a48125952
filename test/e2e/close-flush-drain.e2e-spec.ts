import { Module, type DynamicModule } from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { CloseCode } from '../../src/protocol/index.js';
import {
  ConnectionRegistry,
  CurrentConnection,
  RealtimeGateway,
  RealtimeModule,
  type RealtimeConnection,
  type RealtimeModuleOptions,
} from '../../src/server/index.js';
import { startRealtimeApp, type RunningRealtimeApp } from '../../src/testing/index.js';
import { TEST_SECRET } from '../support/demo-app.js';
import { deferred } from '../support/limits-harness.js';
import { ResumingClient, tokenOf } from '../support/recovery-app.js';
import { waitFor } from '../support/wait-for.js';
import { TestSocket } from '../support/ws-client.js';

/**
 * Issue 15, item 4, at a graceful shutdown: what was produced for a connection before the drain
 * closed it (replies, pushes, and the newest latest values parked for a slow consumer) goes out
 * before the 1001 close frame.
 */

@RealtimeGateway('/ws')
class DrainGateway {
  readonly entered = deferred();
  readonly released = deferred();

  constructor(private readonly registry: ConnectionRegistry) {}

  @SubscribeMessage('room:join')
  join(@CurrentConnection() connection: RealtimeConnection, @MessageBody() room: string) {
    this.registry.join(connection, room);
    return { joined: room };
  }

  /** Runs until the test releases it. */
  @SubscribeMessage('drain:wait')
  async wait(@MessageBody() n: number): Promise<number> {
    this.entered.resolve();
    await this.released.promise;
    return n;
  }
}

@Module({})
class DrainAppModule {
  static forRoot(options: RealtimeModuleOptions): DynamicModule {
    return {
      module: DrainAppModule,
      imports: [RealtimeModule.forRoot({ jwt: { secret: TEST_SECRET }, ...options })],
      providers: [DrainGateway],
    };
  }
}

const LIMIT = 64 * 1024;
const SYMBOLS = ['AAA', 'BBB', 'CCC'];
// The budget only bounds a failing run: every client here answers the close frame.
const SHUTDOWN = { drainMs: 10_000, batchSize: 10 };

let server: RunningRealtimeApp;
const sockets: TestSocket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  await server?.close();
});

describe('close flush at a graceful shutdown (1001)', () => {
  it('the reply of a handler released and a push emitted just before app.close() arrive before the 1001', async () => {
    server = await startRealtimeApp(DrainAppModule.forRoot({ shutdown: SHUTDOWN }));
    const gateway = server.app.get(DrainGateway);
    const client = await TestSocket.connect(server.url, { token: tokenOf('u-drained') });
    sockets.push(client);
    client.send({ event: 'drain:wait', data: 7, id: 'w' });
    await gateway.entered.promise;

    server.registry().toUser('u-drained').emit('bye', 1);
    gateway.released.resolve();
    const closing = server.close();

    // 'message' events come before 'close': all of it was read before the close frame.
    expect(await client.closed).toEqual({ code: CloseCode.GOING_AWAY, reason: expect.any(String) });
    expect(client.pending()).toEqual([
      { event: 'bye', data: 1 },
      { id: 'w', data: 7 },
    ]);
    await closing;
  });

  it('a slow consumer gets the newest latest value of each key before the 1001', async () => {
    const recovery = { streams: [{ match: 'room:ticker:*', conflate: true, size: 100 }] };
    server = await startRealtimeApp(
      DrainAppModule.forRoot({ recovery, limits: { bufferedBytes: LIMIT }, shutdown: SHUTDOWN }),
    );
    const slow = await ResumingClient.connect(server.url, 'slow');
    sockets.push(slow.socket);
    await slow.resume();
    await slow.join('ticker:all');
    const [connection] = server.registry().connectionsOf('slow');
    const tick = (n: number): void => {
      const pad = 'x'.repeat(16 * 1024);
      for (const symbol of SYMBOLS) {
        server.registry().to('ticker:all').emit('tick', { symbol, n, pad }, { key: symbol });
      }
    };

    // Over the buffer limit, then more: the newest of each symbol is parked, waiting to drain.
    slow.socket.ws.pause();
    let n = 0;
    while (connection!.socket.bufferedAmount <= LIMIT) tick(++n);
    for (let i = 0; i < 50; i++) tick(++n);
    const last = n;

    const closing = server.close();
    // The client reads again only once the close frame is written: no drain flushes it before.
    await waitFor(() => !connection!.isOpen && connection!.socket.readyState !== 1, 'the 1001');
    slow.socket.ws.resume();

    expect(await slow.socket.closed).toEqual({
      code: CloseCode.GOING_AWAY,
      reason: expect.any(String),
    });
    const newest = new Map<string, number>();
    for (const m of slow.socket.pending().filter((m) => m['event'] === 'tick')) {
      const data = m['data'] as { symbol: string; n: number };
      newest.set(data.symbol, data.n);
    }
    expect(SYMBOLS.map((s) => newest.get(s))).toEqual(SYMBOLS.map(() => last));
    await closing;
  });
});

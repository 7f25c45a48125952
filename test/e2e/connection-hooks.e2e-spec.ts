import { Module } from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import {
  CloseCode,
  ConnectionRegistry,
  CurrentConnection,
  RealtimeConfigError,
  RealtimeGateway,
  RealtimeModule,
  type ConnectionCloseInfo,
  type OnConnectionClose,
  type OnConnectionOpen,
  type RealtimeConnection,
} from '../../src/server/index.js';
import {
  createTestClient,
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
} from '../../src/testing/index.js';

const SECRET = 'connection-hooks-spec-secret-0123456789abcdef';

/** Resolves when a test lets it: the open hook waits on it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const seen = {
  opened: [] as { connection: RealtimeConnection; url: string | undefined }[],
  closed: [] as { connection: RealtimeConnection; close: ConnectionCloseInfo; rooms: string[] }[],
  openGate: gate(),
  openedOne: gate(),
  closedOne: gate(),
  /** Whether the open hook had settled when `join` ran, per call. */
  joinedAfterOpen: [] as boolean[],
  openSettled: false,
};

@RealtimeGateway('/hooks')
class HookedGateway implements OnConnectionOpen, OnConnectionClose {
  constructor(private readonly registry: ConnectionRegistry) {}

  async onConnectionOpen(connection: RealtimeConnection, request: IncomingMessage): Promise<void> {
    seen.opened.push({ connection, url: request.url });
    seen.openedOne.open();
    await seen.openGate.promise;
    seen.openSettled = true;
  }

  onConnectionClose(connection: RealtimeConnection, close: ConnectionCloseInfo): void {
    seen.closed.push({ connection, close, rooms: [...connection.rooms] });
    seen.closedOne.open();
  }

  @SubscribeMessage('join')
  join(@MessageBody() room: string, @CurrentConnection() connection: RealtimeConnection): string {
    seen.joinedAfterOpen.push(seen.openSettled);
    this.registry.join(connection, room);
    return connection.id;
  }
}

@Module({
  imports: [RealtimeModule.forRoot({ jwt: { secret: SECRET }, shutdown: { drainMs: 200 } })],
  providers: [HookedGateway],
})
class HooksModule {}

describe('onConnectionOpen and onConnectionClose', () => {
  let server: RunningRealtimeApp;
  beforeAll(async () => {
    server = await startRealtimeApp(HooksModule);
  });
  afterAll(() => server.close());

  it('receive the connection, hold messages until the open hook settles, and get the close code', async () => {
    const token = signTestToken(SECRET, { sub: 'hooked' });
    const client = await createTestClient(`${server.wsUrl('/hooks')}?x=1`, { token });
    const reply = client.request('join', 'lobby');
    // The open hook has the connection and the request; the message waits for it to settle.
    await seen.openedOne.promise;
    expect(seen.opened).toHaveLength(1);
    const [opened] = seen.opened;
    expect(opened?.connection.userId).toBe('hooked');
    expect(opened?.url).toBe('/hooks?x=1');
    seen.openGate.open();
    await expect(reply).resolves.toBe(opened?.connection.id);
    expect(seen.joinedAfterOpen).toEqual([true]);

    server.registry().disconnectUser('hooked', CloseCode.REVOKED, 'Bye');
    await seen.closedOne.promise;
    expect(seen.closed).toHaveLength(1);
    const [closed] = seen.closed;
    expect(closed?.connection).toBe(opened?.connection);
    expect(closed?.close).toEqual({ code: CloseCode.REVOKED, reason: 'Bye' });
    expect(closed?.rooms).toEqual(['lobby']);
    await client.close();
  });

  it('refuses a gateway that declares both a Nest hook and ours', () => {
    expect(() => {
      @RealtimeGateway('/both')
      class Both {
        handleDisconnect(): void {}
        onConnectionClose(): void {}
      }
      return Both;
    }).toThrow(RealtimeConfigError);
  });
});

import { Module, type DynamicModule } from '@nestjs/common';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import {
  ConnectionRegistry,
  CurrentConnection,
  RealtimeGateway,
  RealtimeModule,
  type ConnectionResumeInfo,
  type OnConnectionResume,
  type RealtimeConnection,
  type RealtimeModuleOptions,
} from '../../src/server/index.js';
import {
  signTestToken,
  startRealtimeApp,
  type RunningRealtimeApp,
} from '../../src/testing/index.js';
import { TEST_SECRET } from './demo-app.js';
import { TestSocket } from './ws-client.js';

/** The `onConnectionResume` calls of the test gateway: user and what it got back. */
export const resumes: { userId: string; info: ConnectionResumeInfo }[] = [];

/** A gateway with rooms: what the recovery suites publish to and resume. */
@RealtimeGateway({ path: '/ws' })
class RoomsGateway implements OnConnectionResume {
  constructor(private readonly registry: ConnectionRegistry) {}

  /** Records the call; in a room named `hook-throws`, tells the connection, then throws. */
  onConnectionResume(connection: RealtimeConnection, info: ConnectionResumeInfo): void {
    resumes.push({ userId: connection.userId, info });
    if (!info.rooms.includes('hook-throws')) return;
    connection.send('resumed', { rooms: info.rooms });
    throw new Error('the hook failed');
  }

  @SubscribeMessage('room:join')
  join(@CurrentConnection() connection: RealtimeConnection, @MessageBody() room: string) {
    this.registry.join(connection, room);
    return { joined: room };
  }

  @SubscribeMessage('room:leave')
  leave(@CurrentConnection() connection: RealtimeConnection, @MessageBody() room: string) {
    return { left: this.registry.leave(connection, room) };
  }
}

@Module({})
class RecoveryAppModule {
  static forRoot(options: RealtimeModuleOptions): DynamicModule {
    return {
      module: RecoveryAppModule,
      imports: [RealtimeModule.forRoot({ jwt: { secret: TEST_SECRET }, ...options })],
      providers: [RoomsGateway],
    };
  }
}

export type Message = Record<string, unknown>;

/**
 * Starts an app with `recovery` on (`'off'`: without it), and a broker or Redis to run several
 * instances on one backend.
 */
export function startRecoveryApp(
  recovery: RealtimeModuleOptions['recovery'] | 'off' = {},
  extra: Omit<RealtimeModuleOptions, 'recovery'> = {},
): Promise<RunningRealtimeApp> {
  const options = recovery === 'off' ? extra : { recovery, ...extra };
  return startRealtimeApp(RecoveryAppModule.forRoot(options));
}

export const tokenOf = (sub: string): string => signTestToken(TEST_SECRET, { sub });

/**
 * A client of the recovery protocol on a raw socket: it tracks the position of every positioned
 * push as the SDK does, and resumes with them.
 */
export class ResumingClient {
  readonly positions: Record<string, { e: string; o: number }> = {};
  /** Every message in arrival order, as `push:<event>:<n>` or `reply:<id>`. */
  readonly arrivals: string[] = [];
  session: string | undefined;

  private constructor(
    readonly socket: TestSocket,
    readonly sub: string,
  ) {
    socket.ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as Message;
      const n = (m['data'] as { n?: number } | null)?.n;
      this.arrivals.push(
        typeof m['event'] === 'string' ? `push:${m['event']}:${n}` : `reply:${String(m['id'])}`,
      );
      if (typeof m['o'] === 'number' && typeof m['s'] === 'string') {
        this.positions[m['s']] = { e: m['e'] as string, o: m['o'] };
      }
    });
  }

  /** Connects as `sub`, naming `session` at the upgrade when given. */
  static async connect(baseUrl: string, sub: string, session?: string): Promise<ResumingClient> {
    const protocols = ['realtime.v1', ...(session ? [`session.${session}`] : [])];
    const socket = await TestSocket.connect(baseUrl, { token: tokenOf(sub), protocols });
    return new ResumingClient(socket, sub);
  }

  /** Sends `$resume` (a fresh session without `session`) and returns the reply's data. */
  async resume(
    session?: string,
    streams: Record<string, { e: string; o: number }> = {},
  ): Promise<Message> {
    const reply = await this.socket.request('$resume', {
      ...(session ? { session } : {}),
      streams,
    });
    const data = reply['data'] as Message;
    this.session = data['session'] as string;
    return data;
  }

  /** Reconnects as the same user with the session and positions it has. */
  async reconnect(baseUrl: string): Promise<{ client: ResumingClient; reply: Message }> {
    const client = await ResumingClient.connect(baseUrl, this.sub, this.session);
    Object.assign(client.positions, this.positions);
    const reply = await client.resume(this.session, { ...this.positions });
    return { client, reply };
  }

  join(room: string): Promise<Message> {
    return this.socket.request('room:join', room);
  }

  /** The `data.n` of the next `count` pushes of `event`, in arrival order. */
  async take(event: string, count: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const m = await this.socket.nextEvent(event);
      out.push((m['data'] as { n: number }).n);
    }
    return out;
  }
}

/** 1..n */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

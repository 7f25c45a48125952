import {
  Catch,
  Injectable,
  Module,
  UseFilters,
  UseGuards,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type INestApplication,
  type LoggerService,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  type OnGatewayConnection,
  type WsResponse,
} from '@nestjs/websockets';
import { Type as TransformType } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import type { IncomingMessage } from 'node:http';
import { of, throwError, type Observable } from 'rxjs';
import type { WebSocket } from 'ws';
import {
  connectionOf,
  ConnectionRegistry,
  CurrentConnection,
  HandshakeException,
  Principal,
  RealtimeAdapter,
  type RealtimeConnection,
  RealtimeException,
  RealtimeGateway,
  RealtimeModule,
  type HandshakeContext,
  type HandshakeGuard,
  type RealtimeModuleOptions,
  type RealtimePrincipal,
} from '../../src/server/index.js';
import { TEST_SECRET } from './demo-app.js';

export class ItemDto {
  @IsString()
  @Length(1, 20)
  name!: string;
}

export class OrderDto {
  @IsInt()
  @Min(1)
  @Max(10)
  quantity!: number;

  @IsString()
  @Length(1, 100)
  note!: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @TransformType(() => ItemDto)
  items?: ItemDto[];
}

/** Per-message guard: only tokens with `role: 'admin'` pass (A6). */
@Injectable()
export class AdminOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return connectionOf(context.switchToWs().getClient())?.principal.claims['role'] === 'admin';
  }
}

/** A filter that rethrows something else (C8). */
@Catch()
export class RethrowingFilter implements ExceptionFilter {
  catch(): never {
    throw new Error('rethrown by filter');
  }
}

/** Handshake guard of the /guarded path: refuses `?deny=1`, answers 418 on `?teapot=1`. */
@Injectable()
export class QueryHandshakeGuard implements HandshakeGuard {
  canHandshake(context: HandshakeContext): boolean {
    if (context.url.searchParams.get('teapot')) {
      throw new HandshakeException(418, 'TEAPOT', 'I am a teapot');
    }
    return context.url.searchParams.get('deny') !== '1';
  }
}

/** Everything a handler can do wrong or right, on /ws. */
@RealtimeGateway({ path: '/ws' })
export class ProbeGateway {
  constructor(private readonly registry: ConnectionRegistry) {}

  @SubscribeMessage('probe:echo')
  echo(@MessageBody() data: unknown): unknown {
    return data;
  }

  @SubscribeMessage('probe:order')
  order(@MessageBody() dto: OrderDto): { ok: true; dto: OrderDto; isDto: boolean } {
    return { ok: true, dto, isDto: dto instanceof OrderDto };
  }

  @SubscribeMessage('probe:whoami')
  whoami(
    @Principal() principal: RealtimePrincipal,
    @Principal('userId') userId: string,
    @CurrentConnection() connection: RealtimeConnection,
    @ConnectedSocket() socket: WebSocket,
  ): unknown {
    return {
      userId,
      sub: principal.claims['sub'],
      connectionId: connection.id,
      sameSocket: connection.socket === socket,
    };
  }

  @SubscribeMessage('probe:nothing')
  nothing(): void {}

  @SubscribeMessage('probe:push')
  push(@MessageBody() data: unknown): WsResponse<unknown> {
    return { event: 'probe:pushed', data };
  }

  @SubscribeMessage('probe:observable')
  observable(): Observable<number> {
    return of(1, 2, 3);
  }

  @SubscribeMessage('probe:throw-sync')
  throwSync(): never {
    throw new Error('sync failure with password=hunter2');
  }

  @SubscribeMessage('probe:reject')
  async reject(): Promise<never> {
    throw new Error('async failure');
  }

  @SubscribeMessage('probe:observable-error')
  observableError(): Observable<never> {
    return throwError(() => new Error('observable failure'));
  }

  @SubscribeMessage('probe:leak')
  leak(@MessageBody() data: { token?: string }): never {
    throw new Error(
      `connect to postgres://admin:s3cr3t@db.internal:5432 failed; SELECT * FROM users WHERE password='hunter2'; token ${data?.token ?? ''}`,
    );
  }

  @SubscribeMessage('probe:app-error')
  appError(): never {
    throw new RealtimeException('NOT_YOUR_TURN', 'Wait for the other player');
  }

  @SubscribeMessage('probe:filter-rethrow')
  @UseFilters(RethrowingFilter)
  filterRethrow(): never {
    throw new Error('original');
  }

  @SubscribeMessage('probe:admin')
  @UseGuards(AdminOnlyGuard)
  admin(): string {
    return 'secret admin data';
  }

  @SubscribeMessage('probe:unserializable')
  unserializable(): unknown {
    return { big: BigInt(1) };
  }

  @SubscribeMessage('probe:rooms')
  rooms(@CurrentConnection() connection: RealtimeConnection): string[] {
    this.registry.join(connection, 'probe');
    return [...connection.rooms];
  }
}

/** A second gateway on the same path: one connection reaches both. */
@RealtimeGateway('/ws')
export class SecondGateway {
  @SubscribeMessage('second:hello')
  hello(): string {
    return 'from second gateway';
  }
}

/** handleConnection misbehaves on demand (`?mode=`) on /hooks (A13). */
@RealtimeGateway('/hooks')
export class HookGateway implements OnGatewayConnection {
  connections = 0;

  handleConnection(_client: WebSocket, request: IncomingMessage): unknown {
    this.connections++;
    const mode = new URL(request.url ?? '/', 'http://x').searchParams.get('mode');
    if (mode === 'throw') throw new Error('hook threw');
    if (mode === 'reject') return Promise.reject(new Error('hook rejected'));
    if (mode === 'observable') return throwError(() => new Error('hook observable failed'));
    if (mode === 'slow') return new Promise((resolve) => setImmediate(resolve));
    return undefined;
  }

  @SubscribeMessage('hooks:ping')
  ping(): string {
    return 'pong';
  }
}

/** A gateway with its own handshake guard on /guarded. */
@RealtimeGateway({ path: '/guarded', handshakeGuards: [QueryHandshakeGuard] })
export class GuardedGateway {
  @SubscribeMessage('guarded:hello')
  hello(): string {
    return 'hello';
  }
}

export const PROBE_GATEWAYS: Type[] = [ProbeGateway, SecondGateway, HookGateway, GuardedGateway];

export interface ProbeAppExtras {
  /** A logger to capture the app's log lines (default: silent). */
  logger?: LoggerService | false;
  /** Runs before `listen()` (e.g. `app.useGlobalGuards(...)`). */
  configure?: (app: INestApplication) => void;
}

/** Starts an app with the probe gateways (or the given providers) on port 0. */
export async function startProbeApp(
  options: Partial<RealtimeModuleOptions> = {},
  providers: Type[] = PROBE_GATEWAYS,
  extras: ProbeAppExtras = {},
): Promise<{ app: INestApplication; port: number; baseUrl: string }> {
  @Module({
    imports: [RealtimeModule.forRoot({ jwt: { secret: TEST_SECRET }, ...options })],
    providers: [...providers, AdminOnlyGuard, QueryHandshakeGuard],
  })
  class ProbeModule {}

  const app = await NestFactory.create(ProbeModule, { logger: extras.logger ?? false });
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  extras.configure?.(app);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, port, baseUrl: `http://127.0.0.1:${port}` };
}

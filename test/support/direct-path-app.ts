import {
  Catch,
  Injectable,
  NotFoundException,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WsException } from '@nestjs/websockets';
import { IsString, Validate, ValidatorConstraint } from 'class-validator';
import { of, throwError, type Observable } from 'rxjs';
import type { WebSocket } from 'ws';
import { connectionOf, stateOf } from '../../src/server/connection/connection-map.js';
import { isDirectHandler } from '../../src/server/messages/direct-handler.js';
import {
  CurrentConnection,
  Principal,
  RealtimeException,
  RealtimeGateway,
  type RealtimeConnection,
} from '../../src/server/index.js';
import { OrderDto } from './probe-app.js';

/** How often each enhancer of the app ran. */
export const calls = { guard: 0, interceptor: 0, pipe: 0, filter: 0, asyncRule: 0 };

@Injectable()
export class AllowGuard implements CanActivate {
  canActivate(): boolean {
    calls.guard++;
    return true;
  }
}

@Injectable()
export class CountInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    calls.interceptor++;
    return next.handle();
  }
}

export class CountPipe implements PipeTransform {
  transform(value: unknown): unknown {
    calls.pipe++;
    return value;
  }
}

@Catch()
export class CountFilter implements ExceptionFilter {
  catch(exception: unknown): never {
    calls.filter++;
    throw exception;
  }
}

@ValidatorConstraint({ name: 'isFree', async: true })
class IsFree {
  validate(value: unknown): Promise<boolean> {
    calls.asyncRule++;
    return Promise.resolve(value !== 'taken');
  }

  defaultMessage(): string {
    return '$property is taken';
  }
}

export class HandleDto {
  @IsString()
  @Validate(IsFree)
  handle!: string;
}

/** Handlers covering every kind of parameter and result; subclassed with and without enhancers. */
export class SemanticsHandlers {
  @SubscribeMessage('sem:dto')
  dto(@MessageBody() dto: OrderDto) {
    return { isInstance: dto instanceof OrderDto, dto };
  }

  @SubscribeMessage('sem:key')
  key(@MessageBody('order') order: OrderDto, @MessageBody('tag') tag: string) {
    return { isInstance: order instanceof OrderDto, order, tag };
  }

  @SubscribeMessage('sem:raw')
  raw(@MessageBody() data: unknown) {
    return data;
  }

  @SubscribeMessage('sem:who')
  who(
    @ConnectedSocket() socket: WebSocket,
    @CurrentConnection() connection: RealtimeConnection,
    @Principal('userId') userId: string,
  ) {
    return { same: connectionOf(socket) === connection, userId };
  }

  /** Whether the connection's handler of an event is a direct one. */
  @SubscribeMessage('sem:direct')
  direct(@ConnectedSocket() socket: WebSocket, @MessageBody() event: string) {
    return isDirectHandler(stateOf(socket)?.handlers.get(event));
  }

  @SubscribeMessage('sem:async-dto')
  asyncDto(@MessageBody() dto: HandleDto) {
    return dto.handle;
  }

  @SubscribeMessage('sem:throw')
  throws(@MessageBody() kind: string): never {
    if (kind === 'realtime') throw new RealtimeException('ROOM_FULL', 'The room is full');
    if (kind === 'http') throw new NotFoundException('No such room');
    if (kind === 'ws') throw new WsException({ code: 'ROOM_FULL', message: 'Full' });
    throw new Error('boom');
  }

  @SubscribeMessage('sem:observable')
  observable(@MessageBody() fail: boolean): Observable<number> {
    if (fail) return throwError(() => new RealtimeException('ROOM_FULL', 'Observable failed'));
    return of(1, 2);
  }

  @SubscribeMessage('sem:promise')
  async promise(@MessageBody() fail: boolean): Promise<string> {
    await Promise.resolve();
    if (fail) throw new RealtimeException('ROOM_FULL', 'Promise failed');
    return 'p';
  }

  @SubscribeMessage('sem:void')
  nothing(@MessageBody() _data: unknown): void {}

  @SubscribeMessage('sem:push')
  push(@MessageBody() data: unknown) {
    return { event: 'pushed', data };
  }
}

@RealtimeGateway('/ws')
export class PlainGateway extends SemanticsHandlers {}

@RealtimeGateway('/ws')
@UseGuards(AllowGuard)
export class GuardedGateway extends SemanticsHandlers {}

@RealtimeGateway('/ws')
@UseFilters(CountFilter)
export class FilteredGateway extends SemanticsHandlers {}

@RealtimeGateway('/ws')
@UseInterceptors(CountInterceptor)
export class InterceptedGateway extends SemanticsHandlers {}

@RealtimeGateway('/ws')
@UsePipes(CountPipe)
export class PipedGateway extends SemanticsHandlers {}

@RealtimeGateway('/ws')
export class MethodGuardGateway extends SemanticsHandlers {
  @SubscribeMessage('sem:dto')
  @UseGuards(AllowGuard)
  override dto(@MessageBody() dto: OrderDto) {
    return { isInstance: dto instanceof OrderDto, dto };
  }
}

@RealtimeGateway('/ws')
export class MethodPipeGateway extends SemanticsHandlers {
  @SubscribeMessage('sem:dto')
  @UsePipes(CountPipe)
  override dto(@MessageBody() dto: OrderDto) {
    return { isInstance: dto instanceof OrderDto, dto };
  }
}

@RealtimeGateway('/ws')
export class MethodFilterGateway extends SemanticsHandlers {
  @SubscribeMessage('sem:dto')
  @UseFilters(CountFilter)
  override dto(@MessageBody() dto: OrderDto) {
    return { isInstance: dto instanceof OrderDto, dto };
  }
}

@RealtimeGateway('/ws')
export class MethodInterceptorGateway extends SemanticsHandlers {
  @SubscribeMessage('sem:dto')
  @UseInterceptors(CountInterceptor)
  override dto(@MessageBody() dto: OrderDto) {
    return { isInstance: dto instanceof OrderDto, dto };
  }
}

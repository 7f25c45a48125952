import { applyDecorators, SetMetadata, UseFilters, UsePipes, type Type } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import type { HandshakeGuard } from '../handshake/handshake-guard.js';
import { RethrowFilter } from '../filters/rethrow.filter.js';
import { RealtimeValidationPipe } from '../pipes/realtime-validation.pipe.js';
import { REALTIME_GATEWAY } from '../realtime.constants.js';
import { guardLifecycleHooks } from './lifecycle-hooks.js';

export interface RealtimeGatewayOptions {
  /**
   * The URL path of the WebSocket endpoint. Gateways with the same path share one connection.
   * @default '/ws'
   */
  path?: string;
  /** Handshake guards for this path, run after the module's global ones. */
  handshakeGuards?: Type<HandshakeGuard>[];
}

export interface RealtimeGatewayMetadata {
  path: string;
  handshakeGuards: Type<HandshakeGuard>[];
}

/**
 * Declares a gateway served by `RealtimeAdapter`: `@WebSocketGateway` on the app's HTTP server,
 * plus coded error replies, class-validator payload validation and crash-proof connection hooks.
 * Handlers are ordinary `@SubscribeMessage()` methods.
 *
 * ```ts
 * @RealtimeGateway({ path: '/ws' })
 * export class ChatGateway { @SubscribeMessage('chat:send') send(@MessageBody() dto: SendDto) {} }
 * ```
 */
export function RealtimeGateway(options: RealtimeGatewayOptions | string = {}): ClassDecorator {
  const { path = '/ws', handshakeGuards = [] } =
    typeof options === 'string' ? { path: options } : options;
  const metadata: RealtimeGatewayMetadata = { path, handshakeGuards };
  return applyDecorators(
    WebSocketGateway({ path }),
    UseFilters(RethrowFilter),
    UsePipes(RealtimeValidationPipe),
    SetMetadata(REALTIME_GATEWAY, metadata),
    (target: object) => guardLifecycleHooks(target as { prototype: object; name: string }),
  );
}

import { applyDecorators, SetMetadata, type Type } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import type { RealtimePushDocs } from '../asyncapi/realtime-doc.decorator.js';
import type { HandshakeGuard } from '../handshake/handshake-guard.js';
import { REALTIME_GATEWAY } from '../realtime.constants.js';
import { addValidationPipe, composeFilters } from './gateway-enhancers.js';
import { guardLifecycleHooks } from './lifecycle-hooks.js';
import { REALTIME_SERVER_OPTION } from './gateway-path.js';

export interface RealtimeGatewayOptions {
  /**
   * The URL path of the WebSocket endpoint. Gateways with the same path share one connection.
   * @default '/ws'
   */
  path?: string;
  /** Handshake guards for this path, run after the module's global ones. */
  handshakeGuards?: Type<HandshakeGuard>[];
  /**
   * The pushes this gateway sends, for the AsyncAPI document: event to the class of its `data`
   * (`{ 'chat:message': ChatMessageDoc }`), checked against a contract with
   * `contractHandlers<C>().pushes({...})`.
   */
  pushes?: RealtimePushDocs;
}

export interface RealtimeGatewayMetadata {
  path: string;
  handshakeGuards: Type<HandshakeGuard>[];
  pushes?: RealtimePushDocs;
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
  const {
    path = '/ws',
    handshakeGuards = [],
    pushes,
  } = typeof options === 'string' ? { path: options } : options;
  const metadata: RealtimeGatewayMetadata = { path, handshakeGuards, pushes };
  return applyDecorators(
    WebSocketGateway({ path, [REALTIME_SERVER_OPTION]: true }),
    SetMetadata(REALTIME_GATEWAY, metadata),
    (target: object) => {
      const gateway = target as { prototype: object; name: string };
      composeFilters(gateway);
      addValidationPipe(gateway);
      guardLifecycleHooks(gateway);
    },
  );
}

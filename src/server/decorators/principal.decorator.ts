import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { connectionOf } from '../connection/connection-map.js';

/**
 * The verified principal of the connection that sent the message (`{userId, claims, expiresAt}`).
 * `@Principal('userId')` picks one property.
 *
 * ```ts
 * @SubscribeMessage('chat:send')
 * send(@MessageBody() dto: SendDto, @Principal() user: RealtimePrincipal) {}
 * ```
 */
export const Principal: (property?: 'userId' | 'claims' | 'expiresAt') => ParameterDecorator =
  createParamDecorator(
    (property: 'userId' | 'claims' | 'expiresAt' | undefined, context: ExecutionContext) => {
      const principal = connectionOf(context.switchToWs().getClient())?.principal;
      return property && principal ? principal[property] : principal;
    },
  );

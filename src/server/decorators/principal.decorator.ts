import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { connectionOf } from '../connection/connection-map.js';

type PrincipalProperty = 'userId' | 'claims' | 'expiresAt';

/** @internal The factory of `@Principal()`, which the direct handler path calls. */
export const principalFactory = (
  property: PrincipalProperty | undefined,
  context: ExecutionContext,
) => {
  const principal = connectionOf(context.switchToWs().getClient())?.principal;
  return property && principal ? principal[property] : principal;
};

/**
 * The verified principal of the connection that sent the message (`{userId, claims, expiresAt}`).
 * `@Principal('userId')` picks one property.
 *
 * ```ts
 * @SubscribeMessage('chat:send')
 * send(@MessageBody() dto: SendDto, @Principal() user: RealtimePrincipal) {}
 * ```
 */
export const Principal: (property?: PrincipalProperty) => ParameterDecorator =
  createParamDecorator(principalFactory);

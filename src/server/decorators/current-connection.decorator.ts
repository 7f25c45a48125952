import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { connectionOf } from '../connection/connection-map.js';

/** @internal The factory of `@CurrentConnection()`, which the direct handler path calls. */
export const currentConnectionFactory = (_data: unknown, context: ExecutionContext) =>
  connectionOf(context.switchToWs().getClient());

/**
 * The `RealtimeConnection` that sent the message: its id, principal, rooms and `send()`.
 * Pass it to `ConnectionRegistry.join()` / `leave()` / `except()`.
 */
export const CurrentConnection: () => ParameterDecorator =
  createParamDecorator(currentConnectionFactory);

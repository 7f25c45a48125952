import type { LoggerService } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { RealtimePrincipal } from '../auth/principal.js';
import type { RealtimeConnection } from '../connection/realtime-connection.js';
import { refreshContext } from './handshake-context.js';
import type { HandshakeGuard } from './handshake-guard.js';
import { JwtHandshakeGuard } from './jwt-handshake.guard.js';
import { runHandshakeGuards } from './run-handshake-guards.js';

/**
 * Whether a `$auth` refresh on this path needs the upgrade request: only guards of your own may
 * read it (the JWT guard reads `context.token`), so only then is it kept per connection.
 */
export function refreshNeedsRequest(guards: readonly HandshakeGuard[]): boolean {
  return guards.some((guard) => !(guard instanceof JwtHandshakeGuard));
}

/**
 * A `$auth` refresh checked exactly like the upgrade: the path's handshake guards, in order,
 * with `context.kind === 'refresh'` and the new token as `context.token`.
 */
export function refreshPrincipal(
  guards: HandshakeGuard[],
  connection: RealtimeConnection,
  token: string,
  request: IncomingMessage | undefined,
  limits: { timeoutMs: number; retryAfterSec: number },
  logger: LoggerService,
): RealtimePrincipal | Promise<RealtimePrincipal> {
  return runHandshakeGuards(guards, refreshContext(connection, token, request), limits, logger);
}

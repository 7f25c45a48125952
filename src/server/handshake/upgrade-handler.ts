import type { LoggerService } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { RealtimePrincipal } from '../auth/principal.js';
import type { BoundHandler } from '../connection/connection-state.js';
import { HandshakeException } from '../errors/handshake.exception.js';
import { redact } from '../errors/redact.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import { checkUpgradeRequest, isOriginAllowed, requestPath } from './check-upgrade-request.js';
import type { HandshakeCapacity } from './handshake-capacity.js';
import { handshakeContext } from './handshake-context.js';
import type { HandshakeGuard } from './handshake-guard.js';
import type { Meter } from '../metrics/meter.js';
import { EventLog } from '../logging/event-log.js';
import { destroySocket, refuseHandshake } from './reject-handshake.js';
import { runHandshakeGuards } from './run-handshake-guards.js';

/** A gateway path that accepts upgrades: its guards and the `ws` server that completes them. */
export interface UpgradeTarget {
  readonly path: string;
  readonly guards: HandshakeGuard[];
  readonly server: WebSocketServer;
  /** Whether `$auth` refreshes run guards that may read the upgrade request (kept then). */
  readonly keepsRequest: boolean;
  /** The handlers the path's connections may share (see `UpgradeTargets`). */
  readonly handlers: ReadonlyMap<string, BoundHandler> | undefined;
}

/** An accepted upgrade, handed over to open the connection. */
export interface AcceptedUpgrade {
  readonly target: UpgradeTarget;
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  readonly principal: RealtimePrincipal;
  /** The TCP socket under the WebSocket. */
  readonly transport: Duplex;
}

export interface UpgradeHandlerDeps {
  readonly options: ResolvedRealtimeOptions;
  readonly capacity: HandshakeCapacity;
  /** The target of a request path (query string removed), or `undefined` for a 404. */
  readonly resolve: (path: string) => UpgradeTarget | undefined;
  /** Opens the connection of an accepted upgrade. */
  readonly open: (upgrade: AcceptedUpgrade) => void;
  readonly logger: LoggerService;
  /** Set when metrics are on. */
  readonly meter?: Meter;
}

/**
 * The HTTP `upgrade` of protocol section 1, in one place and in the order ws checks it: path
 * (404), method and headers (405, 400), Origin (403), capacity (503), the handshake guards (401,
 * 403, ...), capacity again with the user's cap (503, 429), then the `101`. Every refusal is a
 * plain HTTP response with a coded JSON body; nothing thrown escapes (500 `INTERNAL`, logged).
 * Synchronous all the way when the guards are (the JWT guard is): no promise per upgrade.
 */
export class UpgradeHandler {
  private readonly events: EventLog;
  /** The guards' time limit and the `Retry-After` of its 503 (the options are fixed). */
  private readonly guardLimits: { timeoutMs: number; retryAfterSec: number };

  constructor(private readonly deps: UpgradeHandlerDeps) {
    this.events = new EventLog(deps.logger);
    const { handshakeTimeoutMs, retryAfterSec } = deps.options.limits;
    this.guardLimits = { timeoutMs: handshakeTimeoutMs, retryAfterSec };
  }

  /** The listener for the HTTP server's `upgrade` event. */
  readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      this.handle(request, socket, head);
    } catch (error) {
      this.failed(socket, error);
    }
  };

  private handle(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const { options, capacity, logger } = this.deps;
    const target = this.deps.resolve(requestPath(request));
    if (!target) return this.refuse(socket, HandshakeException.notFound(), request);
    const refusal =
      checkUpgradeRequest(request) ??
      (isOriginAllowed(request, options.allowedOrigins)
        ? capacity.check()
        : HandshakeException.forbidden('Origin not allowed'));
    if (refusal) return this.refuse(socket, refusal, request);
    const context = handshakeContext(request, target.path, options.tokenSources);
    let outcome: RealtimePrincipal | Promise<RealtimePrincipal>;
    try {
      outcome = runHandshakeGuards(target.guards, context, this.guardLimits, logger);
    } catch (error) {
      return this.refuse(socket, error as HandshakeException, request);
    }
    if (!(outcome instanceof Promise)) return this.accept(target, request, socket, head, outcome);
    // A peer may reset the connection while the token is verified: that must not crash us. (Done
    // synchronously, no event can come in between: ws listens from `handleUpgrade` on, and a
    // refusal from its answer on.)
    capacity.pending++;
    socket.on('error', destroySocket);
    outcome
      .finally(() => {
        capacity.pending--;
        socket.off('error', destroySocket);
      })
      .then(
        (principal) => this.accept(target, request, socket, head, principal),
        (error: HandshakeException) => this.refuse(socket, error, request),
      )
      .catch((error: unknown) => this.failed(socket, error));
  }

  /** The guards let the upgrade through: capacity once more, then the `101`. */
  private accept(
    target: UpgradeTarget,
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    principal: RealtimePrincipal,
  ): void {
    const { capacity } = this.deps;
    // Checked again: the server may have started draining or filled up during verification.
    const lateRefusal = capacity.check(false) ?? capacity.checkUser(principal);
    if (lateRefusal) return this.refuse(socket, lateRefusal, request);
    if (socket.destroyed || !socket.writable) return;
    target.server.handleUpgrade(request, socket, head, (ws) => {
      this.deps.meter?.handshake(101);
      this.deps.open({ target, socket: ws, request, principal, transport: socket });
    });
  }

  /** Answers with the refusal's status and code; counted, and logged without the query string. */
  private refuse(socket: Duplex, error: HandshakeException, request?: IncomingMessage): void {
    this.deps.meter?.handshake(error.status);
    const { status, code, message } = error;
    const level =
      status >= 500 && status !== 503 ? 'error' : status === 503 || status === 429 ? 'warn' : 'log';
    this.events.write(level, 'upgrade_refused', {
      status,
      code,
      path: request ? requestPath(request) : undefined,
      ip: request?.socket.remoteAddress,
      reason: message,
    });
    refuseHandshake(socket, error);
  }

  private failed(socket: Duplex, error: unknown): void {
    this.deps.logger.error(`Upgrade failed: ${redact(String(error))}`);
    this.refuse(socket, HandshakeException.internal());
  }
}

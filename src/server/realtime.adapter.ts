import { Logger, type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Observable } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, HandshakeErrorCode, SUBPROTOCOL } from '../protocol/index.js';
import type { HandshakeContext } from './auth/handshake-guard.js';
import type { RealtimePrincipal } from './auth/principal.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { HandshakeException } from './errors/handshake.exception.js';
import { redact } from './errors/redact.js';
import { GatewayCatalog, normalizePath, type PathEntry } from './gateway/gateway-catalog.js';
import { MessageDispatcher } from './gateway/message-dispatcher.js';
import { attachSession, Session, sessionOf } from './gateway/session.js';
import { checkUpgradeRequest, isOriginAllowed } from './handshake/check-upgrade-request.js';
import { rejectHandshake } from './handshake/reject-handshake.js';
import { runHandshakeGuards } from './handshake/run-handshake-guards.js';
import { drainSockets, settleWithin } from './lifecycle/drain.js';
import { Heartbeat } from './lifecycle/heartbeat.js';
import { clearExpiry, scheduleExpiry } from './lifecycle/session-expiry.js';
import { TokenBucket } from './lifecycle/token-bucket.js';
import { RESOLVED_OPTIONS } from './realtime.constants.js';
import type { ResolvedRealtimeOptions } from './realtime.options.js';
import { RealtimeConfigError } from './realtime.options-validation.js';
import { ConnectionRegistry } from './registry/connection-registry.js';
import { attachConnection, RealtimeConnection } from './registry/realtime-connection.js';

// Connection ids: a random per-process prefix and a counter. Unique across instances, and a
// short flat string (a UUID per connection cost 450 bytes of heap).
const ID_PREFIX = randomBytes(9).toString('base64url');
let idCounter = 0;
const nextConnectionId = (): string => `${ID_PREFIX}${(++idCounter).toString(36)}`;

interface Services {
  options: ResolvedRealtimeOptions;
  catalog: GatewayCatalog;
  registry: ConnectionRegistry;
  heartbeat: Heartbeat;
  dispatcher: MessageDispatcher;
}

interface Target {
  entry: PathEntry;
  server: WebSocketServer;
}

/** The guards' view of a request; the URL is parsed only if a guard reads it. */
function handshakeContext(request: IncomingMessage, path: string): HandshakeContext {
  let url: URL | undefined;
  return {
    request,
    path,
    get url(): URL {
      if (!url) {
        try {
          url = new URL(request.url ?? '/', 'http://localhost');
        } catch {
          url = new URL('http://localhost/');
        }
      }
      return url;
    },
  };
}

/**
 * The WebSocket adapter of `nestjs-realtime`, on `ws` like `@nestjs/platform-ws`'s `WsAdapter`,
 * which it extends. Authentication happens in the HTTP `upgrade` handler: path, method, headers,
 * Origin, capacity and the handshake guards (JWT by default) are checked before the `101`, and a
 * refusal is a real HTTP response. Gateways on one path share one connection; messages follow
 * the `realtime.v1` envelope; `app.close()` drains sockets with 1001.
 *
 * ```ts
 * app.useWebSocketAdapter(new RealtimeAdapter(app));
 * ```
 */
export class RealtimeAdapter extends WsAdapter {
  protected override readonly logger = new Logger('RealtimeAdapter');
  private readonly servers = new Map<string, WebSocketServer>();
  private readonly disconnectWork = new Set<Promise<unknown>>();
  private services: Services | undefined;
  private attachedTo: HttpServer | undefined;
  private pendingHandshakes = 0;
  private draining = false;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      this.handleUpgrade(request, socket, head);
    } catch (error) {
      this.logger.error(`Upgrade failed: ${redact(String(error))}`);
      rejectHandshake(socket, 500, 'INTERNAL', 'Internal error');
    }
  };

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override create(port: number, options: { path?: string } = {}): WebSocketServer {
    if (port !== 0) {
      throw new RealtimeConfigError(
        `gateways run on the app's HTTP server; remove the port (${port}) from the gateway.`,
      );
    }
    const path = normalizePath(options.path ?? '/ws');
    const existing = this.servers.get(path);
    if (existing) return existing;
    const services = this.resolveServices();
    const server = new WebSocketServer({
      noServer: true,
      maxPayload: services.options.maxPayload,
      perMessageDeflate: false,
      // Select realtime.v1 when offered; never echo a `bearer.<jwt>` entry.
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    server.on('error', (error) => this.logger.error(`Server error: ${redact(String(error))}`));
    this.servers.set(path, server);
    this.attach();
    return server;
  }

  override bindClientConnect(
    server: WebSocketServer,
    callback: (...args: unknown[]) => void,
  ): void {
    server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      try {
        callback(socket, request);
      } catch (error) {
        this.logger.error(`Connection handler failed: ${redact(String(error))}`);
        sessionOf(socket)?.connection.close(CloseCode.INTERNAL_ERROR, 'Internal error');
      }
    });
  }

  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    _transform: (data: unknown) => Observable<unknown>,
  ): void {
    const session = sessionOf(client);
    if (!session) return;
    for (const { message, callback } of handlers) {
      session.handlers.set(String(message), callback as (data: unknown, event: string) => unknown);
    }
  }

  override bindClientDisconnect(client: WebSocket, callback: (reason?: unknown) => void): void {
    sessionOf(client)?.disconnectCallbacks.push(callback);
  }

  /**
   * Graceful shutdown of one path: new upgrades get 503, open sockets get close 1001 in batches
   * within `shutdown.drainMs` (then the silent ones are terminated), and async disconnect hooks
   * are awaited.
   */
  override async close(server: WebSocketServer): Promise<void> {
    this.draining = true;
    const { drainMs, batchSize } = this.resolveServices().options.shutdown;
    const deadline = Date.now() + drainMs;
    await drainSockets([...server.clients], { drainMs, batchSize });
    await settleWithin(Promise.all(this.disconnectWork), Math.max(1000, deadline - Date.now()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  override async dispose(): Promise<void> {
    this.attachedTo?.off('upgrade', this.onUpgrade);
    this.attachedTo = undefined;
    this.servers.clear();
  }

  /** Hook for subclasses: runs after a connection is registered, before gateway hooks. */
  protected onConnection(_connection: RealtimeConnection): void {}

  private resolveServices(): Services {
    if (this.services) return this.services;
    let options: ResolvedRealtimeOptions;
    try {
      options = this.app.get(RESOLVED_OPTIONS, { strict: false });
    } catch {
      throw new RealtimeConfigError(
        'RealtimeAdapter found no RealtimeModule; import RealtimeModule.forRoot({...}) in your AppModule.',
      );
    }
    const verifier = this.app.get(TokenVerifier, { strict: false });
    this.services = {
      options,
      catalog: this.app.get(GatewayCatalog, { strict: false }),
      registry: this.app.get(ConnectionRegistry, { strict: false }),
      heartbeat: this.app.get(Heartbeat, { strict: false }),
      dispatcher: new MessageDispatcher(options, verifier),
    };
    return this.services;
  }

  private attach(): void {
    if (this.attachedTo) return;
    const server = this.httpServer as HttpServer | undefined;
    if (!server) {
      throw new RealtimeConfigError(
        'RealtimeAdapter needs the HTTP application: new RealtimeAdapter(app) with app from NestFactory.create().',
      );
    }
    server.on('upgrade', this.onUpgrade);
    this.attachedTo = server;
  }

  /** Synchronous all the way when the guards are (the JWT guard is): no promise per upgrade. */
  private handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A peer may reset the connection while the token is verified; that must not crash us.
    const onSocketError = (): void => void socket.destroy();
    socket.on('error', onSocketError);
    const { options } = this.resolveServices();
    const target = this.resolveTarget(request);
    if (target instanceof HandshakeException) return this.refuse(socket, target);
    const refusal =
      checkUpgradeRequest(request) ??
      (isOriginAllowed(request, options.allowedOrigins)
        ? this.checkCapacity()
        : HandshakeException.forbidden('Origin not allowed'));
    if (refusal) return this.refuse(socket, refusal);
    const context = handshakeContext(request, target.entry.path);
    const { handshakeTimeoutMs: timeoutMs, retryAfterSec } = options.limits;
    let outcome: RealtimePrincipal | Promise<RealtimePrincipal>;
    try {
      outcome = runHandshakeGuards(
        target.entry.guards,
        context,
        { timeoutMs, retryAfterSec },
        this.logger,
      );
    } catch (error) {
      return this.refuse(socket, error as HandshakeException);
    }
    const upgrade = (principal: RealtimePrincipal): void => {
      // Checked again: the server may have started draining or filled up during verification.
      const lateRefusal = this.checkCapacity(false) ?? this.checkUserCapacity(principal);
      if (lateRefusal) return this.refuse(socket, lateRefusal);
      if (socket.destroyed || !socket.writable) return;
      socket.off('error', onSocketError);
      target.server.handleUpgrade(request, socket, head, (ws) =>
        this.open(target.server, ws, request, target.entry, principal, socket),
      );
    };
    if (!(outcome instanceof Promise)) return upgrade(outcome);
    this.pendingHandshakes++;
    outcome
      .finally(() => this.pendingHandshakes--)
      .then(upgrade, (error: HandshakeException) => this.refuse(socket, error))
      .catch((error: unknown) => {
        this.logger.error(`Upgrade failed: ${redact(String(error))}`);
        rejectHandshake(socket, 500, 'INTERNAL', 'Internal error');
      });
  }

  private resolveTarget(request: IncomingMessage): Target | HandshakeException {
    const raw = request.url ?? '/';
    const query = raw.indexOf('?');
    const path = query < 0 ? raw : raw.slice(0, query);
    const { catalog } = this.resolveServices();
    const entry = catalog.isReady
      ? (catalog.get(path) ?? catalog.get(normalizePath(path)))
      : undefined;
    const server = entry && this.servers.get(entry.path);
    if (!entry || !server) {
      const message = 'No WebSocket endpoint on this path';
      return new HandshakeException(404, HandshakeErrorCode.NOT_FOUND, message);
    }
    return { entry, server };
  }

  /** Draining, full, or too many handshakes in progress: 503 before any token is verified. */
  private checkCapacity(countPending = true): HandshakeException | undefined {
    const { options, registry } = this.resolveServices();
    const retry = options.limits.retryAfterSec;
    if (this.draining) return HandshakeException.unavailable('Server is shutting down', retry);
    if (registry.size >= options.limits.connections) {
      return HandshakeException.unavailable('Server is at its connection limit', retry);
    }
    if (countPending && this.pendingHandshakes >= options.limits.pendingHandshakes) {
      return HandshakeException.unavailable('Too many handshakes in progress', retry);
    }
    return undefined;
  }

  private checkUserCapacity(principal: RealtimePrincipal): HandshakeException | undefined {
    const { options, registry } = this.resolveServices();
    if (registry.connectionsOf(principal.userId).length < options.limits.connectionsPerUser) {
      return undefined;
    }
    const message = `At most ${options.limits.connectionsPerUser} connections per user`;
    return HandshakeException.tooManyConnections(message, options.limits.retryAfterSec);
  }

  private open(
    server: WebSocketServer,
    socket: WebSocket,
    request: IncomingMessage,
    entry: PathEntry,
    principal: RealtimePrincipal,
    transport: Duplex,
  ): void {
    const { registry, dispatcher, heartbeat, options } = this.resolveServices();
    const { messagesPerSecond, messageBurst, bufferedBytes } = options.limits;
    const connection = new RealtimeConnection(
      nextConnectionId(),
      entry.path,
      principal,
      socket,
      bufferedBytes,
      transport,
    );
    const bucket = new TokenBucket(messagesPerSecond, messageBurst, Date.now());
    const session = new Session(connection, bucket, (s) => dispatcher.replay(s));
    attachConnection(socket, connection);
    attachSession(socket, session);
    registry.add(connection);
    heartbeat.track(session);
    scheduleExpiry(session, options.jwt.clockToleranceSec * 1000);
    socket.on('error', (error) => this.logger.debug(`Socket ${connection.id}: ${error.message}`));
    socket.on('pong', () => (session.alive = true));
    socket.on('message', (raw, isBinary) => dispatcher.onMessage(session, raw, isBinary));
    socket.once('close', (code, reason) => this.onClose(session, code, reason));
    this.onConnection(connection);
    server.emit('connection', socket, request);
  }

  /** Cleanup happens exactly once per socket: hooks, then registry, heartbeat and timers. */
  private onClose(session: Session, code: number, reason: Buffer): void {
    const { registry, heartbeat } = this.resolveServices();
    clearExpiry(session);
    heartbeat.untrack(session);
    for (const callback of session.disconnectCallbacks) {
      try {
        callback({ code, reason: reason.toString() });
      } catch (error) {
        this.logger.error(`Disconnect handler failed: ${redact(String(error))}`);
      }
    }
    registry.remove(session.connection);
    session.queue.length = 0;
    if (session.disconnectWork.length === 0) return;
    const work = Promise.all(session.disconnectWork);
    this.disconnectWork.add(work);
    void work.finally(() => this.disconnectWork.delete(work));
  }

  private refuse(socket: Duplex, error: HandshakeException): void {
    rejectHandshake(socket, error.status, error.code, error.message, error.headers);
  }
}

import { Logger, type INestApplicationContext } from '@nestjs/common';
import { HttpException } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
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
import { RESOLVED_OPTIONS } from './realtime.constants.js';
import type { ResolvedRealtimeOptions } from './realtime.options.js';
import { RealtimeConfigError } from './realtime.options-validation.js';
import { ConnectionRegistry } from './registry/connection-registry.js';
import { attachConnection, RealtimeConnection } from './registry/realtime-connection.js';

/** How long `close()` waits for peers to answer the close frame before terminating them. */
const CLOSE_TIMEOUT_MS = 5000;

interface Services {
  options: ResolvedRealtimeOptions;
  catalog: GatewayCatalog;
  registry: ConnectionRegistry;
  dispatcher: MessageDispatcher;
}

/**
 * The WebSocket adapter of `nestjs-realtime`, on `ws` like `@nestjs/platform-ws`'s `WsAdapter`,
 * which it extends. Authentication happens in the HTTP `upgrade` handler: path, method, headers,
 * Origin and the handshake guards (JWT by default) are checked before the `101`, and a refusal
 * is a real HTTP response. Gateways on one path share one connection; messages follow the
 * `realtime.v1` envelope.
 *
 * ```ts
 * app.useWebSocketAdapter(new RealtimeAdapter(app));
 * ```
 */
export class RealtimeAdapter extends WsAdapter {
  protected override readonly logger = new Logger('RealtimeAdapter');
  private readonly servers = new Map<string, WebSocketServer>();
  private services: Services | undefined;
  private attachedTo: HttpServer | undefined;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) =>
    void this.handleUpgrade(request, socket, head).catch((error: unknown) => {
      this.logger.error(`Upgrade failed: ${redact(String(error))}`);
      rejectHandshake(socket, 500, 'INTERNAL', 'Internal error');
    });

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

  /** Closes every socket of a path with 1001 and waits (bounded) for them to go. */
  override async close(server: WebSocketServer): Promise<void> {
    const closed = [...server.clients].map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === socket.CLOSED) return resolve();
          const timer = setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS);
          socket.once('close', () => {
            clearTimeout(timer);
            resolve();
          });
          socket.close(CloseCode.GOING_AWAY, 'Server shutting down');
        }),
    );
    await Promise.all(closed);
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

  private async handleUpgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    // A peer may reset the connection while the token is verified; that must not crash us.
    const onSocketError = (): void => void socket.destroy();
    socket.on('error', onSocketError);
    const services = this.resolveServices();
    const url = this.parseUrl(request);
    const entry =
      url && services.catalog.isReady
        ? services.catalog.get(normalizePath(url.pathname))
        : undefined;
    const server = entry && this.servers.get(entry.path);
    if (!url) return this.refuse(socket, HandshakeException.badRequest('Invalid request URL'));
    if (!entry || !server) {
      return this.refuse(
        socket,
        new HandshakeException(
          404,
          HandshakeErrorCode.NOT_FOUND,
          'No WebSocket endpoint on this path',
        ),
      );
    }
    const invalid = checkUpgradeRequest(request);
    if (invalid) return this.refuse(socket, invalid);
    if (!isOriginAllowed(request, services.options.allowedOrigins)) {
      return this.refuse(socket, HandshakeException.forbidden('Origin not allowed'));
    }
    const principal = await this.runGuards(socket, request, url, entry);
    if (!principal) return;
    if (socket.destroyed || !socket.writable) return;
    socket.off('error', onSocketError);
    server.handleUpgrade(request, socket, head, (ws) =>
      this.open(server, ws, request, entry, principal),
    );
  }

  /** Runs the path's handshake guards; answers the refusal itself and returns undefined. */
  private async runGuards(
    socket: Duplex,
    request: IncomingMessage,
    url: URL,
    entry: PathEntry,
  ): Promise<RealtimePrincipal | undefined> {
    const context: HandshakeContext = { request, url, path: entry.path };
    try {
      for (const guard of entry.guards) {
        if (!(await guard.canHandshake(context))) {
          this.refuse(socket, HandshakeException.forbidden());
          return undefined;
        }
      }
    } catch (error) {
      this.refuse(socket, this.toHandshakeException(error));
      return undefined;
    }
    if (!context.principal) {
      this.refuse(socket, HandshakeException.unauthorized('No guard authenticated the request'));
      return undefined;
    }
    return context.principal;
  }

  private open(
    server: WebSocketServer,
    socket: WebSocket,
    request: IncomingMessage,
    entry: PathEntry,
    principal: RealtimePrincipal,
  ): void {
    const { registry, dispatcher } = this.resolveServices();
    const connection = new RealtimeConnection(randomUUID(), entry.path, principal, socket);
    const session = new Session(connection, (s) => dispatcher.replay(s));
    attachConnection(socket, connection);
    attachSession(socket, session);
    registry.add(connection);
    socket.on('error', (error) => this.logger.debug(`Socket ${connection.id}: ${error.message}`));
    socket.on('message', (raw, isBinary) => dispatcher.onMessage(session, raw, isBinary));
    socket.once('close', (code, reason) => this.onClose(session, code, reason));
    this.onConnection(connection);
    server.emit('connection', socket, request);
  }

  private onClose(session: Session, code: number, reason: Buffer): void {
    const { registry } = this.resolveServices();
    for (const callback of session.disconnectCallbacks) {
      try {
        callback({ code, reason: reason.toString() });
      } catch (error) {
        this.logger.error(`Disconnect handler failed: ${redact(String(error))}`);
      }
    }
    registry.remove(session.connection);
  }

  private refuse(socket: Duplex, error: HandshakeException): void {
    rejectHandshake(socket, error.status, error.code, error.message, error.headers);
  }

  private toHandshakeException(error: unknown): HandshakeException {
    if (error instanceof HandshakeException) return error;
    if (error instanceof HttpException && error.getStatus() < 500) {
      const status = error.getStatus();
      if (status === 401) return HandshakeException.unauthorized(error.message);
      const code = status === 403 ? HandshakeErrorCode.FORBIDDEN : HandshakeErrorCode.BAD_REQUEST;
      return new HandshakeException(status, code, error.message);
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.logger.error(`Handshake guard failed: ${redact(detail)}`);
    return new HandshakeException(500, 'INTERNAL', 'Internal error');
  }

  private parseUrl(request: IncomingMessage): URL | undefined {
    try {
      return new URL(request.url ?? '/', 'http://localhost');
    } catch {
      return undefined;
    }
  }
}

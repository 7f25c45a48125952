import { Logger, type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Observable } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, SUBPROTOCOL } from '../protocol/index.js';
import { stateOf } from './connection/connection-map.js';
import { drainSockets } from './connection/drain.js';
import { RealtimeSocket } from './connection/realtime-socket.js';
import type { RealtimeConnection } from './connection/realtime-connection.js';
import { redact } from './errors/redact.js';
import { normalizePath, REALTIME_SERVER_OPTION, sharedPath } from './gateway/gateway-path.js';
import { PlainGateways, type GatewayServerOptions } from './gateway/plain-gateways.js';
import { HandshakeException } from './errors/handshake.exception.js';
import { refuseHandshake } from './handshake/reject-handshake.js';
import type { AcceptedUpgrade } from './handshake/upgrade-handler.js';
import { RealtimeConfigError } from './realtime.options-validation.js';
import { offeredSession } from './recovery/offered-session.js';
import { createServices, type RealtimeServices } from './realtime-services.js';
import { boundRequestArrival, type RequestArrival } from './handshake/arrival-deadline.js';

/** A frame parser for plain gateways, as `WsAdapter.setMessageParser()` takes it (Nest 11+). */
export type WsMessageParser = (
  data: string | Buffer | ArrayBuffer | Buffer[],
) => { event: string; data: unknown } | void;

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
  private readonly realtimeServers = new WeakSet<WebSocketServer>();
  private readonly plain = new PlainGateways();
  private services: RealtimeServices | undefined;
  private attachedTo: HttpServer | undefined;
  private arrival: RequestArrival | undefined;
  /** Plain gateways first (exact path, stock semantics), then the realtime.v1 upgrade. */
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.arrival?.arrived(request);
    if (this.plain.upgrade(request, socket, head)) return;
    if (this.services) return this.services.upgrades.onUpgrade(request, socket, head);
    refuseHandshake(socket, HandshakeException.notFound());
  };

  constructor(private readonly app: INestApplicationContext) {
    super(app);
  }

  override create(port: number, options: GatewayServerOptions = {}): WebSocketServer {
    if (options[REALTIME_SERVER_OPTION] !== true) return this.createPlain(port, options);
    if (port !== 0) {
      throw new RealtimeConfigError(
        `@RealtimeGateway() runs on the app's HTTP server; remove the port (${port}) from the gateway.`,
      );
    }
    const path = normalizePath(options.path ?? '/ws');
    if (this.plain.hasPath(path)) throw sharedPath(path);
    const existing = this.servers.get(path);
    if (existing) return existing;
    const services = this.resolveServices();
    const server = new WebSocketServer({
      noServer: true,
      maxPayload: services.options.maxPayload,
      perMessageDeflate: false,
      // Its sockets have `user` (request.user of HTTP-style guards) on their prototype.
      WebSocket: RealtimeSocket,
      // Select realtime.v1 when offered; never echo a `bearer.<jwt>` entry.
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    server.on('error', (error) => this.logger.error(`Server error: ${redact(String(error))}`));
    this.servers.set(path, server);
    this.realtimeServers.add(server);
    this.attach();
    const ms = services.options.limits.headersTimeoutMs;
    if (ms > 0 && this.attachedTo && !this.arrival) {
      this.arrival = boundRequestArrival(this.attachedTo, ms);
    }
    return server;
  }

  override bindClientConnect(
    server: WebSocketServer,
    callback: (...args: unknown[]) => void,
  ): void {
    if (!this.realtimeServers.has(server)) return super.bindClientConnect(server, callback);
    this.resolveServices().targets.addedNestListener(server);
    server.on('connection', (socket: WebSocket, request: IncomingMessage) => {
      try {
        callback(socket, request);
      } catch (error) {
        this.logger.error(`Connection handler failed: ${redact(String(error))}`);
        stateOf(socket)?.close(CloseCode.INTERNAL_ERROR, 'Internal error');
      }
    });
  }

  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    _transform: (data: unknown) => Observable<unknown>,
  ): void {
    const state = stateOf(client);
    if (!state) return super.bindMessageHandlers(client, handlers, _transform);
    const direct = this.services?.targets.direct;
    for (const { message, callback } of handlers) {
      const event = String(message);
      const nest = callback as (data: unknown, event: string) => unknown;
      state.bindHandler(event, direct?.bind(state.path, event) ?? nest);
    }
  }

  override bindClientDisconnect(client: WebSocket, callback: (reason?: unknown) => void): void {
    const state = stateOf(client);
    if (!state) return super.bindClientDisconnect(client, callback);
    state.disconnectCallbacks.push(callback);
  }

  /**
   * Graceful shutdown of one path: new upgrades get 503, open sockets get close 1001 in batches
   * within `shutdown.drainMs` (then the silent ones are terminated), and async disconnect hooks
   * are awaited.
   */
  override async close(server: WebSocketServer): Promise<void> {
    if (!this.realtimeServers.has(server)) return super.close(server);
    const { options, capacity, connections } = this.resolveServices();
    capacity.draining = true;
    const { drainMs, batchSize } = options.shutdown;
    const deadline = Date.now() + drainMs;
    await drainSockets([...server.clients], { drainMs, batchSize });
    await connections.settleDisconnects(Math.max(1000, deadline - Date.now()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  override async dispose(): Promise<void> {
    this.attachedTo?.off('upgrade', this.onUpgrade);
    this.arrival?.undo();
    this.arrival = undefined;
    this.attachedTo = undefined;
    this.servers.clear();
    this.plain.clear();
    await super.dispose();
  }

  /**
   * A custom parser applies to plain `@WebSocketGateway()` classes (stock semantics); realtime
   * gateways always speak the `realtime.v1` envelope.
   */
  // The parser type is spelled out: Nest 10's WsAdapter has no setMessageParser to borrow it from.
  override setMessageParser(parser: WsMessageParser): void {
    const base = (WsAdapter.prototype as { setMessageParser?: (parser: WsMessageParser) => void })
      .setMessageParser;
    if (!base) {
      throw new RealtimeConfigError(
        'setMessageParser() needs @nestjs/platform-ws 11 or newer (it applies to plain @WebSocketGateway() classes).',
      );
    }
    base.call(this, parser);
  }

  /** A plain `@WebSocketGateway()`: on the app's server (routed here), or its own port (stock). */
  private createPlain(port: number, options: GatewayServerOptions): WebSocketServer {
    if (port !== 0) return super.create(port, options) as WebSocketServer;
    const realtimePaths = new Set(this.servers.keys());
    const onError = (error: Error) => this.logger.error(`Plain gateway: ${redact(String(error))}`);
    const server = this.plain.create(options, realtimePaths, onError);
    this.attach();
    return server;
  }

  /** Hook for subclasses: runs after a connection is registered, before gateway hooks. */
  protected onConnection(_connection: RealtimeConnection): void {}

  private resolveServices(): RealtimeServices {
    this.services ??= createServices(this.app, {
      logger: this.logger,
      servers: this.servers,
      open: (services, upgrade) => this.open(services, upgrade),
    });
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

  private open(services: RealtimeServices, upgrade: AcceptedUpgrade): void {
    const { target, socket, request, principal, transport } = upgrade;
    const resuming = services.options.recovery ? offeredSession(request) : undefined;
    const state = services.connections.open(socket, target.path, principal, transport, resuming);
    if (target.keepsRequest) state.upgradeRequest = request;
    this.onConnection(state);
    // Nobody needs Nest's per-connection wiring: the path's handlers are shared (upgrade-targets.ts).
    const shared = services.targets.handlersFor(target);
    if (shared) return state.useHandlers(shared);
    target.server.emit('connection', socket, request);
  }
}

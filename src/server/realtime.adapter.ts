import { Logger, type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Observable } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, SUBPROTOCOL } from '../protocol/index.js';
import { ConnectionLifecycle } from './connection/connection-lifecycle.js';
import { stateOf } from './connection/connection-map.js';
import { drainSockets } from './connection/drain.js';
import { Heartbeat } from './connection/heartbeat.js';
import type { RealtimeConnection } from './connection/realtime-connection.js';
import { redact } from './errors/redact.js';
import { GatewayCatalog } from './gateway/gateway-catalog.js';
import { normalizePath, REALTIME_SERVER_OPTION, sharedPath } from './gateway/gateway-path.js';
import { PlainGateways, type GatewayServerOptions } from './gateway/plain-gateways.js';
import { HandshakeException } from './errors/handshake.exception.js';
import { HandshakeCapacity } from './handshake/handshake-capacity.js';
import { refreshNeedsRequest, refreshPrincipal } from './handshake/refresh-principal.js';
import { refuseHandshake } from './handshake/reject-handshake.js';
import {
  UpgradeHandler,
  type AcceptedUpgrade,
  type UpgradeTarget,
} from './handshake/upgrade-handler.js';
import { DirectHandlers } from './messages/direct-handlers.js';
import { MessageDispatcher } from './messages/message-dispatcher.js';
import type { RefreshPrincipal } from './messages/reserved-events.js';
import { RealtimeValidationPipe } from './pipes/realtime-validation.pipe.js';
import { RealtimeMetrics } from './metrics/realtime-metrics.js';
import { RESOLVED_OPTIONS } from './realtime.constants.js';
import type { ResolvedRealtimeOptions } from './realtime.options.js';
import { RealtimeConfigError } from './realtime.options-validation.js';
import { offeredSession } from './recovery/offered-session.js';
import { SessionResumer } from './recovery/session-resumer.js';
import { ConnectionRegistry } from './registry/connection-registry.js';
import { boundRequestArrival } from './handshake/arrival-deadline.js';

/** A frame parser for plain gateways, as `WsAdapter.setMessageParser()` takes it (Nest 11+). */
export type WsMessageParser = (
  data: string | Buffer | ArrayBuffer | Buffer[],
) => { event: string; data: unknown } | void;

interface Services {
  options: ResolvedRealtimeOptions;
  catalog: GatewayCatalog;
  capacity: HandshakeCapacity;
  upgrades: UpgradeHandler;
  connections: ConnectionLifecycle;
  direct: DirectHandlers;
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
  private readonly realtimeServers = new WeakSet<WebSocketServer>();
  private readonly plain = new PlainGateways();
  private services: Services | undefined;
  private attachedTo: HttpServer | undefined;
  private undoArrival: (() => void) | undefined;
  /** Plain gateways first (exact path, stock semantics), then the realtime.v1 upgrade. */
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
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
      // Select realtime.v1 when offered; never echo a `bearer.<jwt>` entry.
      handleProtocols: (protocols) => (protocols.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    server.on('error', (error) => this.logger.error(`Server error: ${redact(String(error))}`));
    this.servers.set(path, server);
    this.realtimeServers.add(server);
    this.attach();
    const ms = services.options.limits.headersTimeoutMs;
    if (ms > 0 && this.attachedTo && !this.undoArrival) {
      this.undoArrival = boundRequestArrival(this.attachedTo, ms);
    }
    return server;
  }

  override bindClientConnect(
    server: WebSocketServer,
    callback: (...args: unknown[]) => void,
  ): void {
    if (!this.realtimeServers.has(server)) return super.bindClientConnect(server, callback);
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
    const direct = this.services?.direct;
    for (const { message, callback } of handlers) {
      const event = String(message);
      const nest = callback as (data: unknown, event: string) => unknown;
      state.handlers.set(event, direct?.bind(state.path, event) ?? nest);
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
    this.undoArrival?.();
    this.undoArrival = undefined;
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
    const get = <T>(token: abstract new (...args: never[]) => T): T =>
      this.app.get(token, { strict: false });
    const registry = get(ConnectionRegistry);
    const catalog = get(GatewayCatalog);
    const meter = get(RealtimeMetrics).meter;
    catalog.markServed();
    const capacity = new HandshakeCapacity(options.limits, registry);
    const connections = new ConnectionLifecycle({
      options,
      list: registry,
      heartbeat: get(Heartbeat),
      inbound: new MessageDispatcher(
        options,
        this.refresher(options, catalog),
        registry.recovery &&
          new SessionResumer(
            registry.recovery,
            (state, room) => registry.join(state, room),
            options.limits.roomsPerConnection + 2,
          ),
      ),
      logger: this.logger,
      meter,
    });
    const upgrades = new UpgradeHandler({
      options,
      capacity,
      resolve: (path) => this.target(catalog, path),
      open: (upgrade) => this.open(connections, upgrade),
      logger: this.logger,
      meter,
    });
    const pipe = new RealtimeValidationPipe(options);
    const direct = new DirectHandlers(this.app, (path) => catalog.get(path), pipe);
    this.services = { options, catalog, capacity, upgrades, connections, direct };
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

  /** The gateway path of a request and its `ws` server; none before the catalog is ready. */
  private target(catalog: GatewayCatalog, path: string): UpgradeTarget | undefined {
    if (!catalog.isReady) return undefined;
    const entry = catalog.get(path) ?? catalog.get(normalizePath(path));
    const server = entry && this.servers.get(entry.path);
    return entry && server ? { path: entry.path, guards: entry.guards, server } : undefined;
  }

  /** `$auth` runs the guards of the connection's path, as its upgrade did. */
  private refresher(options: ResolvedRealtimeOptions, catalog: GatewayCatalog): RefreshPrincipal {
    const { handshakeTimeoutMs: timeoutMs, retryAfterSec } = options.limits;
    return (state, token) => {
      const target = this.target(catalog, state.path);
      if (!target) throw HandshakeException.unauthorized('This endpoint no longer accepts tokens');
      const limits = { timeoutMs, retryAfterSec };
      return refreshPrincipal(
        target.guards,
        state,
        token,
        state.upgradeRequest,
        limits,
        this.logger,
      );
    };
  }

  private open(connections: ConnectionLifecycle, upgrade: AcceptedUpgrade): void {
    const { target, socket, request, principal, transport } = upgrade;
    const resuming = this.services?.options.recovery ? offeredSession(request) : undefined;
    const state = connections.open(socket, target.path, principal, transport, resuming);
    if (refreshNeedsRequest(target.guards)) state.upgradeRequest = request;
    this.onConnection(state);
    target.server.emit('connection', socket, request);
  }
}

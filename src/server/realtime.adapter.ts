import { Logger, type INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Observable } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, SUBPROTOCOL } from '../protocol/index.js';
import { ConnectionLifecycle } from './connection/connection-lifecycle.js';
import { stateOf } from './connection/connection-map.js';
import { drainSockets } from './connection/drain.js';
import { Heartbeat } from './connection/heartbeat.js';
import type { RealtimeConnection } from './connection/realtime-connection.js';
import { redact } from './errors/redact.js';
import { GatewayCatalog, normalizePath } from './gateway/gateway-catalog.js';
import { HandshakeException } from './errors/handshake.exception.js';
import { HandshakeCapacity } from './handshake/handshake-capacity.js';
import { refreshNeedsRequest, refreshPrincipal } from './handshake/refresh-principal.js';
import {
  UpgradeHandler,
  type AcceptedUpgrade,
  type UpgradeTarget,
} from './handshake/upgrade-handler.js';
import { MessageDispatcher } from './messages/message-dispatcher.js';
import type { RefreshPrincipal } from './messages/reserved-events.js';
import { RESOLVED_OPTIONS } from './realtime.constants.js';
import type { ResolvedRealtimeOptions } from './realtime.options.js';
import { RealtimeConfigError } from './realtime.options-validation.js';
import { ConnectionRegistry } from './registry/connection-registry.js';

interface Services {
  options: ResolvedRealtimeOptions;
  catalog: GatewayCatalog;
  capacity: HandshakeCapacity;
  upgrades: UpgradeHandler;
  connections: ConnectionLifecycle;
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
  private services: Services | undefined;
  private attachedTo: HttpServer | undefined;

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
    this.attach(services.upgrades);
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
    if (!state) return;
    for (const { message, callback } of handlers) {
      state.handlers.set(String(message), callback as (data: unknown, event: string) => unknown);
    }
  }

  override bindClientDisconnect(client: WebSocket, callback: (reason?: unknown) => void): void {
    stateOf(client)?.disconnectCallbacks.push(callback);
  }

  /**
   * Graceful shutdown of one path: new upgrades get 503, open sockets get close 1001 in batches
   * within `shutdown.drainMs` (then the silent ones are terminated), and async disconnect hooks
   * are awaited.
   */
  override async close(server: WebSocketServer): Promise<void> {
    const { options, capacity, connections } = this.resolveServices();
    capacity.draining = true;
    const { drainMs, batchSize } = options.shutdown;
    const deadline = Date.now() + drainMs;
    await drainSockets([...server.clients], { drainMs, batchSize });
    await connections.settleDisconnects(Math.max(1000, deadline - Date.now()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  override async dispose(): Promise<void> {
    if (this.services) this.attachedTo?.off('upgrade', this.services.upgrades.onUpgrade);
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
    const get = <T>(token: abstract new (...args: never[]) => T): T =>
      this.app.get(token, { strict: false });
    const registry = get(ConnectionRegistry);
    const catalog = get(GatewayCatalog);
    const capacity = new HandshakeCapacity(options.limits, registry);
    const connections = new ConnectionLifecycle({
      options,
      list: registry,
      heartbeat: get(Heartbeat),
      inbound: new MessageDispatcher(options, this.refresher(options, catalog)),
      logger: this.logger,
    });
    const upgrades = new UpgradeHandler({
      options,
      capacity,
      resolve: (path) => this.target(catalog, path),
      open: (upgrade) => this.open(connections, upgrade),
      logger: this.logger,
    });
    this.services = { options, catalog, capacity, upgrades, connections };
    return this.services;
  }

  private attach(upgrades: UpgradeHandler): void {
    if (this.attachedTo) return;
    const server = this.httpServer as HttpServer | undefined;
    if (!server) {
      throw new RealtimeConfigError(
        'RealtimeAdapter needs the HTTP application: new RealtimeAdapter(app) with app from NestFactory.create().',
      );
    }
    server.on('upgrade', upgrades.onUpgrade);
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
    const state = connections.open(socket, target.path, principal, transport);
    if (refreshNeedsRequest(target.guards)) state.upgradeRequest = request;
    this.onConnection(state);
    target.server.emit('connection', socket, request);
  }
}

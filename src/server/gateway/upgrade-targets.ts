import type { WebSocketServer } from 'ws';
import type { BoundHandler } from '../connection/connection-state.js';
import type { GatewayCatalog, PathEntry } from './gateway-catalog.js';
import { normalizePath } from './gateway-path.js';
import type { DirectHandlers } from '../messages/direct-handlers.js';
import { refreshNeedsRequest } from '../handshake/refresh-principal.js';
import type { UpgradeTarget } from '../handshake/upgrade-handler.js';

/** The hooks Nest subscribes per connection when a gateway declares them. */
const CONNECTION_HOOKS = ['handleConnection', 'handleDisconnect'] as const;

/**
 * The upgrade target of each gateway path, made at the path's first upgrade (Nest has wired every
 * gateway by then: the HTTP server listens after `app.init()`) and kept, so an upgrade builds no
 * target and an open connection decides nothing per path.
 *
 * It also decides whether a path's connections can skip Nest's per-connection wiring. For every
 * gateway on a path, Nest's `WebSocketsController` runs on each new connection: it emits the
 * connection to the gateway's `handleConnection` subscription, binds each handler to the client
 * (a closure per handler) and hands them to the adapter, and registers a disconnect callback
 * for `handleDisconnect`. When no gateway on the path declares a connection hook (nor
 * `onConnectionOpen`, `onConnectionClose` or `onConnectionResume`, which become them), none is
 * request-scoped, every handler is a direct one (`DirectHandlers`: the same function for every
 * connection) and nothing but Nest listens to the `ws` server's `connection` event, all of that
 * would produce the same handler map for every connection and call nobody: the connection then
 * uses the path's shared map instead. Add a hook, an enhancer or a `connection` listener of your
 * own and connections go through Nest again.
 */
export class UpgradeTargets {
  private readonly targets = new Map<string, UpgradeTarget>();
  /** The `connection` listeners Nest added to each server (one per gateway on its path). */
  private readonly nestListeners = new Map<WebSocketServer, number>();

  constructor(
    private readonly catalog: GatewayCatalog,
    private readonly servers: ReadonlyMap<string, WebSocketServer>,
    readonly direct: DirectHandlers,
  ) {}

  /** Counts a `connection` listener Nest added (through the adapter's `bindClientConnect`). */
  addedNestListener(server: WebSocketServer): void {
    this.nestListeners.set(server, (this.nestListeners.get(server) ?? 0) + 1);
  }

  /** The target of a request path (query string removed); none before the catalog is ready. */
  resolve(path: string): UpgradeTarget | undefined {
    const known = this.targets.get(path);
    if (known) return known;
    if (!this.catalog.isReady) return undefined;
    const entry = this.catalog.get(path) ?? this.catalog.get(normalizePath(path));
    const server = entry && this.servers.get(entry.path);
    if (!entry || !server) return undefined;
    let target = this.targets.get(entry.path);
    if (!target) {
      target = {
        path: entry.path,
        guards: entry.guards,
        server,
        keepsRequest: refreshNeedsRequest(entry.guards),
        handlers: this.sharedHandlers(entry),
      };
      // Only gateway paths are kept (a scan of random paths must not grow this map).
      this.targets.set(entry.path, target);
    }
    return target;
  }

  /**
   * The handlers a new connection of the path shares with the others, or `undefined`: emit the
   * connection to Nest. Checked per connection: a `connection` listener may be added any time.
   */
  handlersFor(target: UpgradeTarget): ReadonlyMap<string, BoundHandler> | undefined {
    const { handlers, server } = target;
    if (!handlers) return undefined;
    return server.listenerCount('connection') === this.nestListeners.get(server)
      ? handlers
      : undefined;
  }

  private sharedHandlers(entry: PathEntry): ReadonlyMap<string, BoundHandler> | undefined {
    for (const { instance, isStatic } of entry.instances) {
      if (!isStatic) return undefined;
      const gateway = instance as Record<string, unknown>;
      if (CONNECTION_HOOKS.some((hook) => typeof gateway[hook] === 'function')) return undefined;
    }
    const handlers = new Map<string, BoundHandler>();
    for (const event of entry.handlers.keys()) {
      const handler = this.direct.bind(entry.path, event);
      if (!handler) return undefined;
      handlers.set(event, handler);
    }
    return handlers;
  }
}

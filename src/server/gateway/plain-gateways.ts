import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { HandshakeException } from '../errors/handshake.exception.js';
import { requestPath } from '../handshake/check-upgrade-request.js';
import { refuseHandshake } from '../handshake/reject-handshake.js';
import { normalizePath, REALTIME_SERVER_OPTION, sharedPath } from './gateway-path.js';

/** The `@WebSocketGateway()` options Nest hands to the adapter's `create()`. */
export interface GatewayServerOptions {
  path?: string;
  [REALTIME_SERVER_OPTION]?: boolean;
  [option: string]: unknown;
}

/**
 * Plain `@WebSocketGateway()` classes on the app's HTTP server, served the stock `WsAdapter`
 * way (its message format, its parser, no authentication), so that an app can move to
 * `RealtimeAdapter` one gateway at a time. Their upgrades are routed by exact path, as
 * `WsAdapter` does, before the realtime ones.
 */
export class PlainGateways {
  private readonly servers = new Map<string, WebSocketServer>();

  /** The `ws` server of a plain gateway path (one per path, as stock Nest). */
  create(
    options: GatewayServerOptions,
    realtimePaths: ReadonlySet<string>,
    onError: (error: Error) => void,
  ): WebSocketServer {
    // What ws does not take: Nest's own options and our marker.
    const { path: raw, ...wsOptions } = options;
    for (const key of ['server', 'namespace', REALTIME_SERVER_OPTION]) delete wsOptions[key];
    const path = raw ? normalizePath(raw) : '/';
    if (realtimePaths.has(path)) throw sharedPath(path);
    const existing = this.servers.get(path);
    if (existing) return existing;
    const server = new WebSocketServer({ noServer: true, ...wsOptions });
    server.on('error', onError);
    server.on('connection', (socket) => socket.on('error', onError));
    this.servers.set(path, server);
    return server;
  }

  hasPath(path: string): boolean {
    return this.servers.has(path);
  }

  /** Completes the upgrade when the path is a plain gateway's; false when it is not. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (this.servers.size === 0) return false;
    const server = this.servers.get(requestPath(request));
    if (!server) return false;
    try {
      server.handleUpgrade(request, socket, head, (ws) => server.emit('connection', ws, request));
    } catch {
      refuseHandshake(socket, HandshakeException.badRequest('Invalid WebSocket upgrade'));
    }
    return true;
  }

  clear(): void {
    this.servers.clear();
  }
}

import type { IncomingMessage } from 'node:http';
import type { ConnectionCloseInfo, RealtimeConnection } from '../connection/realtime-connection.js';

/**
 * A gateway hook that receives the connection itself, instead of Nest's `handleConnection(client,
 * request)` (declare one or the other). Messages wait until its promise or Observable settles;
 * a throw or rejection closes the socket with 1011.
 */
export interface OnConnectionOpen {
  onConnectionOpen(connection: RealtimeConnection, request: IncomingMessage): unknown;
}

/**
 * A gateway hook that receives the closed connection (its rooms still readable) and its close
 * code, on every Nest version, instead of Nest's `handleDisconnect(client)` (declare one or the
 * other). Graceful shutdown waits for its promise.
 */
export interface OnConnectionClose {
  onConnectionClose(connection: RealtimeConnection, close: ConnectionCloseInfo): unknown;
}

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

/** What a resumed connection got back (missed-message recovery). */
export interface ConnectionResumeInfo {
  /** The rooms the server joined it to again, without the app's join handlers. */
  readonly rooms: readonly string[];
  /** Whether every stream of the session was recovered (the missed pushes follow). */
  readonly recovered: boolean;
}

/**
 * With `recovery`: a gateway hook that runs when a connection resumed a session, after its rooms
 * were restored and before the missed pushes and the `$resume` reply are sent. Rebuild the
 * per-connection state a join handler would have built (a subscriber list, an announcement to
 * the others), or `registry.leave()` a room the user may no longer be in. The reply waits for
 * its promise; a throw is logged and the resume goes on.
 */
export interface OnConnectionResume {
  onConnectionResume(connection: RealtimeConnection, resume: ConnectionResumeInfo): unknown;
}

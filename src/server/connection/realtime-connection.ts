import type { WebSocket } from 'ws';
import type { RealtimePrincipal } from '../auth/principal.js';

/** How a connection ended: the close code and reason the socket closed with. */
export interface ConnectionCloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** Options of {@link RealtimeConnection.send}. */
export interface SendOptions {
  /**
   * Skip this push for a connection that is not keeping up, instead of closing it with 4408.
   * @default false
   */
  volatile?: boolean;
}

/**
 * One open WebSocket of this instance, with its verified principal and its rooms. Handlers get
 * it with `@CurrentConnection()` (or as the last argument of `handleConnection` and
 * `handleDisconnect`); services through `ConnectionRegistry`. It stays readable after the close,
 * so disconnect hooks can still see its rooms.
 */
export interface RealtimeConnection {
  /** Unique id of this connection, across instances. */
  readonly id: string;
  /** The gateway path it connected to. */
  readonly path: string;
  /** The verified identity; replaced by a `$auth` refresh (same user). */
  readonly principal: RealtimePrincipal;
  /** The user id (`sub` of the token). */
  readonly userId: string;
  /** Rooms this connection is in (join and leave through `ConnectionRegistry`). */
  readonly rooms: ReadonlySet<string>;
  /** Whether the socket is open and sends are delivered. */
  readonly isOpen: boolean;
  /** The underlying `ws` socket. Prefer `send()` and `close()`, which check the state. */
  readonly socket: WebSocket;
  /**
   * Pushes `{event, data}` to this connection only. Returns false when it was not sent: the
   * socket is not open, or the push was volatile and the connection is slow.
   */
  send(event: string, data: unknown, options?: SendOptions): boolean;
  /** Closes the socket with a close code and a reason (cut to 123 bytes). */
  close(code: number, reason?: string): void;
}

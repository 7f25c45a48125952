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
  /**
   * Whether the socket is open and no close has been decided: false from the `close()` call on
   * (sends made in that same event-loop turn are still delivered, before the close frame).
   */
  readonly isOpen: boolean;
  /** The underlying `ws` socket. Prefer `send()` and `close()`, which check the state. */
  readonly socket: WebSocket;
  /**
   * Pushes `{event, data}` to this connection only. Returns false when it was not sent: the
   * socket is closed or its close frame has gone out, or the push was volatile and the
   * connection is slow.
   */
  send(event: string, data: unknown, options?: SendOptions): boolean;
  /**
   * Closes the socket with a close code and a reason (cut to 123 bytes). The close frame goes
   * out at the end of the current event-loop turn, after every reply and push produced for this
   * connection until then (the reply of the handler calling it included); handlers still
   * running after that turn are not waited for, and no further message is handled. The first
   * close wins; later calls do nothing.
   */
  close(code: number, reason?: string): void;
}

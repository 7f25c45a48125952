import type { WebSocket } from 'ws';
import type { RealtimePrincipal } from '../auth/principal.js';

const OPEN = 1;

/**
 * One open WebSocket of this instance with its verified principal and its rooms.
 * Handlers get it with `@CurrentConnection()`; services through `ConnectionRegistry`.
 */
export class RealtimeConnection {
  /** Rooms this connection is in. Kept after the close so disconnect hooks can read it. */
  readonly rooms = new Set<string>();

  constructor(
    /** Unique id of this connection (random UUID). */
    readonly id: string,
    /** The gateway path it connected to. */
    readonly path: string,
    /** The verified identity; replaced by a `$auth` refresh (same user). */
    public principal: RealtimePrincipal,
    /** The underlying `ws` socket. Prefer `send()`, which checks the state. */
    readonly socket: WebSocket,
  ) {}

  /** The user id (`sub` of the token). */
  get userId(): string {
    return this.principal.userId;
  }

  /** Whether the socket is open and sends are delivered. */
  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /** Pushes `{event, data}` to this connection only. Returns false when the socket is not open. */
  send(event: string, data: unknown): boolean {
    return this.sendFrame(JSON.stringify({ event, data }));
  }

  /** Sends an already serialized text frame. Returns false when the socket is not open. */
  sendFrame(frame: string | Buffer): boolean {
    if (this.socket.readyState !== OPEN) return false;
    this.socket.send(frame, { binary: false });
    return true;
  }

  /** Closes the socket with a close code and a reason (at most 123 bytes). */
  close(code: number, reason = ''): void {
    if (this.socket.readyState > OPEN) return;
    this.socket.close(code, truncateReason(reason));
  }
}

/** A close reason must fit in 123 bytes of UTF-8. */
export function truncateReason(reason: string): string {
  const bytes = Buffer.from(reason);
  if (bytes.length <= 123) return reason;
  return (
    bytes
      .subarray(0, 120)
      .toString()
      .replace(/\uFFFD+$/, '') + '...'
  );
}

const bySocket = new WeakMap<object, RealtimeConnection>();

/** Links a socket to its connection (done by the adapter before any hook runs). */
export function attachConnection(socket: object, connection: RealtimeConnection): void {
  bySocket.set(socket, connection);
}

/** The connection of a `ws` socket (the `@ConnectedSocket()` client), if it is ours. */
export function connectionOf(socket: unknown): RealtimeConnection | undefined {
  return socket && typeof socket === 'object' ? bySocket.get(socket) : undefined;
}

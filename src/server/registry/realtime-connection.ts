import type { WebSocket } from 'ws';
import type { RealtimePrincipal } from '../auth/principal.js';

const OPEN = 1;
const SLOW_CONSUMER = 4408;

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
    /** Bytes that may wait in the outbound buffer before the connection counts as slow. */
    readonly bufferLimit = Number.POSITIVE_INFINITY,
    /** The TCP socket under `socket`, corked while one event-loop turn produces frames. */
    private readonly transport?: Corkable,
  ) {}

  private corked = false;

  /** The user id (`sub` of the token). */
  get userId(): string {
    return this.principal.userId;
  }

  /** Whether the socket is open and sends are delivered. */
  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /**
   * Pushes `{event, data}` to this connection only. Returns false when it was not sent: the
   * socket is not open, or the push was volatile and the connection is slow.
   */
  send(event: string, data: unknown, options: { volatile?: boolean } = {}): boolean {
    return this.sendFrame(JSON.stringify({ event, data }), options.volatile);
  }

  /**
   * Sends an already serialized text frame. A slow consumer (outbound buffer over the limit)
   * skips a volatile frame, and is closed with 4408 for any other.
   */
  sendFrame(frame: string | Buffer, volatile = false): boolean {
    if (this.socket.readyState !== OPEN) return false;
    if (this.socket.bufferedAmount > this.bufferLimit) {
      if (!volatile) this.close(SLOW_CONSUMER, 'Slow consumer: outbound buffer over the limit');
      return false;
    }
    this.cork();
    this.socket.send(frame, { binary: false });
    return true;
  }

  /**
   * Every frame sent during one event-loop turn (e.g. the replies to all the requests that came
   * in one TCP read) leaves in one write: a syscall per frame is the main cost of a busy socket.
   */
  private cork(): void {
    if (this.corked || !this.transport) return;
    this.corked = true;
    this.transport.cork();
    // One tick callback uncorks every connection corked in this turn (a broadcast corks many).
    if (corkedConnections.push(this) === 1) process.nextTick(uncorkAll);
  }

  /** @internal */
  uncorkTransport(): void {
    this.corked = false;
    this.transport?.uncork();
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

/** What the connection needs of the TCP socket under its WebSocket. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

let corkedConnections: RealtimeConnection[] = [];

function uncorkAll(): void {
  const connections = corkedConnections;
  corkedConnections = [];
  for (const connection of connections) connection.uncorkTransport();
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

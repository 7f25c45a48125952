import type { WebSocket } from 'ws';
import { CloseCode, truncateCloseReason } from '../../protocol/index.js';

const OPEN = 1;

/** What the writer needs of the TCP socket under a WebSocket. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  /** `'drain'`: the socket's write buffer has emptied. */
  once?(event: 'drain', listener: () => void): unknown;
}

/** Latest-value pushes parked for a slow consumer, at most; beyond, it is closed with 4408. */
export const MAX_PARKED = 1000;

let corked: SocketWriter[] = [];

// One tick callback uncorks every writer corked in this turn (a broadcast corks many).
function uncorkAll(): void {
  const writers = corked;
  corked = [];
  for (const writer of writers) writer.uncork();
}

/**
 * Everything that goes out on one socket: text frames (corked per event-loop turn, refused for a
 * slow consumer) and the close frame.
 */
export class SocketWriter {
  private isCorked = false;
  /** The newest push of each latest-value slot, waiting for the socket to drain. */
  private parked: Map<string, string | Buffer> | undefined;
  private awaitingDrain = false;

  constructor(
    readonly socket: WebSocket,
    /** Bytes that may wait in the outbound buffer before the connection counts as slow. */
    private readonly bufferLimit = Number.POSITIVE_INFINITY,
    /** The TCP socket under `socket`, corked while one event-loop turn produces frames. */
    private readonly transport?: Corkable,
  ) {}

  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /**
   * Sends a serialized text frame. A slow consumer (outbound buffer over the limit) skips a
   * volatile frame, and is closed with 4408 for any other. False when nothing was sent.
   */
  write(frame: string | Buffer, volatile = false): boolean {
    if (this.socket.readyState !== OPEN) return false;
    if (this.socket.bufferedAmount > this.bufferLimit) {
      if (!volatile) {
        this.close(CloseCode.SLOW_CONSUMER, 'Slow consumer: outbound buffer over the limit');
      }
      return false;
    }
    this.cork();
    this.socket.send(frame, { binary: false });
    return true;
  }

  /**
   * Sends a push of a latest-value stream. A slow consumer does not get the backlog: the push
   * waits in its `slot` (stream and key), replacing an older one, and goes out when the socket
   * drains. False when nothing was sent or parked.
   */
  writeLatest(slot: string, frame: string | Buffer): boolean {
    if (this.socket.readyState !== OPEN) return false;
    if (this.socket.bufferedAmount <= this.bufferLimit) {
      this.parked?.delete(slot);
      return this.write(frame);
    }
    if (!this.transport?.once) return false;
    const parked = (this.parked ??= new Map());
    parked.delete(slot);
    parked.set(slot, frame);
    if (parked.size > MAX_PARKED) {
      this.close(CloseCode.SLOW_CONSUMER, 'Slow consumer: too many latest values waiting');
      return false;
    }
    this.flushOnDrain();
    return true;
  }

  /** Sends a close frame (after whatever is queued), unless the socket is closing already. */
  close(code: number, reason = ''): void {
    if (this.socket.readyState > OPEN) return;
    this.socket.close(code, truncateCloseReason(reason));
  }

  private flushOnDrain(): void {
    if (this.awaitingDrain) return;
    this.awaitingDrain = true;
    this.transport?.once?.('drain', () => {
      this.awaitingDrain = false;
      const parked = this.parked;
      if (!parked) return;
      for (const [slot, frame] of parked) {
        if (this.socket.readyState !== OPEN) return;
        if (this.socket.bufferedAmount > this.bufferLimit) return this.flushOnDrain();
        parked.delete(slot);
        this.write(frame);
      }
    });
  }

  /** Ends this turn's batch: every frame written in it leaves in one write. */
  uncork(): void {
    this.isCorked = false;
    this.transport?.uncork();
  }

  /**
   * Every frame sent during one event-loop turn (e.g. the replies to all the requests that came
   * in one TCP read) leaves in one write: a syscall per frame is the main cost of a busy socket.
   */
  private cork(): void {
    if (this.isCorked || !this.transport) return;
    this.isCorked = true;
    this.transport.cork();
    if (corked.push(this) === 1) process.nextTick(uncorkAll);
  }
}

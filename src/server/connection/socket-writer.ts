import type { WebSocket } from 'ws';
import { CloseCode, isSendableCloseCode, truncateCloseReason } from '../../protocol/index.js';
import type { Meter } from '../metrics/meter.js';

const OPEN = 1;
/** `ws` send options of every frame: text (one object, not one per frame). */
const TEXT = { binary: false } as const;

/** What the writer needs of the TCP socket under a WebSocket. */
export interface Corkable {
  cork(): void;
  uncork(): void;
  /** `'drain'`: the socket's write buffer has emptied. */
  once?(event: 'drain', listener: () => void): unknown;
  /** Bytes read and written so far (a `net.Socket`'s), for the metrics. */
  readonly bytesRead?: number;
  readonly bytesWritten?: number;
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

/** A close the server has decided and not sent yet. */
interface PendingClose {
  readonly code: number;
  readonly reason: string;
}

/**
 * Everything that goes out on one socket: text frames (corked per event-loop turn, refused for a
 * slow consumer) and the close frame, which never overtakes a frame produced before it.
 */
export class SocketWriter {
  private isCorked = false;
  /** The newest push of each latest-value slot, waiting for the socket to drain. */
  private parked: Map<string, string | Buffer> | undefined;
  private awaitingDrain = false;
  /** Set from the close decision until the close frame is written (at the end of that turn). */
  private closing: PendingClose | undefined;

  constructor(
    readonly socket: WebSocket,
    /** Bytes that may wait in the outbound buffer before the connection counts as slow. */
    private readonly bufferLimit = Number.POSITIVE_INFINITY,
    /** The TCP socket under `socket`, corked while one event-loop turn produces frames. */
    private readonly transport?: Corkable,
    /** Counts frames, skips and closes when metrics are on (not part of the public API). */
    readonly meter?: Meter,
  ) {}

  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /** The code of the close this server decided, if it decided one. */
  get decidedClose(): number | undefined {
    return this.closing?.code;
  }

  /** A close has been decided: its frame goes out at the end of this event-loop turn. */
  get isClosing(): boolean {
    return this.closing !== undefined || this.socket.readyState > OPEN;
  }

  /**
   * Sends a serialized text frame. A slow consumer (outbound buffer over the limit) skips a
   * volatile frame, and is closed with 4408 for any other. False when nothing was sent.
   */
  write(frame: string | Buffer, volatile = false): boolean {
    if (this.socket.readyState !== OPEN) return false;
    if (this.socket.bufferedAmount > this.bufferLimit) {
      if (!volatile) this.closeSlow('Slow consumer: outbound buffer over the limit');
      else if (this.meter) this.meter.volatileSkipped++;
      return false;
    }
    this.cork();
    this.socket.send(frame, TEXT);
    if (this.meter) this.meter.framesSent++;
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
    if (this.meter) this.meter.latestParked++;
    if (parked.size > MAX_PARKED) {
      this.closeSlow('Slow consumer: too many latest values waiting');
      return false;
    }
    this.flushOnDrain();
    return true;
  }

  /**
   * Closes the connection, after everything produced for it: every server-initiated close but
   * 4408 comes here. The first close decided wins; a later one, or one on a closing socket, is a
   * no-op. Throws a `TypeError` at once for a code a server may not send.
   *
   * The close frame is written at the end of the event-loop turn that decided it (`setImmediate`,
   * after every pending promise job), then ws sends it after the frames already written. So the
   * replies of handlers that ran before the decision, also async ones whose promise has settled,
   * and any reply or push produced in the same turn (even after the `close()` call, e.g. the
   * reply of the handler that called it) go out first; latest values parked for a slow consumer
   * are written too. A handler still waiting on I/O at the end of that turn is not waited for:
   * its reply is dropped (nothing may follow a close frame), and no new message is handled nor
   * queued handler started once the close is decided. Waiting would let a flooding, revoked or
   * expired client hold its socket open for as long as its slowest handler.
   */
  close(code: number, reason = ''): void {
    if (!isSendableCloseCode(code)) {
      throw new TypeError(`${code} is not a close code a server may send; use 4000-4999.`);
    }
    if (this.isClosing) return;
    this.closing = { code, reason: truncateCloseReason(reason) };
    setImmediate(() => this.sendClose());
  }

  private sendClose(): void {
    const closing = this.closing;
    if (!closing || this.socket.readyState !== OPEN) return;
    // The connection ends: what is parked (at most MAX_PARKED frames) goes out whatever the
    // buffer holds, so the client leaves with the newest value of each slot.
    const parked = this.parked;
    this.parked = undefined;
    if (parked) for (const frame of parked.values()) this.socket.send(frame, TEXT);
    this.socket.close(closing.code, closing.reason);
    this.meter?.closeSent(closing.code);
  }

  /**
   * 4408, where the buffer is the problem: closed at once, after what is already queued but
   * with nothing more (parked values are dropped). A close decided before keeps its code.
   */
  private closeSlow(reason: string): void {
    if (this.isClosing) return;
    this.parked = undefined;
    this.closing = { code: CloseCode.SLOW_CONSUMER, reason };
    this.socket.close(CloseCode.SLOW_CONSUMER, reason);
    this.meter?.closeSent(CloseCode.SLOW_CONSUMER);
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

  /** WebSocket bytes read and written on this connection so far (0 without a TCP socket). */
  wireBytes(): [read: number, written: number] {
    return [this.transport?.bytesRead ?? 0, this.transport?.bytesWritten ?? 0];
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

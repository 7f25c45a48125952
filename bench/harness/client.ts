/**
 * One load-generator connection on a raw TCP socket: it writes a pre-built upgrade request and
 * pre-built masked frames, and parses the server's frames in place from one shared read buffer
 * (`onread`), so reading allocates nothing per message. Pings are answered (WebSocket pings
 * with a pong, Engine.IO `2` with `3`) so idle connections stay up.
 */
import { connect, type Socket } from 'node:net';
import {
  clientFrame,
  CLOSE_FRAME,
  OP_CLOSE,
  OP_PING,
  OP_PONG,
  OP_TEXT,
  SIO_CONNECT,
  SIO_PONG,
  type Dialect,
} from './wire.js';

/** What a scenario does with the messages a connection receives. */
export type MessageHandler = (conn: Conn, data: Buffer, start: number, end: number) => void;

export interface Target {
  port: number;
  dialect: Dialect;
  /** The upgrade request (same bytes for every connection). */
  upgrade: Buffer;
  /** Source address (127.0.0.x), so that many connections do not exhaust one address's ports. */
  localAddress?: string;
}

const READ_BUFFER = Buffer.allocUnsafe(1 << 20);
const CRLFCRLF = Buffer.from('\r\n\r\n');
const SWITCHING = Buffer.from('HTTP/1.1 101');
const CHAR_0 = 0x30;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;

export class Conn {
  readonly socket: Socket;
  /** Per-slot send times (request/reply). */
  readonly sentAt = new Float64Array(16);
  onMessage: MessageHandler | undefined;
  /** Called once: the WebSocket (and, for Socket.IO, the namespace) is open, or it failed. */
  private settle: ((error?: Error) => void) | undefined;
  private pending: Buffer | undefined;
  private upgraded = false;
  private out: Buffer[] = [];
  private closing: (() => void) | undefined;
  closed = false;
  open = false;

  constructor(
    private readonly target: Target,
    settle: (error?: Error) => void,
  ) {
    this.settle = settle;
    this.socket = connect({
      host: '127.0.0.1',
      port: target.port,
      ...(target.localAddress ? { localAddress: target.localAddress } : {}),
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (bytes: number, buffer: Uint8Array) => {
          this.onData(buffer as Buffer, bytes);
          return true;
        },
      },
    });
    this.socket.on('connect', () => this.socket.write(target.upgrade));
    this.socket.on('error', (error) => this.done(error));
    this.socket.on('close', () => {
      this.closed = true;
      this.open = false;
      this.done(new Error('closed before open'));
      this.closing?.();
    });
  }

  /** Opens a connection; resolves when it can send messages. */
  static open(target: Target): Promise<Conn> {
    return new Promise((resolve, reject) => {
      const conn: Conn = new Conn(target, (error) => (error ? reject(error) : resolve(conn)));
    });
  }

  /** Queues a frame; everything queued while handling one read goes out in one write. */
  queue(frame: Buffer): void {
    this.out.push(frame);
  }

  send(frame: Buffer): void {
    if (!this.closed) this.socket.write(frame);
  }

  /** Sends a text message built now (not pre-built: for the rare ones). */
  sendText(text: string): void {
    this.send(clientFrame(OP_TEXT, text));
  }

  /**
   * The WebSocket closing handshake: close frame (1000), the server's close frame, then FIN.
   * The server, closing the TCP connection first, keeps the TIME_WAIT. Resolves once closed.
   */
  close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.reset(), timeoutMs);
      this.closing = () => {
        clearTimeout(timer);
        resolve();
      };
      this.socket.write(CLOSE_FRAME);
    });
  }

  /** Resets the TCP connection: no close handshake, no TIME_WAIT on either side. */
  reset(): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    this.socket.resetAndDestroy();
  }

  flush(): void {
    const out = this.out;
    if (out.length === 0) return;
    if (!this.closed) {
      if (out.length === 1) {
        this.socket.write(out[0]!);
      } else {
        this.socket.cork();
        for (const frame of out) this.socket.write(frame);
        this.socket.uncork();
      }
    }
    this.out = [];
  }

  private done(error?: Error): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = undefined;
    if (!error) this.open = true;
    settle(error);
  }

  private onData(buffer: Buffer, bytes: number): void {
    let data = buffer;
    let end = bytes;
    if (this.pending) {
      data = Buffer.concat([this.pending, buffer.subarray(0, bytes)]);
      end = data.length;
      this.pending = undefined;
    }
    let offset = 0;
    if (!this.upgraded) {
      const head = data.subarray(0, end).indexOf(CRLFCRLF);
      if (head < 0) {
        this.pending = Buffer.from(data.subarray(0, end));
        return;
      }
      if (data.compare(SWITCHING, 0, SWITCHING.length, 0, SWITCHING.length) !== 0) {
        const status = data.subarray(0, data.indexOf(0x0d)).toString();
        this.done(new Error(`upgrade refused: ${status}`));
        this.reset();
        return;
      }
      this.upgraded = true;
      offset = head + 4;
      if (this.target.dialect.kind === 'ws') this.done();
    }
    while (offset + 2 <= end) {
      const b1 = data[offset + 1]!;
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (offset + 4 > end) break;
        length = data.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (offset + 10 > end) break;
        length = data.readUInt32BE(offset + 6);
        header = 10;
      }
      const start = offset + header;
      const stop = start + length;
      if (stop > end) break;
      const opcode = data[offset]! & 0x0f;
      offset = stop;
      if (opcode === OP_TEXT) this.onText(data, start, stop);
      else if (opcode === OP_PING) this.queue(clientFrame(OP_PONG, data.subarray(start, stop)));
      else if (opcode === OP_CLOSE) this.onClose();
    }
    if (offset < end) this.pending = Buffer.from(data.subarray(offset, end));
    this.flush();
  }

  private onText(data: Buffer, start: number, end: number): void {
    if (this.target.dialect.kind === 'ws') {
      this.onMessage?.(this, data, start, end);
      return;
    }
    // Engine.IO packet type, then (for `4`, message) the Socket.IO packet type.
    const type = data[start];
    if (type === CHAR_4) {
      const packet = data[start + 1];
      if (packet === CHAR_0) this.done();
      else if (packet === CHAR_4)
        this.done(new Error(`connect refused: ${data.toString('utf8', start, end)}`));
      else this.onMessage?.(this, data, start + 1, end);
    } else if (type === CHAR_2) {
      this.queue(SIO_PONG);
    } else if (type === CHAR_0) {
      this.queue(SIO_CONNECT);
    }
  }

  private onClose(): void {
    if (this.closing) {
      this.socket.end();
      return;
    }
    this.done(new Error('closed by the server'));
    this.reset();
  }
}

/** Opens `count` connections, at most `concurrency` handshakes at a time. */
export async function openMany(
  target: Target,
  count: number,
  concurrency: number,
): Promise<Conn[]> {
  const conns: Conn[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      conns.push(await Conn.open(target));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return conns;
}

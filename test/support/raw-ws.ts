import { connect, type Socket } from 'node:net';
import { Opcode, parseFrames, splitHead, type Frame } from './frames.js';
import { upgradeRequest } from './raw-http.js';

/** A WebSocket spoken by hand over TCP: frames are written and read as bytes. */
export class RawWs {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly frames: Frame[] = [];
  private wake: (() => void) | undefined;
  private isEnded = false;
  /** Resolves when the server has ended (or reset) the TCP connection. */
  readonly ended: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    leftover: Buffer,
  ) {
    this.ended = new Promise((resolve) => {
      const done = () => {
        this.isEnded = true;
        this.wake?.();
        resolve();
      };
      socket.once('end', done);
      socket.once('close', done);
    });
    socket.on('data', (chunk: Buffer) => this.feed(chunk));
    socket.on('error', () => undefined);
    this.feed(leftover);
  }

  /** Upgrades with a valid token, checks the 101 and hands over the socket. */
  static open(port: number, token: string, path = '/ws'): Promise<RawWs> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      let received: Buffer = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const split = splitHead(received);
        if (!split) return;
        socket.off('data', onData);
        socket.off('error', reject);
        if (!split.head.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(`Upgrade refused: ${split.head}`));
          return;
        }
        resolve(new RawWs(socket, split.body));
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.write(upgradeRequest(path, { Authorization: `Bearer ${token}` }));
    });
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  /** Writes `bytes` one byte per TCP write, waiting for each write to be flushed. */
  async sendBytewise(bytes: Buffer): Promise<void> {
    for (const byte of bytes) {
      await new Promise<void>((resolve, reject) =>
        this.socket.write(Buffer.from([byte]), (error) => (error ? reject(error) : resolve())),
      );
    }
  }

  /** The next frame from the server; rejects when the connection ends first. */
  async nextFrame(): Promise<Frame> {
    while (this.frames.length === 0) {
      if (this.isEnded) throw new Error('Connection ended without a further frame');
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    return this.frames.shift()!;
  }

  /** Frames up to and including the first close frame. */
  async untilClose(): Promise<{ before: Frame[]; close: Frame }> {
    const before: Frame[] = [];
    for (;;) {
      const next = await this.nextFrame();
      if (next.opcode === Opcode.CLOSE) return { before, close: next };
      before.push(next);
    }
  }

  /** Frames up to and including the first text frame whose JSON has this `id`. */
  async untilReply(id: number | string): Promise<Frame[]> {
    const seen: Frame[] = [];
    for (;;) {
      const next = await this.nextFrame();
      seen.push(next);
      if (
        next.opcode === Opcode.TEXT &&
        (JSON.parse(next.payload.toString()) as { id?: unknown }).id === id
      ) {
        return seen;
      }
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private feed(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const { frames, rest } = parseFrames(this.buffer);
    this.buffer = Buffer.from(rest);
    if (frames.length === 0) return;
    this.frames.push(...frames);
    this.wake?.();
  }
}

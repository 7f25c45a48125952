import type { INestApplication } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { randomBytes } from 'node:crypto';
import { TEST_SECRET } from './demo-app.js';
import { buildFrame, Opcode, type Frame } from './frames.js';
import { startProbeApp } from './probe-app.js';
import { RawWs } from './raw-ws.js';
import { TestSocket } from './ws-client.js';

/**
 * Shared tools of the framing e2e suites (test/e2e/framing-*.e2e-spec.ts), reliability catalogue
 * section B (RFC 6455 framing and limits): raw frames written on a TCP socket after a valid
 * upgrade, and `ws` clients for the cases a normal client can produce.
 */

export const sign = (sub: string): string =>
  jwt.sign({ sub }, TEST_SECRET, { algorithm: 'HS256', expiresIn: '1h' });

/** The close code carried by a close frame (1005 when it has none). */
export function closeCodeOf(frame: Frame): number {
  return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
}

/** A masked frame; `rsv` (0-7) sets RSV1..RSV3 in the first byte. */
export function frame(
  opcode: number,
  payload: Buffer | string,
  options: { fin?: boolean; rsv?: number; mask?: Buffer | null } = {},
): Buffer {
  const bytes = buildFrame(opcode, payload, options);
  bytes[0] = (bytes[0] ?? 0) | (((options.rsv ?? 0) & 0x7) << 4);
  return bytes;
}

/** A masked text frame header declaring `length` bytes (64-bit length), followed by `sample` bytes only. */
export function claimedLengthFrame(length: number, sample = 16): Buffer {
  const header = Buffer.alloc(14);
  header[0] = 0x80 | Opcode.TEXT;
  header[1] = 0x80 | 127;
  header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  header.writeUInt32BE(length % 2 ** 32, 6);
  randomBytes(4).copy(header, 10);
  return Buffer.concat([header, Buffer.alloc(sample, 0x61)]);
}

/** A close frame sent by the client with a raw payload (code and reason bytes). */
export function closeFrame(code: number | undefined, reason: Buffer | string = ''): Buffer {
  if (code === undefined) return frame(Opcode.CLOSE, Buffer.alloc(0));
  const head = Buffer.alloc(2);
  head.writeUInt16BE(code, 0);
  const tail = typeof reason === 'string' ? Buffer.from(reason) : reason;
  return frame(Opcode.CLOSE, Buffer.concat([head, tail]));
}

export const text = (f: Frame): string => f.payload.toString('utf8');
export const json = (f: Frame): Record<string, unknown> =>
  JSON.parse(text(f)) as Record<string, unknown>;

export interface FramingApp {
  /** The probe app of the enclosing describe (set once its `beforeAll` has run). */
  readonly app: INestApplication;
  /** `ws` clients closed after each test. */
  readonly sockets: TestSocket[];
  /** Anything else closed after each test (extra apps). */
  readonly others: { close(): Promise<void> }[];
  /** A raw connection, upgraded with a valid token, destroyed after each test. */
  openRaw(sub?: string): Promise<RawWs>;
  /** A `ws` client with a valid token, closed after each test. */
  openWs(sub: string, url?: string): Promise<TestSocket>;
  /** "Alive": a fresh valid connection is accepted and served. */
  expectAlive(url?: string): Promise<void>;
  /** Sends the bytes on a fresh raw connection and returns the code of the server's close frame. */
  closeCodeAfter(...bytes: Buffer[]): Promise<{ code: number; before: Frame[] }>;
}

/**
 * Call inside a `describe`: starts a probe app before its tests, cleans up every connection (and
 * extra app) after each test, and closes the app after all of them.
 */
export function useFramingApp(): FramingApp {
  let started: { app: INestApplication; port: number; baseUrl: string } | undefined;
  const raws: RawWs[] = [];
  const sockets: TestSocket[] = [];
  const others: { close(): Promise<void> }[] = [];

  const current = (): { app: INestApplication; port: number; baseUrl: string } => {
    if (!started) throw new Error('The framing probe app is not started (used outside a test?)');
    return started;
  };

  const openRaw = async (sub = 'u-raw'): Promise<RawWs> => {
    const raw = await RawWs.open(current().port, sign(sub));
    raws.push(raw);
    return raw;
  };
  const openWs = async (sub: string, url = current().baseUrl): Promise<TestSocket> => {
    const socket = await TestSocket.connect(url, { token: sign(sub) });
    sockets.push(socket);
    return socket;
  };
  const expectAlive = async (url = current().baseUrl): Promise<void> => {
    const socket = await openWs('u-alive', url);
    expect(await socket.request('probe:echo', 'still here', 'alive')).toEqual({
      id: 'alive',
      data: 'still here',
    });
  };
  const closeCodeAfter = async (...bytes: Buffer[]): Promise<{ code: number; before: Frame[] }> => {
    const raw = await openRaw();
    raw.send(...bytes);
    const { before, close } = await raw.untilClose();
    // After a protocol error the server does not wait for our close frame: it ends the TCP connection.
    await raw.ended;
    return { code: closeCodeOf(close), before };
  };

  beforeAll(async () => {
    started = await startProbeApp();
  });
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.destroy();
    await Promise.all(sockets.splice(0).map((s) => s.close()));
    await Promise.all(others.splice(0).map((o) => o.close()));
  });
  afterAll(async () => {
    await started?.app.close();
  });

  return {
    get app() {
      return current().app;
    },
    sockets,
    others,
    openRaw,
    openWs,
    expectAlive,
    closeCodeAfter,
  };
}

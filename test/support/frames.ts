import { randomBytes } from 'node:crypto';

/** RFC 6455 opcodes used by the tests. */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

export interface Frame {
  fin: boolean;
  opcode: number;
  masked: boolean;
  payload: Buffer;
}

/**
 * Builds one WebSocket frame. Client frames must be masked (`mask` defaults to a random key);
 * pass `mask: null` for an unmasked (server-style) frame.
 */
export function buildFrame(
  opcode: number,
  payload: Buffer | string,
  {
    fin = true,
    mask = randomBytes(4) as Buffer | null,
  }: { fin?: boolean; mask?: Buffer | null } = {},
): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const length = data.length;
  let header: Buffer;
  if (length < 126) {
    header = Buffer.alloc(2);
    header[1] = length;
  } else if (length < 65536) {
    header = Buffer.alloc(4);
    header[1] = 126;
    header.writeUInt16BE(length, 2);
  } else {
    header = Buffer.alloc(10);
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  header[0] = (fin ? 0x80 : 0) | (opcode & 0x0f);
  if (!mask) return Buffer.concat([header, data]);
  header[1] = (header[1] ?? 0) | 0x80;
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = (data[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([header, mask, masked]);
}

/** A masked client text frame carrying `message` (JSON-encoded unless it is a string). */
export function clientTextFrame(message: unknown): Buffer {
  return buildFrame(Opcode.TEXT, typeof message === 'string' ? message : JSON.stringify(message));
}

/**
 * Parses as many complete frames as `buffer` holds; `rest` is the incomplete tail.
 * Lengths above 2^32 are not supported (tests never expect them from the server).
 */
export function parseFrames(buffer: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let offset = 0;
  for (;;) {
    if (buffer.length - offset < 2) break;
    const b0 = buffer[offset] ?? 0;
    const b1 = buffer[offset + 1] ?? 0;
    let length = b1 & 0x7f;
    let cursor = offset + 2;
    if (length === 126) {
      if (buffer.length < cursor + 2) break;
      length = buffer.readUInt16BE(cursor);
      cursor += 2;
    } else if (length === 127) {
      if (buffer.length < cursor + 8) break;
      length = Number(buffer.readBigUInt64BE(cursor));
      cursor += 8;
    }
    const masked = (b1 & 0x80) !== 0;
    let mask: Buffer | undefined;
    if (masked) {
      if (buffer.length < cursor + 4) break;
      mask = buffer.subarray(cursor, cursor + 4);
      cursor += 4;
    }
    if (buffer.length < cursor + length) break;
    const payload = Buffer.from(buffer.subarray(cursor, cursor + length));
    if (mask)
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
    frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, masked, payload });
    offset = cursor + length;
  }
  return { frames, rest: buffer.subarray(offset) };
}

/** Splits raw bytes read after an upgrade request into the HTTP head and the bytes after it. */
export function splitHead(received: Buffer): { head: string; body: Buffer } | undefined {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  return { head: received.subarray(0, end).toString('latin1'), body: received.subarray(end + 4) };
}

/**
 * The load generator's side of the wire, built once and written as is: masked WebSocket client
 * frames, the HTTP upgrade request, and the two message dialects (the `{event, data, id}` JSON
 * envelope of ws / stock Nest / nestjs-realtime, and Socket.IO's Engine.IO v4 packets).
 */

export const OP_TEXT = 0x1;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

/** A fixed masking key: frames are built once and reused, and no server depends on the key. */
const MASK = [0x37, 0xfa, 0x21, 0x3d];

/** A complete client-to-server frame (FIN, masked). */
export function clientFrame(opcode: number, payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = data.length;
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  for (let i = 0; i < 4; i++) frame[header + i] = MASK[i]!;
  for (let i = 0; i < length; i++) frame[header + 4 + i] = data[i]! ^ MASK[i & 3]!;
  return frame;
}

/** A masked text frame. */
export function textFrame(text: string): Buffer {
  return clientFrame(OP_TEXT, text);
}

export interface Dialect {
  /** `ws` for the JSON envelope, `sio` for Socket.IO. */
  kind: 'ws' | 'sio';
  /** Request path (with query for Socket.IO). */
  path: string;
  /** Extra upgrade request headers, each ending in CRLF. */
  headers: string;
  /** A request/reply request for in-flight slot `slot`; the reply carries `"s":slot`. */
  echo(slot: number): string;
  /** Joins a room; the server answers with one message. */
  join(room: string): string;
  /** Asks the server to push `{"room", "t"}` as `tick` to every member of the room. */
  publish(room: string, t: number): string;
}

const TEXT = 'hello world';

/**
 * The JSON envelope, with the upgrade request nestjs-realtime's SDK sends: it offers the
 * `realtime.v1` subprotocol. Every `ws` server gets these same bytes and answers the same `101`
 * (with no `handleProtocols`, `ws` selects the first subprotocol offered), so a handshake costs
 * each of them the same parsing and writing, and a difference is the server's own work.
 */
export const WS_ENVELOPE: Dialect = {
  kind: 'ws',
  path: '/ws',
  headers: 'Sec-WebSocket-Protocol: realtime.v1\r\n',
  echo: (slot) => `{"event":"echo","data":{"s":${slot},"text":"${TEXT}"},"id":${slot}}`,
  join: (room) => `{"event":"join","data":{"room":"${room}"},"id":"join"}`,
  publish: (room, t) => `{"event":"publish","data":{"room":"${room}","t":${t}}}`,
};

/** nestjs-realtime: the same envelope and upgrade request. */
export const REALTIME_ENVELOPE: Dialect = WS_ENVELOPE;

/**
 * Socket.IO v4 over a WebSocket from the start (`EIO=4&transport=websocket`): the server opens
 * with `0{...}`, the client connects the main namespace with `40` and gets `40{"sid"}`; events
 * are `42["event",data]`, with an ack id `42<id>[...]` answered by `43<id>[reply]`; the
 * server's `2` pings are answered with `3`.
 */
export const SOCKET_IO: Dialect = {
  kind: 'sio',
  path: '/socket.io/?EIO=4&transport=websocket',
  headers: '',
  echo: (slot) => `42${slot}["echo",{"s":${slot},"text":"${TEXT}"}]`,
  join: (room) => `420["join",{"room":"${room}"}]`,
  publish: (room, t) => `42["publish",{"room":"${room}","t":${t}}]`,
};

export const SIO_CONNECT = clientFrame(OP_TEXT, '40');
export const SIO_PONG = clientFrame(OP_TEXT, '3');
export const CLOSE_FRAME = clientFrame(OP_CLOSE, Buffer.from([0x03, 0xe8]));

/** The upgrade request, the same bytes for every connection to a server. */
export function upgradeRequest(dialect: Dialect, port: number, token: string): Buffer {
  return Buffer.from(
    `GET ${dialect.path} HTTP/1.1\r\n` +
      `Host: 127.0.0.1:${port}\r\n` +
      'Upgrade: websocket\r\n' +
      'Connection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
      'Sec-WebSocket-Version: 13\r\n' +
      `Authorization: Bearer ${token}\r\n` +
      dialect.headers +
      '\r\n',
  );
}

const QUOTE = 0x22;
const COLON = 0x3a;

/**
 * The non-negative integer after `"<key>":` in `data[start, end)`, or -1. A byte scan instead of
 * JSON.parse keeps the generator cheaper than the servers it measures.
 */
export function intAfterKey(data: Buffer, start: number, end: number, key: number): number {
  for (let i = start; i + 4 < end; i++) {
    if (
      data[i] === QUOTE &&
      data[i + 1] === key &&
      data[i + 2] === QUOTE &&
      data[i + 3] === COLON
    ) {
      let value = 0;
      let j = i + 4;
      let digits = 0;
      for (; j < end; j++) {
        const c = data[j]! - 48;
        if (c < 0 || c > 9) break;
        value = value * 10 + c;
        digits++;
      }
      return digits > 0 ? value : -1;
    }
  }
  return -1;
}

export const KEY_S = 's'.charCodeAt(0);
export const KEY_T = 't'.charCodeAt(0);

/** Wall-clock microseconds, comparable between processes (a broadcast's `t` in another one). */
export const nowUs = (): number => (performance.timeOrigin + performance.now()) * 1000;

import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HandshakeErrorBody } from '../../protocol/index.js';
import type { HandshakeException } from '../errors/handshake.exception.js';

/** Shared by every socket that needs it (`this` is the socket): no closure per upgrade. */
export function destroySocket(this: Duplex): void {
  this.destroy();
}

/**
 * Answers an upgrade request with a plain HTTP error and closes the TCP connection, as ws's
 * `abortHandshake` does, with the JSON body of protocol section 1.
 */
export function rejectHandshake(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body: HandshakeErrorBody = { error: { code, message } };
  const json = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  // The peer may reset the connection while the answer is written: that must not crash us (Node's
  // HTTP server took its own `error` listener off the socket before the `upgrade` event).
  socket.on('error', destroySocket);
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${json}`);
}

/** Answers an upgrade with a `HandshakeException`'s status, code, message and headers. */
export function refuseHandshake(socket: Duplex, error: HandshakeException): void {
  rejectHandshake(socket, error.status, error.code, error.message, error.headers);
}

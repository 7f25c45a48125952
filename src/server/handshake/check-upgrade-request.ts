import type { IncomingMessage } from 'node:http';
import { HandshakeErrorCode } from '../../protocol/index.js';
import { HandshakeException } from '../errors/handshake.exception.js';

const KEY = /^[+/0-9A-Za-z]{22}==$/;

/** RFC 6455 section 4.2.1 checks, as ws makes them, but answered with coded JSON errors. */
export function checkUpgradeRequest(request: IncomingMessage): HandshakeException | undefined {
  if (request.method !== 'GET') {
    return new HandshakeException(
      405,
      HandshakeErrorCode.METHOD_NOT_ALLOWED,
      'A WebSocket upgrade must be a GET request',
      { Allow: 'GET' },
    );
  }
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') {
    return HandshakeException.badRequest('The Upgrade header must be "websocket"');
  }
  const version = request.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') {
    return new HandshakeException(
      400,
      HandshakeErrorCode.BAD_REQUEST,
      'Unsupported Sec-WebSocket-Version; use 13',
      { 'Sec-WebSocket-Version': '13, 8' },
    );
  }
  const key = request.headers['sec-websocket-key'];
  if (!key || !KEY.test(key.trim())) {
    return HandshakeException.badRequest('Missing or invalid Sec-WebSocket-Key');
  }
  return undefined;
}

/**
 * Cross-site WebSocket hijacking defence: the Origin must match an allowed origin exactly.
 * Requests without Origin come from non-browser clients and pass.
 */
export function isOriginAllowed(
  request: IncomingMessage,
  allowed: string[] | 'same-origin' | '*',
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || allowed === '*') return true;
  if (allowed === 'same-origin') {
    const host = request.headers.host;
    return !!host && (origin === `http://${host}` || origin === `https://${host}`);
  }
  return allowed.includes(origin);
}

/** The path of an upgrade request, without its query string. */
export function requestPath(request: IncomingMessage): string {
  const raw = request.url ?? '/';
  const query = raw.indexOf('?');
  return query < 0 ? raw : raw.slice(0, query);
}

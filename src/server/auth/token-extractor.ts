import type { IncomingMessage } from 'node:http';
import { BEARER_SUBPROTOCOL_PREFIX } from '../../protocol/index.js';
import { HandshakeException } from '../errors/handshake.exception.js';
import type { RealtimeTokenSources } from '../realtime.options.js';

const BEARER_HEADER = /^Bearer +(\S+)$/i;

function fromHeader(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  if (!BEARER_HEADER.test(header)) {
    throw HandshakeException.unauthorized('Authorization header is not "Bearer <token>"');
  }
  // The token has no whitespace: it is what follows the last space.
  return header.slice(header.lastIndexOf(' ') + 1);
}

function fromSubprotocol(request: IncomingMessage): string | undefined {
  const header = request.headers['sec-websocket-protocol'];
  if (!header) return undefined;
  const entries = header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  if (entries.length > 1) throw HandshakeException.unauthorized('More than one bearer subprotocol');
  return entries[0]?.slice(BEARER_SUBPROTOCOL_PREFIX.length) || undefined;
}

function fromQuery(url: URL): string | undefined {
  const values = url.searchParams.getAll('access_token');
  if (values.length > 1) throw HandshakeException.unauthorized('More than one access_token');
  return values[0] || undefined;
}

function fromCookie(request: IncomingMessage, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(value) || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Finds the token of an upgrade request, first found wins: header, subprotocol, query, cookie.
 * Returns `undefined` when there is none; throws 401 for an ambiguous or malformed one. `url` may
 * be a function: it is then called only if the query is looked at (a token in the header, the
 * usual case, costs no URL parsing).
 */
export function extractToken(
  request: IncomingMessage,
  url: URL | (() => URL),
  sources: Required<RealtimeTokenSources>,
): string | undefined {
  return (
    (sources.header ? fromHeader(request) : undefined) ??
    (sources.subprotocol ? fromSubprotocol(request) : undefined) ??
    (sources.query ? fromQuery(typeof url === 'function' ? url() : url) : undefined) ??
    (sources.cookie ? fromCookie(request, sources.cookie) : undefined)
  );
}

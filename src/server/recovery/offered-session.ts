import type { IncomingMessage } from 'node:http';
import { RESUME_LIMITS, SESSION_SUBPROTOCOL_PREFIX } from '../../protocol/index.js';

/**
 * The session an upgrade names to resume (`session.<sid>` in `Sec-WebSocket-Protocol`, never
 * echoed); undefined when none, or when the entry is malformed or repeated (the client then gets
 * a fresh session at `$resume`).
 */
export function offeredSession(request: IncomingMessage): string | undefined {
  const header = request.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  const entries = header
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.startsWith(SESSION_SUBPROTOCOL_PREFIX));
  if (entries.length !== 1) return undefined;
  const id = entries[0]!.slice(SESSION_SUBPROTOCOL_PREFIX.length);
  return RESUME_LIMITS.sessionId.test(id) ? id : undefined;
}

import type { IncomingMessage } from 'node:http';
import type { RealtimePrincipal } from '../auth/principal.js';

/** What a handshake guard sees of an HTTP Upgrade request. */
export interface HandshakeContext {
  readonly request: IncomingMessage;
  /** The request URL, parsed (`url.searchParams` for query parameters). */
  readonly url: URL;
  /** The gateway path that matched. */
  readonly path: string;
  /** Set by the JWT guard; later guards may read it or set their own. */
  principal?: RealtimePrincipal;
}

/**
 * Decides whether an HTTP Upgrade may become a WebSocket. Runs before the `101`; return `false`
 * for `403 FORBIDDEN`, or throw a `HandshakeException` for another status. Guards are Nest
 * providers (`@Injectable()`), so they may inject services.
 */
export interface HandshakeGuard {
  canHandshake(context: HandshakeContext): boolean | Promise<boolean>;
}

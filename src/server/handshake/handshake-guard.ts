import type { IncomingMessage } from 'node:http';
import type { RealtimePrincipal } from '../auth/principal.js';
import type { RealtimeConnection } from '../connection/realtime-connection.js';

/** What a handshake guard sees: an HTTP Upgrade, or a `$auth` refresh of an open connection. */
export interface HandshakeContext {
  /** `upgrade` before the `101`; `refresh` when a connection sends `$auth` with a new token. */
  readonly kind: 'upgrade' | 'refresh';
  /**
   * The upgrade request. For a refresh: the connection's upgrade request when its path has a
   * guard other than `JwtHandshakeGuard`, else a stand-in with only `url` and `method`.
   */
  readonly request: IncomingMessage;
  /** The request URL, parsed (`url.searchParams` for query parameters). */
  readonly url: URL;
  /** The gateway path that matched. */
  readonly path: string;
  /**
   * The credential to check: at the upgrade the token from the configured `tokenSources`
   * (header, subprotocol, query, cookie; reading it throws 401 when it is ambiguous), for a
   * refresh the new token of `$auth`. Read it here rather than from the request, so that one
   * guard serves both.
   */
  readonly token: string | undefined;
  /** For a refresh: the connection being refreshed (its current principal included). */
  readonly connection?: RealtimeConnection;
  /** Set by the guard that authenticates (the JWT guard); later guards may read it. */
  principal?: RealtimePrincipal;
}

/**
 * Decides whether an HTTP Upgrade may become a WebSocket (and whether a `$auth` refresh is
 * accepted). Runs before the `101`; return `false` for `403 FORBIDDEN`, or throw a
 * `HandshakeException` for another status. Guards are Nest providers (`@Injectable()`), so they
 * may inject services.
 */
export interface HandshakeGuard {
  canHandshake(context: HandshakeContext): boolean | Promise<boolean>;
}

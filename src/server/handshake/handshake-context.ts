import type { IncomingMessage } from 'node:http';
import { extractToken } from '../auth/token-extractor.js';
import type { RealtimePrincipal } from '../auth/principal.js';
import type { RealtimeConnection } from '../connection/realtime-connection.js';
import type { RealtimeTokenSources } from '../realtime.options.js';
import type { HandshakeContext } from './handshake-guard.js';

function parseUrl(request: Pick<IncomingMessage, 'url'>): URL {
  try {
    return new URL(request.url ?? '/', 'http://localhost');
  } catch {
    return new URL('http://localhost/');
  }
}

/** What `token` holds until a guard asked for it. */
const UNREAD: unique symbol = Symbol('not read');

/**
 * The guards' view of an upgrade; the URL and the token are read only if a guard asks. A class
 * (its getters on the prototype): an object literal with getters built two closures and two
 * accessor pairs per upgrade.
 */
class UpgradeContext implements HandshakeContext {
  readonly kind = 'upgrade' as const;
  principal?: RealtimePrincipal;
  // Private fields (#): what a guard read is not a property others can enumerate or copy.
  #parsed: URL | undefined;
  #token: string | undefined | typeof UNREAD = UNREAD;
  readonly #sources: Required<RealtimeTokenSources>;

  constructor(
    readonly request: IncomingMessage,
    readonly path: string,
    sources: Required<RealtimeTokenSources>,
  ) {
    this.#sources = sources;
  }

  get url(): URL {
    return (this.#parsed ??= parseUrl(this.request));
  }

  get token(): string | undefined {
    // The URL is parsed only if the token is looked for in the query.
    if (this.#token === UNREAD) {
      this.#token = extractToken(this.request, () => this.url, this.#sources);
    }
    return this.#token;
  }
}

export function handshakeContext(
  request: IncomingMessage,
  path: string,
  sources: Required<RealtimeTokenSources>,
): HandshakeContext {
  return new UpgradeContext(request, path, sources);
}

/** The guards' view of a `$auth` refresh on an open connection. */
export function refreshContext(
  connection: RealtimeConnection,
  token: string,
  request: IncomingMessage | undefined,
): HandshakeContext {
  const stand =
    request ?? ({ url: connection.path, method: 'GET', headers: {} } as IncomingMessage);
  let url: URL | undefined;
  return {
    kind: 'refresh',
    request: stand,
    path: connection.path,
    token,
    connection,
    get url(): URL {
      return (url ??= parseUrl(stand));
    },
  };
}

import type { IncomingMessage } from 'node:http';
import { extractToken } from '../auth/token-extractor.js';
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

/** The guards' view of an upgrade; the URL and the token are read only if a guard asks. */
export function handshakeContext(
  request: IncomingMessage,
  path: string,
  sources: Required<RealtimeTokenSources>,
): HandshakeContext {
  let url: URL | undefined;
  let token: { value: string | undefined } | undefined;
  const urlOf = (): URL => (url ??= parseUrl(request));
  return {
    kind: 'upgrade',
    request,
    path,
    get url(): URL {
      return urlOf();
    },
    get token(): string | undefined {
      // The URL is parsed only if the token is looked for in the query.
      token ??= { value: extractToken(request, urlOf, sources) };
      return token.value;
    },
  };
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

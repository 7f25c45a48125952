import type { IncomingMessage } from 'node:http';
import type { HandshakeContext } from './handshake-guard.js';

/** The guards' view of a request; the URL is parsed only if a guard reads it. */
export function handshakeContext(request: IncomingMessage, path: string): HandshakeContext {
  let url: URL | undefined;
  return {
    request,
    path,
    get url(): URL {
      if (!url) {
        try {
          url = new URL(request.url ?? '/', 'http://localhost');
        } catch {
          url = new URL('http://localhost/');
        }
      }
      return url;
    },
  };
}

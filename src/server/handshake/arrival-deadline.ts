import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';

const destroy = (socket: Socket): void => void socket.destroy();

/**
 * Bounds how long a client may take, from connecting, to send the headers of its first request
 * (a WebSocket upgrade, or any HTTP request): then the socket is destroyed. Node's own
 * `headersTimeout` (60 s) is only checked every 30 s, so a slow writer could hold a descriptor
 * for 90 s; near the descriptor limit, a few thousand of them would lock everyone out. One
 * `unref()`ed timer per connection until its first request arrives, and nothing after: the
 * timer and the socket's `close` listener go then (a listener left behind kept its closure and
 * the cleared timer for the connection's lifetime, some 300 bytes per open WebSocket). An HTTP
 * request clears it by itself; an upgrade is cleared by whoever listens to `upgrade`, first
 * thing (the adapter: a second `upgrade` listener cost a copy of the listener list per upgrade).
 */
export function boundRequestArrival(server: HttpServer, ms: number): RequestArrival {
  // The timer rides on the socket under a symbol of this server's (a property, not a WeakMap
  // entry: see connection-map.ts), and is set back to undefined once the request came.
  const TIMER: unique symbol = Symbol('request arrival deadline');
  type Watched = Socket & { [TIMER]?: NodeJS.Timeout | undefined };
  // Shared by every socket (`this` is the socket): nothing allocated per connection but the timer.
  function closed(this: Watched): void {
    clearTimeout(this[TIMER]);
    this[TIMER] = undefined;
  }
  const connected = (socket: Watched): void => {
    const timer = setTimeout(destroy, ms, socket);
    timer.unref();
    socket[TIMER] = timer;
    socket.on('close', closed);
  };
  const arrived = (request: IncomingMessage): void => {
    const socket = request.socket as Watched;
    const timer = socket[TIMER];
    if (timer === undefined) return;
    clearTimeout(timer);
    socket[TIMER] = undefined;
    socket.off('close', closed);
  };
  // Over TLS, requests come on the TLS socket, not on the TCP one under it.
  const event = server instanceof TlsServer ? 'secureConnection' : 'connection';
  server.on(event, connected);
  server.prependListener('request', arrived);
  return {
    arrived,
    undo: () => {
      server.off(event, connected);
      server.off('request', arrived);
    },
  };
}

/** A deadline on requests arriving: `arrived` for each upgrade request, `undo` to stop. */
export interface RequestArrival {
  arrived(request: IncomingMessage): void;
  undo(): void;
}

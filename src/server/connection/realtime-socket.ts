import { WebSocket } from 'ws';
import { stateOf } from './connection-map.js';

/**
 * The `ws` socket of realtime connections (the `WebSocket` class of their `WebSocketServer`).
 * Its `user` is `request.user` for guards written for HTTP: on a gateway,
 * `switchToHttp().getRequest()` and `switchToWs().getClient()` are the socket. Mapped from the
 * principal once per principal (a `$auth` refresh brings a new one). A getter on the prototype:
 * a property defined on every socket cost a definition per handshake.
 */
export class RealtimeSocket extends WebSocket {
  get user(): unknown {
    return stateOf(this)?.requestUser;
  }
}

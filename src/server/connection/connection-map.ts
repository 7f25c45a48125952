import type { ConnectionState } from './connection-state.js';
import type { RealtimeConnection } from './realtime-connection.js';

/**
 * The one socket-to-state link: the `ws` socket is what Nest hands to hooks and guards. A symbol
 * property on the socket, not a WeakMap: a WeakMap entry per connection is an ephemeron the
 * garbage collector handles apart on every cycle, and its lookup costs more than a property's.
 */
const STATE: unique symbol = Symbol('nestjs-realtime connection state');

type Linked = { [STATE]?: ConnectionState };

/** Links a socket to its state (done when it opens, before any hook runs). */
export function attachState(socket: object, state: ConnectionState): void {
  (socket as Linked)[STATE] = state;
}

/** The runtime state of a socket, if it is ours. */
export function stateOf(socket: unknown): ConnectionState | undefined {
  return socket && typeof socket === 'object' ? (socket as Linked)[STATE] : undefined;
}

/**
 * The connection of a `ws` socket (the `@ConnectedSocket()` client, or
 * `context.switchToWs().getClient()` in a guard), if it is one of this module's.
 */
export function connectionOf(socket: unknown): RealtimeConnection | undefined {
  return stateOf(socket);
}

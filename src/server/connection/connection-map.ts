import type { ConnectionState } from './connection-state.js';
import type { RealtimeConnection } from './realtime-connection.js';

// The one socket-to-state map: the `ws` socket is what Nest hands to hooks and guards.
const states = new WeakMap<object, ConnectionState>();

/** Links a socket to its state (done when it opens, before any hook runs). */
export function attachState(socket: object, state: ConnectionState): void {
  states.set(socket, state);
}

/** The runtime state of a socket, if it is ours. */
export function stateOf(socket: unknown): ConnectionState | undefined {
  return socket && typeof socket === 'object' ? states.get(socket) : undefined;
}

/**
 * The connection of a `ws` socket (the `@ConnectedSocket()` client, or
 * `context.switchToWs().getClient()` in a guard), if it is one of this module's.
 */
export function connectionOf(socket: unknown): RealtimeConnection | undefined {
  return stateOf(socket);
}
